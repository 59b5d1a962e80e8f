"""The tracker store's in-memory copy (bot/rasa/tracker_cache.py): flat, never stale."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.core.processor import MessageProcessor
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa import tracker_cache
from bot.rasa.tracker_store import TRACKER_FILE, AlverTrackerStore
from bot.web import trackers

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, ask_opening_hours]
slots:
  language: {type: text, mappings: [{type: custom}]}
"""
)


def _store(folder: Path, cache: int = 100) -> AlverTrackerStore:
    return AlverTrackerStore(DOMAIN, url=f"sqlite:///{folder}/{TRACKER_FILE}", cache=cache)


def _turn(tracker: DialogueStateTracker, n: int) -> None:
    """One citizen message and the bot's answer: three events."""
    at = 1_700_000_000.0 + n
    intent = {"name": "ask_opening_hours", "confidence": 1}
    tracker.update(UserUttered(f"spørsmål {n}", intent, timestamp=at))
    tracker.update(SlotSet("language", "nn", timestamp=at))
    tracker.update(ActionExecuted("action_listen", timestamp=at))


async def _message(store: AlverTrackerStore, sender_id: str, n: int) -> DialogueStateTracker:
    """What Rasa's processor does per message: get or create, change, save."""
    tracker = await store.get_or_create_tracker(sender_id, append_action_listen=False)
    _turn(tracker, n)
    await store.save(tracker)
    return tracker


def _rows(store: AlverTrackerStore, sender_id: str) -> list[tuple[Any, ...]]:
    query = sa.text(
        "SELECT type_name, intent_name, action_name, data FROM events "
        "WHERE sender_id = :s ORDER BY id"
    )
    with store.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query, {"s": sender_id})]


def test_a_400_message_conversation_reads_and_writes_a_constant_amount_per_message(
    tmp_path: Path,
) -> None:
    store = _store(tmp_path)

    async def converse() -> list[tuple[int, int]]:
        per_message = []
        for n in range(400):
            stats = store.cache.stats
            loaded, written = stats["events_loaded"], stats["events_written"]
            await _message(store, "long", n)
            per_message.append(
                (
                    store.cache.stats["events_loaded"] - loaded,
                    store.cache.stats["events_written"] - written,
                )
            )
        return per_message

    per_message = asyncio.run(converse())
    # No event is read back after the first message; each message writes only its own 3.
    assert set(per_message[1:]) == {(0, 3)}
    assert store.cache.stats["loads"] <= 1
    assert len(_rows(store, "long")) == 400 * 3


def test_the_rows_are_the_ones_rasas_own_store_writes(tmp_path: Path) -> None:
    cached, plain = _store(tmp_path / "a", cache=10), _store(tmp_path / "b", cache=0)
    for store in (cached, plain):
        for n in range(3):
            asyncio.run(_message(store, "same", n))
    assert _rows(cached, "same") == _rows(plain, "same")
    assert len(_rows(plain, "same")) == 9


def test_a_restart_keeps_the_dialogue_context(tmp_path: Path) -> None:
    asyncio.run(_message(_store(tmp_path), "c1", 1))
    restarted = _store(tmp_path)
    tracker = asyncio.run(restarted.retrieve("c1"))
    assert tracker is not None
    assert (tracker.get_slot("language"), tracker.latest_message.text) == ("nn", "spørsmål 1")
    assert (restarted.cache.stats["loads"], restarted.cache.stats["hits"]) == (1, 0)


def test_two_instances_on_one_database_never_serve_a_stale_tracker(tmp_path: Path) -> None:
    first, second = _store(tmp_path), _store(tmp_path)
    asyncio.run(_message(first, "shared", 1))  # kept by the first instance
    asyncio.run(_message(second, "shared", 2))  # the load balancer sent message 2 elsewhere
    tracker = asyncio.run(first.retrieve("shared"))
    assert tracker is not None
    assert tracker.latest_message.text == "spørsmål 2"
    assert len(tracker.events) == 6
    asyncio.run(_message(first, "shared", 3))
    assert [row[0] for row in _rows(first, "shared")].count("user") == 3


@pytest.mark.parametrize("deleted_by", ["same instance", "other instance"])
def test_deleting_a_conversation_reaches_the_kept_tracker(tmp_path: Path, deleted_by: str) -> None:
    store = _store(tmp_path)
    asyncio.run(_message(store, "gone", 1))
    assert asyncio.run(store.retrieve("gone")) is not None
    deleter = store if deleted_by == "same instance" else _store(tmp_path)

    class _Agent:
        tracker_store = deleter

    asyncio.run(trackers.RasaTrackers(lambda: _Agent()).forget("gone"))  # "Slett samtalen"
    assert asyncio.run(store.retrieve("gone")) is None


def test_retention_reaches_the_kept_tracker(tmp_path: Path) -> None:
    store = _store(tmp_path)
    asyncio.run(_message(store, "old", 1))
    assert store.delete_idle(before_timestamp=9e12) == 1
    assert store.cache.get("old") is None
    assert asyncio.run(store.retrieve("old")) is None


def test_a_tracker_changed_but_not_saved_is_not_served_again(tmp_path: Path) -> None:
    store = _store(tmp_path)
    asyncio.run(_message(store, "c1", 1))
    tracker = asyncio.run(store.retrieve("c1"))
    assert tracker is not None
    _turn(tracker, 2)  # the turn failed before Rasa saved it
    again = asyncio.run(store.retrieve("c1"))
    assert again is not None and again is not tracker
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["spørsmål 1"]


def test_a_failed_turn_drops_the_kept_tracker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store(tmp_path)
    asyncio.run(_message(store, "c1", 1))
    assert store.cache.get("c1") is not None

    async def failing(self: Any, message: Any) -> None:
        raise RuntimeError("the action server hung up")

    monkeypatch.setattr(MessageProcessor, "handle_message", failing)
    monkeypatch.setattr(tracker_cache, "_guarded", False)
    tracker_cache.guard_failed_turns()

    class _Message:
        sender_id = "c1"

    with pytest.raises(RuntimeError, match="hung up"):
        asyncio.run(MessageProcessor.handle_message(None, _Message()))  # type: ignore[arg-type]
    assert store.cache.get("c1") is None


def test_a_new_session_is_read_as_rasa_reads_it(tmp_path: Path) -> None:
    store = _store(tmp_path)
    tracker = asyncio.run(_message(store, "c1", 1))
    tracker.update(ActionExecuted("action_session_start", timestamp=1_700_000_001.5))
    tracker.update(SessionStarted(timestamp=1_700_000_001.5))
    _turn(tracker, 2)
    asyncio.run(store.save(tracker))
    assert store.cache.get("c1") is None  # the stored session is shorter than the tracker
    again = asyncio.run(store.retrieve("c1"))
    assert again is not None
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["spørsmål 2"]


def test_the_cache_keeps_at_most_its_size(tmp_path: Path) -> None:
    store = _store(tmp_path, cache=2)
    for sender in ("a", "b", "c"):
        asyncio.run(_message(store, sender, 1))
    assert (len(store.cache), store.cache.get("a")) == (2, None)


@pytest.mark.parametrize(
    ("env", "size"),
    [
        ({}, tracker_cache.DEFAULT_SIZE),
        ({"RASA_TRACKER_CACHE_SIZE": "50"}, 50),
        ({"RASA_TRACKER_CACHE_SIZE": "0"}, 0),
        ({"RASA_SPEEDUPS": "0", "RASA_TRACKER_CACHE_SIZE": "50"}, 0),
    ],
)
def test_cache_size_follows_the_environment(env: dict[str, str], size: int) -> None:
    assert tracker_cache.cache_size(env) == size


@pytest.mark.parametrize("raw", ["-1", "many", "2000000"])
def test_a_bad_cache_size_is_refused_with_a_reason(raw: str) -> None:
    with pytest.raises(ValueError, match="RASA_TRACKER_CACHE_SIZE"):
        tracker_cache.cache_size({"RASA_TRACKER_CACHE_SIZE": raw})


def test_a_new_model_domain_rebuilds_the_tracker_with_its_slots(tmp_path: Path) -> None:
    store = _store(tmp_path)
    asyncio.run(_message(store, "c1", 1))
    store.domain = Domain.from_yaml(
        """
version: "3.1"
intents: [greet, ask_opening_hours]
slots:
  language: {type: text, mappings: [{type: custom}]}
  topic: {type: text, mappings: [{type: custom}]}
"""
    )
    tracker = asyncio.run(store.retrieve("c1"))
    assert tracker is not None
    assert "topic" in tracker.slots
    assert tracker.get_slot("language") == "nn"
