"""TEMPORARY: the old method names delegate to the repositories (deleted with legacy.py)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.handoff import HandoffStore
from bot.handoff.legacy import LEGACY_NAMES, LegacyStoreMethods


def test_every_legacy_method_is_in_the_map() -> None:
    public = {name for name in vars(LegacyStoreMethods) if not name.startswith("_")}
    assert public == set(LEGACY_NAMES)


@pytest.mark.parametrize(("old", "new"), sorted(LEGACY_NAMES.items()))
def test_legacy_name_delegates_to_the_repository(
    store: HandoffStore, monkeypatch: pytest.MonkeyPatch, old: str, new: str
) -> None:
    repository_name, method = new.split(".")
    repository = getattr(store, repository_name)
    assert callable(getattr(type(repository), method))
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def spy(*args: Any, **kwargs: Any) -> str:
        calls.append((args, kwargs))
        return "result"

    monkeypatch.setattr(repository, method, spy)
    args = () if old in ("queue", "list_users") else ("a", 1)
    result = getattr(store, old)(*args)
    assert calls == [(args, {})]
    if old not in ("set_message_nlu", "set_feedback", "set_password"):
        assert result == "result"
