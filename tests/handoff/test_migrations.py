"""Alembic migrations: the real CLI, schema equality, unknown revisions, adoption, races.

Every test runs on SQLite and, with TEST_POSTGRES_URL set, on a fresh PostgreSQL database.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

from bot.handoff import HandoffStore, SchemaVersionError
from bot.handoff.migrate import alembic_config, current_revisions
from bot.handoff.schema import (
    CONSOLE_TABLES,
    EDITOR_TABLES,
    HANDOFF_TABLES,
    INSIGHT_TABLES,
    WEB_TABLES,
    metadata,
)
from tests.handoff.conftest import STAFF_PASSWORD

REPO = Path(__file__).resolve().parents[2]
ALEMBIC = Path(sys.executable).with_name("alembic")
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()
ALL_TABLES = {*HANDOFF_TABLES, *WEB_TABLES, *INSIGHT_TABLES, *EDITOR_TABLES, *CONSOLE_TABLES}
# booking package: revision 0003_booking
ALL_TABLES |= {"booking_requests"}


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    made = create_engine(db_url, future=True)
    yield made
    made.dispose()


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _revisions(engine: Engine) -> tuple[str, ...]:
    with engine.connect() as connection:
        return current_revisions(connection)


def _alembic(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HANDOFF_DATABASE_URL": db_url, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [str(ALEMBIC), "-c", str(REPO / "alembic.ini"), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_tables_are_on_one_metadata() -> None:
    assert set(metadata.tables) == ALL_TABLES


def test_alembic_cli_upgrade_head_builds_the_schema_on_an_empty_database(
    db_url: str, engine: Engine
) -> None:
    result = _alembic(db_url, "upgrade", "head")
    assert result.returncode == 0, result.stderr
    assert _tables(engine) == ALL_TABLES | {"alembic_version"}
    assert _revisions(engine) == (HEAD,)
    again = _alembic(db_url, "upgrade", "head")  # nothing left to do
    assert again.returncode == 0, again.stderr
    assert _revisions(engine) == (HEAD,)


def test_the_migrated_schema_equals_the_metadata(db_url: str, engine: Engine) -> None:
    HandoffStore(db_url).close()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_downgrade_to_base_and_upgrade_again(db_url: str, engine: Engine) -> None:
    HandoffStore(db_url).close()
    with engine.connect() as connection:
        config = alembic_config(connection)
        command.downgrade(config, "base")
        connection.commit()
    assert _tables(engine) <= {"alembic_version"}
    with HandoffStore(db_url) as store:
        assert store.users.list() == []
    assert _tables(engine) == ALL_TABLES | {"alembic_version"}


@pytest.mark.parametrize("revision", ["xyz", "9999_from_a_newer_bot"])
def test_an_unknown_revision_is_refused_with_a_clear_error(
    db_url: str, engine: Engine, revision: str
) -> None:
    HandoffStore(db_url).close()
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": revision})
    with pytest.raises(SchemaVersionError, match=rf"at revision '{revision}'.*upgrade the bot"):
        HandoffStore(db_url)
    result = _alembic(db_url, "upgrade", "head")
    assert result.returncode != 0
    assert f"revision '{revision}'" in result.stderr


@pytest.mark.parametrize("with_web_tables", [False, True], ids=["cli-made", "web-made"])
def test_a_database_made_by_create_all_is_stamped_and_keeps_its_data(
    db_url: str, engine: Engine, with_web_tables: bool
) -> None:
    """Before migrations, the store and the web layer made their tables with create_all."""
    names = [*HANDOFF_TABLES, *(WEB_TABLES if with_web_tables else ())]
    metadata.create_all(engine, tables=[metadata.tables[name] for name in names])
    with HandoffStore(db_url, migrate=False) as old:
        old.users.add("kari", "Kari", STAFF_PASSWORD)
    with HandoffStore(db_url) as store:
        assert [user.username for user in store.users.list()] == ["kari"]
    assert _revisions(engine) == (HEAD,)  # stamped at the initial revision, then upgraded
    assert _tables(engine) == ALL_TABLES | {"alembic_version"}
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_a_partial_database_without_version_is_refused(db_url: str, engine: Engine) -> None:
    metadata.create_all(engine, tables=[metadata.tables["staff_users"]])
    with pytest.raises(SchemaVersionError, match="missing: conversations"):
        HandoffStore(db_url)


def test_processes_starting_at_once_on_one_database_all_succeed(
    db_url: str, engine: Engine
) -> None:
    """The Rasa server and the CLI may start together; migrations run one after the other."""
    code = "import sys; from bot.handoff import HandoffStore; HandoffStore(sys.argv[1]).close()"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code, db_url],
            cwd=REPO,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
    assert _revisions(engine) == (HEAD,)
    assert _tables(engine) == ALL_TABLES | {"alembic_version"}
