"""Authentication of routes: staff (session, role, CSRF) and citizens (bearer token).

:func:`staff_route` is the one decorator of staff routes, :func:`citizen_route` the one
of citizen routes (IP rate limit, the conversation's bearer token, the conversation).

Sign-in creates a server-side session (:mod:`bot.web.sessions`); the cookie
``alver_console`` carries only a random token. Every state-changing call must send
the session's CSRF token in ``X-CSRF-Token``.

Usage::

    @staff_route(csrf=True)
    async def claim(request: Request, staff: Staff, conversation_id: str) -> HTTPResponse:
        ...
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sanic.request import Request
from sanic.response import HTTPResponse

from bot.handoff.records import Conversation, StaffRole, StaffUser

from .http import ApiError, Handler, client_ip
from .sessions import ConsoleSession
from .state import WebState, get_state

__all__ = [
    "COOKIE_NAME",
    "COOKIE_PATH",
    "QUEUE_ROLES",
    "Citizen",
    "Staff",
    "citizen_route",
    "rate_limit",
    "require_role",
    "staff_route",
]

COOKIE_NAME = "alver_console"
COOKIE_PATH = "/console"
QUEUE_ROLES = (StaffRole.STAFF, StaffRole.EDITOR, StaffRole.ADMIN)
"""Roles that may work in the queue (all of them today)."""


@dataclass(frozen=True)
class Staff:
    """The signed-in staff member of a request."""

    state: WebState
    user: StaffUser
    session: ConsoleSession
    token: str


StaffHandler = Callable[..., Awaitable[HTTPResponse]]


def require_role(user: StaffUser, *roles: StaffRole) -> None:
    """Refuse with 403 unless the user has one of ``roles``."""
    if user.role not in roles:
        raise ApiError(403, "forbidden", "Your role may not do this.")


async def signed_in(request: Request, *, csrf: bool) -> Staff:
    """Return the signed-in staff member of the request, or raise 401 / 403."""
    state = get_state(request.app)
    token = request.cookies.get(COOKIE_NAME)
    session = await state.run(state.sessions.get, token) if token else None
    if session is None or token is None:
        raise ApiError(401, "unauthorized", "Sign in first (POST /console/api/login).")
    user = await state.run(state.store.users.get, session.user_id)
    if user is None or not user.active:
        raise ApiError(401, "unauthorized", "Your user is no longer active. Sign in again.")
    if csrf and not session.csrf_ok(request.headers.get("x-csrf-token")):
        raise ApiError(403, "csrf_failed", "Missing or wrong X-CSRF-Token header.")
    return Staff(state, user, session, token)


def staff_route(
    *, csrf: bool, roles: tuple[StaffRole, ...] | None = QUEUE_ROLES
) -> Callable[[StaffHandler], Handler]:
    """Decorate a handler ``(request, staff, **params)`` to require a signed-in staff member.

    Args:
        csrf: Require the session's CSRF token (every state-changing call).
        roles: Roles allowed (None: any signed-in user).
    """

    def decorate(handler: StaffHandler) -> Handler:
        @functools.wraps(handler)
        async def wrapped(request: Request, **params: object) -> HTTPResponse:
            staff = await signed_in(request, csrf=csrf)
            if roles is not None:
                require_role(staff.user, *roles)
            return await handler(request, staff, **params)

        return wrapped

    return decorate


@dataclass(frozen=True)
class Citizen:
    """The citizen of a request: the conversation their bearer token is bound to."""

    state: WebState
    conversation: Conversation


def rate_limit(wait: float) -> None:
    """Raise 429 with ``Retry-After`` if a limiter said to wait (``wait`` seconds > 0)."""
    if wait:
        seconds = int(wait)
        raise ApiError(
            429,
            "rate_limited",
            f"Too many requests; try again in {seconds} s.",
            headers={"Retry-After": str(seconds)},
            retry_after=seconds,
        )


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def authorised_citizen(request: Request, conversation_id: str) -> Citizen:
    """Rate-limit by IP, check the bearer token, then load the conversation (401 / 404 / 429).

    Only writes count against the per-IP budget: reads (``GET``, such as the long-poll for
    events, which a waiting citizen repeats all the time) need the conversation's token
    and change nothing, so they must not use up the budget for messages.
    """
    state = get_state(request.app)
    if request.method != "GET":
        rate_limit(state.ip_limiter.hit("ip:" + client_ip(request)))
    if not state.tokens.verify(conversation_id, _bearer(request)):
        raise ApiError(
            401,
            "unauthorized",
            "Send 'Authorization: Bearer <token>' with the token of this conversation.",
        )
    conversation = await state.run(state.store.conversations.get, conversation_id)
    if conversation is None:
        raise ApiError(404, "not_found", "This conversation does not exist (any more).")
    return Citizen(state, conversation)


def citizen_route(handler: StaffHandler) -> Handler:
    """Decorate a handler ``(request, citizen, **params)`` of a conversation's route."""

    @functools.wraps(handler)
    async def wrapped(request: Request, conversation_id: str, **params: object) -> HTTPResponse:
        citizen = await authorised_citizen(request, conversation_id)
        return await handler(request, citizen, **params)

    return wrapped
