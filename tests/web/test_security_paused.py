"""A REST or forged request never makes the bot speak while a person has the conversation.

Rasa handles a message to a paused conversation only when its intent is ``restart``
(``MessageProcessor._should_handle_message``): a ``/restart`` would reset the tracker,
un-pause it and let the bot speak again beside the staff member. Every Rasa command, sent
through the REST channel or typed or forged as a button in the widget, must leave the
conversation paused and the bot silent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from rasa.core.agent import Agent

from bot.channels.rest_channel import LocalRestInput
from bot.kb import KnowledgeBase
from bot.web.settings import WebSettings

from .conftest import FakeClock, Server
from .test_rasa_agent import ASK_PERSON

COMMANDS = ["/restart", "/session_start", "/back", '/greet{"language": "nb"}', "/affirm"]


def _paused(agent: Agent, conversation_id: str) -> bool:
    tracker = asyncio.run(agent.tracker_store.retrieve(conversation_id))
    return tracker is not None and tracker.is_paused()


@pytest.fixture
def rasa_server(
    settings: WebSettings,
    clock: FakeClock,
    kb: KnowledgeBase,
    agent: Agent,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Server]:
    """The real agent behind the chat channels and OUR REST channel (as credentials.yml)."""
    monkeypatch.setattr("tests.web.conftest.RestInput", LocalRestInput)
    running = Server(settings, clock, kb, agent=agent)
    try:
        yield running
    finally:
        running.stop()


def _rest(server: Server, sender: str, text: str) -> list[dict[str, object]]:
    """What the REST channel answered: the bot's messages (none if it refused)."""
    resp = server.request("POST", "/webhooks/rest/webhook", {"sender": sender, "message": text})
    assert resp.status in (200, 400), resp.body
    answer: list[dict[str, object]] = resp.json if resp.status == 200 else []
    return answer


@pytest.mark.parametrize("command", COMMANDS)
def test_no_command_makes_the_bot_speak_while_a_person_has_the_conversation(
    rasa_server: Server, agent: Agent, command: str
) -> None:
    rasa_server.add_staff("kari", "Kari")
    kari = rasa_server.login("kari")
    kari.queue()
    citizen = rasa_server.new_conversation()
    cid = citizen.conversation_id
    assert citizen.say(ASK_PERSON)["state"] == "waiting"
    assert kari.call("POST", f"/conversations/{cid}/claim").status == 200
    assert _rest(rasa_server, cid, command) == []
    assert _paused(agent, cid)
    typed = citizen.say(command)
    assert [m["sender"] for m in typed["messages"]] == ["citizen"]
    forged = citizen.call("POST", "/messages", {"text": "Ja", "payload": command})
    assert forged.status in (200, 400), forged.body
    if forged.status == 200:
        assert [m["sender"] for m in forged.json["messages"]] == ["citizen"]
    assert _paused(agent, cid)
    assert _rest(rasa_server, cid, "hei") == []
    assert citizen.events()["state"] == "with_human"


@pytest.mark.parametrize("text", ["/restart", " /restart", "/RESTART", '/restart{"a": 1}'])
def test_rest_channel_refuses_restart(rasa_server: Server, text: str) -> None:
    resp = rasa_server.request("POST", "/webhooks/rest/webhook", {"sender": "r1", "message": text})
    assert resp.status == 400 and resp.json["error"] == "command_refused"
    assert (
        rasa_server.request(
            "POST", "/webhooks/rest/webhook", {"sender": "r1", "message": "/restarting"}
        ).status
        == 200
    )
