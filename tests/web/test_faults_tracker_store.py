"""Faults: Rasa's tracker store database unreachable or read-only (issue 11).

Rasa's ``FailSafeTrackerStore`` used to swallow such errors: "no tracker" on reading (the
dialogue context silently lost) and a silent in-memory copy on saving. With
:mod:`bot.rasa.failsafe` the turn fails with one clear log line (no conversation text), the
citizen gets the message with the phone number, nothing is kept in memory, and the dialogue
goes on with its context once the database is back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.core.agent import Agent
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.kb import KnowledgeBase
from bot.rasa.failsafe import TrackerStoreUnavailable
from bot.rasa.tracker_store import TRACKER_FILE, AlverTrackerStore
from bot.web.settings import WebSettings
from tests.server import free_port

from .conftest import MODEL, FakeClock, Server
from .test_faults_database import FAULTS

SECRET = "blåbærsyltetøy 01017012345"
DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet]
slots:
  language: {type: text, mappings: [{type: custom}]}
"""
)


def _tracker(sender_id: str, turns: int = 1) -> DialogueStateTracker:
    events = [UserUttered(SECRET, {"name": "greet", "confidence": 1.0}), SlotSet("language", "nb")]
    return DialogueStateTracker.from_events(sender_id, events * turns, DOMAIN.slots)


@pytest.fixture
def wrapped(tmp_path: Path) -> tuple[FailSafeTrackerStore, AlverTrackerStore]:
    store = AlverTrackerStore(DOMAIN, url=f"sqlite:///{tmp_path}/{TRACKER_FILE}")
    return FailSafeTrackerStore(store), store  # exactly as Rasa's Agent wraps it


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_tracker_store_fault_raises_with_a_clear_log_line_and_keeps_nothing_in_memory(
    wrapped: tuple[FailSafeTrackerStore, AlverTrackerStore],
    fault: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    rasa_store, store = wrapped
    asyncio.run(rasa_store.save(_tracker("c1")))
    with FAULTS[fault](store.engine), pytest.raises(TrackerStoreUnavailable) as raised:
        if fault == "unreachable":
            asyncio.run(rasa_store.retrieve("c1"))
        asyncio.run(rasa_store.save(_tracker("c1", turns=2)))  # one new turn to write
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    assert rasa_store._fallback_tracker_store is None  # noqa: SLF001 - no in-memory copy
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(lines) == 1 and "AlverTrackerStore could not" in lines[0], lines
    assert ("connection refused" if fault == "unreachable" else "readonly") in lines[0]
    assert "01017012345" not in "\n".join(lines) + str(raised.value)
    restored = asyncio.run(rasa_store.retrieve("c1"))  # the database is back: context kept
    assert restored is not None and restored.get_slot("language") == "nb"


def test_other_tracker_stores_keep_rasas_behaviour(caplog: pytest.LogCaptureFixture) -> None:
    class Broken(InMemoryTrackerStore):
        async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
            raise RuntimeError("down")

    assert asyncio.run(FailSafeTrackerStore(Broken(DOMAIN)).retrieve("c1")) is None
    assert any("Falling back" in r.getMessage() for r in caplog.records)


@pytest.fixture(scope="module")
def sql_agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Agent]:
    """The trained model on a SQL tracker store, action server down (a closed port)."""
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: run `make train` first.")
    folder = tmp_path_factory.mktemp("tracker-faults")
    store = AlverTrackerStore(url=f"sqlite:///{folder}/{TRACKER_FILE}")
    endpoint = EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook")
    yield Agent.load(str(MODEL), action_endpoint=endpoint, tracker_store=store)


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_citizen_gets_the_phone_message_while_the_tracker_store_is_down(
    settings: WebSettings,
    clock: FakeClock,
    kb: KnowledgeBase,
    sql_agent: Agent,
    fault: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = Server(settings, clock, kb, agent=sql_agent)
    try:
        citizen = server.new_conversation()
        first = citizen.say("hei")
        assert [m["sender"] for m in first["messages"]][:2] == ["citizen", "bot"], first
        engine = sql_agent.tracker_store._tracker_store.engine  # noqa: SLF001
        with FAULTS[fault](engine):
            down = citizen.say("hei")
        if fault == "unreachable":  # nothing to read the context from: the phone message
            assert [m["sender"] for m in down["messages"]] == ["citizen", "system"], down
            assert kb.contact.phone in down["messages"][-1]["text"]
        else:  # read-only: the reply was made from the stored context; saving it failed
            assert [m["sender"] for m in down["messages"]][:2] == ["citizen", "bot"], down
        assert sql_agent.tracker_store._fallback_tracker_store is None  # noqa: SLF001
        assert any("AlverTrackerStore could not" in r.getMessage() for r in caplog.records)
        again = citizen.say("hei")  # the database is back
        assert [m["sender"] for m in again["messages"]][:2] == ["citizen", "bot"], again
        tracker = asyncio.run(sql_agent.tracker_store.retrieve(citizen.conversation_id))
        assert tracker is not None
        assert [e.text for e in tracker.events if isinstance(e, UserUttered)].count("hei") >= 2
    finally:
        server.stop()
