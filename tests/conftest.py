"""Shared fixtures: knowledge base, fixed clock, tracker, dispatcher and domain."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.kb import KnowledgeBase, load_knowledge_base
from bot.kb.hours import OSLO

ROOT = Path(__file__).resolve().parents[1]
# Tests read a frozen fixture, never the live knowledge base editors change (see
# tests/fixtures/README.md). The servers `make run` starts in tests inherit this too.
# Set before anything imports `actions`, whose import loads bot.kb.default_store().
KB_DIR = ROOT / "tests" / "fixtures" / "knowledge_base"
os.environ["KNOWLEDGE_BASE_DIR"] = str(KB_DIR)
# Fixture variants (broken files etc.) live next to it.
FIXTURES = ROOT / "tests" / "fixtures"

# Thursday 26 November 2026, 10:00 in Oslo: Knarvik and Manger open, Frekhaug closed.
THURSDAY_MORNING = datetime(2026, 11, 26, 10, 0, tzinfo=OSLO)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base(KB_DIR)


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """A writable copy of the fixture knowledge base."""
    target = tmp_path / "knowledge_base"
    shutil.copytree(KB_DIR, target)
    return target


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    with (ROOT / "domain.yml").open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def _entity(name: str, value: str) -> dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": 1, "confidence_entity": 1.0}


@pytest.fixture
def make_tracker() -> Iterator[Callable[..., Tracker]]:
    """Builds a tracker whose latest message has the given intent, entities and slots.

    ``previous`` lists earlier turns as ``(intent, bot_action)`` pairs, oldest first.
    """

    def build(
        intent: str,
        text: str = "",
        entities: dict[str, str] | None = None,
        slots: dict[str, Any] | None = None,
        previous: list[tuple[str, str]] | None = None,
    ) -> Tracker:
        events: list[dict[str, Any]] = []
        for old_intent, action in previous or []:
            events.append(
                {
                    "event": "user",
                    "text": old_intent,
                    "parse_data": {"intent": {"name": old_intent}},
                }
            )
            events.append({"event": "action", "name": action})
            events.append({"event": "action", "name": "action_listen"})
        latest = {
            "intent": {"name": intent, "confidence": 0.9},
            "entities": [_entity(k, v) for k, v in (entities or {}).items()],
            "text": text,
        }
        events.append({"event": "user", "text": text, "parse_data": latest})
        return Tracker(
            sender_id="test",
            slots={"language": "nn", **(slots or {})},
            latest_message=latest,
            events=events,
            paused=False,
            followup_action=None,
            active_loop={},
            latest_action_name="action_listen",
        )

    yield build


def texts(dispatcher: CollectingDispatcher) -> str:
    """All text the dispatcher collected, joined by newlines."""
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


__all__ = ["THURSDAY_MORNING", "texts"]
