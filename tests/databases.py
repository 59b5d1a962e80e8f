"""The database a test's handoff store uses: SQLite by default, PostgreSQL on request.

Set ``TEST_POSTGRES_URL`` (e.g. ``postgresql://postgres:postgres@127.0.0.1:5432/postgres``)
to run the handoff and web tests against PostgreSQL: every test then gets a fresh database,
dropped afterwards. ``make test-postgres`` does this; CI runs it after ``make test``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

POSTGRES_ENV = "TEST_POSTGRES_URL"


@contextmanager
def test_database_url(tmp_path: Path) -> Iterator[str]:
    """Yields a URL of an empty database for one test."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        yield f"sqlite:///{tmp_path / 'handoff.sqlite3'}"
        return
    with scratch_postgres_database(base, "alver_test") as url:
        yield url


@contextmanager
def scratch_postgres_database(base: str, prefix: str) -> Iterator[str]:
    """Creates an empty PostgreSQL database next to ``base``; yields its URL, then drops it.

    Args:
        base: URL of a database the user may ``CREATE DATABASE`` from (e.g. ``…/postgres``).
        prefix: Start of the new database's name; a random suffix makes it unique.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{base.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
