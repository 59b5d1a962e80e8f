"""The staff console: page at ``/console/`` and API at ``/console/api/...``.

See ``docs/chat-api.md``. Sign-in creates a **server-side session** in the
handoff database (:mod:`bot.web.sessions`); the cookie ``alver_console``
(HttpOnly, SameSite=Strict, Path=/console, Secure when ``CONSOLE_COOKIE_SECURE=1``)
carries only a random token. Server-side sessions were chosen over a signed
cookie so that logging out or deactivating a user takes effect immediately on
all bot instances. Every state-changing call must send the session's CSRF token
in ``X-CSRF-Token`` (403 otherwise).

Register in ``credentials.yml``::

    bot.channels.console_channel.ConsoleChannel: {}
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.handoff.records import Conversation, Note, OfflineRequest, Sender, StaffRole, StaffUser
from bot.handoff.states import Event, HandoffState
from bot.handoff.store import MAX_NOTE_LENGTH, staff_actor
from bot.web import service
from bot.web.http import (
    ApiError,
    add_routes,
    client_ip,
    parse_json_object,
    query_int,
    required_str,
    serve_static,
)
from bot.web.sessions import ConsoleSession
from bot.web.state import WebState, get_state, install

__all__ = ["COOKIE_NAME", "QUEUE_ROLES", "ConsoleChannel", "require_role"]

COOKIE_NAME = "alver_console"
COOKIE_PATH = "/console"
QUEUE_ROLES = (StaffRole.STAFF, StaffRole.EDITOR, StaffRole.ADMIN)
"""Roles that may work in the queue (all of them today)."""

STATIC_DIR = Path(__file__).resolve().parents[1] / "web" / "static" / "console"
_POLL_STEP_SECONDS = 1.0
_PRESENCE_REFRESH_SECONDS = 10.0
_LAST_TEXT_CHARS = 200
_MAX_ID = 2**62
_PAGE_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
}

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def require_role(user: StaffUser, *roles: StaffRole) -> None:
    """Refuse with 403 unless the user has one of ``roles``."""
    if user.role not in roles:
        raise ApiError(403, "forbidden", "Your role may not do this.")


async def _signed_in(
    request: Request, *, csrf: bool
) -> tuple[WebState, StaffUser, ConsoleSession, str]:
    """Return the signed-in user of the request, or raise 401 / 403."""
    state = get_state(request.app)
    token = request.cookies.get(COOKIE_NAME)
    session = await state.run(state.sessions.get, token) if token else None
    if session is None or token is None:
        raise ApiError(401, "unauthorized", "Sign in first (POST /console/api/login).")
    user = await state.run(state.store.get_user, session.user_id)
    if user is None or not user.active:
        raise ApiError(401, "unauthorized", "Your user is no longer active. Sign in again.")
    if csrf and not session.csrf_ok(request.headers.get("x-csrf-token")):
        raise ApiError(403, "csrf_failed", "Missing or wrong X-CSRF-Token header.")
    return state, user, session, token


def _user_json(user: StaffUser) -> dict[str, Any]:
    return {"id": user.id, "first_name": user.first_name, "role": user.role.value}


def _set_cookie(resp: HTTPResponse, state: WebState, value: str, max_age: int) -> None:
    resp.cookies[COOKIE_NAME] = value
    cookie = resp.cookies[COOKIE_NAME]
    cookie["path"] = COOKIE_PATH
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["max-age"] = max_age
    if state.settings.console_cookie_secure:
        cookie["secure"] = True


def _note_json(note: Note, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": note.id,
        "author_id": note.author_id,
        "author_first_name": names.get(note.author_id),
        "text": note.text,
        "created_at": service.iso(note.created_at),
    }


def _offline_json(item: OfflineRequest) -> dict[str, Any]:
    return {
        "id": item.id,
        "question": item.question,
        "contact": item.contact,
        "language": item.language.value,
        "created_at": service.iso(item.created_at),
        "answered_at": service.iso(item.answered_at),
    }


def _last_citizen_text(state: WebState, conversation_id: str) -> tuple[str, int]:
    messages = state.store.transcript(conversation_id)
    last_id = messages[-1].id if messages else 0
    for message in reversed(messages):
        if message.sender is Sender.CITIZEN:
            return message.text[:_LAST_TEXT_CHARS], last_id
    return "", last_id


def _queue_snapshot(state: WebState, user: StaffUser) -> dict[str, Any]:
    """The queue view of one staff member, with an etag over everything but the clock."""
    now = state.now()
    entries = state.store.queue()
    mine = state.store.list_active_for_staff(user.id)
    flags = state.presence.flags_many([e.conversation.id for e in entries] + [c.id for c in mine])
    waiting = []
    for entry in entries:
        text, _ = _last_citizen_text(state, entry.conversation.id)
        waiting.append(
            {
                "conversation_id": entry.conversation.id,
                "waiting_seconds": int(entry.waiting_for.total_seconds()),
                "language": entry.conversation.language.value,
                "last_text": text,
            }
        )
    mine_json = []
    for conversation in mine:
        text, last_id = _last_citizen_text(state, conversation.id)
        typing = flags[conversation.id].citizen_typing(now) if conversation.id in flags else False
        mine_json.append(
            {
                "conversation_id": conversation.id,
                "state": conversation.state.value,
                "language": conversation.language.value,
                "last_text": text,
                "citizen_typing": typing,
                "last_message_id": last_id,
            }
        )
    open_requests = len(state.store.list_offline_requests(open_only=True))
    fingerprint = json.dumps(
        [
            [(w["conversation_id"], w["last_text"]) for w in waiting],
            mine_json,
            open_requests,
        ],
        sort_keys=True,
    )
    return {
        "etag": hashlib.sha256(fingerprint.encode("utf-8")).hexdigest()[:20],
        "waiting": waiting,
        "mine": mine_json,
        "offline_requests_open": open_requests,
    }


def _conversation_snapshot(
    state: WebState, conversation_id: str, after: int
) -> dict[str, Any] | None:
    conversation = state.store.get_conversation(conversation_id)
    if conversation is None:
        return None
    claimed_by = state.store.get_user(conversation.claimed_by) if conversation.claimed_by else None
    messages = state.store.messages_after(conversation_id, after)
    notes = state.store.list_notes(conversation_id)
    names: dict[int, str] = {}
    for note in notes:
        if note.author_id not in names:
            author = state.store.get_user(note.author_id)
            names[note.author_id] = author.first_name if author else "?"
    flags = state.presence.flags(conversation_id)
    return {
        "conversation": {
            "id": conversation.id,
            "state": conversation.state.value,
            "language": conversation.language.value,
            "claimed_by_first_name": claimed_by.first_name if claimed_by else None,
            "claimed_by_id": conversation.claimed_by,
        },
        "messages": [service.message_json(m, console=True) for m in messages],
        "notes": [_note_json(n, names) for n in notes],
        "citizen_typing": flags.citizen_typing(state.now()),
    }


def _holds(conversation: Conversation, user: StaffUser) -> bool:
    return conversation.state is HandoffState.WITH_HUMAN and conversation.claimed_by == user.id


def _load(state: WebState, conversation_id: str) -> Conversation:
    conversation = state.store.get_conversation(conversation_id)
    if conversation is None:
        raise ApiError(404, "not_found", "This conversation does not exist (any more).")
    return conversation


def _claim(state: WebState, conversation_id: str, user: StaffUser) -> None:
    conversation = _load(state, conversation_id)
    if not state.store.claim(conversation_id, user.id):
        current = _load(state, conversation_id)
        if current.state is HandoffState.BOT:
            raise ApiError(
                409, "not_waiting", "The citizen is no longer waiting.", state=current.state.value
            )
        raise ApiError(
            409,
            "already_claimed",
            "Another staff member took this conversation first.",
            state=current.state.value,
        )
    state.presence.set_offline_offer(conversation_id, False)
    service.system_message(
        state,
        conversation_id,
        "chat_staff_joined",
        conversation.language.value,
        name=user.first_name,
    )


def _reply(state: WebState, conversation_id: str, user: StaffUser, text: str) -> dict[str, Any]:
    conversation = _load(state, conversation_id)
    if not _holds(conversation, user):
        raise ApiError(
            403, "not_claimed_by_you", "Only the staff member who took the conversation may reply."
        )
    message = state.store.add_message(conversation_id, Sender.STAFF, text, staff_user_id=user.id)
    state.presence.set_staff_typing(conversation_id, False)
    return service.message_json(message, console=True)


def _hand_back(state: WebState, conversation_id: str, user: StaffUser) -> str:
    conversation = _load(state, conversation_id)
    if not _holds(conversation, user):
        raise ApiError(
            403,
            "not_claimed_by_you",
            "Only the staff member who took the conversation may " "hand it back.",
        )
    new = state.store.transition(conversation_id, Event.HAND_BACK, staff_actor(user.username))
    state.presence.set_staff_typing(conversation_id, False)
    service.system_message(
        state,
        conversation_id,
        "chat_hand_back",
        conversation.language.value,
        name=user.first_name,
    )
    return new.value


def _close(state: WebState, conversation_id: str, user: StaffUser) -> str:
    conversation = _load(state, conversation_id)
    if conversation.state is HandoffState.WITH_HUMAN and not _holds(conversation, user):
        raise ApiError(
            403,
            "not_claimed_by_you",
            "Only the staff member who took the conversation may " "close it.",
        )
    new = state.store.transition(conversation_id, Event.CLOSE, staff_actor(user.username))
    state.presence.set_staff_typing(conversation_id, False)
    service.system_message(state, conversation_id, "chat_closed", conversation.language.value)
    return new.value


def _canned_replies(state: WebState) -> list[dict[str, Any]]:
    kb = state.knowledge_base()
    replies: list[dict[str, Any]] = []
    for faq in kb.faq:
        replies.append(
            {
                "id": f"faq:{faq.id}",
                "title": faq.questions[0] if faq.questions else faq.id,
                "nn": faq.answer.nn,
                "nb": faq.answer.nb,
                "link": faq.link,
            }
        )
    for item in kb.services:
        replies.append(
            {
                "id": f"service:{item.id}",
                "title": item.name.nn,
                "nn": item.answer.nn,
                "nb": item.answer.nb,
                "link": item.link,
            }
        )
    return replies


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

        async def index(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):
                return response.redirect(COOKIE_PATH + "/", status=308)
            return await serve_static(STATIC_DIR, "index.html", extra_headers=_PAGE_HEADERS)

        async def static_file(request: Request, name: str) -> HTTPResponse:
            name = name or "index.html"  # "/console/" itself
            return await serve_static(STATIC_DIR, name, extra_headers=_PAGE_HEADERS)

        async def login(request: Request) -> HTTPResponse:
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
            username = required_str(body, "username")
            password = required_str(body, "password")
            user = await state.run(state.store.authenticate, username[:200], password[:1000])
            if user is None:
                raise ApiError(401, "invalid_credentials", "Wrong username or password.")
            lifetime = timedelta(hours=state.settings.console_session_hours)
            token, session = await state.run(state.sessions.create, user.id, lifetime)
            await state.run(state.presence.mark_staff_seen, user.id)
            resp = response.json({"user": _user_json(user), "csrf_token": session.csrf_token})
            _set_cookie(resp, state, token, int(lifetime.total_seconds()))
            return resp

        async def logout(request: Request) -> HTTPResponse:
            state, user, _, token = await _signed_in(request, csrf=True)
            await state.run(state.sessions.delete, token)
            await state.run(state.presence.forget_staff, user.id)
            resp = response.empty(status=204)
            _set_cookie(resp, state, "", 0)
            return resp

        async def me(request: Request) -> HTTPResponse:
            _, user, session, _ = await _signed_in(request, csrf=False)
            return response.json({"user": _user_json(user), "csrf_token": session.csrf_token})

        async def queue(request: Request) -> HTTPResponse:
            state, user, _, _ = await _signed_in(request, csrf=False)
            require_role(user, *QUEUE_ROLES)
            wait_max = state.settings.long_poll_seconds
            wait = query_int(request, "wait", 0, 0, wait_max)
            since = request.args.get("since")
            loop = asyncio.get_running_loop()
            deadline = loop.time() + wait
            last_seen_mark = loop.time()
            await state.run(state.presence.mark_staff_seen, user.id)
            while True:
                token = state.notifier.token()
                snapshot = await state.run(_queue_snapshot, state, user)
                remaining = deadline - loop.time()
                if snapshot["etag"] != since or remaining <= 0:
                    return response.json(snapshot)
                if loop.time() - last_seen_mark >= _PRESENCE_REFRESH_SECONDS:
                    await state.run(state.presence.mark_staff_seen, user.id)
                    last_seen_mark = loop.time()
                await state.notifier.wait(token, min(_POLL_STEP_SECONDS, remaining))

        async def conversation(request: Request, conversation_id: str) -> HTTPResponse:
            state, user, _, _ = await _signed_in(request, csrf=False)
            require_role(user, *QUEUE_ROLES)
            after = query_int(request, "after", 0, 0, _MAX_ID)
            wait = query_int(request, "wait", 0, 0, state.settings.long_poll_seconds)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + wait
            baseline: tuple[Any, ...] | None = None
            while True:
                token = state.notifier.token()
                snapshot = await state.run(_conversation_snapshot, state, conversation_id, after)
                if snapshot is None:
                    raise ApiError(404, "not_found", "This conversation does not exist (any more).")
                key = (
                    snapshot["conversation"]["state"],
                    snapshot["conversation"]["claimed_by_id"],
                    snapshot["citizen_typing"],
                    len(snapshot["notes"]),
                )
                if baseline is None:
                    baseline = key
                remaining = deadline - loop.time()
                if snapshot["messages"] or key != baseline or remaining <= 0:
                    return response.json(snapshot)
                await state.notifier.wait(token, min(_POLL_STEP_SECONDS, remaining))

        async def claim(request: Request, conversation_id: str) -> HTTPResponse:
            state, user, _, _ = await _signed_in(request, csrf=True)
            require_role(user, *QUEUE_ROLES)
            await state.run(_claim, state, conversation_id, user)
            state.notifier.notify()
            return response.json({"claimed": True})

        async def reply(request: Request, conversation_id: str) -> HTTPResponse:
            state, user, _, _ = await _signed_in(request, csrf=True)
            require_role(user, *QUEUE_ROLES)
            body = parse_json_object(request)
            text = required_str(body, "text")
            limit = state.settings.max_message_chars
            if len(text) > limit:
                raise ApiError(
                    413,
                    "message_too_long",
                    f"The text is longer than {limit} characters.",
                    max_chars=limit,
                )
            message = await state.run(_reply, state, conversation_id, user, text)
            state.notifier.notify()
            return response.json(message, status=201)

        async def typing(request: Request, conversation_id: str) -> HTTPResponse:
            state, user, _, _ = await _signed_in(request, csrf=True)
            require_role(user, *QUEUE_ROLES)
            conv = await state.run(_load, state, conversation_id)
            if not _holds(conv, user):
                raise ApiError(
                    403,
                    "not_claimed_by_you",
                    "Only the staff member who took the conversation " "can type in it.",
                )
            await state.run(state.presence.set_staff_typing, conversation_id, True)
            state.notifier.notify()
            return response.empty(status=204)

        async def add_note(request: Request, conversation_id: str) -> HTTPResponse:
            state, user, _, _ = await _signed_in(request, csrf=True)
            require_role(user, *QUEUE_ROLES)
            body = parse_json_object(request)
            text = required_str(body, "text")
            if len(text) > MAX_NOTE_LENGTH:
                raise ApiError(
                    413,
                    "message_too_long",
                    f"The note is longer than {MAX_NOTE_LENGTH} " "characters.",
                    max_chars=MAX_NOTE_LENGTH,
                )
            await state.run(_load, state, conversation_id)
            note = await state.run(state.store.add_note, conversation_id, user.id, text)
            state.notifier.notify()
            return response.json(_note_json(note, {user.id: user.first_name}), status=201)

        async def hand_back(request: Request, conversation_id: str) -> HTTPResponse:
            state, user, _, _ = await _signed_in(request, csrf=True)
            require_role(user, *QUEUE_ROLES)
            new_state = await state.run(_hand_back, state, conversation_id, user)
            state.notifier.notify()
            return response.json({"state": new_state})

        async def close(request: Request, conversation_id: str) -> HTTPResponse:
            state, user, _, _ = await _signed_in(request, csrf=True)
            require_role(user, *QUEUE_ROLES)
            new_state = await state.run(_close, state, conversation_id, user)
            state.notifier.notify()
            return response.json({"state": new_state})

        async def canned_replies(request: Request) -> HTTPResponse:
            state, user, _, _ = await _signed_in(request, csrf=False)
            require_role(user, *QUEUE_ROLES)
            return response.json(await state.run(_canned_replies, state))

        async def offline_requests(request: Request) -> HTTPResponse:
            state, user, _, _ = await _signed_in(request, csrf=False)
            require_role(user, *QUEUE_ROLES)
            open_only = request.args.get("open", "1") not in ("0", "false", "no")
            items = await state.run(state.store.list_offline_requests, open_only)
            return response.json([_offline_json(item) for item in items])

        async def mark_answered(request: Request, request_id: int) -> HTTPResponse:
            state, user, _, _ = await _signed_in(request, csrf=True)
            require_role(user, *QUEUE_ROLES)
            newly = await state.run(state.store.mark_request_answered, request_id, user.id)
            state.notifier.notify()
            return response.json({"answered": True, "already_answered": not newly})

        conv = "/api/conversations/<conversation_id:str>"
        add_routes(bp, "/", {"GET": index}, name="alver_console_index")
        add_routes(bp, "/<name:str>", {"GET": static_file}, name="alver_console_file")
        add_routes(bp, "/api/login", {"POST": login})
        add_routes(bp, "/api/logout", {"POST": logout})
        add_routes(bp, "/api/me", {"GET": me})
        add_routes(bp, "/api/queue", {"GET": queue})
        add_routes(bp, conv, {"GET": conversation}, name="alver_console_conversation")
        add_routes(bp, conv + "/claim", {"POST": claim})
        add_routes(bp, conv + "/messages", {"POST": reply})
        add_routes(bp, conv + "/typing", {"POST": typing})
        add_routes(bp, conv + "/notes", {"POST": add_note})
        add_routes(bp, conv + "/hand-back", {"POST": hand_back})
        add_routes(bp, conv + "/close", {"POST": close})
        add_routes(bp, "/api/canned-replies", {"GET": canned_replies})
        add_routes(bp, "/api/offline-requests", {"GET": offline_requests})
        add_routes(bp, "/api/offline-requests/<request_id:int>/answered", {"POST": mark_answered})
        add_routes(bp, "/api/<rest:path>", {}, name="alver_console_not_found")
        return bp
