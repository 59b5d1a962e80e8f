"""The insight page (``/console/insight/``, editor and admin) and the citizen's rating.

HTTP translation only: views in :mod:`bot.insight.web`, writes in
:mod:`bot.handoff.insight_moves`. Register both in ``credentials.yml``::

    bot.channels.insight_channel.InsightChannel: {}
    bot.channels.insight_channel.RatingChannel: {}
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import widget_static
from bot.handoff.insight_moves import InboxAction, rate, resolve_inbox
from bot.handoff.records import StaffRole
from bot.insight import web as iv
from bot.insight.faq_port import FaqWriter, FaqWriterMissing
from bot.insight.output import CHARTS, chart_png, render_html
from bot.web.app import install
from bot.web.auth import Citizen, Staff, citizen_route, staff_route
from bot.web.cors import install_cors, strip_cors
from bot.web.http import ApiError, add_routes, optional_str, parse_json_object, serve_static

__all__ = ["EDITOR_ROLES", "InsightChannel", "RatingChannel"]

EDITOR_ROLES = (StaffRole.EDITOR, StaffRole.ADMIN)
"""Who sees what citizens ask (the inbox holds masked citizen text)."""
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_PAGE_HEADERS = {"X-Frame-Options": "DENY", "Content-Security-Policy": PAGE_CSP}
_API_HEADERS = {"Cache-Control": "no-store"}
_MAX_GROUP = 5000
WRITER_ATTR = "alver_faq_writer"
"""``app.ctx`` attribute of a :class:`FaqWriter` (tests put a fake there)."""

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def _writer(request: Request) -> FaqWriter:
    found = getattr(request.app.ctx, WRITER_ATTR, None)
    return found if found is not None else iv.default_writer()


async def index(request: Request) -> HTTPResponse:
    """``GET /console/insight/``: the page (it signs in through the console's session)."""
    if not request.path.endswith("/"):
        return response.redirect("/console/insight/", status=308)
    return await serve_static(iv.STATIC_DIR, "index.html", extra_headers=_PAGE_HEADERS)


async def static_file(request: Request, name: str) -> HTTPResponse:
    """``GET /console/insight/<file>``."""
    return await serve_static(iv.STATIC_DIR, name, extra_headers=_PAGE_HEADERS)


@staff_route(csrf=False, roles=EDITOR_ROLES)
async def inbox(request: Request, staff: Staff) -> HTTPResponse:
    """``GET /api/inbox``: groups of unanswered messages."""
    state = staff.state
    groups = await state.run(iv.inbox_groups, state.store, state.knowledge_base())
    return response.json({"groups": groups})


@staff_route(csrf=False, roles=EDITOR_ROLES)
async def faq(request: Request, staff: Staff) -> HTTPResponse:
    """``GET /api/faq``: FAQ entries (id, first question)."""
    return response.json({"entries": iv.faq_entries(staff.state.knowledge_base())})


def _message_ids(body: dict[str, Any]) -> list[int]:
    ids = body.get("message_ids")
    if (
        not isinstance(ids, list)
        or not ids
        or len(ids) > _MAX_GROUP
        or not all(isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**62 for i in ids)
    ):
        raise ApiError(
            400,
            "invalid_field",
            f"'message_ids' must be a list of 1 to {_MAX_GROUP} message ids.",
            field="message_ids",
        )
    return ids


@staff_route(csrf=True, roles=EDITOR_ROLES)
async def resolve(request: Request, staff: Staff) -> HTTPResponse:
    """``POST /api/inbox/resolve``: a group becomes an FAQ phrasing or entry, or is ignored."""
    body = parse_json_object(request)
    ids = _message_ids(body)
    action = optional_str(body, "action")
    if action not in InboxAction.ALL:
        raise ApiError(
            400,
            "invalid_field",
            f"'action' must be one of {', '.join(InboxAction.ALL)}.",
            field="action",
        )
    entry = body.get("entry")
    if entry is not None and not isinstance(entry, dict):
        raise ApiError(400, "invalid_field", "'entry' must be an object.", field="entry")
    state = staff.state
    try:
        marked = await state.run(
            resolve_inbox,
            state.store,
            _writer(request),
            ids,
            action,
            account=staff.user.username,
            entry_id=optional_str(body, "entry_id"),
            phrasing=optional_str(body, "phrasing"),
            entry=entry,
        )
    except (ValueError, KeyError) as exc:  # the writer's InvalidChange / EntryNotFound
        raise ApiError(400, "invalid_request", str(exc).strip("'\"")) from None
    except FaqWriterMissing as exc:
        raise ApiError(503, "unavailable", str(exc)) from None
    except RuntimeError as exc:  # the writer's ChangeConflict: someone saved meanwhile
        raise ApiError(409, "conflict", f"{exc} Reload and try again.") from None
    return response.json({"marked": marked})


def _period(request: Request, staff: Staff) -> tuple[Any, Any]:
    today = staff.state.now().date()
    try:
        return iv.parse_period(request.args.get("from"), request.args.get("to"), today)
    except ValueError as exc:
        raise ApiError(400, "invalid_period", str(exc)) from None


async def _report(request: Request, staff: Staff) -> Any:
    start, end = _period(request, staff)
    state = staff.state
    return await state.run(iv.report_of, state.store, state.knowledge_base(), start, end)


@staff_route(csrf=False, roles=EDITOR_ROLES)
async def report(request: Request, staff: Staff) -> HTTPResponse:
    """``GET /api/report?from=&to=``: every figure as JSON."""
    return response.json(iv.report_json(await _report(request, staff)))


@staff_route(csrf=False, roles=EDITOR_ROLES)
async def report_html(request: Request, staff: Staff) -> HTTPResponse:
    """``GET /api/report.html?from=&to=``: the self-contained HTML report (download)."""
    found = await _report(request, staff)
    page = await staff.state.run(render_html, found)
    name = f"alver-rapport-{found.start.isoformat()}-{found.end.isoformat()}.html"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return response.html(page, headers=headers)


@staff_route(csrf=False, roles=EDITOR_ROLES)
async def report_file(request: Request, staff: Staff, name: str) -> HTTPResponse:
    """``GET /api/report/<table>.csv`` (one table) or ``/api/report/<chart>.png``."""
    table, _, kind = name.rpartition(".")
    if kind not in ("csv", "png") or table not in iv.TABLES:
        raise ApiError(404, "not_found", "No such table or chart.")
    if kind == "png" and table not in CHARTS:
        raise ApiError(404, "not_found", "No such chart.")
    found = await _report(request, staff)
    if kind == "png":
        image = await staff.state.run(chart_png, found, table)
        return response.raw(image, content_type="image/png")
    text = iv.report_csv(found, table) or ""
    headers = {"Content-Disposition": f'attachment; filename="{table}.csv"'}
    return response.text(text, content_type="text/csv; charset=utf-8", headers=headers)


class InsightChannel(InputChannel):
    """The insight page and API at ``/console/insight``."""

    @classmethod
    def name(cls) -> str:
        """Channel name (no messages go to Rasa through this channel)."""
        return "insight"

    def url_prefix(self) -> str:
        """Absolute prefix (Rasa keeps an absolute one as it is)."""
        return "/console/insight"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Build the blueprint."""
        bp = Blueprint("alver_insight")
        install(bp)
        strip_cors(bp)
        routes: list[tuple[str, dict[str, Any], str | None]] = [
            ("", {"GET": index}, "alver_insight_index"),
            ("/<name:str>", {"GET": static_file}, "alver_insight_file"),
            ("/api/inbox", {"GET": inbox}, None),
            ("/api/inbox/resolve", {"POST": resolve}, None),
            ("/api/faq", {"GET": faq}, None),
            ("/api/report", {"GET": report}, None),
            ("/api/report.html", {"GET": report_html}, "alver_insight_report_html"),
            ("/api/report/<name:str>", {"GET": report_file}, "alver_insight_report_file"),
            ("/api/<rest:path>", {}, "alver_insight_not_found"),
        ]
        for path, handlers, name in routes:
            headers = _API_HEADERS if path.startswith("/api/") else None
            add_routes(bp, path, handlers, name=name, headers=headers)
        # "/console/insight/" must not fall to the console's "/console/<file>" route.
        bp.add_route(index, "/", methods=["GET"], strict_slashes=True, name="alver_insight_slash")
        return bp


@citizen_route
async def rating(request: Request, citizen: Citizen) -> HTTPResponse:
    """``POST /conversations/<id>/rating``: ``{"value": "yes"|"partly"|"no", "comment"?}``."""
    body = parse_json_object(request)
    value = body.get("value")
    if value not in ("yes", "partly", "no"):
        raise ApiError(400, "invalid_field", "'value' must be yes, partly or no.", field="value")
    comment = optional_str(body, "comment")
    state = citizen.state
    try:
        await state.run(
            rate, state.store, state.knowledge_base(), citizen.conversation, value, comment
        )
    except ValueError as exc:
        raise ApiError(400, "invalid_field", str(exc), field="comment") from None
    return response.empty(status=204)


class RatingChannel(InputChannel):
    """The citizen's end-of-conversation rating, beside the widget's API."""

    @classmethod
    def name(cls) -> str:
        """Channel name (no messages go to Rasa through this channel)."""
        return "alver_rating"

    def url_prefix(self) -> str:
        """The widget API's prefix."""
        return "/webhooks/alver"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Build the blueprint (same CORS policy as the widget's API)."""
        bp = Blueprint("alver_insight_rating")
        install(bp)
        install_cors(bp, widget_static.cors_policy)
        add_routes(bp, "/conversations/<conversation_id:str>/rating", {"POST": rating}, cors=True)
        return bp
