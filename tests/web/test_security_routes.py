"""Security checks over EVERY route of the app, read from Sanic's router (issue 11).

The server has every channel of ``credentials.yml`` (tests/web/fullapp.py), so a route added
to any channel is checked here without editing this file:

* every staff route without a session: 401 JSON; with a session of a role that may not use
  it: 403 ``forbidden``; with a role that may: past the checks; ``Cache-Control: no-store``;
* every state-changing staff route without (or with a wrong) ``X-CSRF-Token``: 403
  ``csrf_failed``, and nothing changed;
* every citizen route of a conversation with ANOTHER conversation's token (IDOR): 401 and
  nothing changed or shown; a booking of another conversation through one's own: 404.

A route that needs no session is listed in ``PUBLIC`` with the reason; a route that fits no
rule fails the test, so it cannot slip past.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.handoff.booking_service import bookings_of, submit
from bot.kb import KnowledgeBase
from bot.web.settings import WebSettings

from .conftest import OPEN_TIME, Citizen, FakeClock, Response, Staff
from .fullapp import AppRoute, FullServer, app_routes, copy_fixture_kb

ALL_ROLES = ("staff", "editor", "admin")
EDITORS = ("editor", "admin")
ROLE_RULES: list[tuple[str, tuple[str, ...]]] = [
    # (path prefix, roles that may use it); the first matching prefix applies
    ("/console/api/admin/", ("admin",)),
    ("/console/api/editor/", EDITORS),
    ("/console/insight/api/", EDITORS),
    ("/console/bookings/api/", ALL_ROLES),
    ("/console/api/", ALL_ROLES),
]
_PAGE = "a static page or file with no data; its API checks the session"
PUBLIC: dict[str, str] = {
    "POST /console/api/login": "signs in (brute force: test_security.py, 429 after 10)",
    "GET /console": _PAGE,
    "GET /console/<name:str>": _PAGE,
    "GET /console/admin": _PAGE,
    "GET /console/editor": _PAGE,
    "GET /console/editor/<name:str>": _PAGE,
    "GET /console/insight": _PAGE,
    "GET /console/insight/": _PAGE,
    "GET /console/insight/<name:str>": _PAGE,
    "GET /console/bookings": _PAGE,
    "GET /console/bookings/<name:str>": _PAGE,
    "GET /console/bookings/texts.json": "the page's labels (no data)",
}
CITIZEN_PREFIX = "/webhooks/alver/conversations/<conversation_id:str>"
OPEN_PREFIXES = {
    "/webhooks/alver": "citizen API: conversation routes need the token (IDOR test below); "
    "creating a conversation and the health check are open",
    "/webhooks/rest": "REST channel: loopback clients only (tests/test_rest_channel.py)",
    "/widget/": "the widget's public files",
    "/texts/": "the public labels of the widget and console",
}


@dataclass
class World:
    server: FullServer
    sessions: dict[str, Staff]
    alice: Citizen
    bob: Citizen
    bob_booking: int
    spare_user: int


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("security-routes")
    settings = WebSettings.from_env(
        {
            "HANDOFF_DATABASE_URL": f"sqlite:///{folder / 'h.sqlite3'}",
            "BOT_SECRET_KEY": "test-secret-" + "x" * 40,
            "RATE_LIMIT_IP_PER_MIN": "100000",
            "RATE_LIMIT_CONVERSATION_PER_MIN": "100000",
            "LONG_POLL_SECONDS": "0",
        },
        root=folder,
    )
    server = FullServer(settings, FakeClock(OPEN_TIME), kb, copy_fixture_kb(folder))
    try:
        for role in ALL_ROLES:
            server.add_staff(f"{role}1", role.capitalize(), role)
        server.add_staff("spare", "Reserve", "staff")
        spare = next(u.id for u in server.store.users.list() if u.username == "spare")
        sessions = {role: server.login(f"{role}1") for role in ALL_ROLES}
        alice, bob = server.new_conversation(), server.new_conversation()
        bob.say("hei frå Bob")
        booking = submit(
            server.store,
            conversation_id=bob.conversation_id,
            topic="byggesak",
            place="manger",
            days=[date(2026, 11, 30)],
            name="Bob Nordmann",
            description="Garasjen",
            language="nn",
        ).id
        yield World(server, sessions, alice, bob, booking, spare)
    finally:
        server.stop()


def _fill(world: World, route: AppRoute, conversation: Citizen) -> str:
    values = {
        "conversation_id": conversation.conversation_id,
        "booking_id": str(world.bob_booking),
        "user_id": str(world.spare_user),
        "reply_id": "1",
        "request_id": "1",
        "change_id": "1",
        "index": "0",
        "ident": "manger" if "/desks/" in route.path else "kortare_opningstid",
        "name": "messages" if "<key" in route.path else "samandrag.csv",
        "key": "greet",
        "rest": "x",
    }
    return route.fill(**values)


def _routes(world: World) -> list[tuple[str, str, AppRoute]]:
    return [(m, r.path, r) for r in app_routes(world.server.app) for m in sorted(r.methods)]


def _staff_routes(world: World) -> list[tuple[str, str, AppRoute]]:
    return [
        item
        for item in _routes(world)
        if item[1].startswith("/console") and f"{item[0]} {item[1]}" not in PUBLIC
    ]


def _roles_for(path: str) -> tuple[str, ...] | None:
    return next((roles for prefix, roles in ROLE_RULES if path.startswith(prefix)), None)


def _call(
    world: World, method: str, url: str, staff: Staff | None, *, csrf: str | None = None
) -> Response:
    headers: dict[str, str] = {}
    if staff is not None:
        headers["Cookie"] = staff.cookie
        headers["X-CSRF-Token"] = staff.csrf if csrf is None else csrf
        if csrf == "":
            del headers["X-CSRF-Token"]
    body = None if method in ("GET", "DELETE") else {}
    return world.server.request(method, url, body, headers=headers)


def _error(resp: Response) -> str:
    try:
        data = json.loads(resp.body)
    except ValueError:
        return f"<not JSON: {resp.body[:80]!r}>"
    return str(data.get("error")) if isinstance(data, dict) else "<not an object>"


def test_every_route_is_staff_citizen_or_listed_public(world: World) -> None:
    unclassified = []
    for method, path, _ in _routes(world):
        key = f"{method} {path}"
        if key in PUBLIC or any(path.startswith(p) for p in OPEN_PREFIXES):
            continue
        if not path.startswith("/console") or _roles_for(path) is None:
            unclassified.append(key)
    assert unclassified == []
    assert len(_staff_routes(world)) >= 55  # console, workday, editor, admin, insight, bookings


def test_every_staff_route_without_a_session_is_401(world: World) -> None:
    wrong = []
    for method, _, route in _staff_routes(world):
        url = _fill(world, route, world.bob)
        for cookie in (None, "alver_console=forged-" + "a" * 40):
            headers = {"Cookie": cookie} if cookie else {}
            body = None if method in ("GET", "DELETE") else {}
            resp = world.server.request(method, url, body, headers=headers)
            if resp.status != 401 or _error(resp) != "unauthorized":
                wrong.append(f"{method} {url} cookie={bool(cookie)} -> {resp.status}")
    assert wrong == []


def test_every_staff_route_refuses_the_roles_that_may_not_use_it(world: World) -> None:
    wrong = []
    for method, path, route in _staff_routes(world):
        if path == "/console/api/logout":
            continue  # signs the session out; every role may (below)
        allowed = _roles_for(path) or ()
        url = _fill(world, route, world.bob)
        for role, staff in world.sessions.items():
            resp = _call(world, method, url, staff)
            refused = resp.status == 403 and _error(resp) == "forbidden"
            if refused == (role in allowed) or resp.status == 401 or resp.status >= 500:
                wrong.append(f"{role}: {method} {url} -> {resp.status} {_error(resp)}")
            if path.startswith("/console/") and "/api/" in path:
                if resp.headers.get("Cache-Control") != "no-store":
                    wrong.append(f"{role}: {method} {url} without Cache-Control: no-store")
    assert wrong == []


@pytest.mark.parametrize("token", ["", "wrong-token", "x" * 200])
def test_every_changing_staff_route_needs_the_csrf_token(world: World, token: str) -> None:
    admin = world.server.login("admin1")  # a session of its own: logout is among the routes
    before = _snapshot(world)
    wrong = []
    for method, _, route in _staff_routes(world):
        if method == "GET":
            continue
        url = _fill(world, route, world.bob)
        resp = _call(world, method, url, admin, csrf=token)
        if resp.status != 403 or _error(resp) != "csrf_failed":
            wrong.append(f"{method} {url} -> {resp.status} {_error(resp)}")
    assert wrong == []
    assert _snapshot(world) == before
    assert admin.call("GET", "/me", csrf=False).status == 200  # logout did not happen either


def _snapshot(world: World) -> dict[str, Any]:
    store = world.server.store
    bob = store.conversations.get(world.bob.conversation_id)
    return {
        "bob": bob,
        "bob_messages": [(m.id, m.text) for m in store.messages.after(world.bob.conversation_id)],
        "bookings": [(b.id, b.status, b.contact) for b in bookings_of(store).list(False)],
        "users": [(u.username, u.role, u.active) for u in store.users.list()],
        "kb": {
            p.name: p.read_text()
            for p in Path(world.server.app.ctx.alver_editor_kb_dir).glob("*.yml")
        },
    }


def _citizen_routes(world: World) -> list[tuple[str, str, AppRoute]]:
    return [item for item in _routes(world) if item[1].startswith(CITIZEN_PREFIX)]


def test_every_citizen_route_refuses_another_conversations_token(world: World) -> None:
    routes = _citizen_routes(world)
    assert len(routes) >= 11  # messages, events, typing, feedback, ..., rating, leave, booking
    before = _snapshot(world)
    wrong = []
    for method, _, route in routes:
        url = _fill(world, route, world.bob)
        for token in (world.alice.token, "", world.bob.token[:-2] + "xx"):
            body: Any = None if method in ("GET", "DELETE") else {"text": "hei", "token": token}
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            resp = world.server.request(method, url, body, headers=headers)
            if resp.status != 401 or "Bob" in resp.body.decode("utf-8", "replace"):
                wrong.append(f"{method} {url} token={token[:6]!r} -> {resp.status}")
    assert wrong == []
    assert _snapshot(world) == before


def test_a_citizen_cannot_reach_another_conversations_booking_through_their_own(
    world: World,
) -> None:
    routes = [item for item in _citizen_routes(world) if "<booking_id" in item[1]]
    assert routes, "the booking contact route is gone: update this test"
    for method, _, route in routes:
        url = _fill(world, route, world.alice)  # Alice's conversation, Bob's booking
        resp = world.alice.server.request(
            method,
            url,
            {"contact": "ola@example.no"},
            headers={"Authorization": f"Bearer {world.alice.token}"},
        )
        assert resp.status == 404, (url, resp.status, resp.body)
    bookings = bookings_of(world.server.store).list(False)
    booking = next(b for b in bookings if b.id == world.bob_booking)
    assert not booking.contact


def test_logout_is_open_to_every_role_and_ends_only_that_session(world: World) -> None:
    for role in ALL_ROLES:
        extra = world.server.login(f"{role}1")
        assert extra.call("POST", "/logout").status == 204
        assert extra.call("GET", "/me", csrf=False).status == 401
        assert world.sessions[role].call("GET", "/me", csrf=False).status == 200
