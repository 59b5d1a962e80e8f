"""Bring the handoff database to the newest schema with Alembic, safely and at start.

:func:`upgrade_to_head` is what :class:`bot.handoff.store.HandoffStore` runs when it
opens. It

* builds the whole schema on an empty database;
* adopts a database made by the old ``create_all`` (tables but no
  ``alembic_version``): it checks that the handoff tables exist, creates the web
  tables if they are missing, and stamps the initial revision;
* refuses a database at a revision this code does not know
  (:class:`~bot.handoff.errors.SchemaVersionError`), e.g. after a downgrade of the bot;
* holds a lock while it works, so two processes starting at once on one database
  (the Rasa server and the CLI) migrate one after the other: an exclusive lock on a
  file next to a SQLite database, an advisory transaction lock on PostgreSQL.

The same checks run when an operator calls ``alembic -c alembic.ini upgrade head``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from .errors import SchemaVersionError
from .schema import HANDOFF_TABLES, WEB_TABLES, metadata

__all__ = [
    "INITIAL_REVISION",
    "MIGRATIONS_DIR",
    "alembic_config",
    "current_revisions",
    "locked_connection",
    "prepare_for_upgrade",
    "upgrade_to_head",
]

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")
"""The Alembic script directory (env.py and versions/), shipped inside the package."""

INITIAL_REVISION = "0001"
"""The revision that creates the schema the old ``create_all`` made."""

# Key of the PostgreSQL advisory lock held while migrating ("alver-handoff").
_PG_LOCK_KEY = 0x616C766572


def alembic_config(connection: Connection | None = None) -> Config:
    """Return an Alembic configuration for the packaged migrations.

    Args:
        connection: Run the migrations on this open connection.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@contextmanager
def locked_connection(
    engine: Engine, name: str = "migrate", pg_key: int = _PG_LOCK_KEY
) -> Iterator[Connection]:
    """Yield a connection in a transaction that holds a lock across processes; commit at the end.

    Used while the schema is changed, so that instances starting together wait for each
    other: the handoff migrations, and the creation of Rasa's tracker table
    (:mod:`bot.rasa.tracker_store`).

    Args:
        engine: The database's engine (``future`` or not).
        name: SQLite takes a lock file ``<database file>.<name>-lock`` next to the database.
        pg_key: PostgreSQL takes the advisory transaction lock with this key.

    Raises:
        OSError: If the lock file next to a SQLite database cannot be opened.
    """
    with ExitStack() as stack:
        database = engine.url.database
        if engine.dialect.name == "sqlite" and database and database != ":memory:":
            path = Path(database).expanduser()
            stack.enter_context(_file_lock(path.with_name(f"{path.name}.{name}-lock")))
        connection = stack.enter_context(engine.begin())
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": pg_key})
        yield connection


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``path`` (waits for other processes and threads)."""
    with path.open("a+b") as handle:
        if sys.platform == "win32":  # pragma: no cover - the bot runs on Linux
            yield
            return
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def upgrade_to_head(engine: Engine) -> None:
    """Migrate the database to the newest revision (see the module docstring).

    Raises:
        SchemaVersionError: If the database is at an unknown revision, or has only
            part of the handoff tables and no version.
    """
    with locked_connection(engine) as connection:
        command.upgrade(alembic_config(connection), "head")


def current_revisions(connection: Connection) -> tuple[str, ...]:
    """Return the revisions the database is stamped with (empty if none)."""
    return MigrationContext.configure(connection).get_current_heads()


def prepare_for_upgrade(connection: Connection, script: ScriptDirectory) -> None:
    """Check the database's revision and adopt a database made by ``create_all``.

    Called by the migration environment before it upgrades.

    Raises:
        SchemaVersionError: See :func:`upgrade_to_head`.
    """
    context = MigrationContext.configure(connection)
    heads = context.get_current_heads()
    for revision in heads:
        try:
            known = script.get_revision(revision) is not None
        except (RevisionError, CommandError):
            known = False
        if not known:
            raise SchemaVersionError(
                f"The handoff database is at revision {revision!r}, which this version of "
                "the bot does not know; upgrade the bot or restore a matching backup."
            )
    if heads:
        return
    existing = set(inspect(connection).get_table_names())
    if not existing & {*HANDOFF_TABLES, *WEB_TABLES}:
        return  # an empty database: the migrations build everything
    missing = [name for name in HANDOFF_TABLES if name not in existing]
    if missing:
        raise SchemaVersionError(
            "The handoff database has no alembic_version table and only some of the "
            f"handoff tables; missing: {', '.join(missing)}. It was not made by this bot, "
            "or it is damaged. Restore a backup, or point HANDOFF_DATABASE_URL at an "
            "empty database."
        )
    web = [metadata.tables[name] for name in WEB_TABLES if name not in existing]
    metadata.create_all(connection, tables=web)
    context.stamp(script, INITIAL_REVISION)
    logger.info(
        "Adopted a handoff database created before migrations: stamped revision %s.",
        INITIAL_REVISION,
    )
