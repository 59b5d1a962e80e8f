"""Database storage for human handoff: :class:`HandoffStore` and its repositories.

:class:`HandoffStore` is the entry point. It opens a SQLAlchemy database URL
(SQLite file by default, PostgreSQL works the same way), brings the schema to the
newest Alembic revision (:mod:`bot.handoff.migrate`) and exposes one small
repository per concern, all sharing one engine and one injectable clock:

==================  ====================================================
``conversations``   create, get, transition, claim, expire, queue, delete
``messages``        the transcript, citizen messages, NLU, feedback
``notes``           internal staff notes
``requests``        offline requests
``users``           staff users and logins
``retention``       purging data past the retention period
``insight``         ratings, inbox decisions, the report's statistics
``staffing``        staff status and chat limits (console)
``transfers``       transfer to a colleague, back to the queue (console)
``history``         search of handled conversations and answered requests
``canned``          canned replies written by staff
``turns``           a citizen turn in two transactions (used by the service)
==================  ====================================================

It is safe to share between threads; every method runs in its own short
transaction and returns plain frozen dataclasses from :mod:`bot.handoff.records`,
never ORM objects. Concurrency is handled with conditional
``UPDATE ... WHERE state = ...`` statements (optimistic concurrency).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine

from .canned import CannedReplyRepository
from .common import (
    DATABASE_URL_ENV,
    DEFAULT_DATABASE_URL,
    MAX_MESSAGE_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_QUESTION_LENGTH,
    database_url_from_env,
    staff_actor,
    utc_now,
    validate_actor,
)
from .conversations import ConversationRepository
from .database import Database
from .history import HistoryRepository
from .insight import InsightRepository
from .messages import MessageRepository
from .migrate import upgrade_to_head
from .notes import NoteRepository
from .requests import RequestRepository
from .retention import RetentionRepository
from .schema import UTCDateTime, metadata
from .staffing import StaffingRepository
from .transfers import TransferRepository
from .turns import TurnRepository
from .users import UserRepository

__all__ = [
    "DATABASE_URL_ENV",
    "DEFAULT_DATABASE_URL",
    "MAX_MESSAGE_LENGTH",
    "MAX_NOTE_LENGTH",
    "MAX_QUESTION_LENGTH",
    "HandoffStore",
    "UTCDateTime",
    "database_url_from_env",
    "metadata",
    "staff_actor",
    "utc_now",
    "validate_actor",
]


class HandoffStore:
    """Persistent state of the human-handoff feature, as a set of repositories.

    Authorisation is *not* done here: the caller must check that the user may
    act (e.g. that only the claiming staff member writes in a WITH_HUMAN
    conversation, and that only admins manage users).

    Example::

        with HandoffStore("sqlite:///var/handoff.sqlite3") as store:
            conv = store.conversations.create("nn")
            store.conversations.transition(conv.id, Event.REQUEST_HUMAN, actor="citizen")
    """

    def __init__(
        self,
        database_url: str | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        migrate: bool = True,
        echo: bool = False,
    ) -> None:
        """Open the handoff database and (by default) migrate it to the newest schema.

        Args:
            database_url: SQLAlchemy URL, e.g. ``sqlite:///var/handoff.sqlite3`` or
                ``postgresql+psycopg2://user:pw@host/db``. Defaults to
                :func:`database_url_from_env`. For a SQLite file the parent folder
                is created if missing. In-memory SQLite is not supported (each
                connection would see its own empty database).
            clock: Returns the current aware UTC time (tests inject a fake clock).
            migrate: Run ``alembic upgrade head`` on open (see :mod:`bot.handoff.migrate`).
            echo: Log all SQL statements (debugging).

        Raises:
            ValueError: If the URL is in-memory SQLite or cannot be parsed.
            SchemaVersionError: If the database is at a revision this code does not know.
        """
        self._db = Database(database_url, clock=clock, echo=echo)
        try:
            if migrate:
                upgrade_to_head(self._db.engine)
        except BaseException:
            self._db.dispose()
            raise
        self.users = UserRepository(self._db)
        self.conversations = ConversationRepository(self._db, self.users)
        self.messages = MessageRepository(self._db, self.users)
        self.notes = NoteRepository(self._db, self.users)
        self.requests = RequestRepository(self._db, self.users)
        self.retention = RetentionRepository(self._db)
        self.insight = InsightRepository(self._db)  # insight: ratings, inbox, statistics
        # wp-console: status and capacity, transfers, history, staff-written canned replies
        self.staffing = StaffingRepository(self._db)
        self.transfers = TransferRepository(self._db)
        self.history = HistoryRepository(self._db)
        self.canned = CannedReplyRepository(self._db)
        # perf2: a citizen turn in two transactions (receive, then the bot's answer)
        self.turns = TurnRepository(self._db)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for health checks and the web layer's tables)."""
        return self._db.engine

    def close(self) -> None:
        """Release all database connections. The store must not be used afterwards."""
        self._db.dispose()

    def __enter__(self) -> HandoffStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
