"""Rasa's in-memory trackers of widget conversations follow the retention schedule."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from bot.web import trackers

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)


def _tracker(days_ago: float) -> str:
    stamp = (NOW - timedelta(days=days_ago)).timestamp()
    return json.dumps(
        {
            "events": [
                {"event": "user", "timestamp": stamp - 5},
                {"event": "bot", "timestamp": stamp},
            ]
        }
    )


def _agent(store: dict[str, str], wrapped: bool = False) -> SimpleNamespace:
    inner = SimpleNamespace(store=store)
    return SimpleNamespace(
        tracker_store=SimpleNamespace(_tracker_store=inner) if wrapped else inner
    )


def test_forget_stale_drops_only_old_trackers() -> None:
    store = {"old": _tracker(31), "fresh": _tracker(2), "broken": "{not json"}
    assert trackers.forget_stale(_agent(store, wrapped=True), timedelta(days=30), NOW) == 1
    assert set(store) == {"fresh", "broken"}


def test_forget_one_and_no_in_memory_store() -> None:
    store = {"a": _tracker(1), "b": _tracker(1)}
    trackers.forget(_agent(store), "a")
    assert set(store) == {"b"}
    assert (
        trackers.forget_stale(SimpleNamespace(tracker_store=object()), timedelta(days=1), NOW) == 0
    )
    assert trackers.forget_stale(None, timedelta(days=1), NOW) == 0
