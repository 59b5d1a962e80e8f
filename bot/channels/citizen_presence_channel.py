"""Citizen presence: ``POST /webhooks/alver/conversations/<id>/leave`` (tab closed).

The widget sends it with ``navigator.sendBeacon`` when the page is hidden for good
(``pagehide``). A beacon cannot set headers, so the conversation's token may come in
the body, ``{"token": "..."}`` (any content type, e.g. ``text/plain``), as well as in
``Authorization: Bearer``. The console shows the citizen as gone; a citizen waiting in
the queue leaves it after ``CITIZEN_LEAVE_GRACE_SECONDS`` (default 15) unless their
widget polls again meanwhile (a page change on the same site).

Register in ``credentials.yml`` (next to the widget channel, same prefix)::

    bot.channels.citizen_presence_channel.CitizenPresenceChannel: {}
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import widget_static
from bot.handoff import workday
from bot.web.app import install
from bot.web.auth import rate_limit
from bot.web.cors import install_cors
from bot.web.http import ApiError, add_routes, client_ip, parse_json_object
from bot.web.state import get_state

__all__ = ["GRACE_ENV", "CitizenPresenceChannel", "leave_grace_seconds"]

GRACE_ENV = "CITIZEN_LEAVE_GRACE_SECONDS"
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def leave_grace_seconds() -> float:
    """Seconds a waiting citizen who left keeps their place (env, default 15, 0..300)."""
    raw = os.environ.get(GRACE_ENV, "15").strip() or "15"
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{GRACE_ENV}={raw!r} is not a number of seconds (0..300).") from None
    return min(max(value, 0.0), 300.0)


def _token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    body = parse_json_object(request, allow_empty=True)
    value = body.get("token")
    return value if isinstance(value, str) and value else None


async def leave(request: Request, conversation_id: str) -> HTTPResponse:
    """``POST /conversations/<id>/leave``: the citizen closed the tab (204)."""
    state = get_state(request.app)
    rate_limit(state.ip_limiter.hit("ip:" + client_ip(request)))
    if not state.tokens.verify(conversation_id, _token(request)):
        raise ApiError(
            401,
            "unauthorized",
            "Send the conversation's token as 'Authorization: Bearer <token>' "
            'or in the body as {"token": "..."}.',
        )
    if await state.run(state.store.conversations.get, conversation_id) is None:
        raise ApiError(404, "not_found", "This conversation does not exist (any more).")
    await workday.citizen_left(state.service, conversation_id, leave_grace_seconds())
    return response.empty(status=204)


class CitizenPresenceChannel(InputChannel):
    """The citizen's "I left" beacon, next to the widget's API at ``/webhooks/alver``."""

    @classmethod
    def name(cls) -> str:
        """Channel name (no messages go to Rasa through this channel)."""
        return "alver_presence"

    def url_prefix(self) -> str:
        """Absolute prefix: the widget's API prefix."""
        return "/webhooks/alver"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Build the blueprint with the one route."""
        bp = Blueprint("alver_citizen_presence")
        install(bp)
        install_cors(bp, widget_static.cors_policy)
        add_routes(
            bp,
            "/conversations/<conversation_id:str>/leave",
            {"POST": leave},
            cors=True,
            name="alver_citizen_leave",
        )
        return bp
