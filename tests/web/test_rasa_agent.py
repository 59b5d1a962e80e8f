"""The trained Rasa agent behind the channels, with the action server down (a closed port).

* While a person has the conversation, Rasa's tracker is paused: not even Rasa's REST
  channel with the widget conversation id as ``sender`` makes the bot speak; after
  hand back it answers again.
* A request for a person reaches staff although the action server is down; any other
  message gets the system message with the phone number.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from rasa.core.agent import Agent
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ConversationPaused,
    ConversationResumed,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.kb import KnowledgeBase
from bot.web.rasa_turn import read_tracker

from .conftest import ROOT, Server

ASK_PERSON = "eg vil snakke med eit menneske"


def _rest(server: Server, sender: str, text: str) -> list[dict[str, Any]]:
    resp = server.request("POST", "/webhooks/rest/webhook", {"sender": sender, "message": text})
    assert resp.status == 200, resp.body
    answer: list[dict[str, Any]] = resp.json
    return answer


def _paused(agent: Agent, conversation_id: str) -> bool:
    tracker = asyncio.run(agent.tracker_store.retrieve(conversation_id))
    return tracker is not None and tracker.is_paused()


def test_request_for_a_person_reaches_staff_while_actions_are_down(rasa_server: Server) -> None:
    rasa_server.add_staff("kari", "Kari")
    kari = rasa_server.login("kari")
    kari.queue()
    citizen = rasa_server.new_conversation()
    data = citizen.say(ASK_PERSON)
    assert data["state"] == "waiting", data
    assert [m["sender"] for m in data["messages"]] == ["citizen", "system"]
    assert "kø" in data["messages"][-1]["text"]
    assert [w["conversation_id"] for w in kari.queue()["waiting"]] == [citizen.conversation_id]
    stored = rasa_server.store.messages.transcript(citizen.conversation_id)[0]
    assert stored.intent == "request_human"


def test_other_messages_get_the_phone_while_actions_are_down(
    rasa_server: Server, kb: KnowledgeBase
) -> None:
    citizen = rasa_server.new_conversation()
    data = citizen.say("kva er opningstidene på manger?")
    assert data["state"] == "bot"
    assert [m["sender"] for m in data["messages"]] == ["citizen", "system"]
    assert kb.contact.phone in data["messages"][-1]["text"]


def test_no_offer_of_staff_when_nobody_is_there(rasa_server: Server, kb: KnowledgeBase) -> None:
    citizen = rasa_server.new_conversation()
    data = citizen.say(ASK_PERSON)
    assert data["state"] == "bot" and data["offline_offer"] is True
    assert kb.contact.phone in data["messages"][-1]["text"]


def test_paused_tracker_silences_every_channel(rasa_server: Server, agent: Agent) -> None:
    rasa_server.add_staff("kari", "Kari")
    kari = rasa_server.login("kari")
    kari.queue()
    citizen = rasa_server.new_conversation()
    cid = citizen.conversation_id
    assert citizen.say(ASK_PERSON)["state"] == "waiting"
    assert _rest(rasa_server, cid + "-other", "hei")  # the bot greets (a domain response)
    assert not _paused(agent, cid)

    assert kari.call("POST", f"/conversations/{cid}/claim").status == 200
    assert _paused(agent, cid)
    assert _rest(rasa_server, cid, "hei") == []  # Rasa itself refuses to predict
    assert _rest(rasa_server, cid, "kva heiter du?") == []

    assert kari.call("POST", f"/conversations/{cid}/hand-back", {}).json == {"state": "bot"}
    assert not _paused(agent, cid)
    answer = _rest(rasa_server, cid, "hei")
    assert answer and answer[0]["recipient_id"] == cid and answer[0].get("text")
    widget = citizen.say("hei")["messages"]
    assert [m["sender"] for m in widget] == ["citizen", "bot"]


def test_close_resumes_the_tracker(rasa_server: Server, agent: Agent) -> None:
    rasa_server.add_staff("kari", "Kari")
    kari = rasa_server.login("kari")
    kari.queue()
    citizen = rasa_server.new_conversation()
    citizen.say(ASK_PERSON)
    conv = f"/conversations/{citizen.conversation_id}"
    kari.call("POST", conv + "/claim")
    assert _paused(agent, citizen.conversation_id)
    assert kari.call("POST", conv + "/close", {}).json == {"state": "closed"}
    assert not _paused(agent, citizen.conversation_id)
    assert citizen.say("hei")["messages"][-1]["sender"] == "bot"


def _tracker(events: list[Any]) -> DialogueStateTracker:
    domain = Domain.load(str(ROOT / "domain.yml"))
    return DialogueStateTracker.from_events("c", events, domain.slots)


def _said(intent: str) -> UserUttered:
    return UserUttered("…", {"name": intent, "confidence": 0.9})


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([_said("request_human")], "requested"),
        ([_said("greet")], None),
        ([_said("affirm")], None),
        (
            [
                _said("request_human"),
                ActionExecuted("action_offer_handoff"),
                ActionExecuted("action_listen"),
                _said("affirm"),
            ],
            "requested",
        ),
        (
            [
                _said("out_of_scope"),
                ActionExecuted("action_not_understood"),
                SlotSet("pending_question", "handoff:not_understood"),
                ActionExecuted("action_listen"),
                _said("affirm"),
            ],
            "not_understood",
        ),
        (
            [
                _said("ask_opening_hours"),
                ActionExecuted("action_opening_hours"),
                ActionExecuted("action_listen"),
                _said("affirm"),
            ],
            None,
        ),
    ],
)
def test_tracker_tells_when_the_citizen_wants_a_person(
    events: list[Any], expected: str | None
) -> None:
    class Store:
        async def retrieve(self, sender_id: str) -> DialogueStateTracker:
            return _tracker(events)

    agent = type("A", (), {"tracker_store": Store()})()
    assert asyncio.run(read_tracker(agent, "c")).wants_person == expected


def test_pause_and_resume_events_are_rasa_events() -> None:
    tracker = _tracker([_said("greet"), ConversationPaused()])
    assert tracker.is_paused()
    tracker.update(ConversationResumed())
    assert not tracker.is_paused()
    assert json.dumps(tracker.current_state()["paused"]) == "false"
