"""Fixtures of the insight tests: a store with the seeded week."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.handoff import HandoffStore
from tests.databases import test_database_url
from tests.insight.seed import Clock, seed


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[HandoffStore]:
    with test_database_url(tmp_path) as url, HandoffStore(url, clock=clock) as opened:
        yield opened


@pytest.fixture
def seeded(store: HandoffStore, clock: Clock) -> dict[str, str]:
    """The seeded week (see tests/insight/seed.py); returns name -> conversation id."""
    return seed(store, clock)
