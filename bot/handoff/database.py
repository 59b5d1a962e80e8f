"""The connection every handoff repository shares: one engine, one sessionmaker, one clock."""

from __future__ import annotations

import os
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy import event as sa_event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from .common import database_url_from_env, utc_now

__all__ = [
    "FILE_CHECK_SECONDS",
    "Database",
    "DatabaseFileMissing",
    "check_sqlite_file",
    "error_reason",
    "guard_sqlite_file",
    "tune_sqlite_engine",
]


class DatabaseFileMissing(RuntimeError):
    """The SQLite file was deleted or replaced while the bot was running."""


def error_reason(error: BaseException) -> str:
    """A short reason for a log line about a database error: the driver's first line.

    Never the SQL or its parameters (they hold citizen text): an error without a driver
    error gives its class name only.
    """
    if isinstance(error, DatabaseFileMissing):
        return "the SQLite file is missing or was replaced"
    original = getattr(error, "orig", None)
    text = str(original).strip() if original is not None else ""
    first = text.splitlines()[0] if text else ""
    if "[SQL:" in first or "[parameters:" in first:
        first = ""
    return first[:200] or error.__class__.__name__


class Database:
    """An open handoff database: engine, short transactions and the injectable clock.

    Safe to share between threads. Every :meth:`session` is one short
    transaction, committed on success and rolled back on any exception.
    """

    def __init__(
        self,
        database_url: str | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        echo: bool = False,
    ) -> None:
        """Open the engine (no schema work; see :mod:`bot.handoff.migrate`).

        Args:
            database_url: SQLAlchemy URL; defaults to :func:`database_url_from_env`.
                For a SQLite file the parent folder is created if missing.
            clock: Returns the current aware UTC time (tests inject a fake clock).
            echo: Log all SQL statements (debugging).

        Raises:
            ValueError: If the URL is in-memory SQLite or cannot be parsed.
        """
        url = make_url(database_url or database_url_from_env())
        if url.get_backend_name() == "sqlite":
            if url.database in (None, "", ":memory:"):
                raise ValueError(
                    "In-memory SQLite is not supported by HandoffStore because every "
                    "connection would get its own empty database. Use a file URL like "
                    "sqlite:///var/handoff.sqlite3 (a temporary file in tests)."
                )
        self.clock = clock
        if url.get_backend_name() == "sqlite":
            self.engine: Engine = tune_sqlite_engine(url, echo=echo)
        else:
            self.engine = create_engine(url, future=True, echo=echo, pool_pre_ping=True)
        self._sessions = sessionmaker(bind=self.engine, future=True, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: commit on success, roll back on any exception."""
        with self._sessions() as session, session.begin():
            yield session

    def now(self) -> datetime:
        """Return the clock's time as aware UTC.

        Raises:
            ValueError: If the clock returned a naive datetime.
        """
        now = self.clock()
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError(
                "The store's clock returned a naive datetime; it must return an aware "
                "UTC datetime such as datetime.now(timezone.utc)."
            )
        return now.astimezone(timezone.utc)

    def dispose(self) -> None:
        """Release all database connections."""
        self.engine.dispose()


def tune_sqlite_engine(url: URL, *, echo: bool = False) -> Engine:
    """An engine for a SQLite file: mode 0600, WAL, a connection pool, and a file guard.

    SQLAlchemy 1.4 opens a new SQLite connection per session (NullPool); a small pool of
    connections, each used by one thread at a time, saves that on every query.
    """
    path = Path(str(url.database)).expanduser()
    _create_private_file(path)
    engine = create_engine(
        url,
        future=True,
        echo=echo,
        poolclass=QueuePool,
        pool_size=5,
        max_overflow=10,
        connect_args={"check_same_thread": False},
    )
    sa_event.listen(engine, "connect", _tune_sqlite)
    guard_sqlite_file(engine, path)
    return engine


FILE_CHECK_SECONDS = 1.0
"""A pooled connection's checkout looks at the SQLite file at most this often (see
:func:`guard_sqlite_file`); new connections and :func:`check_sqlite_file` always look."""


def _monotonic() -> float:
    return time.monotonic()


class _FileGuard:
    """Is the SQLite file still the one opened at start? Looked at by ``stat``, throttled."""

    def __init__(self, path: Path, interval: float) -> None:
        stat = os.stat(path)
        self.path = path
        self.interval = interval
        self.identity = (stat.st_dev, stat.st_ino)
        self._checked_at = _monotonic()
        self._failing = False

    def check(self, *, force: bool = False) -> None:
        """Raise :class:`DatabaseFileMissing` if the file is gone or replaced.

        Without ``force`` the file is looked at only if the last look is older than the
        interval, or found the file missing (then every call looks again).
        """
        now = _monotonic()
        if not force and not self._failing and now - self._checked_at < self.interval:
            return
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            self._failing = True
            raise DatabaseFileMissing(
                f"The database file {self.path} was deleted while the bot was running. "
                "Nothing more is stored; restore the file from a backup and restart the bot."
            ) from None
        if (stat.st_dev, stat.st_ino) != self.identity:
            self._failing = True
            raise DatabaseFileMissing(
                f"The database file {self.path} was replaced while the bot was running; "
                "restart the bot to use the new file."
            )
        self._failing = False
        self._checked_at = now


_guards: weakref.WeakKeyDictionary[Engine, _FileGuard] = weakref.WeakKeyDictionary()


def guard_sqlite_file(engine: Engine, path: Path, *, interval: float = FILE_CHECK_SECONDS) -> None:
    """Make the connections of ``engine`` fail if ``path`` is deleted or replaced.

    A deleted SQLite file would otherwise live on unseen in the pooled connections (writes
    lost at the next restart), and a new connection would create an empty database.

    A new connection always looks at the file first, so no empty database is ever
    created. A pooled connection's checkout looks at most once per ``interval`` seconds
    (a ``stat`` per transaction was a tenth of the server's time under load): writes in
    that last second before a deletion are lost with the file, as before. Once a look
    (or :func:`check_sqlite_file`, which the health check calls) has found the file
    missing, every checkout fails.

    Raises:
        DatabaseFileMissing: (from a checkout) once the file is found gone or replaced.
    """
    guard = _FileGuard(path, interval)
    _guards[engine] = guard

    def on_checkout(*_: Any) -> None:
        guard.check()

    def on_connect(*_: Any) -> None:
        guard.check(force=True)

    sa_event.listen(engine, "checkout", on_checkout)
    sa_event.listen(engine, "do_connect", on_connect)


def check_sqlite_file(engine: Engine) -> None:
    """Look now whether the SQLite file of ``engine`` is still there (health checks).

    Does nothing for an engine without a file guard (PostgreSQL).

    Raises:
        DatabaseFileMissing: If the file was deleted or replaced; from then on every
            checkout of the engine fails too.
    """
    guard = _guards.get(engine)
    if guard is not None:
        guard.check(force=True)


def _tune_sqlite(dbapi_connection: Any, connection_record: Any) -> None:
    """Make SQLite enforce foreign keys like PostgreSQL does, and commit without fsync waits.

    Write-ahead logging with ``synchronous=NORMAL``: a commit is an append to the WAL file,
    synced at checkpoints; readers do not block the writer. A crash of the process loses
    nothing; a power cut can lose the last commits, never corrupt the file.
    """
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
    finally:
        cursor.close()


def _create_private_file(path: Path) -> None:
    """Create a SQLite database file readable only by its owner (mode 0600), if missing.

    SQLite would create it with the umask's mode (often 0644): readable by every local
    user, and it holds conversations and staff password hashes. Its journal and WAL
    files take the mode of the database file. An existing file is left as it is.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(descriptor)
