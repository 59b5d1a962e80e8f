"""The SQLite file guard (bot/handoff/database.py): throttled per checkout, never fooled."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.handoff import database as database_module
from bot.handoff.database import (
    FILE_CHECK_SECONDS,
    Database,
    DatabaseFileMissing,
    check_sqlite_file,
)


class FakeMonotonic:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeMonotonic:
    fake = FakeMonotonic()
    monkeypatch.setattr(database_module, "_monotonic", fake)
    return fake


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "handoff.sqlite3"


@pytest.fixture
def database(path: Path, clock: FakeMonotonic) -> Iterator[Database]:
    db = Database(f"sqlite:///{path}")
    with db.session() as session:
        session.execute(sa.text("CREATE TABLE t (x INTEGER)"))
    yield db
    db.dispose()


def _select(database: Database) -> None:
    with database.session() as session:
        session.execute(sa.text("SELECT 1"))


def _delete(path: Path) -> None:
    path.unlink()


def _replace(path: Path) -> None:
    other = path.with_name("other.sqlite3")
    other.write_bytes(b"")  # made first, so it cannot reuse the old file's inode
    os.replace(other, path)


CHANGES: list[tuple[str, Callable[[Path], None], str]] = [
    ("deleted", _delete, "restore the file from a backup"),
    ("replaced", _replace, "was replaced"),
]


def test_checkouts_within_the_interval_do_not_stat_the_file(
    database: Database, clock: FakeMonotonic, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked: list[object] = []
    real_stat = os.stat

    def counting_stat(target: object, *args: object, **kwargs: object) -> os.stat_result:
        if str(target) == str(database.engine.url.database):
            looked.append(target)
        return real_stat(target, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(database_module.os, "stat", counting_stat)
    clock.now += FILE_CHECK_SECONDS + 0.1
    for _ in range(20):
        _select(database)
        clock.now += FILE_CHECK_SECONDS / 50
    assert len(looked) == 1  # the first checkout after the interval, then none for 0.4 s
    clock.now += FILE_CHECK_SECONDS
    _select(database)
    assert len(looked) == 2


@pytest.mark.parametrize(("change", "act", "message"), CHANGES)
def test_a_checkout_after_the_interval_finds_the_file_changed(
    database: Database,
    path: Path,
    clock: FakeMonotonic,
    change: str,
    act: Callable[[Path], None],
    message: str,
) -> None:
    act(path)
    clock.now += FILE_CHECK_SECONDS + 0.01
    with pytest.raises(DatabaseFileMissing, match=message):
        _select(database)


@pytest.mark.parametrize(("change", "act", "message"), CHANGES)
def test_the_health_check_looks_at_once_and_then_every_checkout_fails(
    database: Database,
    path: Path,
    clock: FakeMonotonic,
    change: str,
    act: Callable[[Path], None],
    message: str,
) -> None:
    act(path)
    with pytest.raises(DatabaseFileMissing, match=message):
        check_sqlite_file(database.engine)
    for _ in range(3):  # within the interval: no longer trusted
        with pytest.raises(DatabaseFileMissing, match=message):
            _select(database)


@pytest.mark.parametrize(("change", "act", "message"), CHANGES)
def test_a_new_connection_always_looks_and_never_creates_an_empty_database(
    database: Database,
    path: Path,
    clock: FakeMonotonic,
    change: str,
    act: Callable[[Path], None],
    message: str,
) -> None:
    database.engine.dispose()  # the pool is empty: the next session connects anew
    act(path)
    with pytest.raises(DatabaseFileMissing, match=message):
        _select(database)
    assert path.exists() == (change == "replaced")
    assert not path.exists() or path.stat().st_size == 0


def test_an_unchanged_file_passes_the_health_check(database: Database) -> None:
    check_sqlite_file(database.engine)
    _select(database)


def test_an_engine_without_a_guard_is_not_checked() -> None:
    engine = sa.create_engine("sqlite://")
    check_sqlite_file(engine)  # nothing to look at: no error
    engine.dispose()
