"""Regression tests of the attack-and-fault probe (issue 11): no 5xx on bad input, and hardening.

Each 5xx the probe found is a case here: a lone surrogate, deep nesting, ids beyond 64 bits,
forged button payloads and typed Rasa commands; then NUL bytes, contact markup, the SQLite
file's mode, the console's CSP and ``Cache-Control``, sessions of deactivated users and the
login rate limit.
"""

from __future__ import annotations

import http.client
import json
import os
import stat
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from bot.handoff import HandoffStore
from bot.handoff.contact import normalize_contact
from bot.handoff.errors import InvalidContact
from bot.handoff.records import Message, Sender
from bot.handoff.schema import console_sessions_table
from bot.web.buttons import offered_buttons, typed_text
from bot.web.http import MAX_JSON_DEPTH
from tests.databases import POSTGRES_ENV

from .conftest import ROOT, STAFF_PASSWORD, Citizen, Response, Server, Staff

SURROGATE = "\\ud800"  # as written in JSON: a lone high surrogate, not valid Unicode


def _staff_with_claimed(server: Server) -> tuple[Staff, Citizen]:
    server.add_staff("kari", "Kari", "admin")
    kari = server.login("kari")
    kari.queue()
    citizen = server.new_conversation()
    assert citizen.say("menneske")["state"] == "waiting"
    assert kari.call("POST", f"/conversations/{citizen.conversation_id}/claim").status == 200
    return kari, citizen


def _post(server: Server, route: str, raw: bytes) -> Response:
    """POST ``raw`` to a JSON route: ``citizen:<suffix>``, ``staff:<suffix>`` or ``login``."""
    if route == "create":
        return server.request("POST", "/webhooks/alver/conversations", raw=raw)
    if route == "login":
        return server.request("POST", "/console/api/login", raw=raw)
    kari, citizen = _staff_with_claimed(server)
    kind, suffix = route.split(":", 1)
    if kind == "citizen":
        return citizen.call("POST", suffix, raw=raw)
    return kari.call("POST", f"/conversations/{citizen.conversation_id}{suffix}", raw=raw)


JSON_ROUTES = [
    "create",
    "login",
    "citizen:/messages",
    "citizen:/typing",
    "citizen:/feedback",
    "citizen:/offline-request",
    "citizen:/cancel-waiting",
    "staff:/messages",
    "staff:/notes",
]


# ----- lone surrogates -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("citizen:/messages", '{"text": "hei %s"}'),
        ("citizen:/messages", '{"text": "Ja", "payload": "/affirm%s"}'),
        ("citizen:/offline-request", '{"question": "q %s", "contact": "ola@example.no"}'),
        ("citizen:/offline-request", '{"question": "q", "contact": "ola%s@example.no"}'),
        ("login", '{"username": "kari", "password": "x%s"}'),
        ("login", '{"username": "k%s", "password": "x"}'),
        ("create", '{"language": "%s"}'),
        ("staff:/messages", '{"text": "svar %s"}'),
        ("staff:/notes", '{"text": "notat %s"}'),
        ("citizen:/typing", '{"%s": 1}'),
    ],
)
def test_lone_surrogate_is_400(server: Server, route: str, body: str) -> None:
    resp = _post(server, route, (body % SURROGATE).encode())
    assert resp.status == 400, resp.body
    assert resp.json["error"] == "invalid_text"
    assert "surrogate" in resp.json["message"]


# ----- deep nesting ----------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1000, 20_000])
@pytest.mark.parametrize("route", JSON_ROUTES)
def test_deep_nesting_is_400(server: Server, route: str, depth: int) -> None:
    raw = b'{"text": ' + b"[" * depth + b"]" * depth + b"}"
    resp = _post(server, route, raw)
    assert resp.status == 400, resp.body
    assert resp.json["error"] == "bad_json"


def test_nesting_within_the_limit_reaches_validation(server: Server) -> None:
    depth = MAX_JSON_DEPTH - 1
    raw = b'{"text": ' + b"[" * depth + b"]" * depth + b"}"
    resp = _post(server, "citizen:/messages", raw)
    assert (resp.status, resp.json["error"]) == (400, "invalid_field")


# ----- ids beyond 64 bits ------------------------------------------------------------------


@pytest.mark.parametrize("message_id", [2**63, 2**64, 2**62 + 1, -1, 0, 1.5, "1", True, [1]])
def test_feedback_message_id_out_of_range_is_400(server: Server, message_id: Any) -> None:
    citizen = server.new_conversation()
    resp = citizen.call("POST", "/feedback", {"message_id": message_id, "value": 1})
    assert resp.status == 400, resp.body
    assert resp.json["field"] == "message_id"


@pytest.mark.parametrize("request_id", [2**63, 2**70, -1])
def test_offline_request_id_out_of_range_is_404(server: Server, request_id: int) -> None:
    kari, _ = _staff_with_claimed(server)
    resp = kari.call("POST", f"/offline-requests/{request_id}/answered")
    assert resp.status == 404, resp.body


@pytest.mark.parametrize(
    "query", ["after=99999999999999999999999", "after=-1", "wait=-1", "wait=abc"]
)
def test_bad_event_queries_are_4xx(server: Server, query: str) -> None:
    citizen = server.new_conversation()
    resp = citizen.call("GET", f"/events?{query}")
    assert resp.status in (200, 400), resp.body
    assert resp.status == 200 or resp.json["error"] == "invalid_field"


# ----- button payloads: only what the bot offered, with its title ---------------------------


@pytest.mark.parametrize(
    ("text", "payload"),
    [
        ("Ja", '/greet{"language":{"a":1}}'),
        ("Ja", '/affirm{"language":"nb"}'),
        ("Ja", "/restart"),
        ("Ja", "/session_start"),
        ("Ja", "/back"),
        ("Nei", "/affirm"),  # the title of another button: staff would read "Nei"
        ("Ja takk", "/affirm"),
        ("Ja", "/deny"),
    ],
)
def test_payload_the_bot_did_not_offer_is_400(server: Server, text: str, payload: str) -> None:
    citizen = server.new_conversation()
    citizen.say("snakke")  # the bot offers Ja (/affirm) and Nei (/deny)
    before = len(server.agent.received)
    resp = citizen.call("POST", "/messages", {"text": text, "payload": payload})
    assert resp.status == 400, resp.body
    assert (resp.json["error"], resp.json["field"]) == ("invalid_field", "payload")
    assert len(server.agent.received) == before  # Rasa never saw it
    stored = server.store.messages.after(citizen.conversation_id)
    assert [m.text for m in stored if m.sender is Sender.CITIZEN] == ["snakke"]


@pytest.mark.parametrize(
    ("text", "payload"), [("Ja", "/affirm"), ("Nei", "/deny"), (" Nei ", "/deny")]
)
def test_offered_button_is_accepted(server: Server, text: str, payload: str) -> None:
    citizen = server.new_conversation()
    citizen.say("snakke")
    data = citizen.say(text, payload=payload)
    assert server.agent.received[-1].text == payload
    assert data["messages"][0]["text"] == text.strip() or data["messages"][0]["text"] == text


def test_buttons_expire_once_the_citizen_has_written(server: Server) -> None:
    citizen = server.new_conversation()
    citizen.say("snakke")
    citizen.say("noko anna")
    resp = citizen.call("POST", "/messages", {"text": "Ja", "payload": "/affirm"})
    assert resp.status == 400, resp.body


def test_payload_without_any_offer_is_400(server: Server) -> None:
    citizen = server.new_conversation()
    resp = citizen.call("POST", "/messages", {"text": "Ja", "payload": "/affirm"})
    assert resp.status == 400, resp.body


@pytest.mark.parametrize(
    ("typed", "rasa_sees"),
    [
        ("/restart", "restart"),
        ("/session_start", "session_start"),
        (" /back", "back"),
        ('/greet{"language":{"a":1}}', 'greet{"language":{"a":1}}'),
        ("///", "?"),
        ("kva er opningstidene?", "kva er opningstidene?"),
        ("opningstider 1/2", "opningstider 1/2"),
    ],
)
def test_typed_text_is_never_a_rasa_command(server: Server, typed: str, rasa_sees: str) -> None:
    citizen = server.new_conversation()
    data = citizen.say(typed)
    assert server.agent.received[-1].text == rasa_sees
    assert data["messages"][0]["text"] == typed.strip() or data["messages"][0]["text"] == typed


def _message(sender: Sender, payload: Any = None) -> Message:
    fields: dict[str, Any] = {name: None for name in Message.__dataclass_fields__}
    fields.update(sender=sender, payload=payload, text="t")
    return Message(**fields)


BUTTONS = {"buttons": [{"title": "Ja", "payload": "/affirm"}, {"title": "", "payload": "/deny"}]}


@pytest.mark.parametrize(
    ("senders", "expected"),
    [
        ([(Sender.BOT, BUTTONS)], [("Ja", "/affirm"), ("/deny", "/deny")]),
        ([(Sender.BOT, BUTTONS), (Sender.BOT, None)], [("Ja", "/affirm"), ("/deny", "/deny")]),
        ([(Sender.BOT, BUTTONS), (Sender.CITIZEN, None)], []),
        ([(Sender.STAFF, BUTTONS)], []),
        ([(Sender.BOT, {"buttons": "x"}), (Sender.BOT, ["not", "a", "dict"])], []),
        ([], []),
    ],
)
def test_offered_buttons(senders: list[tuple[Sender, Any]], expected: list[Any]) -> None:
    assert offered_buttons([_message(s, p) for s, p in senders]) == expected


@pytest.mark.parametrize(
    ("text", "expected"), [("/a", "a"), ("\t//a b", "a b"), ("a/b", "a/b"), ("/", "?")]
)
def test_typed_text(text: str, expected: str) -> None:
    assert typed_text(text) == expected


# ----- NUL bytes --------------------------------------------------------------------------


def test_nul_bytes_are_stripped_from_every_text(server: Server) -> None:
    kari, citizen = _staff_with_claimed(server)
    cid = citizen.conversation_id
    assert citizen.call("POST", "/messages", {"text": "hei\x00 du"}).status == 200
    assert kari.call("POST", f"/conversations/{cid}/messages", {"text": "sv\x00ar"}).status == 201
    assert kari.call("POST", f"/conversations/{cid}/notes", {"text": "no\x00tat"}).status == 201
    body = {"question": "spørs\x00mål", "contact": "ola@example.no\x00"}
    assert citizen.call("POST", "/offline-request", body).status == 201
    texts = [m.text for m in server.store.messages.after(cid)]
    assert "hei du" in texts and "svar" in texts
    assert not any("\x00" in t for t in texts)
    assert [n.text for n in server.store.notes.list(cid)] == ["notat"]
    (request,) = server.store.requests.list(True)
    assert (request.question, request.contact) == ("spørsmål", "ola@example.no")


def test_a_text_of_only_nul_bytes_is_empty(server: Server) -> None:
    citizen = server.new_conversation()
    resp = citizen.call("POST", "/messages", {"text": "\x00\x00"})
    assert (resp.status, resp.json["error"]) == (400, "invalid_field")


# ----- contact validation ------------------------------------------------------------------


@pytest.mark.parametrize(
    "contact",
    [
        "<script>alert(1)</script>@example.no",
        "ola@example.no<img src=x>",
        "<ola@example.no>",
        "ola>@example.no",
        "912 34 567<b>",
        "ola@exa\nmple.no",
        "ola\t@example.no",
        "ola@example.no\x7f",
    ],
)
def test_contact_with_markup_or_control_characters_is_refused(server: Server, contact: str) -> None:
    with pytest.raises(InvalidContact):
        normalize_contact(contact)
    citizen = server.new_conversation()
    resp = citizen.call(
        "POST", "/offline-request", {"question": "Kan de ringje meg?", "contact": contact}
    )
    assert (resp.status, resp.json["error"]) == (422, "invalid_contact")


@pytest.mark.parametrize(
    ("contact", "expected"),
    [
        ("ola@Example.NO", "ola@example.no"),
        ("+47 912 34 567", "+4791234567"),
        ("kari.o+chat@alver.no", "kari.o+chat@alver.no"),
    ],
)
def test_plain_contacts_still_pass(contact: str, expected: str) -> None:
    assert normalize_contact(contact) == expected


# ----- SQLite file mode --------------------------------------------------------------------


@pytest.mark.skipif(bool(os.environ.get(POSTGRES_ENV)), reason="SQLite only")
@pytest.mark.parametrize("name", ["handoff.sqlite3", "sub/dir/handoff.sqlite3"])
def test_sqlite_file_is_created_private(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    old_umask = os.umask(0o022)
    try:
        HandoffStore(f"sqlite:///{path}").close()
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# ----- console: CSP and Cache-Control --------------------------------------------------------


class _InlineFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.problems.append("inline <script>")
        self.problems += [f"handler {n} on <{tag}>" for n in names if n.startswith("on")]
        self.problems += [
            f"javascript: URL on <{tag}>" for _, v in attrs if v and "javascript:" in v
        ]


def test_console_page_has_no_inline_script() -> None:
    finder = _InlineFinder()
    finder.feed((ROOT / "bot" / "web" / "static" / "console" / "index.html").read_text("utf-8"))
    assert finder.problems == []


@pytest.mark.parametrize("path", ["/console/", "/console/index.html"])
def test_console_page_has_a_script_src_csp(server: Server, path: str) -> None:
    resp = server.request("GET", path)
    assert resp.status == 200
    policy = {
        part.strip().split(" ", 1)[0]: part.strip()
        for part in resp.headers["Content-Security-Policy"].split(";")
    }
    assert policy["script-src"] == "script-src 'self'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert policy["object-src"] == "object-src 'none'"


CONSOLE_API = [
    ("POST", "/login", {"username": "kari", "password": STAFF_PASSWORD}),
    ("POST", "/login", {"username": "kari", "password": "feil"}),
    ("GET", "/me", None),
    ("GET", "/queue?wait=0", None),
    ("GET", "/conversations/{cid}", None),
    ("POST", "/conversations/{cid}/messages", {"text": "hei"}),
    ("POST", "/conversations/{cid}/notes", {"text": "notat"}),
    ("POST", "/conversations/{cid}/typing", None),
    ("GET", "/canned-replies", None),
    ("GET", "/offline-requests", None),
    ("POST", "/offline-requests/1/answered", None),
    ("GET", "/no-such-route", None),
    ("DELETE", "/me", None),
    ("POST", "/logout", None),
]


@pytest.mark.parametrize("signed_in", [True, False])
@pytest.mark.parametrize(("method", "path", "body"), CONSOLE_API)
def test_every_console_api_answer_is_no_store(
    server: Server, method: str, path: str, body: Any, signed_in: bool
) -> None:
    kari, citizen = _staff_with_claimed(server)
    url = path.format(cid=citizen.conversation_id)
    if signed_in:
        resp = kari.call(method, url, body)
    else:
        resp = server.request(method, "/console/api" + url, body)
    assert resp.headers["Cache-Control"] == "no-store", (resp.status, resp.body)


# ----- sessions of deactivated users ------------------------------------------------------------


def _sessions_of(server: Server, user_id: int) -> int:
    table = console_sessions_table
    with server.store.engine.connect() as conn:
        rows = conn.execute(table.select().where(table.c.user_id == user_id)).all()
    return len(rows)


def test_deactivating_a_user_deletes_their_sessions(server: Server) -> None:
    server.add_staff("kari", "Kari")
    server.add_staff("ola", "Ola")
    kari_phone, kari_desk, ola = server.login("kari"), server.login("kari"), server.login("ola")
    kari_id, ola_id = kari_phone.user["id"], ola.user["id"]
    assert _sessions_of(server, kari_id) == 2
    server.store.users.set_active(kari_id, False)
    assert _sessions_of(server, kari_id) == 0
    assert _sessions_of(server, ola_id) == 1
    server.store.users.set_active(kari_id, True)
    for old in (kari_phone, kari_desk):
        assert old.call("GET", "/me", csrf=False).status == 401
    assert ola.call("GET", "/me", csrf=False).status == 200
    assert server.login("kari").call("GET", "/me", csrf=False).status == 200


def test_activating_keeps_sessions(server: Server) -> None:
    server.add_staff("kari", "Kari")
    kari = server.login("kari")
    server.store.users.set_active(kari.user["id"], True)
    assert kari.call("GET", "/me", csrf=False).status == 200


# ----- login brute force ------------------------------------------------------------------------


def _login_from(server: Server, source_ip: str, password: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(
        "127.0.0.1", server.port, timeout=10, source_address=(source_ip, 0)
    )
    body = json.dumps({"username": "kari", "password": password})
    conn.request(
        "POST", "/console/api/login", body=body, headers={"Content-Type": "application/json"}
    )
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return resp


@pytest.mark.parametrize("last_password", ["feil", STAFF_PASSWORD])
def test_eleventh_login_in_a_minute_is_429_and_other_ips_are_not_locked_out(
    server: Server, last_password: str
) -> None:
    server.add_staff("kari", "Kari")
    statuses = [_login_from(server, "127.0.0.2", "feil").status for _ in range(10)]
    assert statuses == [401] * 10
    eleventh = _login_from(server, "127.0.0.2", last_password)
    assert eleventh.status == 429
    assert int(eleventh.headers["Retry-After"]) >= 1
    assert _login_from(server, "127.0.0.3", "feil").status == 401
    assert _login_from(server, "127.0.0.3", STAFF_PASSWORD).status == 200


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_texts_answer_other_methods_with_json_405(server: Server, method: str) -> None:
    resp = server.request(method, "/texts/widget.json")
    assert resp.status == 405
    assert resp.json["error"] == "method_not_allowed"
    assert resp.headers["Allow"] == "GET"
