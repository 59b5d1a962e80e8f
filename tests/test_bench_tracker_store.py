"""Rasa's SQL tracker store (bot/rasa/tracker_store.py): restart, deletion, retention, guard."""

from __future__ import annotations

import asyncio
import os
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.handoff.database import Database, DatabaseFileMissing, check_sqlite_file
from bot.rasa.tracker_store import TRACKER_FILE, AlverTrackerStore, tracker_store_url
from bot.web import trackers

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, request_human]
slots:
  language: {type: text, mappings: [{type: custom}]}
  pending_question: {type: text, mappings: [{type: custom}]}
"""
)


def _store(folder: Path) -> AlverTrackerStore:
    return AlverTrackerStore(DOMAIN, url=f"sqlite:///{folder}/{TRACKER_FILE}")


def _tracker(sender_id: str, timestamp: float) -> DialogueStateTracker:
    events = [
        UserUttered("Hei", {"name": "greet", "confidence": 0.9}, timestamp=timestamp),
        SlotSet("pending_question", "handoff:requested", timestamp=timestamp),
        SlotSet("language", "nb", timestamp=timestamp),
        ActionExecuted("action_offer_handoff", timestamp=timestamp),
    ]
    return DialogueStateTracker.from_events(sender_id, events, DOMAIN.slots)


def _rows(store: AlverTrackerStore, sender_id: str) -> int:
    with store.engine.connect() as connection:
        query = sa.text("SELECT count(*) FROM events WHERE sender_id = :s")
        return int(connection.execute(query, {"s": sender_id}).scalar_one())


class _Agent:
    def __init__(self, store: Any) -> None:
        self.tracker_store = FailSafeTrackerStore(store)


def test_a_new_process_finds_the_dialogue_context(tmp_path: Path) -> None:
    asyncio.run(_store(tmp_path).save(_tracker("c1", 1000.0)))
    restarted = _store(tmp_path)  # as after a restart: a new engine on the same file
    tracker = asyncio.run(restarted.retrieve("c1"))
    assert tracker is not None
    assert tracker.get_slot("pending_question") == "handoff:requested"
    assert tracker.get_slot("language") == "nb"
    assert tracker.latest_message.intent["name"] == "greet"


def test_the_sqlite_file_is_private(tmp_path: Path) -> None:
    _store(tmp_path)
    mode = stat.S_IMODE(os.stat(tmp_path / TRACKER_FILE).st_mode)
    assert mode == 0o600


def test_deleting_a_conversation_deletes_its_tracker_rows(tmp_path: Path) -> None:
    store = _store(tmp_path)
    for sender in ("gone", "kept"):
        asyncio.run(store.save(_tracker(sender, 1000.0)))
    rasa = trackers.RasaTrackers(lambda: _Agent(store))
    asyncio.run(rasa.forget("gone"))  # what HandoffService.delete calls ("Slett samtalen")
    assert _rows(store, "gone") == 0
    assert _rows(store, "kept") > 0


def test_retention_deletes_only_idle_trackers(tmp_path: Path) -> None:
    store = _store(tmp_path)
    now = datetime(2026, 11, 27, 12, tzinfo=timezone.utc)
    old = (now - timedelta(days=31)).timestamp()
    recent = (now - timedelta(days=2)).timestamp()
    asyncio.run(store.save(_tracker("old", old)))
    asyncio.run(store.save(_tracker("recent", recent)))
    deleted = trackers.forget_stale(_Agent(store), timedelta(days=30), now)
    assert deleted == 1
    assert (_rows(store, "old"), _rows(store, "recent") > 0) == (0, True)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"HANDOFF_DATABASE_URL": "sqlite:////srv/bot/handoff.db"},
            f"sqlite:////srv/bot/{TRACKER_FILE}",
        ),
        (
            {"HANDOFF_DATABASE_URL": "postgresql+psycopg2://u:p@db/alver"},
            "postgresql+psycopg2://u:p@db/alver",
        ),
        (
            {
                "HANDOFF_DATABASE_URL": "sqlite:////srv/bot/handoff.db",
                "RASA_TRACKER_STORE_URL": "postgresql+psycopg2://r:p@db/rasa",
            },
            "postgresql+psycopg2://r:p@db/rasa",
        ),
    ],
)
def test_tracker_store_url_follows_the_environment(env: dict[str, str], expected: str) -> None:
    assert tracker_store_url(env) == expected


def test_a_deleted_tracker_file_is_not_silently_recreated(tmp_path: Path) -> None:
    store = _store(tmp_path)
    asyncio.run(store.save(_tracker("c1", 1000.0)))
    (tmp_path / TRACKER_FILE).unlink()
    with pytest.raises(DatabaseFileMissing, match="deleted while the bot was running"):
        store.check()
    with pytest.raises(DatabaseFileMissing):
        asyncio.run(store.save(_tracker("c2", 1001.0)))
    assert not (tmp_path / TRACKER_FILE).exists()


def test_a_deleted_handoff_database_file_is_not_silently_recreated(tmp_path: Path) -> None:
    path = tmp_path / "handoff.sqlite3"
    database = Database(f"sqlite:///{path}")
    with database.session() as session:
        session.execute(sa.text("CREATE TABLE t (x INTEGER)"))
    path.unlink()
    with pytest.raises(DatabaseFileMissing, match="restore the file from a backup"):
        check_sqlite_file(database.engine)  # as the health check does
    with pytest.raises(DatabaseFileMissing, match="restore the file from a backup"):
        with database.session() as session:
            session.execute(sa.text("SELECT 1"))
    assert not path.exists()
    database.dispose()
