"""The citizen API at /webhooks/alver (docs/chat-api.md)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import text as sql

from bot.web.ratelimit import SlidingWindowLimiter

from .conftest import Citizen, Server

BASE = "/webhooks/alver/conversations"


def test_create_conversation(server: Server) -> None:
    resp = server.request("POST", BASE, {"language": "nb"})
    assert resp.status == 201
    data = resp.json
    assert data["state"] == "bot" and data["token"] and data["conversation_id"]
    conv = server.store.conversations.get(data["conversation_id"])
    assert conv is not None and conv.language.value == "nb"
    # Body is optional; language defaults to Nynorsk.
    resp = server.request("POST", BASE, raw=b"")
    assert resp.status == 201
    conv = server.store.conversations.get(resp.json["conversation_id"])
    assert conv is not None and conv.language.value == "nn"


def test_token_required_and_bound_to_conversation(server: Server) -> None:
    one, two = server.new_conversation(), server.new_conversation()
    path = f"{BASE}/{one.conversation_id}/messages"
    for headers in (
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic " + one.token},
        {"Authorization": "Bearer " + two.token},  # token of another conversation
        {"Authorization": "Bearer " + one.token + "x"},
    ):
        resp = server.request("POST", path, {"text": "hei"}, headers=headers)
        assert resp.status == 401, headers
        assert resp.json["error"] == "unauthorized"
    assert server.store.messages.transcript(one.conversation_id) == []
    assert one.say("hei")["messages"][0]["text"] == "hei"


def _bad_inputs(c: Citizen, other: Citizen) -> list[tuple[str, str, Any, bytes | None, int, str]]:
    return [
        ("POST", "/messages", None, b"{not json", 400, "bad_json"),
        ("POST", "/messages", None, b"", 400, "bad_json"),
        ("POST", "/messages", ["text"], None, 400, "bad_json"),
        ("POST", "/messages", {}, None, 400, "missing_field"),
        ("POST", "/messages", {"text": 5}, None, 400, "invalid_field"),
        ("POST", "/messages", {"text": "   "}, None, 400, "invalid_field"),
        ("POST", "/messages", {"text": "a", "payload": 3}, None, 400, "invalid_field"),
        ("POST", "/messages", {"text": "a", "payload": "rm -rf"}, None, 400, "invalid_field"),
        ("POST", "/messages", {"text": "x" * 1001}, None, 413, "message_too_long"),
        ("POST", "/messages", None, b'{"text": "' + b"x" * 70000 + b'"}', 413, "request_too_large"),
        ("GET", "/messages", None, None, 405, "method_not_allowed"),
        ("PUT", "", {}, None, 405, "method_not_allowed"),
        ("GET", "/events?after=abc", None, None, 400, "invalid_field"),
        ("GET", "/events?after=-1", None, None, 400, "invalid_field"),
        ("GET", "/events?wait=soon", None, None, 400, "invalid_field"),
        ("POST", "/feedback", {"value": 1}, None, 400, "missing_field"),
        ("POST", "/feedback", {"message_id": "1", "value": 1}, None, 400, "invalid_field"),
        ("POST", "/feedback", {"message_id": 1, "value": 2}, None, 400, "invalid_field"),
        ("POST", "/feedback", {"message_id": 1, "value": True}, None, 400, "invalid_field"),
        ("POST", "/feedback", {"message_id": 1}, None, 400, "missing_field"),
        ("POST", "/feedback", {"message_id": 999, "value": 1}, None, 404, "not_found"),
        ("POST", "/offline-request", {"contact": "ola@example.no"}, None, 400, "missing_field"),
        ("POST", "/offline-request", {"question": "q"}, None, 400, "missing_field"),
        (
            "POST",
            "/offline-request",
            {"question": "q", "contact": 12345678},
            None,
            400,
            "invalid_field",
        ),
        (
            "POST",
            "/offline-request",
            {"question": "q", "contact": "nope"},
            None,
            422,
            "invalid_contact",
        ),
        (
            "POST",
            "/offline-request",
            {"question": "q" * 5001, "contact": "ola@example.no"},
            None,
            413,
            "message_too_long",
        ),
        ("POST", "/typing", None, b"[]", 400, "bad_json"),
        ("POST", "/nonsense", {}, None, 404, "not_found"),
    ]


def test_bad_input_answers(server: Server) -> None:
    c, other = server.new_conversation(), server.new_conversation()
    for method, suffix, body, raw, status, error in _bad_inputs(c, other):
        resp = c.call(method, suffix, body, raw=raw)
        assert (resp.status, resp.json["error"]) == (status, error), (method, suffix, body)
        assert resp.json["message"]
    resp = server.request("POST", BASE, {"language": "de"})
    assert (resp.status, resp.json["error"]) == (400, "invalid_field")
    resp = server.request("POST", BASE, raw=b"{")
    assert (resp.status, resp.json["error"]) == (400, "bad_json")
    resp = server.request("GET", BASE)
    assert (resp.status, resp.json["error"]) == (405, "method_not_allowed")
    assert resp.headers["Allow"] == "POST"


def test_unknown_conversation_is_404(server: Server) -> None:
    c = server.new_conversation()
    c.say("hei")
    assert c.call("DELETE").status == 204
    for method, suffix, body in (
        ("POST", "/messages", {"text": "hei"}),
        ("GET", "/events?wait=0", None),
        ("GET", "/transcript", None),
        ("POST", "/typing", {}),
        ("DELETE", "", None),
    ):
        resp = c.call(method, suffix, body)
        assert (resp.status, resp.json["error"]) == (404, "not_found"), suffix


def test_message_length_limit(server: Server) -> None:
    c = server.new_conversation()
    assert c.call("POST", "/messages", {"text": "x" * 1000}).status == 200
    resp = c.call("POST", "/messages", {"text": "x" * 1001})
    assert resp.status == 413 and resp.json["error"] == "message_too_long"
    assert (
        len(server.store.messages.transcript(c.conversation_id)) == 2
    )  # only the accepted one + reply


def test_bot_reply_intent_and_links(server: Server) -> None:
    c = server.new_conversation()
    data = c.say("lenkje")
    citizen, bot = data["messages"]
    assert citizen["sender"] == "citizen" and bot["sender"] == "bot"
    assert bot["links"] == ["https://www.alver.kommune.no/skule"]
    assert data["state"] == "bot" and data["queue"] is None
    stored = server.store.messages.transcript(c.conversation_id)[0]
    assert (stored.intent, stored.confidence) == ("greet", 0.93)
    received = server.agent.received[-1]
    assert received.input_channel == "alver" and received.sender_id == c.conversation_id


def test_button_click_sends_payload_and_shows_title(server: Server) -> None:
    c = server.new_conversation()
    offer = c.say("snakke")["messages"][1]
    assert offer["buttons"] == [
        {"title": "Ja", "payload": "/affirm"},
        {"title": "Nei", "payload": "/deny"},
    ]
    data = c.say("Nei", payload="/deny")
    assert data["messages"][0]["text"] == "Nei"
    assert server.agent.received[-1].text == "/deny"
    assert data["messages"][1]["text"] == "Bot: /deny"


def test_dead_action_server_gives_system_message_with_phone(server: Server, kb: Any) -> None:
    c = server.new_conversation()
    for text in ("død", "krasj"):
        messages = c.say(text)["messages"]
        assert [m["sender"] for m in messages] == ["citizen", "system"]
        assert kb.contact.phone in messages[1]["text"]
    c_nb = server.new_conversation("nb")
    text = c_nb.say("død")["messages"][1]["text"]
    assert "Beklager" in text and kb.contact.phone in text


def test_language_follows_the_tracker_slot(server: Server) -> None:
    c = server.new_conversation("nn")
    c.say("hei")  # slot never set: keeps the conversation's language
    conv = server.store.conversations.get(c.conversation_id)
    assert conv is not None and conv.language.value == "nn"
    c.say("bokmål")
    conv = server.store.conversations.get(c.conversation_id)
    assert conv is not None and conv.language.value == "nb"
    assert "Beklager" in c.say("død")["messages"][1]["text"]


def test_events_long_poll(server: Server) -> None:
    c = server.new_conversation()
    first = c.say("hei")["messages"]
    last_id = first[-1]["id"]
    data = c.events(after=0, wait=0)
    assert [m["id"] for m in data["messages"]] == [m["id"] for m in first]
    assert data["state"] == "bot" and data["staff"] is None and data["offline_offer"] is False
    started = time.monotonic()
    data = c.events(after=last_id, wait=1)
    assert data["messages"] == [] and time.monotonic() - started >= 0.9
    # A message arriving during the wait ends the poll early.
    result: dict[str, Any] = {}
    poll = threading.Thread(target=lambda: result.update(c.events(after=last_id, wait=5)))
    started = time.monotonic()
    poll.start()
    time.sleep(0.3)
    c.say("igjen")
    poll.join(10)
    assert time.monotonic() - started < 4
    assert [m["text"] for m in result["messages"]][:1] == ["igjen"]


def test_feedback_is_stored(server: Server) -> None:
    c = server.new_conversation()
    citizen, bot = c.say("hei")["messages"]
    assert c.call("POST", "/feedback", {"message_id": bot["id"], "value": -1}).status == 204
    assert server.store.messages.transcript(c.conversation_id)[1].feedback == -1
    resp = c.call("POST", "/feedback", {"message_id": citizen["id"], "value": 1})
    assert resp.status == 400  # not on the citizen's own message
    other = server.new_conversation()
    resp = other.call("POST", "/feedback", {"message_id": bot["id"], "value": 1})
    assert resp.status == 404  # not on messages of another conversation
    assert server.store.messages.transcript(c.conversation_id)[1].feedback == -1


def test_transcript_download(server: Server) -> None:
    c = server.new_conversation()
    c.say("lenkje")
    resp = c.call("GET", "/transcript")
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert resp.headers["Content-Disposition"].startswith('attachment; filename="alver-chat-')
    assert "Du: lenkje" in resp.text
    assert "Chatboten: Sjå https://www.alver.kommune.no/skule. Takk!" in resp.text
    assert "26.11.2026 10.00" in resp.text  # Oslo time


def test_delete_removes_everything(server: Server) -> None:
    c = server.new_conversation()
    c.say("hei")
    c.call("POST", "/typing", {})
    c.call("POST", "/offline-request", {"question": "Kor er bussen?", "contact": "91234567"})
    assert server.store.requests.list()
    server.agent.tracker_store.store[c.conversation_id]  # the fake bot's memory exists
    assert c.call("DELETE").status == 204
    assert server.store.conversations.get(c.conversation_id) is None
    assert server.store.requests.list(open_only=False) == []
    assert server.state.presence.flags_many([c.conversation_id]) == {}
    assert c.conversation_id not in server.agent.tracker_store.store
    with server.store.engine.connect() as conn:
        for table in ("messages", "transitions", "notes", "web_conversation_flags"):
            count = conn.execute(
                sql(f"SELECT COUNT(*) FROM {table} WHERE conversation_id = :cid"),
                {"cid": c.conversation_id},
            ).scalar()
            assert count == 0, table


def test_typing_is_recorded(server: Server) -> None:
    c = server.new_conversation()
    assert c.call("POST", "/typing", raw=b"").status == 204
    assert server.state.presence.flags(c.conversation_id).citizen_typing(server.clock())


def test_conversation_rate_limit(server: Server) -> None:
    server.state.conversation_limiter = SlidingWindowLimiter(3)
    c = server.new_conversation()
    for _ in range(3):
        c.say("hei")
    resp = c.call("POST", "/messages", {"text": "hei"})
    assert resp.status == 429 and resp.json["error"] == "rate_limited"
    assert 1 <= resp.json["retry_after"] <= 60
    assert resp.headers["Retry-After"] == str(resp.json["retry_after"])
    assert server.new_conversation().say("hei")  # another conversation is not limited


def test_ip_rate_limit(server: Server) -> None:
    server.state.ip_limiter = SlidingWindowLimiter(4)
    statuses = [server.request("POST", BASE, {}).status for _ in range(5)]
    assert statuses == [201, 201, 201, 201, 429]
    resp = server.request("POST", BASE, {})
    assert resp.json["error"] == "rate_limited" and resp.json["retry_after"] >= 1


def test_cors_preflight_and_headers(server: Server) -> None:
    resp = server.request(
        "OPTIONS",
        BASE,
        headers={"Origin": "https://www.alver.kommune.no", "Access-Control-Request-Method": "POST"},
    )
    assert resp.status == 204
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in resp.headers["Access-Control-Allow-Headers"]
    assert server.request("POST", BASE, {}).headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("path", "status", "content_type"),
    [
        ("/widget/widget.js", 200, "javascript"),
        ("/widget/widget.css", 200, "text/css"),
        ("/widget/demo.html", 200, "text/html"),
        ("/widget/demo-nb.html", 200, "text/html"),
        ("/widget/../settings.py", 404, "json"),
        ("/widget/missing.js", 404, "json"),
        ("/console/", 200, "text/html"),
        ("/console/console.js", 200, "javascript"),
        ("/console/console.css", 200, "text/css"),
    ],
)
def test_static_files(server: Server, path: str, status: int, content_type: str) -> None:
    resp = server.request("GET", path)
    assert resp.status == status
    assert content_type in resp.headers["Content-Type"]
