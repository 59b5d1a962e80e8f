"""Staff console sign-in, CSRF, roles and the smaller endpoints."""

from __future__ import annotations

from typing import Any

import pytest

from bot.kb.facts import render_answer
from bot.web.ratelimit import SlidingWindowLimiter

from .conftest import STAFF_PASSWORD, Server

API = "/console/api"


def test_login_me_logout(server: Server) -> None:
    server.add_staff("kari", "Kari", "editor")
    resp = server.request("POST", API + "/login", {"username": "Kari", "password": STAFF_PASSWORD})
    assert resp.status == 200
    assert resp.json["user"]["first_name"] == "Kari" and resp.json["user"]["role"] == "editor"
    cookie_header = resp.headers["Set-Cookie"]
    parts = [p.strip() for p in cookie_header.split(";")]
    assert parts[0].startswith("alver_console=") and len(parts[0]) > 40
    assert "HttpOnly" in parts and "SameSite=Strict" in parts and "Path=/console" in parts
    assert "Secure" not in parts  # CONSOLE_COOKIE_SECURE=0
    cookie = parts[0]
    me = server.request("GET", API + "/me", headers={"Cookie": cookie})
    assert me.status == 200 and me.json["csrf_token"] == resp.json["csrf_token"]
    # The cookie holds a random token; the database only its hash.
    with server.store.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT token_hash FROM web_console_sessions").scalars()
        assert cookie.split("=", 1)[1] not in list(stored)
    out = server.request(
        "POST", API + "/logout", headers={"Cookie": cookie, "X-CSRF-Token": me.json["csrf_token"]}
    )
    assert out.status == 204 and "Max-Age=0" in out.headers["Set-Cookie"]
    again = server.request("GET", API + "/me", headers={"Cookie": cookie})
    assert (again.status, again.json["error"]) == (401, "unauthorized")


def test_secure_cookie_when_configured(server: Server) -> None:
    from dataclasses import replace

    server.state.settings = replace(server.state.settings, console_cookie_secure=True)
    server.add_staff("kari", "Kari")
    resp = server.request("POST", API + "/login", {"username": "kari", "password": STAFF_PASSWORD})
    assert "Secure" in [p.strip() for p in resp.headers["Set-Cookie"].split(";")]


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"username": "kari", "password": "feil-passord-her"}, 401, "invalid_credentials"),
        ({"username": "nobody", "password": STAFF_PASSWORD}, 401, "invalid_credentials"),
        ({"username": "kari"}, 400, "missing_field"),
        ({"username": 1, "password": "x"}, 400, "invalid_field"),
        ("kari", 400, "bad_json"),
    ],
)
def test_login_failures(server: Server, body: Any, status: int, error: str) -> None:
    server.add_staff("kari", "Kari")
    resp = server.request("POST", API + "/login", body)
    assert (resp.status, resp.json["error"]) == (status, error)
    assert "Set-Cookie" not in resp.headers


def test_deactivated_user_cannot_log_in_or_continue(server: Server) -> None:
    server.add_staff("kari", "Kari")
    kari = server.login("kari")
    user = server.store.users.get_by_username("kari")
    assert user is not None
    server.store.users.set_active(user.id, False)
    assert kari.call("GET", "/me", csrf=False).status == 401
    resp = server.request("POST", API + "/login", {"username": "kari", "password": STAFF_PASSWORD})
    assert resp.status == 401


def test_login_rate_limit(server: Server) -> None:
    server.state.login_limiter = SlidingWindowLimiter(2)
    body = {"username": "x", "password": "yyyyyyyyyyyy"}
    statuses = [server.request("POST", API + "/login", body).status for _ in range(3)]
    assert statuses == [401, 401, 429]


def test_not_signed_in_is_401(server: Server) -> None:
    for method, path in (
        ("GET", "/me"),
        ("GET", "/queue"),
        ("GET", "/canned-replies"),
        ("GET", "/offline-requests"),
        ("POST", "/conversations/abc/claim"),
        ("POST", "/logout"),
    ):
        resp = server.request(method, API + path, {})
        assert (resp.status, resp.json["error"]) == (401, "unauthorized"), path
    resp = server.request("GET", API + "/me", headers={"Cookie": "alver_console=forged"})
    assert resp.status == 401


def test_csrf_missing_or_wrong_is_403(server: Server) -> None:
    server.add_staff("kari", "Kari")
    kari = server.login("kari")
    citizen = server.new_conversation()
    citizen.say("menneske")  # no staff present yet: not queued, but the call must fail first
    conv = f"/conversations/{citizen.conversation_id}"
    for path, body in (
        (conv + "/claim", {}),
        (conv + "/messages", {"text": "Hei"}),
        (conv + "/notes", {"text": "x"}),
        (conv + "/hand-back", {}),
        (conv + "/close", {}),
        (conv + "/typing", {}),
        ("/offline-requests/1/answered", {}),
        ("/logout", {}),
    ):
        missing = server.request("POST", API + path, body, headers={"Cookie": kari.cookie})
        wrong = server.request(
            "POST", API + path, body, headers={"Cookie": kari.cookie, "X-CSRF-Token": "nope"}
        )
        assert (missing.status, missing.json["error"]) == (403, "csrf_failed"), path
        assert (wrong.status, wrong.json["error"]) == (403, "csrf_failed"), path
    assert server.store.notes.list(citizen.conversation_id) == []
    assert kari.call("GET", "/me", csrf=False).status == 200  # still signed in


def test_console_bad_input(server: Server) -> None:
    server.add_staff("kari", "Kari")
    kari = server.login("kari")
    citizen = server.new_conversation()
    conv = f"/conversations/{citizen.conversation_id}"
    cases = [
        ("POST", "/conversations/unknown/claim", {}, 404, "not_found"),
        ("GET", "/conversations/unknown", None, 404, "not_found"),
        ("POST", conv + "/notes", {}, 400, "missing_field"),
        ("POST", conv + "/notes", {"text": ["x"]}, 400, "invalid_field"),
        ("POST", conv + "/messages", {"text": 1}, 400, "invalid_field"),
        ("POST", conv + "/hand-back", {}, 403, "not_claimed_by_you"),
        ("POST", conv + "/close", {}, 409, "invalid_state"),
        ("POST", "/offline-requests/999/answered", {}, 404, "not_found"),
        (
            "GET",
            "/conversations/" + citizen.conversation_id + "/claim",
            None,
            405,
            "method_not_allowed",
        ),
        ("GET", "/queue?wait=x", None, 400, "invalid_field"),
        ("GET", "/nothing/here", None, 404, "not_found"),
    ]
    for method, path, body, status, error in cases:
        resp = kari.call(method, path, body)
        assert (resp.status, resp.json["error"]) == (status, error), path


def test_canned_replies_from_knowledge_base(server: Server, kb: Any) -> None:
    server.add_staff("kari", "Kari")
    replies = server.login("kari").call("GET", "/canned-replies", csrf=False).json
    ids = {r["id"] for r in replies}
    assert {f"faq:{f.id}" for f in kb.faq} <= ids
    assert {f"service:{s.id}" for s in kb.services} <= ids
    first = next(r for r in replies if r["id"] == f"faq:{kb.faq[0].id}")
    # Placeholders such as {phone_hours} are filled with the knowledge base's facts.
    assert first["nn"] == render_answer(kb, kb.faq[0].answer, "nn")
    assert first["nb"] == render_answer(kb, kb.faq[0].answer, "nb")
    assert "{" not in first["nn"] + first["nb"]
    assert first["link"] == kb.faq[0].link and first["title"]


def test_offline_requests_list_and_mark_answered(server: Server) -> None:
    server.add_staff("kari", "Kari")
    kari = server.login("kari")
    citizen = server.new_conversation("nb")
    created = citizen.call(
        "POST", "/offline-request", {"question": "Når tømmes søpla?", "contact": "Ola@Example.NO"}
    )
    assert created.status == 201
    listed = kari.call("GET", "/offline-requests?open=1", csrf=False).json
    assert [(r["question"], r["contact"], r["language"]) for r in listed] == [
        ("Når tømmes søpla?", "Ola@example.no", "nb")
    ]
    assert kari.queue()["offline_requests_open"] == 1
    request_id = listed[0]["id"]
    resp = kari.call("POST", f"/offline-requests/{request_id}/answered", {})
    assert resp.status == 200 and resp.json["answered"] is True
    assert kari.call("GET", "/offline-requests?open=1", csrf=False).json == []
    everything = kari.call("GET", "/offline-requests?open=0", csrf=False).json
    assert everything[0]["answered_at"] is not None


def test_console_page_headers(server: Server) -> None:
    resp = server.request("GET", "/console/")
    assert resp.status == 200 and resp.headers["X-Frame-Options"] == "DENY"
    redirect = server.request("GET", "/console")
    assert redirect.status == 308 and redirect.headers["Location"] == "/console/"
