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

Deletion reaches this store: :meth:`AlverTrackerStore.delete` ("Slett samtalen", the
handoff service's delete) and :meth:`AlverTrackerStore.delete_idle` (the retention job),
both through :mod:`bot.web.trackers`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from sqlalchemy.engine import make_url

from bot.handoff.database import tune_sqlite_engine
from bot.rasa import failsafe
from bot.web.settings import DEFAULT_DATABASE_URL, resolve_database_url

__all__ = ["TRACKER_FILE", "AlverTrackerStore", "tracker_store_url"]

logger = logging.getLogger(__name__)
TRACKER_FILE = "rasa-trackers.sqlite3"


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
        **kwargs: Any,
    ) -> None:
        """Open (and create) the store.

        Args:
            domain: Rasa's domain.
            host: Unused (Rasa passes the endpoint's ``url`` here).
            event_broker: Rasa's event broker, if any.
            url: SQLAlchemy URL; default from the environment (:func:`tracker_store_url`).
            **kwargs: Further tracker store settings from ``endpoints.yml``.
        """
        failsafe.install()
        engine_url = make_url(url or tracker_store_url())
        if engine_url.get_backend_name() == "sqlite":
            self.engine = tune_sqlite_engine(engine_url)
        else:
            self.engine = sa.create_engine(engine_url, pool_pre_ping=True)
        self.Base.metadata.create_all(self.engine)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        logger.info("Rasa's trackers are kept in %s", repr(self.engine.url))
        TrackerStore.__init__(self, domain, event_broker, **kwargs)

    def delete(self, sender_id: str) -> int:
        """Delete every event of one conversation; returns how many rows were deleted."""
        events = self.SQLEvent.__table__
        with self.engine.begin() as connection:
            result = connection.execute(events.delete().where(events.c.sender_id == sender_id))
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
        return len(senders)

    def check(self) -> None:
        """Run ``SELECT 1`` (health check); raises if the database cannot be used."""
        with self.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
