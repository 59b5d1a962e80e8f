"""Shared fixtures for the handoff tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

# Make the repository root importable (``bot`` is a namespace package there),
# whatever directory pytest is started from.
_REPO_ROOT = Path(__file__).resolve().parents[2]
if str(_REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(_REPO_ROOT))

from bot.handoff import HandoffStore, StaffUser  # noqa: E402

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
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'handoff.sqlite3'}"


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[HandoffStore]:
    with HandoffStore(db_url, clock=clock) as opened:
        yield opened


@pytest.fixture
def staff(store: HandoffStore) -> StaffUser:
    return store.add_user("kari", "Kari", STAFF_PASSWORD, "staff")


@pytest.fixture
def other_staff(store: HandoffStore) -> StaffUser:
    return store.add_user("ola", "Ola", STAFF_PASSWORD, "staff")
