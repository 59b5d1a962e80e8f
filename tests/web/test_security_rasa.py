"""Typed Rasa commands and forged payloads against the trained agent (action server down).

Rasa reads a text starting with ``/`` as an intent with entities: ``/restart`` would reset the
conversation, ``/session_start`` start a new session, and an object entity
(``/greet{"language":{"a":1}}``) crashed the turn, so the citizen's message got no reply.
The widget channel passes typed text without its leading slashes and accepts a payload only
for a button the bot offered (tests/web/test_security.py); here the real agent shows that
no such message resets the tracker, sets a slot, or loses the reply.
"""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.agent import Agent
from rasa.shared.core.events import Restarted, SessionStarted, SlotSet, UserUttered

from .conftest import Server


@pytest.mark.parametrize(
    "typed",
    [
        "/restart",
        "/session_start",
        "/back",
        '/greet{"language":{"a":1}}',
        '/greet{"language":"en"}',
        "/request_human",
        " //restart",
    ],
)
def test_typed_command_neither_resets_nor_loses_the_reply(
    rasa_server: Server, agent: Agent, typed: str
) -> None:
    citizen = rasa_server.new_conversation()
    first = citizen.say("hei")
    assert [m["sender"] for m in first["messages"]] == ["citizen", "bot"]
    data = citizen.say(typed)
    senders = [m["sender"] for m in data["messages"]]
    assert senders[0] == "citizen" and len(senders) >= 2, data  # a reply, never lost
    assert data["state"] == "bot"
    tracker = asyncio.run(agent.tracker_store.retrieve(citizen.conversation_id))
    assert tracker is not None
    assert not any(isinstance(e, Restarted) for e in tracker.events)
    assert sum(isinstance(e, SessionStarted) for e in tracker.events) <= 1
    languages = [e.value for e in tracker.events if isinstance(e, SlotSet) and e.key == "language"]
    assert all(value in (None, "nn", "nb", "en") for value in languages), languages
    said = [e for e in tracker.events if isinstance(e, UserUttered)]
    assert not said[-1].text.startswith("/")
    assert said[0].text == "hei"  # the conversation before the command is still there
    assert citizen.say("hei")["messages"][-1]["sender"] == "bot"


@pytest.mark.parametrize(
    "payload", ["/restart", "/session_start", "/back", '/greet{"language":{"a":1}}']
)
def test_forged_payload_never_reaches_rasa(rasa_server: Server, agent: Agent, payload: str) -> None:
    citizen = rasa_server.new_conversation()
    citizen.say("hei")
    resp = citizen.call("POST", "/messages", {"text": "Ja", "payload": payload})
    assert (resp.status, resp.json["field"]) == (400, "payload")
    tracker = asyncio.run(agent.tracker_store.retrieve(citizen.conversation_id))
    assert tracker is not None
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["hei"]
