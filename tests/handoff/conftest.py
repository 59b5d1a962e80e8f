"""Shared fixtures for the handoff tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.handoff import HandoffStore, StaffUser
from tests.databases import test_database_url

STAFF_PASSWORD = "riktig-hest-batteri"


class FakeClock:
    """A controllable clock returning aware UTC datetimes."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2024, 5, 17, 10, 0, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now = self.now + timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """SQLite, or a fresh PostgreSQL database when TEST_POSTGRES_URL is set."""
    with test_database_url(tmp_path) as url:
        yield url


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[HandoffStore]:
    with HandoffStore(db_url, clock=clock) as opened:
        yield opened


@pytest.fixture
def staff(store: HandoffStore) -> StaffUser:
    return store.users.add("kari", "Kari", STAFF_PASSWORD, "staff")


@pytest.fixture
def other_staff(store: HandoffStore) -> StaffUser:
    return store.users.add("ola", "Ola", STAFF_PASSWORD, "staff")
