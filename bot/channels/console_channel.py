"""The staff console: page at ``/console/`` and API at ``/console/api/...``.

HTTP translation only (contract: ``docs/chat-api.md``); every change is a verb of
:class:`bot.handoff.service.HandoffService`, and the read-only views are in
:mod:`bot.web.console_views`. Sign-in creates a server-side session; every staff
route is decorated with :func:`bot.web.auth.staff_route`, which checks the session,
the role and (for changes) the ``X-CSRF-Token`` header.

Register in ``credentials.yml``::

    bot.channels.console_channel.ConsoleChannel: {}
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.handoff.store import MAX_NOTE_LENGTH
from bot.web import console_views as cv
from bot.web import console_workday as cw
from bot.web import views
from bot.web.app import install
from bot.web.auth import COOKIE_NAME, COOKIE_PATH, QUEUE_ROLES, Staff, require_role, staff_route
from bot.web.cors import strip_cors
from bot.web.http import (
    ApiError,
    add_routes,
    check_length,
    client_ip,
    long_poll,
    parse_json_object,
    query_int,
    required_str,
    serve_static,
)
from bot.web.state import WebState, get_state

__all__ = ["COOKIE_NAME", "QUEUE_ROLES", "ConsoleChannel", "require_role"]

_PRESENCE_REFRESH_SECONDS = 10.0
_MAX_ID = 2**62
CONSOLE_CSP = (
    "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
"""The console page's policy: only its own files run (index.html has no inline script)."""
_PAGE_HEADERS = {"X-Frame-Options": "DENY", "Content-Security-Policy": CONSOLE_CSP}
_API_HEADERS = {"Cache-Control": "no-store"}
"""Every console API answer holds personal data or a CSRF token: never cached."""

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def _set_cookie(resp: HTTPResponse, state: WebState, value: str, max_age: int) -> None:
    resp.cookies[COOKIE_NAME] = value
    cookie = resp.cookies[COOKIE_NAME]
    cookie["path"] = COOKIE_PATH
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["max-age"] = max_age
    if state.settings.console_cookie_secure:
        cookie["secure"] = True


def _text(body: dict[str, Any], limit: int, what: str) -> str:
    text = required_str(body, "text")
    check_length(text, limit, what=what)
    return text


async def index(request: Request) -> HTTPResponse:
    """``GET /console/``: the page."""
    if not request.path.endswith("/"):
        return response.redirect(COOKIE_PATH + "/", status=308)
    return await serve_static(cv.STATIC_DIR, "index.html", extra_headers=_PAGE_HEADERS)


async def static_file(request: Request, name: str) -> HTTPResponse:
    """``GET /console/<file>``."""
    return await serve_static(cv.STATIC_DIR, name or "index.html", extra_headers=_PAGE_HEADERS)


async def login(request: Request) -> HTTPResponse:
    """``POST /api/login``: creates a server-side session and sets the cookie."""
    state = get_state(request.app)
    wait = state.login_limiter.hit("login:" + client_ip(request))
    if wait:
        raise ApiError(
            429,
            "rate_limited",
            "Too many sign-in attempts; wait a little.",
            headers={"Retry-After": str(int(wait))},
            retry_after=int(wait),
        )
    body = parse_json_object(request)
    username, password = required_str(body, "username"), required_str(body, "password")
    user = await state.run(state.store.users.authenticate, username[:200], password[:1000])
    if user is None:
        raise ApiError(401, "invalid_credentials", "Wrong username or password.")
    lifetime = timedelta(hours=state.settings.console_session_hours)
    token, session = await state.run(state.sessions.create, user.id, lifetime)
    await state.run(state.presence.mark_staff_seen, user.id)
    resp = response.json({"user": cv.user_json(user), "csrf_token": session.csrf_token})
    _set_cookie(resp, state, token, int(lifetime.total_seconds()))
    return resp


@staff_route(csrf=True, roles=None)
async def logout(request: Request, staff: Staff) -> HTTPResponse:
    """``POST /api/logout``."""
    await staff.state.run(staff.state.sessions.delete, staff.token)
    await staff.state.run(staff.state.presence.forget_staff, staff.user.id)
    resp = response.empty(status=204)
    _set_cookie(resp, staff.state, "", 0)
    return resp


@staff_route(csrf=False, roles=None)
async def me(request: Request, staff: Staff) -> HTTPResponse:
    """``GET /api/me``."""
    return response.json({"user": cv.user_json(staff.user), "csrf_token": staff.session.csrf_token})


@staff_route(csrf=False)
async def queue(request: Request, staff: Staff) -> HTTPResponse:
    """``GET /api/queue?wait=&since=``: long-poll; also marks the staff member present."""
    state, user = staff.state, staff.user
    wait = query_int(request, "wait", 0, 0, state.settings.long_poll_seconds)
    since = request.args.get("since")
    await state.run(state.presence.mark_staff_seen, user.id)
    loop_time = asyncio.get_running_loop().time
    marked = [loop_time()]

    async def still_here() -> None:
        if loop_time() - marked[0] >= _PRESENCE_REFRESH_SECONDS:
            await state.run(state.presence.mark_staff_seen, user.id)
            marked[0] = loop_time()

    async def snapshot() -> dict[str, Any]:
        return await state.run(cv.queue_snapshot, state, user)

    result = await long_poll(
        state.notifier, wait, snapshot, lambda s: s["etag"] != since, every_step=still_here
    )
    return response.json(result)


@staff_route(csrf=False)
async def conversation(request: Request, staff: Staff, conversation_id: str) -> HTTPResponse:
    """``GET /api/conversations/<id>?after=&wait=``: long-poll of one conversation."""
    state = staff.state
    after = query_int(request, "after", 0, 0, _MAX_ID)
    wait = query_int(request, "wait", 0, 0, state.settings.long_poll_seconds)
    baseline: list[tuple[Any, ...]] = []

    async def snapshot() -> dict[str, Any]:
        found = await state.run(cv.conversation_snapshot, state, conversation_id, after)
        if found is None:
            raise ApiError(404, "not_found", "This conversation does not exist (any more).")
        return found

    def ready(found: dict[str, Any]) -> bool:
        baseline.append(cv.conversation_key(found))
        return bool(found["messages"]) or baseline[-1] != baseline[0]

    return response.json(await long_poll(state.notifier, wait, snapshot, ready))


@staff_route(csrf=True)
async def reply(request: Request, staff: Staff, conversation_id: str) -> HTTPResponse:
    """``POST .../messages``: the staff member's answer to the citizen."""
    text = _text(parse_json_object(request), staff.state.settings.max_message_chars, "text")
    message = await staff.state.service.reply(conversation_id, staff.user, text)
    return response.json(views.message_json(message, console=True), status=201)


@staff_route(csrf=True)
async def staff_typing(request: Request, staff: Staff, conversation_id: str) -> HTTPResponse:
    """``POST .../typing``."""
    await staff.state.service.staff_typing(conversation_id, staff.user)
    return response.empty(status=204)


@staff_route(csrf=True)
async def add_note(request: Request, staff: Staff, conversation_id: str) -> HTTPResponse:
    """``POST .../notes``: an internal note."""
    text = _text(parse_json_object(request), MAX_NOTE_LENGTH, "note")
    note = await staff.state.service.note(conversation_id, staff.user, text)
    return response.json(cv.note_json(note, {staff.user.id: staff.user.first_name}), status=201)


@staff_route(csrf=True)
async def hand_back(request: Request, staff: Staff, conversation_id: str) -> HTTPResponse:
    """``POST .../hand-back``."""
    new_state = await staff.state.service.hand_back(conversation_id, staff.user)
    return response.json({"state": new_state.value})


@staff_route(csrf=True)
async def close(request: Request, staff: Staff, conversation_id: str) -> HTTPResponse:
    """``POST .../close``."""
    new_state = await staff.state.service.close(conversation_id, staff.user)
    return response.json({"state": new_state.value})


@staff_route(csrf=False)
async def canned_replies(request: Request, staff: Staff) -> HTTPResponse:
    """``GET /api/canned-replies``."""
    return response.json(cv.canned_replies(staff.state.knowledge_base()))


@staff_route(csrf=False)
async def offline_requests(request: Request, staff: Staff) -> HTTPResponse:
    """``GET /api/offline-requests?open=1``."""
    open_only = request.args.get("open", "1") not in ("0", "false", "no")
    items = await staff.state.run(staff.state.store.requests.list, open_only)
    return response.json([cv.offline_json(item) for item in items])


@staff_route(csrf=True)
async def mark_answered(request: Request, staff: Staff, request_id: int) -> HTTPResponse:
    """``POST /api/offline-requests/<id>/answered``."""
    newly = await staff.state.service.mark_answered(request_id, staff.user)
    return response.json({"answered": True, "already_answered": not newly})


class ConsoleChannel(InputChannel):
    """The staff console page and API at ``/console``."""

    @classmethod
    def name(cls) -> str:
        """Channel name (no messages go to Rasa through this channel)."""
        return "console"

    def url_prefix(self) -> str:
        """Absolute prefix: Rasa joins it with ``/webhooks/``, which keeps it as is."""
        return "/console"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Build the console blueprint."""
        bp = Blueprint("alver_console")
        install(bp)
        strip_cors(bp)  # same-origin only, whatever `rasa run --cors` says
        conv = "/api/conversations/<conversation_id:str>"
        routes: list[tuple[str, dict[str, Any], str | None]] = [
            ("/", {"GET": index}, "alver_console_index"),
            ("/<name:str>", {"GET": static_file}, "alver_console_file"),
            ("/api/login", {"POST": login}, None),
            ("/api/logout", {"POST": logout}, None),
            ("/api/me", {"GET": me}, None),
            ("/api/queue", {"GET": queue}, None),
            (conv, {"GET": conversation}, "alver_console_conversation"),
            (conv + "/claim", {"POST": cw.claim}, None),
            (conv + "/messages", {"POST": reply}, None),
            (conv + "/typing", {"POST": staff_typing}, None),
            (conv + "/notes", {"POST": add_note}, None),
            (conv + "/hand-back", {"POST": hand_back}, None),
            (conv + "/close", {"POST": close}, None),
            ("/api/canned-replies", {"GET": canned_replies}, None),
            ("/api/offline-requests", {"GET": offline_requests}, None),
            ("/api/offline-requests/<request_id:int>/answered", {"POST": mark_answered}, None),
            *cw.ROUTES,  # wp-console: status, transfer, history, own canned replies
            ("/api/<rest:path>", {}, "alver_console_not_found"),
        ]
        for path, handlers, name in routes:
            headers = _API_HEADERS if path.startswith("/api/") else None
            add_routes(bp, path, handlers, name=name, headers=headers)
        return bp
