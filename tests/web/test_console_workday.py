"""The console's working day: queue context, status and capacity, transfer, requeue,
history and export, citizen presence, unread counts and staff-written canned replies."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.web.console_history import clean_page

from .conftest import Citizen, Server, Staff

QUESTION = "Kor lenge er biblioteket på Knarvik ope i dag?"


def _waiting(
    server: Server, question: str = QUESTION, intent: str = "ask_opening_hours"
) -> Citizen:
    """A citizen who asks a question, then "Ja" to a person: waits in the queue."""
    citizen = server.new_conversation()
    first = citizen.say(question)["messages"][0]
    server.store.messages.set_nlu(first["id"], citizen.conversation_id, intent, 0.9)
    citizen.say("snakke")
    assert citizen.say("Ja", payload="/affirm")["state"] == "waiting"
    return citizen


def _staff(server: Server, username: str, name: str, role: str = "staff") -> Staff:
    server.add_staff(username, name, role)
    staff = server.login(username)
    staff.queue()  # polling marks them present
    return staff


def _claimed(server: Server, kari: Staff, **kwargs: Any) -> Citizen:
    citizen = _waiting(server, **kwargs)
    resp = kari.call("POST", f"/conversations/{citizen.conversation_id}/claim")
    assert resp.status == 200, resp.body
    return citizen


# ----- queue items: question, page, waiting time ----------------------------------------


def test_queue_item_shows_the_question_not_ja_takk_the_page_and_the_wait(server: Server) -> None:
    kari = _staff(server, "kari", "Kari")
    citizen = _waiting(server)
    server.state.presence.set_page(citizen.conversation_id, "/tenester/bibliotek")
    # Kari keeps polling while the citizen waits: a jump of more than STAFF_PRESENCE_SECONDS
    # would let the expire job (every 0.2 s here) find nobody present and offer the citizen
    # to leave a request instead (flaky on PostgreSQL in CI).
    server.clock.advance(45)
    kari.queue()
    server.clock.advance(50)
    item = kari.queue()["waiting"][0]
    assert item["question"] == QUESTION
    assert item["topic"] == "ask_opening_hours"
    assert item["last_text"] == "Ja"
    assert item["page"] == "/tenester/bibliotek"
    assert item["waiting_seconds"] == 95
    assert item["citizen_left"] is False


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("/tenester/bibliotek", "/tenester/bibliotek"),
        ("https://www.alver.kommune.no/skule/?fnr=15038510190#a", "/skule/"),
        ("/" + "a" * 300, "/" + "a" * 199),
        ("", None),
        (None, None),
        ("javascript:alert(1)", None),
        ("/<script>", None),
    ],
)
def test_start_page_is_stored_as_a_path_only(given: Any, stored: str | None) -> None:
    assert clean_page(given) == stored


def test_start_page_that_is_not_a_string_is_refused() -> None:
    with pytest.raises(Exception, match="must be a string"):
        clean_page(["/"])


# ----- status and capacity --------------------------------------------------------------


def test_capacity_staff_on_a_break_do_not_count_as_present(server: Server) -> None:
    kari = _staff(server, "kari", "Kari")
    assert kari.call("POST", "/status", {"status": "break"}).json["me"]["takes_chats"] is False
    citizen = server.new_conversation()
    citizen.say("snakke")
    data = citizen.say("Ja", payload="/affirm")
    assert (data["state"], data["offline_offer"]) == ("bot", True)  # nobody takes chats
    kari.call("POST", "/status", {"status": "available"})
    assert _waiting(server).events()["state"] == "waiting"


def test_capacity_limit_refuses_a_claim_and_empties_the_desk(server: Server) -> None:
    kari = _staff(server, "kari", "Kari")
    assert kari.call("POST", "/status", {"status": "available", "max_chats": 1}).status == 200
    _claimed(server, kari)
    status = kari.call("GET", "/status", csrf=False).json["me"]
    assert (status["active_chats"], status["max_chats"], status["takes_chats"]) == (1, 1, False)
    # Kari is full: the next citizen is not queued, and Kari cannot claim beyond her limit.
    citizen = server.new_conversation()
    citizen.say("snakke")
    assert citizen.say("Ja", payload="/affirm")["offline_offer"] is True
    ola = _staff(server, "ola", "Ola")
    waiting = _waiting(server)
    refused = kari.call("POST", f"/conversations/{waiting.conversation_id}/claim")
    assert (refused.status, refused.json["error"]) == (409, "at_capacity")
    assert ola.call("POST", f"/conversations/{waiting.conversation_id}/claim").status == 200


def test_capacity_busy_staff_cannot_claim(server: Server) -> None:
    kari = _staff(server, "kari", "Kari")
    _staff(server, "ola", "Ola")
    citizen = _waiting(server)
    kari.call("POST", "/status", {"status": "busy"})
    refused = kari.call("POST", f"/conversations/{citizen.conversation_id}/claim")
    assert (refused.status, refused.json["error"]) == (409, "not_available")


@pytest.mark.parametrize(
    "body",
    [
        {"status": "asleep"},
        {"status": "available", "max_chats": 0},
        {"status": "available", "max_chats": 21},
        {"status": "available", "max_chats": "3"},
        {"status": "available", "max_chats": True},
        {},
    ],
)
def test_capacity_bad_status_is_a_400(server: Server, body: dict[str, Any]) -> None:
    kari = _staff(server, "kari", "Kari")
    resp = kari.call("POST", "/status", body)
    assert resp.status == 400 and resp.json["error"] in ("invalid_field", "missing_field")


# ----- transfer and back to the queue ----------------------------------------------------


def test_transfer_to_a_named_colleague_with_an_internal_note(server: Server) -> None:
    kari = _staff(server, "kari", "Kari")
    ola = _staff(server, "ola", "Ola")
    citizen = _claimed(server, kari)
    resp = kari.call(
        "POST",
        f"/conversations/{citizen.conversation_id}/transfer",
        {"to": ola.user["id"], "note": "Gjeld byggjesak, Ola kan dette."},
    )
    assert resp.status == 200, resp.body
    assert resp.json["claimed_by"]["first_name"] == "Ola"
    assert [m["conversation_id"] for m in ola.queue()["mine"]] == [citizen.conversation_id]
    assert kari.queue()["mine"] == []
    view = ola.call("GET", f"/conversations/{citizen.conversation_id}", csrf=False).json
    assert view["notes"][-1]["text"] == "Gjeld byggjesak, Ola kan dette."
    assert view["notes"][-1]["author_first_name"] == "Kari"
    assert "Ola" in citizen.events()["messages"][-1]["text"]
    assert [t.event.value for t in server.store.conversations.history(citizen.conversation_id)][
        -1
    ] == "transfer"
    # Ola can now reply; Kari cannot.
    assert (
        ola.call(
            "POST", f"/conversations/{citizen.conversation_id}/messages", {"text": "Hei"}
        ).status
        == 201
    )
    refused = kari.call("POST", f"/conversations/{citizen.conversation_id}/messages", {"text": "x"})
    assert refused.status == 403


@pytest.mark.parametrize(
    ("case", "status", "error"),
    [
        ("to_myself", 409, "same_staff"),
        ("to_unknown", 409, "colleague_unknown"),
        ("to_colleague_on_break", 409, "colleague_unavailable"),
        ("not_mine", 403, "not_claimed_by_you"),
        ("missing_to", 400, "missing_field"),
    ],
)
def test_transfer_refused_moves(server: Server, case: str, status: int, error: str) -> None:
    kari = _staff(server, "kari", "Kari")
    ola = _staff(server, "ola", "Ola")
    citizen = _claimed(server, kari)
    body: dict[str, Any] = {"to": ola.user["id"]}
    caller = kari
    if case == "to_myself":
        body["to"] = kari.user["id"]
    elif case == "to_unknown":
        body["to"] = 9999
    elif case == "to_colleague_on_break":
        ola.call("POST", "/status", {"status": "break"})
    elif case == "not_mine":
        caller, body["to"] = ola, kari.user["id"]
    elif case == "missing_to":
        body = {}
    resp = caller.call("POST", f"/conversations/{citizen.conversation_id}/transfer", body)
    assert (resp.status, resp.json["error"]) == (status, error)
    conversation = server.store.conversations.get(citizen.conversation_id)
    assert conversation is not None and conversation.claimed_by == kari.user["id"]


def test_transfer_back_to_the_queue_with_a_note(server: Server) -> None:
    kari = _staff(server, "kari", "Kari")
    ola = _staff(server, "ola", "Ola")
    citizen = _claimed(server, kari)
    path = f"/conversations/{citizen.conversation_id}/requeue"
    resp = kari.call("POST", path, {"note": "Treng nokon frå skule."})
    assert (resp.status, resp.json["state"]) == (200, "waiting")
    assert [w["conversation_id"] for w in ola.queue()["waiting"]] == [citizen.conversation_id]
    assert citizen.events()["state"] == "waiting"
    again = kari.call("POST", path, {})
    assert (again.status, again.json["error"]) == (403, "not_claimed_by_you")
    assert ola.call("POST", f"/conversations/{citizen.conversation_id}/claim").status == 200


# ----- history and export ----------------------------------------------------------------


def test_history_finds_a_closed_conversation_by_text_staff_topic_and_date(server: Server) -> None:
    kari = _staff(server, "kari", "Kari")
    ola = _staff(server, "ola", "Ola")
    citizen = _claimed(server, kari)
    conv = f"/conversations/{citizen.conversation_id}"
    kari.call("POST", conv + "/messages", {"text": "Biblioteket er ope til 19 i dag."})
    assert kari.call("POST", conv + "/close").status == 200
    handed_back = _claimed(server, kari, question="Når kjem bossbilen?", intent="ask_service")
    kari.call("POST", f"/conversations/{handed_back.conversation_id}/hand-back")
    _waiting(server, question="Ikkje handsama")  # never taken: not in the history

    def found(query: str) -> list[str]:
        resp = ola.call("GET", "/history?" + query, csrf=False)
        assert resp.status == 200, resp.body
        return [r["id"] for r in resp.json["results"] if r["kind"] == "conversation"]

    assert found("q=BIBLIOTEKET") == [citizen.conversation_id]
    assert found("q=19%20i%20dag") == [citizen.conversation_id]
    assert set(found("")) == {citizen.conversation_id, handed_back.conversation_id}
    assert found("topic=ask_service") == [handed_back.conversation_id]
    assert set(found(f"staff={kari.user['id']}")) == {
        citizen.conversation_id,
        handed_back.conversation_id,
    }
    assert found(f"staff={ola.user['id']}") == []
    assert len(found("from=2026-11-26&to=2026-11-26")) == 2
    assert found("from=2026-11-27") == []
    hit = ola.call("GET", "/history?q=biblioteket", csrf=False).json["results"][0]
    assert hit["answered_by"] == ["Kari"] and hit["question"] == QUESTION
    assert hit["state"] == "closed"


def test_history_lists_answered_offline_requests_with_who_answered(server: Server) -> None:
    kari = _staff(server, "kari", "Kari")
    citizen = server.new_conversation()
    resp = citizen.call(
        "POST",
        "/offline-request",
        {"question": "Kan de ringje meg om skyss?", "contact": "ola@example.no"},
    )
    assert resp.status in (200, 201), resp.body
    request_id = resp.json["request_id"] if "request_id" in resp.json else resp.json["id"]
    assert kari.call("GET", "/history?q=skyss", csrf=False).json["results"] == []  # open
    kari.call("POST", f"/offline-requests/{request_id}/answered")
    results = kari.call("GET", "/history?q=skyss", csrf=False).json["results"]
    assert [(r["kind"], r["answered_by"]) for r in results] == [("request", ["Kari"])]


@pytest.mark.parametrize("query", ["from=27.11.2026", "to=i-morgon", "staff=kari", "staff=0"])
def test_history_bad_query_is_a_400(server: Server, query: str) -> None:
    kari = _staff(server, "kari", "Kari")
    resp = kari.call("GET", "/history?" + query, csrf=False)
    assert (resp.status, resp.json["error"]) == (400, "invalid_field")


def test_history_export_one_conversation_as_text(server: Server) -> None:
    kari = _staff(server, "kari", "Kari")
    citizen = _claimed(server, kari)
    conv = f"/conversations/{citizen.conversation_id}"
    kari.call("POST", conv + "/messages", {"text": "Biblioteket er ope til 19."})
    kari.call("POST", conv + "/notes", {"text": "Spurde om Knarvik."})
    kari.call("POST", conv + "/close")
    resp = kari.call("GET", conv + "/export.txt", csrf=False)
    assert resp.status == 200
    assert resp.headers["Content-Type"].startswith("text/plain")
    assert "attachment" in resp.headers["Content-Disposition"]
    text = resp.text
    assert QUESTION in text and "Kari: Biblioteket er ope til 19." in text
    assert "Spurde om Knarvik." in text and "Opningstider" in text
    missing = kari.call("GET", "/conversations/nope/export.txt", csrf=False)
    assert (missing.status, missing.json["error"]) == (404, "not_found")
    bad = kari.call("GET", conv + "/export.txt?lang=de", csrf=False)
    assert bad.status == 400


# ----- citizen presence --------------------------------------------------------------------


def test_presence_a_waiting_citizen_who_leaves_drops_out_of_the_queue(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITIZEN_LEAVE_GRACE_SECONDS", "0")
    kari = _staff(server, "kari", "Kari")
    citizen = _waiting(server)
    # sendBeacon cannot set headers: the token comes in a text/plain body.
    resp = server.request(
        "POST",
        citizen.base + "/leave",
        raw=json.dumps({"token": citizen.token}).encode(),
        headers={"Content-Type": "text/plain;charset=UTF-8"},
    )
    assert resp.status == 204, resp.body
    assert kari.queue()["waiting"] == []
    data = citizen.events()
    assert data["state"] == "bot"
    assert "ikkje lenger i kø" in data["messages"][-1]["text"]


def test_presence_a_citizen_who_leaves_a_held_chat_is_shown_as_gone(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITIZEN_LEAVE_GRACE_SECONDS", "0")
    kari = _staff(server, "kari", "Kari")
    citizen = _claimed(server, kari)
    assert kari.queue()["mine"][0]["citizen_left"] is False
    assert citizen.call("POST", "/leave").status == 204  # bearer token works too
    assert kari.queue()["mine"][0]["citizen_left"] is True
    view = kari.call("GET", f"/conversations/{citizen.conversation_id}", csrf=False).json
    assert (
        view["conversation"]["citizen_left"] is True
        and view["conversation"]["state"] == "with_human"
    )
    # Back (their widget polls again): no longer gone.
    server.clock.advance(1)
    server.state.presence.mark_citizen_seen(citizen.conversation_id)
    assert kari.queue()["mine"][0]["citizen_left"] is False
    # No long-poll for more than a minute: gone.
    server.clock.advance(61)
    assert kari.queue()["mine"][0]["citizen_left"] is True


def test_presence_a_waiting_citizen_who_returns_within_the_grace_keeps_their_place(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITIZEN_LEAVE_GRACE_SECONDS", "0.5")
    kari = _staff(server, "kari", "Kari")
    citizen = _waiting(server)
    assert citizen.call("POST", "/leave").status == 204
    server.clock.advance(1)
    server.state.presence.mark_citizen_seen(citizen.conversation_id)  # the next page polls
    import time

    time.sleep(1.0)
    assert [w["conversation_id"] for w in kari.queue()["waiting"]] == [citizen.conversation_id]


@pytest.mark.parametrize(("token", "status"), [("", 401), ("feil", 401)])
def test_presence_leave_needs_the_conversations_token(
    server: Server, token: str, status: int
) -> None:
    citizen = server.new_conversation()
    resp = server.request("POST", citizen.base + "/leave", {"token": token})
    assert (resp.status, resp.json["error"]) == (status, "unauthorized")


def test_presence_deleting_the_conversation_deletes_its_context(server: Server) -> None:
    citizen = server.new_conversation()
    server.state.presence.set_page(citizen.conversation_id, "/skule")
    assert citizen.call("DELETE").status in (200, 204)
    with server.store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT COUNT(*) FROM console_conversation_context").scalar()
    assert rows == 0


# ----- unread ---------------------------------------------------------------------------


def test_unread_counts_citizen_messages_of_my_chats(server: Server) -> None:
    kari = _staff(server, "kari", "Kari")
    citizen = _claimed(server, kari)
    before = kari.queue()["mine"][0]
    citizen.say("Er du der?")
    citizen.say("Hallo?")
    after = kari.queue()["mine"][0]
    assert after["citizen_messages"] == before["citizen_messages"] + 2
    assert after["last_message_id"] > before["last_message_id"]
    assert after["last_text"] == "Hallo?"


# ----- own canned replies ----------------------------------------------------------------


def test_own_canned_replies_personal_and_team(server: Server) -> None:
    kari = _staff(server, "kari", "Kari")
    ola = _staff(server, "ola", "Ola")
    eva = _staff(server, "eva", "Eva", "editor")
    mine = kari.call(
        "POST",
        "/own-replies",
        {"title": "Helsing", "text": "Hei, eg heiter Kari.", "language": "nn"},
    )
    assert mine.status == 201 and mine.json["mine"] is True and mine.json["team"] is False
    team = eva.call(
        "POST", "/own-replies", {"title": "Avslutning", "text": "Takk for praten!", "team": True}
    )
    assert team.status == 201 and team.json["team"] is True
    refused = kari.call("POST", "/own-replies", {"title": "T", "text": "x", "team": True})
    assert (refused.status, refused.json["error"]) == (403, "forbidden")
    assert [r["title"] for r in kari.call("GET", "/own-replies", csrf=False).json] == [
        "Avslutning",
        "Helsing",
    ]
    assert [r["title"] for r in ola.call("GET", "/own-replies", csrf=False).json] == ["Avslutning"]
    path = f"/own-replies/{mine.json['id']}"
    assert ola.call("PUT", path, {"title": "X", "text": "Y"}).status == 404  # not his
    changed = kari.call("PUT", path, {"title": "Helsing", "text": "God dag!", "language": "nb"})
    assert changed.status == 200 and changed.json["text"] == "God dag!"
    assert kari.call("DELETE", f"/own-replies/{team.json['id']}").status == 403
    assert kari.call("DELETE", path).status == 204
    assert kari.call("DELETE", path).status == 404


@pytest.mark.parametrize(
    "body",
    [
        {"title": "", "text": "x"},
        {"title": "t", "text": ""},
        {"title": "t" * 101, "text": "x"},
        {"title": "t", "text": "x" * 2001},
        {"title": "t", "text": "x", "language": "de"},
        {"title": 1, "text": "x"},
    ],
)
def test_own_canned_replies_bad_input_is_a_400(server: Server, body: dict[str, Any]) -> None:
    kari = _staff(server, "kari", "Kari")
    resp = kari.call("POST", "/own-replies", body)
    assert resp.status in (400, 413) and "error" in resp.json


# ----- every new route needs a session, and CSRF for changes ------------------------------

NEW_ROUTES = [
    ("GET", "/status"),
    ("POST", "/status"),
    ("POST", "/conversations/x/transfer"),
    ("POST", "/conversations/x/requeue"),
    ("GET", "/conversations/x/export.txt"),
    ("GET", "/history"),
    ("GET", "/own-replies"),
    ("POST", "/own-replies"),
    ("PUT", "/own-replies/1"),
    ("DELETE", "/own-replies/1"),
]


@pytest.mark.parametrize(("method", "path"), NEW_ROUTES)
def test_new_routes_need_a_signed_in_staff_member(server: Server, method: str, path: str) -> None:
    resp = server.request(method, "/console/api" + path, {})
    assert (resp.status, resp.json["error"]) == (401, "unauthorized")
    assert resp.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("method", "path"), [r for r in NEW_ROUTES if r[0] != "GET"])
def test_new_changing_routes_need_the_csrf_token(server: Server, method: str, path: str) -> None:
    kari = _staff(server, "kari", "Kari")
    resp = kari.call(method, path, {}, csrf=False)
    assert (resp.status, resp.json["error"]) == (403, "csrf_failed")
