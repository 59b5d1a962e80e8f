"""Faults: a restart in the middle of a conversation and in the middle of a handoff (issue 11).

The real bot (`make run`) is started three times on the same databases (the handoff
database and Rasa's SQL tracker store next to it):

1. the citizen asks for a person; the bot offers one (a "Ja, takk" is pending);
2. after a restart the citizen answers "Ja, takk": the dialogue context was kept, so the
   conversation joins the queue (before the SQL tracker store, a restart gave "Kva kan eg
   hjelpe deg med?"); the staff member, still signed in with the same session, claims it
   and answers;
3. after another restart nothing is lost on either side: the citizen sees the staff
   member's answer, the staff member sees the citizen's new message, the bot stays silent
   while a person has the conversation, and speaks again after "Gi tilbake til boten".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.server import add_staff_user, make_run, staffed_env
from tests.web.test_privacy_e2e import Http

STAFF_USER, STAFF_PASSWORD = "omstart", "riktig-hest-batteri-omstart"
WIDGET = "/webhooks/alver/conversations"


@dataclass
class Chat:
    citizen: Http
    staff: Http
    conversation_id: str
    token: str

    @property
    def conv(self) -> str:
        return f"{WIDGET}/{self.conversation_id}"

    def say(self, text: str, payload: str | None = None) -> dict[str, Any]:
        body = {"text": text} | ({"payload": payload} if payload else {})
        answer: dict[str, Any] = self.citizen.call(
            "POST", self.conv + "/messages", body, self.token
        )
        return answer

    def events(self) -> dict[str, Any]:
        events: dict[str, Any] = self.citizen.call(
            "GET", self.conv + "/events?after=0&wait=0", None, self.token
        )
        return events

    def staff_view(self) -> dict[str, Any]:
        view: dict[str, Any] = self.staff.call(
            "GET", f"/console/api/conversations/{self.conversation_id}"
        )
        return view


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder: Path = tmp_path_factory.mktemp("restart")
    environment = staffed_env(folder, "restart-tests-secret-key-0123456789abcdef")
    add_staff_user(environment, STAFF_USER, STAFF_PASSWORD, "Kari")
    return environment


@pytest.fixture(scope="module")
def runs(env: dict[str, str]) -> Iterator[dict[str, Any]]:
    """The three runs; what each answered, for the tests below."""
    seen: dict[str, Any] = {}
    with make_run(env) as first:
        citizen, staff = Http(first.url), Http(first.url)
        login = staff.call(
            "POST", "/console/api/login", {"username": STAFF_USER, "password": STAFF_PASSWORD}
        )
        staff.csrf = login["csrf_token"]
        staff.call("GET", "/console/api/queue?wait=0")  # present: the bot may offer a person
        created = citizen.call("POST", WIDGET, {"language": "nn"})
        chat = Chat(citizen, staff, created["conversation_id"], created["token"])
        seen["offer"] = chat.say("eg vil snakke med eit menneske")
    with make_run(env) as second:
        chat.citizen.url = chat.staff.url = second.url
        seen["staff_me_after_restart"] = chat.staff.call("GET", "/console/api/me")
        chat.staff.call("GET", "/console/api/queue?wait=0")
        seen["yes"] = chat.say("Ja, takk")
        seen["queue"] = chat.staff.call("GET", "/console/api/queue?wait=0")
        chat.staff.call("POST", f"/console/api/conversations/{chat.conversation_id}/claim")
        chat.staff.call(
            "POST",
            f"/console/api/conversations/{chat.conversation_id}/messages",
            {"text": "Hei, eg heiter Kari. Kva gjeld det?"},
        )
    with make_run(env) as third:
        chat.citizen.url = chat.staff.url = third.url
        seen["citizen_events"] = chat.events()
        seen["citizen_says"] = chat.say("Eg lurer på byggesøknaden min")
        seen["staff_view"] = chat.staff_view()
        chat.staff.call("POST", f"/console/api/conversations/{chat.conversation_id}/hand-back")
        seen["bot_again"] = chat.say("kva er opningstidene på Manger?")
    yield seen


def test_the_bot_offered_a_person_before_the_restart(runs: dict[str, Any]) -> None:
    offer = runs["offer"]
    assert offer["state"] == "bot"
    assert [b["payload"] for b in offer["messages"][-1]["buttons"]] == ["/affirm", "/deny"]


def test_ja_takk_after_a_restart_still_answers_the_offer(runs: dict[str, Any]) -> None:
    assert runs["yes"]["state"] == "waiting", runs["yes"]
    texts = " ".join(m["text"] for m in runs["yes"]["messages"])
    assert "Kva kan eg hjelpe deg med" not in texts
    waiting = [w["conversation_id"] for w in runs["queue"]["waiting"]]
    assert len(waiting) == 1


def test_staff_session_survives_a_restart(runs: dict[str, Any]) -> None:
    assert runs["staff_me_after_restart"]["user"]["first_name"] == "Kari"


def test_nothing_lost_on_either_side_after_a_restart_in_a_handoff(runs: dict[str, Any]) -> None:
    citizen_sees = [(m["sender"], m["text"]) for m in runs["citizen_events"]["messages"]]
    assert ("staff", "Hei, eg heiter Kari. Kva gjeld det?") in citizen_sees
    assert runs["citizen_says"]["state"] == "with_human"
    assert [m["sender"] for m in runs["citizen_says"]["messages"]] == ["citizen"]  # bot silent
    staff_sees = [m["text"] for m in runs["staff_view"]["messages"]]
    for text in ("eg vil snakke med eit menneske", "Ja, takk", "Eg lurer på byggesøknaden min"):
        assert text in staff_sees


def test_the_bot_speaks_again_after_hand_back_after_a_restart(runs: dict[str, Any]) -> None:
    bot_again = runs["bot_again"]
    assert bot_again["state"] == "bot"
    assert any(m["sender"] in ("bot", "system") for m in bot_again["messages"][1:]), bot_again
