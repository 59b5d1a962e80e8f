"""Rasa's tracker store for this bot: SQL by default, next to the handoff database.

Configured in ``endpoints.yml`` as ``type: bot.rasa.tracker_store.AlverTrackerStore``.
Rasa's in-memory default loses the dialogue context on every restart; this keeps it in
SQL with Rasa's own :class:`~rasa.core.tracker_store.SQLTrackerStore` (same table, same
events), on a database chosen by environment variables:

* ``RASA_TRACKER_STORE_URL``: a SQLAlchemy URL, e.g.
  ``postgresql+psycopg2://rasa:PASSWORD@db.internal/alver`` (production, several
  instances).
* Unset: the handoff database's PostgreSQL URL if ``HANDOFF_DATABASE_URL`` is PostgreSQL
  (Rasa's table is ``events``; the handoff tables have other names), else the SQLite file
  ``rasa-trackers.sqlite3`` in the handoff database's folder (``var/`` by default).

A SQLite file is created with mode 0600, in WAL mode, and guarded like the handoff
database: if it is deleted or replaced while the bot runs, every access fails with
:class:`bot.handoff.database.DatabaseFileMissing` instead of silently starting an empty
database.

Per message, Rasa's store reads and replays the whole conversation; this one keeps the
tracker it last loaded or saved in memory and uses it again while one aggregate query shows
the rows unchanged (:mod:`bot.rasa.tracker_cache`), writes only the new events, and runs
its SQL in a worker thread, off the event loop. ``RASA_SPEEDUPS=0`` (or
``RASA_TRACKER_CACHE_SIZE=0``) gives Rasa's own read and write.

Deletion reaches this store: :meth:`AlverTrackerStore.delete` ("Slett samtalen", the
handoff service's delete) and :meth:`AlverTrackerStore.delete_idle` (the retention job),
both through :mod:`bot.web.trackers`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine import make_url

from bot.handoff.database import check_sqlite_file, tune_sqlite_engine
from bot.handoff.migrate import locked_connection
from bot.rasa import failsafe
from bot.rasa.tracker_cache import Cached, Signature, TrackerCache, cache_size
from bot.web.settings import DEFAULT_DATABASE_URL, resolve_database_url

__all__ = ["TRACKER_FILE", "AlverTrackerStore", "tracker_store_url"]

logger = logging.getLogger(__name__)
TRACKER_FILE = "rasa-trackers.sqlite3"
# Key of the PostgreSQL advisory lock held while creating Rasa's table ("alvere").
_PG_CREATE_LOCK_KEY = 0x616C76657265


def tracker_store_url(environ: Mapping[str, str] | None = None) -> str:
    """The tracker store's SQLAlchemy URL from the environment (see the module docstring)."""
    env = os.environ if environ is None else environ
    explicit = env.get("RASA_TRACKER_STORE_URL", "").strip()
    if explicit:
        return resolve_database_url(explicit)
    handoff = make_url(
        resolve_database_url(env.get("HANDOFF_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL)
    )
    if handoff.get_backend_name() != "sqlite":
        return str(handoff)
    folder = Path(str(handoff.database)).parent
    return f"sqlite:///{folder / TRACKER_FILE}"


class AlverTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store on the URL of :func:`tracker_store_url`, with deletion."""

    strict_failures = True
    """A database failure fails the turn; no silent fall-back to memory (bot/rasa/failsafe.py)."""

    def __init__(
        self,
        domain: Any = None,
        host: str | None = None,
        event_broker: Any = None,
        url: str | None = None,
        cache: int | None = None,
        **kwargs: Any,
    ) -> None:
        """Open (and create) the store.

        Args:
            domain: Rasa's domain.
            host: Unused (Rasa passes the endpoint's ``url`` here).
            event_broker: Rasa's event broker, if any.
            url: SQLAlchemy URL; default from the environment (:func:`tracker_store_url`).
            cache: Trackers kept in memory; default from the environment
                (:func:`bot.rasa.tracker_cache.cache_size`), 0 for none.
            **kwargs: Further tracker store settings from ``endpoints.yml``.
        """
        failsafe.install()
        engine_url = make_url(url or tracker_store_url())
        if engine_url.get_backend_name() == "sqlite":
            self.engine = tune_sqlite_engine(engine_url)
        else:
            self.engine = sa.create_engine(engine_url, pool_pre_ping=True)
        self._create_table()
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        logger.info("Rasa's trackers are kept in %s", repr(self.engine.url))
        self.cache = TrackerCache(cache_size() if cache is None else cache)
        TrackerStore.__init__(self, domain, event_broker, **kwargs)

    def _create_table(self) -> None:
        """Create Rasa's ``events`` table if it is missing, one instance at a time.

        Instances starting together on a fresh database would otherwise both see no table
        and both run ``CREATE TABLE``; the slower one fails (PostgreSQL: a unique violation
        on ``pg_type``) and its bot does not start. The lock is the migrations' (an advisory
        lock on PostgreSQL, a lock file next to a SQLite database), with a key of its own.
        """
        with locked_connection(self.engine, "create", _PG_CREATE_LOCK_KEY) as connection:
            self.Base.metadata.create_all(connection)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The tracker of the latest session: the kept one if the rows are unchanged.

        The same object is handed out again (no copy), as Rasa's processor changes it and
        then saves it; a copy changed but not saved is noticed by its length.
        """
        if self.cache.size <= 0:
            return await super().retrieve(sender_id)
        entry = self.cache.get(sender_id)
        if entry is not None and entry.domain is not self.domain:
            entry = None  # a new model: rebuilt with its slots
        known = entry.signature if entry is not None and entry.clean() else None
        signature, events = await asyncio.to_thread(self._read, sender_id, known)
        if events is None and entry is not None:
            if entry.clean():  # still: a turn may have changed it meanwhile
                self.cache.stats["hits"] += 1
                return entry.tracker
            signature, events = await asyncio.to_thread(self._read, sender_id, None)
        self.cache.stats["loads"] += 1
        self.cache.stats["events_loaded"] += len(events or [])
        if not events or self.domain is None:
            self.cache.drop([sender_id])
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        self.cache.put(sender_id, Cached(tracker, len(tracker.events), signature, self.domain))
        return tracker

    def _signature(self, session: Any, sender_id: str) -> Signature:
        table = self.SQLEvent.__table__
        query = sa.select(
            sa.func.count(), sa.func.max(table.c.id), sa.func.max(table.c.timestamp)
        ).where(table.c.sender_id == sender_id)
        count, max_id, max_timestamp = session.execute(query).one()
        return int(count), max_id, max_timestamp

    def _read(
        self, sender_id: str, known: Signature | None
    ) -> tuple[Signature, list[dict[str, Any]] | None]:
        """(In a worker thread) the rows' signature, and the events unless it is ``known``."""
        with self.session_scope() as session:
            signature = self._signature(session, sender_id)  # first: never newer than events
            if signature == known:
                return signature, None
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
            return signature, [json.loads(row.data) for row in rows.all()]

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the events the database does not have yet; keep the tracker for next time."""
        if self.cache.size <= 0:
            await super().save(tracker)
            return
        await self.stream_events(tracker)
        sender_id = str(tracker.sender_id)
        events = list(tracker.events)
        entry = self.cache.get(sender_id)
        self.cache.drop([sender_id])  # until the write has succeeded
        known = None
        if entry is not None and entry.tracker is tracker and entry.length <= len(events):
            known = (entry.signature, entry.length)
        signature, keep = await asyncio.to_thread(self._write, sender_id, events, known)
        if keep and len(tracker.events) == len(events):
            self.cache.put(sender_id, Cached(tracker, len(events), signature, self.domain))

    def _write(
        self, sender_id: str, events: list[Event], known: tuple[Signature, int] | None
    ) -> tuple[Signature, bool]:
        """(In a worker thread) insert the new events in one transaction.

        Returns:
            The rows' signature afterwards, and whether the stored latest session is now
            exactly ``events`` (so the tracker may be kept).
        """
        with self.session_scope() as session:
            before = self._signature(session, sender_id)
            if known is not None and known[0] == before:
                stored = known[1]
            else:  # Rasa's way: count the rows of the latest session
                query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
                stored = query.count()
            new = events[stored:]
            if new:
                session.execute(self.SQLEvent.__table__.insert(), [_row(sender_id, e) for e in new])
            after = self._signature(session, sender_id)
            session.commit()
        self.cache.stats["events_written"] += len(new)
        keep = (
            stored <= len(events)
            and after[0] == before[0] + len(new)
            and not any(isinstance(event, SessionStarted) for event in new)
        )
        return after, keep

    def delete(self, sender_id: str) -> int:
        """Delete every event of one conversation; returns how many rows were deleted."""
        self.cache.drop([sender_id])
        events = self.SQLEvent.__table__
        with self.engine.begin() as connection:
            result = connection.execute(events.delete().where(events.c.sender_id == sender_id))
        self.cache.drop([sender_id])
        return int(result.rowcount or 0)

    def delete_idle(self, before_timestamp: float) -> int:
        """Delete the conversations whose last event is older than ``before_timestamp``.

        Returns:
            How many conversations were deleted.
        """
        events = self.SQLEvent.__table__
        idle = (
            sa.select(events.c.sender_id)
            .group_by(events.c.sender_id)
            .having(sa.func.max(events.c.timestamp) < before_timestamp)
        )
        with self.engine.begin() as connection:
            senders = [row[0] for row in connection.execute(idle)]
            for start in range(0, len(senders), 500):
                chunk = senders[start : start + 500]
                connection.execute(events.delete().where(events.c.sender_id.in_(chunk)))
        self.cache.drop(senders)
        return len(senders)

    def check(self) -> None:
        """Run ``SELECT 1`` (health check); raises if the database cannot be used."""
        check_sqlite_file(self.engine)  # a SQLite file: looked at now, not throttled
        with self.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))


def _row(sender_id: str, event: Event) -> dict[str, Any]:
    """The ``events`` row of one event, as Rasa's ``SQLTrackerStore.save`` writes it."""
    data = event.as_dict()
    intent = data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY)
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": intent,
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }
