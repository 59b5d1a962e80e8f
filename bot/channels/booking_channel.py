"""Møteførespurnader: the staff page at ``/console/bookings/`` and its API (issue 10).

HTTP translation only (contract: ``docs/chat-api.md``). The page uses the console's
session: every API route is a :func:`bot.web.auth.staff_route` for the roles staff,
editor and admin, and changes need the session's ``X-CSRF-Token``. The verbs are in
:mod:`bot.handoff.booking_service`; the JSON views in :mod:`bot.web.booking_views`.

Register in ``credentials.yml``::

    bot.channels.booking_channel.BookingChannel: {}
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.widget_static import cors_policy
from bot.handoff.booking_service import BookingService
from bot.handoff.bookings import MAX_NOTE, BookingNotFound
from bot.handoff.records import StaffRole
from bot.messages import ui_texts
from bot.web import booking_views as bv
from bot.web.app import install
from bot.web.auth import Citizen, Staff, citizen_route, rate_limit, staff_route
from bot.web.cors import install_cors, strip_cors
from bot.web.http import (
    ApiError,
    add_routes,
    check_length,
    parse_json_object,
    required_str,
    serve_static,
)
from bot.web.state import get_state

__all__ = ["BOOKING_ROLES", "BookingChannel", "BookingCitizenChannel"]

BOOKING_ROLES = (StaffRole.STAFF, StaffRole.EDITOR, StaffRole.ADMIN)
_CSP = (
    "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
_PAGE_HEADERS = {"X-Frame-Options": "DENY", "Content-Security-Policy": _CSP}
_API_HEADERS = {"Cache-Control": "no-store"}
_LANGUAGES = ("nn", "nb", "en")

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def _service(request: Request) -> BookingService:
    state = get_state(request.app)
    service = getattr(request.app.ctx, "booking_service", None)
    if service is None or service.handoff is not state.service:
        service = BookingService(state.service)
        request.app.ctx.booking_service = service
    return service


async def index(request: Request) -> HTTPResponse:
    """``GET /console/bookings/``: the page."""
    if not request.path.endswith("/"):
        return response.redirect("/console/bookings/", status=308)
    return await serve_static(bv.STATIC_DIR, "index.html", extra_headers=_PAGE_HEADERS)


async def static_file(request: Request, name: str) -> HTTPResponse:
    """``GET /console/bookings/<file>`` (the router gives ``/console/bookings/`` here too)."""
    return await serve_static(bv.STATIC_DIR, name or "index.html", extra_headers=_PAGE_HEADERS)


async def texts(request: Request) -> HTTPResponse:
    """``GET /console/bookings/texts.json?lang=nn``: the page's labels."""
    language = request.args.get("lang") or "nn"
    if language not in _LANGUAGES:
        raise ApiError(
            400, "invalid_field", "The parameter 'lang' must be nn, nb or en.", field="lang"
        )
    kb = get_state(request.app).knowledge_base()
    return response.json({"language": language, "texts": ui_texts("bookings", language, kb)})


@staff_route(csrf=False, roles=BOOKING_ROLES)
async def list_bookings(request: Request, staff: Staff) -> HTTPResponse:
    """``GET /api/bookings?all=1``: open requests (or all), oldest first."""
    open_only = request.args.get("all") not in ("1", "true")
    items = await _service(request).list(open_only)
    kb = staff.state.knowledge_base()
    return response.json({"bookings": [bv.booking_json(item, kb) for item in items]})


def _meeting_at(body: dict[str, Any]) -> datetime:
    day, time = required_str(body, "date"), required_str(body, "time")
    try:
        return bv.parse_meeting(day, time)
    except ValueError as error:
        raise ApiError(400, "invalid_field", str(error), field="date") from None


@staff_route(csrf=True, roles=BOOKING_ROLES)
async def book(request: Request, staff: Staff, booking_id: int) -> HTTPResponse:
    """``POST /api/bookings/<id>/booked`` ``{"date": "2026-12-03", "time": "10:30"}``."""
    meeting_at = _meeting_at(parse_json_object(request))
    try:
        newly = await _service(request).book(booking_id, staff.user.id, meeting_at)
    except BookingNotFound:
        raise ApiError(404, "not_found", "No such booking request (deleted?).") from None
    return response.json({"status": "booked", "already_handled": not newly})


@staff_route(csrf=True, roles=BOOKING_ROLES)
async def answer(request: Request, staff: Staff, booking_id: int) -> HTTPResponse:
    """``POST /api/bookings/<id>/answered`` ``{"note": "..."}``: handled another way."""
    note = required_str(parse_json_object(request), "note").strip()
    check_length(note, MAX_NOTE, "note", "note")
    try:
        newly = await _service(request).answer(booking_id, staff.user.id, note)
    except BookingNotFound:
        raise ApiError(404, "not_found", "No such booking request (deleted?).") from None
    return response.json({"status": "answered", "already_handled": not newly})


@citizen_route
async def add_contact(request: Request, citizen: Citizen, booking_id: int) -> HTTPResponse:
    """``POST /webhooks/alver/conversations/<id>/bookings/<booking_id>/contact`` ``{"contact"}``.

    For the widget: the citizen's e-mail or phone for their open request, validated like
    an offline request's contact (422 ``invalid_contact``).
    """
    state = citizen.state
    contact = required_str(parse_json_object(request), "contact")
    check_length(contact, 254, "contact", "contact")
    rate_limit(state.conversation_limiter.hit("conv:" + citizen.conversation.id))
    try:
        await _service(request).add_contact(citizen.conversation.id, booking_id, contact)
    except BookingNotFound:
        raise ApiError(
            404, "not_found", "This conversation has no open booking request with that id."
        ) from None
    return response.json({"contact_saved": True})


class BookingCitizenChannel(InputChannel):
    """The citizen's part: adding a contact to their booking request (widget API prefix)."""

    @classmethod
    def name(cls) -> str:
        """Channel name (no messages go to Rasa through this channel)."""
        return "bookings_citizen"

    def url_prefix(self) -> str:
        """The widget API's prefix, so the same reverse-proxy rule covers it."""
        return "/webhooks/alver"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Build the blueprint with the one citizen route."""
        bp = Blueprint("alver_bookings_citizen")
        install(bp)
        install_cors(bp, cors_policy)
        path = "/conversations/<conversation_id:str>/bookings/<booking_id:int>/contact"
        add_routes(bp, path, {"POST": add_contact}, cors=True, name="alver_bookings_contact")
        return bp


class BookingChannel(InputChannel):
    """The Møteførespurnader page and API at ``/console/bookings``."""

    @classmethod
    def name(cls) -> str:
        """Channel name (no messages go to Rasa through this channel)."""
        return "bookings"

    def url_prefix(self) -> str:
        """Absolute prefix: Rasa joins it with ``/webhooks/``, which keeps it as is."""
        return "/console/bookings"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Build the bookings blueprint."""
        bp = Blueprint("alver_bookings")
        install(bp)
        strip_cors(bp)  # same-origin only
        item = "/api/bookings/<booking_id:int>"
        routes: list[tuple[str, dict[str, Any], str | None]] = [
            ("/", {"GET": index}, "alver_bookings_index"),
            ("/texts.json", {"GET": texts}, "alver_bookings_texts"),
            ("/<name:str>", {"GET": static_file}, "alver_bookings_file"),
            ("/api/bookings", {"GET": list_bookings}, None),
            (item + "/booked", {"POST": book}, None),
            (item + "/answered", {"POST": answer}, None),
            ("/api/<rest:path>", {}, "alver_bookings_not_found"),
        ]
        for path, handlers, name in routes:
            headers = _API_HEADERS if path.startswith("/api/") else None
            add_routes(bp, path, handlers, name=name, headers=headers)
        return bp
