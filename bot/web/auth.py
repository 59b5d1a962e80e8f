"""Authentication of staff routes: one decorator carrying the role check and CSRF.

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

from bot.handoff.records import StaffRole, StaffUser

from .http import ApiError, Handler
from .sessions import ConsoleSession
from .state import WebState, get_state

__all__ = ["COOKIE_NAME", "COOKIE_PATH", "QUEUE_ROLES", "Staff", "require_role", "staff_route"]

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
    user = await state.run(state.store.get_user, session.user_id)
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
