"""Handoff from the bot to a person and back, through the citizen and console APIs."""

from __future__ import annotations

import threading
import time
from typing import Any

from bot.handoff import HandoffState

from .conftest import CLOSED_TIME, HANDOFF_TEXT, Citizen, Server, Staff


def _wait_for(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def _back_with_offer(citizen: Citizen) -> bool:
    data = citizen.events()
    return bool(data["state"] == "bot" and data["offline_offer"] is True)


def _queued(server: Server) -> tuple[Citizen, Staff, dict[str, Any]]:
    server.add_staff("kari", "Kari")
    kari = server.login("kari")
    kari.queue()  # polling marks her present
    citizen = server.new_conversation()
    data = citizen.say("menneske")
    return citizen, kari, data


def test_open_and_staff_present_puts_citizen_in_queue(server: Server) -> None:
    citizen, kari, data = _queued(server)
    assert data["state"] == "waiting"
    assert data["queue"] == {
        "position": 1,
        "waiting_seconds": 0,
        "expected_wait_seconds": None,  # no claims yet
    }
    assert data["offline_offer"] is False
    senders = [m["sender"] for m in data["messages"]]
    assert senders == ["citizen", "system"]  # the bot's "call us" text is replaced
    assert "kø" in data["messages"][-1]["text"]
    assert HANDOFF_TEXT not in [m["text"] for m in data["messages"]]
    queue = kari.queue()
    assert [w["conversation_id"] for w in queue["waiting"]] == [citizen.conversation_id]
    assert queue["waiting"][0]["last_text"] == "menneske"
    # The bot is silent while the citizen waits.
    received = len(server.agent.received)
    data = citizen.say("hallo?")
    assert [m["sender"] for m in data["messages"]] == ["citizen"]
    assert len(server.agent.received) == received
    server.clock.advance(40)
    assert citizen.events()["queue"]["waiting_seconds"] == 40


def test_closed_desk_offers_offline_request(server: Server, kb: Any) -> None:
    server.add_staff("kari", "Kari")
    server.login("kari").queue()
    server.clock.set(CLOSED_TIME)
    citizen = server.new_conversation()
    data = citizen.say("menneske")
    assert data["state"] == "bot" and data["offline_offer"] is True
    system = data["messages"][-1]
    assert system["sender"] == "system" and "stengd" in system["text"]
    assert "måndag 30. november kl. 09.00" in system["text"]
    assert "56 37 50 00" in system["text"]
    # The channel handles the handoff: its system message replaces the bot's "call us" text.
    assert HANDOFF_TEXT not in [m["text"] for m in data["messages"]]
    assert citizen.events()["offline_offer"] is True
    bad = citizen.call("POST", "/offline-request", {"question": "Hjelp", "contact": "123"})
    assert bad.status == 422 and bad.json["error"] == "invalid_contact"
    assert server.store.requests.list() == []
    ok = citizen.call(
        "POST", "/offline-request", {"question": "Kan de ringje meg?", "contact": "912 34 567"}
    )
    assert ok.status == 201
    [request] = server.store.requests.list()
    assert request.id == ok.json["request_id"]
    assert request.contact == "+4791234567" and request.conversation_id == citizen.conversation_id
    after = citizen.events()
    assert after["offline_offer"] is False
    assert after["messages"][-1]["sender"] == "system"


def test_no_staff_signed_in_offers_offline_request(server: Server, kb: Any) -> None:
    citizen = server.new_conversation()
    data = citizen.say("menneske")
    assert data["state"] == "bot" and data["offline_offer"] is True
    assert kb.contact.phone in data["messages"][-1]["text"]
    # A staff member who stopped polling more than 60 s ago does not count.
    server.add_staff("kari", "Kari")
    server.login("kari").queue()
    server.clock.advance(61)
    assert server.new_conversation().say("menneske")["state"] == "bot"


def test_always_open_setting_ignores_the_clock(server: Server) -> None:
    from dataclasses import replace

    server.state.settings = replace(server.state.settings, always_open=True)
    server.clock.set(CLOSED_TIME)
    server.add_staff("kari", "Kari")
    server.login("kari").queue()
    assert server.new_conversation().say("menneske")["state"] == "waiting"


def test_claim_timeout_returns_to_bot_with_offline_offer(server: Server) -> None:
    citizen, kari, _ = _queued(server)
    server.clock.advance(181)
    kari.queue()  # still present: this is the timeout, not "nobody there"
    # The expire job moves the state first, then adds the message and the offer: wait for all.
    _wait_for(lambda: _back_with_offer(citizen))
    data = citizen.events()
    assert data["state"] == "bot" and data["offline_offer"] is True
    assert "ingen av dei tilsette" in data["messages"][-1]["text"].lower()
    assert citizen.say("hei")["messages"][-1]["sender"] == "bot"  # the bot answers again


def test_queue_emptied_when_staff_leave(server: Server) -> None:
    citizen, kari, _ = _queued(server)
    assert kari.call("POST", "/logout").status == 204
    _wait_for(lambda: _back_with_offer(citizen))
    data = citizen.events()
    assert data["state"] == "bot" and data["offline_offer"] is True


def test_claim_race_exactly_one_wins(server: Server) -> None:
    citizen, kari, _ = _queued(server)
    server.add_staff("ola", "Ola")
    ola = server.login("ola")
    results: dict[str, tuple[int, Any]] = {}
    barrier = threading.Barrier(2)

    def claim(name: str, staff: Staff) -> None:
        barrier.wait()
        resp = staff.call("POST", f"/conversations/{citizen.conversation_id}/claim")
        results[name] = (resp.status, resp.json)

    threads = [
        threading.Thread(target=claim, args=(n, s)) for n, s in (("kari", kari), ("ola", ola))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    statuses = sorted(status for status, _ in results.values())
    assert statuses == [200, 409]
    loser = next(body for status, body in results.values() if status == 409)
    assert loser["error"] == "already_claimed"
    winner = next(name for name, (status, _) in results.items() if status == 200)
    data = citizen.events()
    assert data["state"] == "with_human"
    assert data["staff"] == {"first_name": winner.capitalize(), "typing": False}
    assert winner.capitalize() in data["messages"][-1]["text"]


def test_staff_conversation_round_trip(server: Server) -> None:
    citizen, kari, _ = _queued(server)
    server.add_staff("ola", "Ola")
    ola = server.login("ola")
    conv = f"/conversations/{citizen.conversation_id}"
    assert kari.call("POST", conv + "/claim").json == {"claimed": True}
    last = citizen.events()["messages"][-1]["id"]

    # Non-claimer may not reply, type or hand back.
    for path, body in (("/messages", {"text": "Hei"}), ("/typing", {}), ("/hand-back", {})):
        resp = ola.call("POST", conv + path, body)
        assert (resp.status, resp.json["error"]) == (403, "not_claimed_by_you"), path

    # Staff typing and a staff reply reach the citizen's long-poll.
    assert kari.call("POST", conv + "/typing", {}).status == 204
    assert citizen.events(after=last)["staff"]["typing"] is True
    result: dict[str, Any] = {}
    poll = threading.Thread(target=lambda: result.update(citizen.events(after=last, wait=5)))
    poll.start()
    time.sleep(0.3)
    reply = kari.call("POST", conv + "/messages", {"text": "Hei, eg heiter Kari."})
    assert reply.status == 201 and reply.json["sender"] == "staff"
    poll.join(10)
    assert [m["text"] for m in result["messages"]] == ["Hei, eg heiter Kari."]
    assert result["messages"][0]["staff_first_name"] == "Kari"
    assert citizen.events(after=last)["staff"]["typing"] is False  # cleared by the reply
    too_long = kari.call("POST", conv + "/messages", {"text": "x" * 1001})
    assert (too_long.status, too_long.json["error"]) == (413, "message_too_long")

    # The citizen's message goes to staff, not to the bot.
    received = len(server.agent.received)
    citizen.say("Takk, Kari!")
    assert len(server.agent.received) == received
    detail = kari.call("GET", conv + "?after=0", csrf=False).json
    assert detail["conversation"]["claimed_by_first_name"] == "Kari"
    assert detail["messages"][-1]["text"] == "Takk, Kari!"
    mine = kari.queue()["mine"]
    assert [m["conversation_id"] for m in mine] == [citizen.conversation_id]

    # Notes are internal.
    note = kari.call("POST", conv + "/notes", {"text": "Gjeld byggesak"})
    assert note.status == 201 and note.json["author_first_name"] == "Kari"
    assert "Gjeld byggesak" not in [m["text"] for m in citizen.events()["messages"]]
    detail = ola.call("GET", conv, csrf=False).json
    assert [n["text"] for n in detail["notes"]] == ["Gjeld byggesak"]

    # Hand back: a system message, and the bot answers again.
    assert kari.call("POST", conv + "/hand-back", {}).json == {"state": "bot"}
    events = citizen.events(after=last)
    assert events["state"] == "bot" and events["staff"] is None
    assert "chatboten" in events["messages"][-1]["text"].lower()
    answer = citizen.say("hei")["messages"]
    assert [(m["sender"], m["text"]) for m in answer] == [("citizen", "hei"), ("bot", "Bot: hei")]


def test_close_and_reopen(server: Server) -> None:
    citizen, kari, _ = _queued(server)
    conv = f"/conversations/{citizen.conversation_id}"
    kari.call("POST", conv + "/claim")
    assert kari.call("POST", conv + "/close", {}).json == {"state": "closed"}
    data = citizen.events()
    assert data["state"] == "closed"
    assert data["messages"][-1]["text"].startswith("Samtalen er avslutta")
    # Writing again reopens the conversation and the bot answers.
    reply = citizen.say("ein ting til")
    assert reply["state"] == "bot" and reply["messages"][-1]["sender"] == "bot"
    conversation = server.store.conversations.get(citizen.conversation_id)
    assert conversation is not None and conversation.state is HandoffState.BOT


def test_citizen_cancels_waiting(server: Server) -> None:
    citizen, kari, _ = _queued(server)
    resp = citizen.call("POST", "/cancel-waiting", {})
    assert resp.status == 200 and resp.json == {"state": "bot"}
    assert kari.queue()["waiting"] == []
    assert citizen.say("hei")["messages"][-1]["sender"] == "bot"
    resp = kari.call("POST", f"/conversations/{citizen.conversation_id}/claim")
    assert (resp.status, resp.json["error"]) == (409, "not_waiting")


def test_queue_long_poll_wakes_on_new_waiting_citizen(server: Server) -> None:
    server.add_staff("kari", "Kari")
    kari = server.login("kari")
    first = kari.queue()
    result: dict[str, Any] = {}
    poll = threading.Thread(target=lambda: result.update(kari.queue(wait=5, since=first["etag"])))
    started = time.monotonic()
    poll.start()
    time.sleep(0.3)
    citizen = server.new_conversation()
    citizen.say("menneske")
    poll.join(10)
    assert time.monotonic() - started < 4
    assert result["etag"] != first["etag"]
    assert [w["conversation_id"] for w in result["waiting"]] == [citizen.conversation_id]
