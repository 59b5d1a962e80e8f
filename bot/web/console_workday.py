"""Console routes of a working day: status and capacity, transfer, back to the queue,
history and export, and staff-written canned replies (contract: ``docs/chat-api.md``).

HTTP translation only; every change is a verb of :mod:`bot.handoff.workday`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.handoff import workday
from bot.handoff.canned import MAX_CANNED_TEXT, MAX_CANNED_TITLE, CannedReply
from bot.handoff.records import StaffRole
from bot.handoff.staffing import MAX_CHATS_LIMIT, STAFF_STATUSES
from bot.handoff.store import MAX_NOTE_LENGTH

from . import console_history as ch
from . import console_pdf
from . import console_views as cv
from .auth import Staff, staff_route
from .http import (
    ApiError,
    check_length,
    optional_str,
    parse_json_object,
    required_id,
    required_str,
)

__all__ = ["ROUTES"]

_TEAM_EDITORS = (StaffRole.EDITOR, StaffRole.ADMIN)
_LANGUAGES = ("nn", "nb", "en")


def _note(body: dict[str, Any]) -> str | None:
    note = optional_str(body, "note")
    if note is not None:
        check_length(note, MAX_NOTE_LENGTH, field="note", what="note")
    return note


@staff_route(csrf=False)
async def get_status(request: Request, staff: Staff) -> HTTPResponse:
    """``GET /api/status``: everybody's status, limit and held chats; ``me`` is mine."""
    people = await staff.state.run(cv.staff_snapshot, staff.state)
    me = next((p for p in people if p["id"] == staff.user.id), None)
    return response.json({"me": me, "staff": people, "statuses": list(STAFF_STATUSES)})


@staff_route(csrf=True)
async def set_status(request: Request, staff: Staff) -> HTTPResponse:
    """``POST /api/status``: ``{"status": "available"|"break"|"busy", "max_chats": 1..20}``."""
    body = parse_json_object(request)
    status = required_str(body, "status")
    if status not in STAFF_STATUSES:
        raise ApiError(
            400,
            "invalid_field",
            f"'status' must be one of: {', '.join(STAFF_STATUSES)}.",
            field="status",
        )
    max_chats = body.get("max_chats")
    if max_chats is not None and (
        isinstance(max_chats, bool)
        or not isinstance(max_chats, int)
        or not 1 <= max_chats <= MAX_CHATS_LIMIT
    ):
        raise ApiError(
            400,
            "invalid_field",
            f"'max_chats' must be a whole number from 1 to {MAX_CHATS_LIMIT}.",
            field="max_chats",
        )
    await workday.set_status(staff.state.service, staff.user, status, max_chats)
    people = await staff.state.run(cv.staff_snapshot, staff.state)
    me = next((p for p in people if p["id"] == staff.user.id), None)
    return response.json({"me": me})


@staff_route(csrf=True)
async def claim(request: Request, staff: Staff, conversation_id: str) -> HTTPResponse:
    """``POST .../claim``: exactly one wins; refused on a break, busy or at the limit."""
    await workday.claim_within_capacity(staff.state.service, conversation_id, staff.user)
    return response.json({"claimed": True})


@staff_route(csrf=True)
async def transfer(request: Request, staff: Staff, conversation_id: str) -> HTTPResponse:
    """``POST .../transfer``: ``{"to": <staff id>, "note": "..."}``."""
    body = parse_json_object(request)
    to = required_id(body, "to")
    note = _note(body)
    colleague = await workday.transfer(staff.state.service, conversation_id, staff.user, to, note)
    return response.json({"state": "with_human", "claimed_by": cv.user_json(colleague)})


@staff_route(csrf=True)
async def requeue(request: Request, staff: Staff, conversation_id: str) -> HTTPResponse:
    """``POST .../requeue``: ``{"note": "..."}`` (optional): back to the queue."""
    note = _note(parse_json_object(request, allow_empty=True))
    state = await workday.requeue(staff.state.service, conversation_id, staff.user, note)
    return response.json({"state": state.value})


@staff_route(csrf=False)
async def history(request: Request, staff: Staff) -> HTTPResponse:
    """``GET /api/history?q=&from=&to=&staff=&topic=``."""
    query = ch.history_query(request.args)
    return response.json(await staff.state.run(ch.history_json, staff.state, query))


async def _export_text(request: Request, staff: Staff, conversation_id: str) -> str:
    """The conversation's text export in ``?lang=`` (nn by default); 400 or 404 otherwise."""
    language = request.args.get("lang") or "nn"
    if language not in _LANGUAGES:
        raise ApiError(400, "invalid_field", "'lang' must be nn, nb or en.", field="lang")
    text = await staff.state.run(ch.conversation_text, staff.state, conversation_id, language)
    if text is None:
        raise ApiError(404, "not_found", "This conversation does not exist (any more).")
    return str(text)


@staff_route(csrf=False)
async def export_text(request: Request, staff: Staff, conversation_id: str) -> HTTPResponse:
    """``GET .../export.txt?lang=``: the conversation as text for the archive."""
    text = await _export_text(request, staff, conversation_id)
    name = f"samtale-{conversation_id[:8]}.txt"
    return response.text(
        text,
        content_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _pdf(text: str, conversation_id: str, when: datetime) -> bytes:
    return console_pdf.conversation_pdf(
        text, title=f"{text.partition(chr(10))[0]} {conversation_id}", created_at=when
    )


@staff_route(csrf=False)
async def export_pdf(request: Request, staff: Staff, conversation_id: str) -> HTTPResponse:
    """``GET .../export.pdf?lang=``: the text export as PDF for the archive."""
    text = await _export_text(request, staff, conversation_id)
    body = await staff.state.run(_pdf, text, conversation_id, staff.state.now())
    name = f"samtale-{conversation_id[:8]}.pdf"
    return response.raw(
        body,
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _reply_json(reply: CannedReply, user_id: int) -> dict[str, Any]:
    return {
        "id": reply.id,
        "title": reply.title,
        "text": reply.text,
        "language": reply.language,
        "team": reply.owner_id is None,
        "mine": reply.owner_id == user_id,
    }


@staff_route(csrf=False)
async def own_replies(request: Request, staff: Staff) -> HTTPResponse:
    """``GET /api/own-replies``: the team's and my own canned replies."""
    items = await staff.state.run(staff.state.store.canned.list_for, staff.user.id)
    return response.json([_reply_json(item, staff.user.id) for item in items])


def _reply_fields(body: dict[str, Any]) -> tuple[str, str, str | None]:
    title, text = required_str(body, "title").strip(), required_str(body, "text").strip()
    check_length(title, MAX_CANNED_TITLE, field="title", what="title")
    check_length(text, MAX_CANNED_TEXT, field="text", what="text")
    language = optional_str(body, "language")
    if language is not None and language not in _LANGUAGES:
        raise ApiError(
            400, "invalid_field", "'language' must be nn, nb, en or null.", field="language"
        )
    return title, text, language


def _may_edit(staff: Staff, team: bool, owner_id: int | None) -> None:
    if team and staff.user.role not in _TEAM_EDITORS:
        raise ApiError(403, "forbidden", "Only editors and admins change the team's replies.")
    if not team and owner_id != staff.user.id:
        raise ApiError(404, "not_found", "No such canned reply of yours.")


@staff_route(csrf=True)
async def add_own_reply(request: Request, staff: Staff) -> HTTPResponse:
    """``POST /api/own-replies``: ``{"title", "text", "language", "team": false}``."""
    body = parse_json_object(request)
    title, text, language = _reply_fields(body)
    team = body.get("team") is True
    _may_edit(staff, team, None if team else staff.user.id)
    owner = None if team else staff.user.id
    saved = await workday.save_canned(staff.state.service, None, owner, title, text, language)
    assert saved is not None  # an insert always returns the row
    return response.json(_reply_json(saved, staff.user.id), status=201)


async def _existing(staff: Staff, reply_id: int) -> CannedReply:
    found = await staff.state.run(staff.state.store.canned.get, reply_id)
    if found is None:
        raise ApiError(404, "not_found", "No such canned reply.")
    _may_edit(staff, found.owner_id is None, found.owner_id)
    return found


@staff_route(csrf=True)
async def change_own_reply(request: Request, staff: Staff, reply_id: int) -> HTTPResponse:
    """``PUT /api/own-replies/<id>``: ``{"title", "text", "language"}``."""
    found = await _existing(staff, reply_id)
    title, text, language = _reply_fields(parse_json_object(request))
    saved = await workday.save_canned(
        staff.state.service, found.id, found.owner_id, title, text, language
    )
    if saved is None:
        raise ApiError(404, "not_found", "No such canned reply.")
    return response.json(_reply_json(saved, staff.user.id))


@staff_route(csrf=True)
async def delete_own_reply(request: Request, staff: Staff, reply_id: int) -> HTTPResponse:
    """``DELETE /api/own-replies/<id>``."""
    await _existing(staff, reply_id)
    await workday.delete_canned(staff.state.service, reply_id)
    return response.empty(status=204)


_CONV = "/api/conversations/<conversation_id:str>"
ROUTES: list[tuple[str, dict[str, Any], str | None]] = [
    ("/api/status", {"GET": get_status, "POST": set_status}, None),
    (_CONV + "/transfer", {"POST": transfer}, None),
    (_CONV + "/requeue", {"POST": requeue}, None),
    (_CONV + "/export.txt", {"GET": export_text}, None),
    (_CONV + "/export.pdf", {"GET": export_pdf}, None),
    ("/api/history", {"GET": history}, None),
    ("/api/own-replies", {"GET": own_replies, "POST": add_own_reply}, None),
    (
        "/api/own-replies/<reply_id:int>",
        {"PUT": change_own_reply, "DELETE": delete_own_reply},
        None,
    ),
]
"""The routes, for :class:`bot.channels.console_channel.ConsoleChannel` to register."""
