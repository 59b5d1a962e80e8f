"""Editors' text overrides (issue 8): used within a second, placeholders checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot import messages
from bot.messages import override_problems, render


@pytest.fixture
def overrides_dir(kb_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KNOWLEDGE_BASE_DIR", str(kb_dir))
    monkeypatch.setattr(messages, "_override_holder", messages._Overrides())
    return kb_dir


def _write(folder: Path, text: str) -> None:
    (folder / "texts.yml").write_text(text, encoding="utf-8")
    messages._override_holder.checked = 0.0  # as if a second had passed


def test_editor_override_is_used_and_falls_back_per_language(overrides_dir: Path, kb: Any) -> None:
    original_nb = render("greet", "nb", kb)
    _write(overrides_dir, "messages:\n  greet:\n    nn: Hei frå {municipality}, eg er ein robot.\n")
    assert render("greet", "nn", kb).startswith("Hei frå ")
    assert "{municipality}" not in render("greet", "nn", kb)
    assert render("greet", "nb", kb) == original_nb


def test_editor_bad_override_keeps_last_good(overrides_dir: Path, kb: Any) -> None:
    _write(overrides_dir, "messages:\n  greet:\n    nn: Hei frå {municipality}.\n")
    good = render("greet", "nn", kb)
    _write(overrides_dir, "messages:\n  greet:\n    nn: Hei frå {kommune}.\n")
    assert render("greet", "nn", kb) == good


def test_editor_widget_label_override(overrides_dir: Path, kb: Any) -> None:
    key = next(iter(messages.catalogue_section("widget")))
    _write(overrides_dir, f"widget:\n  {key}:\n    nb: Ny etikett\n")
    assert messages.ui_texts("widget", "nb", kb)[key] == "Ny etikett"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"messages": {"greet": {"nn": "Hei."}}}, "the placeholder {municipality} is missing"),
        ({"messages": {"greet": {"nn": "Hei {municipality} {x}"}}}, "unknown placeholder {x}"),
        ({"messages": {"finst_ikkje": {"nn": "Hei"}}}, "no such text"),
        ({"messages": {"greet": {"de": "Hallo {municipality}"}}}, "use nn, nb or en"),
        ({"messages": {"greet": {"nn": "Hei {municipality"}}}, "no partner"),
        ({"andre": {}}, "unknown section"),
    ],
)
def test_editor_override_problems(data: dict, problem: str) -> None:
    assert any(problem in line for line in override_problems(data)), override_problems(data)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("messages:\n  greet:\n    nn: Hei frå {municipality}.\n", 0),
        ("messages:\n  greet:\n    nn: Hei.\n", 1),
    ],
)
def test_editor_kb_check_checks_text_overrides(
    kb_dir: Path, capsys: pytest.CaptureFixture[str], text: str, code: int
) -> None:
    from bot.kb.__main__ import main

    (kb_dir / "texts.yml").write_text(text, encoding="utf-8")
    assert main(["check", str(kb_dir)]) == code
    if code:
        assert (
            "texts.yml: messages.greet.nn: the placeholder {municipality} is missing"
            in capsys.readouterr().err
        )
