"""Rasa's SQL tracker store behind the widget: no fødselsnummer, and "Slett samtalen" reaches it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.agent import Agent
from rasa.utils.endpoints import EndpointConfig

from bot.rasa.tracker_store import TRACKER_FILE, AlverTrackerStore
from bot.web.settings import WebSettings
from tests.test_masking import FNR

from .conftest import MODEL, FakeClock, Server, free_port


@pytest.fixture(scope="module")
def sql_store(tmp_path_factory: pytest.TempPathFactory) -> AlverTrackerStore:
    folder = tmp_path_factory.mktemp("trackers")
    return AlverTrackerStore(url=f"sqlite:///{folder}/{TRACKER_FILE}")


@pytest.fixture(scope="module")
def sql_agent(sql_store: AlverTrackerStore) -> Agent:
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: run `make train` first.")
    closed = free_port()
    return Agent.load(
        str(MODEL),
        tracker_store=sql_store,
        action_endpoint=EndpointConfig(f"http://127.0.0.1:{closed}/webhook"),
    )


@pytest.fixture
def sql_server(
    settings: WebSettings, clock: FakeClock, kb: object, sql_agent: Agent
) -> Iterator[Server]:
    running = Server(settings, clock, kb, agent=sql_agent)  # type: ignore[arg-type]
    try:
        yield running
    finally:
        running.stop()


def _rows(store: AlverTrackerStore, sender_id: str) -> list[str]:
    events = store.SQLEvent.__table__
    with store.engine.connect() as connection:
        query = sa.select(events.c.data).where(events.c.sender_id == sender_id)
        return [str(row[0]) for row in connection.execute(query)]


def test_a_typed_fodselsnummer_never_reaches_the_tracker_store_and_deletion_clears_it(
    sql_server: Server, sql_store: AlverTrackerStore, tmp_path: Path
) -> None:
    citizen = sql_server.new_conversation()
    citizen.say(f"Hei, fødselsnummeret mitt er {FNR[:6]} {FNR[6:]}")
    rows = _rows(sql_store, citizen.conversation_id)
    assert rows, "Rasa's tracker store holds the conversation"
    assert any("fjerna" in row for row in rows), "the masked text reached Rasa"
    assert all(FNR not in row and FNR[6:] not in row for row in rows)
    resp = citizen.call("DELETE")  # "Slett samtalen"
    assert resp.status in (200, 204), resp.body
    assert _rows(sql_store, citizen.conversation_id) == []
