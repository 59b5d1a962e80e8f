"""The editor API's handlers (``/console/api/editor/...``); role editor or admin.

Reads answer each entry with its ``version``; every save sends that version back
(optimistic concurrency). Answers: 200/201 with the saved entry and the change, 409
``conflict`` naming who saved in between (the page keeps the editor's input), 422
``invalid`` with the problems next to the fields, 400 for a malformed body.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.editor.plans import Plan, build_plan
from bot.editor.problems import api_text, invalid_response_body, page_language
from bot.handoff.records import StaffRole
from bot.kb.changelog import Change, change_log
from bot.kb.holidays import public_holidays
from bot.kb.store import default_store
from bot.kb.writer import (
    ChangeConflict,
    EntryNotFound,
    InvalidChange,
    Validator,
    read_entry,
    save,
    undo,
    validate_knowledge_base,
    version_of,
)
from bot.web.auth import Staff, staff_route
from bot.web.http import ApiError, clean_json, parse_json_object, query_int

__all__ = ["ADMIN_ROLES", "EDITOR_ROLES", "kb_directory"]

EDITOR_ROLES = (StaffRole.EDITOR, StaffRole.ADMIN)
ADMIN_ROLES = (StaffRole.ADMIN,)
DIRECTORY_ATTR = "alver_editor_kb_dir"
"""``app.ctx`` attribute a test may set to edit another folder than the live one."""


def kb_directory(request: Request) -> Path:
    """The knowledge-base folder the editor changes (the one the bot reads)."""
    override = getattr(request.app.ctx, DIRECTORY_ATTR, None)
    if override:
        return Path(override)
    configured = os.environ.get("KNOWLEDGE_BASE_DIR")
    return Path(configured) if configured else default_store().directory


def change_json(change: Change, *, diff: bool = False) -> dict[str, Any]:
    """A change for the history list (with its diff when asked)."""
    body: dict[str, Any] = {
        "id": change.id,
        "file": change.file,
        "entry": change.entry,
        "summary": change.summary,
        "account": change.account,
        "at": change.at.isoformat(),
        "undoes": change.undoes,
    }
    if diff:
        body["diff"] = change.diff
    return body


def _conflict(error: ChangeConflict, current: Any = None, language: str = "nn") -> ApiError:
    other = error.change
    who = (
        api_text(
            "api_conflict_by",
            language,
            account=other.account,
            date=f"{other.at:%d.%m.%Y}",
            time=f"{other.at:%H.%M}",
        )
        if other
        else api_text("api_conflict_someone", language)
    )
    return ApiError(
        409,
        "conflict",
        api_text("api_conflict_kept", language, who=who),
        by=other.account if other else None,
        at=other.at.isoformat() if other else None,
        current=current,
        detail=str(error),
    )


def _apply(directory: Path, plan: Plan, account: str, validator: Validator | None) -> Change:
    return save(
        directory,
        plan.file,
        plan.mutate,
        account=account,
        entry=plan.entry,
        summary=plan.summary,
        version=plan.version,
        validator=validator or validate_knowledge_base,
    )


async def apply_plan(
    request: Request, staff: Staff, plan: Plan, *, validator: Validator | None = None
) -> Change:
    """Save ``plan`` in the live knowledge base, mapping writer errors to 4xx answers."""
    directory = kb_directory(request)
    try:
        return await staff.state.run(_apply, directory, plan, staff.user.username, validator)
    except InvalidChange as error:
        body = invalid_response_body(
            error, file=plan.file, index=plan.index, language=page_language(request)
        )
        raise ApiError(422, "invalid", body["message"], errors=body["errors"]) from None
    except ChangeConflict as error:
        current = None
        if plan.entry:
            try:
                current = read_entry(directory, plan.entry, plan.file)[0]
            except EntryNotFound:
                current = None
        raise _conflict(error, current, page_language(request)) from None
    except EntryNotFound as error:
        raise ApiError(404, "not_found", str(error)) from None


def _with_version(value: Any, version: str) -> dict[str, Any]:
    return {**(value if isinstance(value, dict) else {"value": value}), "version": version}


def _read(request: Request, entry: str, file: str | None = None) -> dict[str, Any]:
    try:
        value, version = read_entry(kb_directory(request), entry, file)
    except EntryNotFound as error:
        raise ApiError(404, "not_found", str(error)) from None
    return _with_version(value, version)


async def _save(request: Request, staff: Staff, kind: str, ident: str = "") -> HTTPResponse:
    plan = build_plan(kind, ident, parse_json_object(request))
    change = await apply_plan(request, staff, plan)
    status = 201 if plan.version is None else 200
    saved = None
    if plan.entry.startswith(("faq:", "locations:")) and kind != "faq_retire":
        saved = _read(request, plan.entry)
    elif plan.entry == "" or plan.entry == "exceptions":
        saved = _read(request, plan.entry, plan.file)
    return response.json({"change": change_json(change), "entry": saved}, status=status)


# ----- FAQ ---------------------------------------------------------------------------------


@staff_route(csrf=False, roles=EDITOR_ROLES)
async def faq_list(request: Request, staff: Staff) -> HTTPResponse:
    """``GET /faq?q=``: the entries (matching ``q`` in id, phrasings or answers)."""
    data = _read(request, "", "faq.yml")
    query = (request.args.get("q") or "").strip().casefold()[:200]
    entries = []
    for raw in data.get("faq") or []:
        if not isinstance(raw, dict):
            continue
        if query and query not in str(raw).casefold():
            continue
        entries.append(_with_version(raw, version_of(raw)))
    return response.json({"entries": entries, "total": len(data.get("faq") or [])})


@staff_route(csrf=False, roles=EDITOR_ROLES)
async def faq_get(request: Request, staff: Staff, ident: str) -> HTTPResponse:
    """``GET /faq/<id>``."""
    return response.json(_read(request, f"faq:{ident}"))


@staff_route(csrf=True, roles=EDITOR_ROLES)
async def faq_create(request: Request, staff: Staff) -> HTTPResponse:
    """``POST /faq``: a new entry."""
    return await _save(request, staff, "faq_new")


@staff_route(csrf=True, roles=EDITOR_ROLES)
async def faq_update(request: Request, staff: Staff, ident: str) -> HTTPResponse:
    """``PUT /faq/<id>``: phrasings, answers, link, checked."""
    return await _save(request, staff, "faq", ident)


@staff_route(csrf=True, roles=EDITOR_ROLES)
async def faq_add_phrasing(request: Request, staff: Staff, ident: str) -> HTTPResponse:
    """``POST /faq/<id>/phrasings``: one more phrasing."""
    return await _save(request, staff, "faq_phrasing", ident)


@staff_route(csrf=True, roles=EDITOR_ROLES)
async def faq_retire(request: Request, staff: Staff, ident: str) -> HTTPResponse:
    """``POST /faq/<id>/retire``: remove the entry (undo brings it back)."""
    return await _save(request, staff, "faq_retire", ident)


# ----- service desks, closures, contact ------------------------------------------------------


def _holidays(today: date) -> list[dict[str, str]]:
    days = {**public_holidays(today.year), **public_holidays(today.year + 1)}
    return [
        {"date": day.isoformat(), "nn": name.nn, "nb": name.nb}
        for day, name in sorted(days.items())
        if day >= today
    ]


@staff_route(csrf=False, roles=EDITOR_ROLES)
async def desks(request: Request, staff: Staff) -> HTTPResponse:
    """``GET /desks``: every place with its hours, address and version."""
    data = _read(request, "", "service_desks.yml")
    places = [
        _with_version(raw, version_of(raw))
        for raw in data.get("locations") or []
        if isinstance(raw, dict)
    ]
    return response.json({"locations": places})


@staff_route(csrf=True, roles=EDITOR_ROLES)
async def desk_update(request: Request, staff: Staff, ident: str) -> HTTPResponse:
    """``PUT /desks/<id>``: weekly hours, visiting address, map link."""
    return await _save(request, staff, "desk", ident)


@staff_route(csrf=False, roles=EDITOR_ROLES)
async def closures(request: Request, staff: Staff) -> HTTPResponse:
    """``GET /closures``: dated closures, the computed public holidays, the places."""
    data = _read(request, "exceptions", "closures.yml")
    places = _read(request, "", "service_desks.yml").get("locations") or []
    today = staff.state.now().date()
    return response.json(
        {
            "exceptions": data.get("value") or [],
            "version": data["version"],
            "holidays": _holidays(today),
            "locations": [
                {"id": p.get("id"), "name": p.get("name")} for p in places if isinstance(p, dict)
            ]
            + [{"id": "phone", "name": "Telefonen"}],
        }
    )


@staff_route(csrf=True, roles=EDITOR_ROLES)
async def closure_add(request: Request, staff: Staff) -> HTTPResponse:
    """``POST /closures``: a closed day or changed hours."""
    return await _save(request, staff, "closure_add")


@staff_route(csrf=True, roles=EDITOR_ROLES)
async def closure_remove(request: Request, staff: Staff, index: int) -> HTTPResponse:
    """``POST /closures/<index>/remove``."""
    return await _save(request, staff, "closure_remove", str(index))


@staff_route(csrf=False, roles=EDITOR_ROLES)
async def contact(request: Request, staff: Staff) -> HTTPResponse:
    """``GET /contact``: ``contact.yml`` and ``municipality.yml`` with their versions."""
    return response.json(
        {
            "contact": _read(request, "", "contact.yml"),
            "municipality": _read(request, "", "municipality.yml"),
        }
    )


@staff_route(csrf=True, roles=EDITOR_ROLES)
async def contact_update(request: Request, staff: Staff) -> HTTPResponse:
    """``PUT /contact``."""
    return await _save(request, staff, "contact")


@staff_route(csrf=True, roles=EDITOR_ROLES)
async def municipality_update(request: Request, staff: Staff) -> HTTPResponse:
    """``PUT /municipality``."""
    return await _save(request, staff, "municipality")


# ----- history -------------------------------------------------------------------------------


@staff_route(csrf=False, roles=EDITOR_ROLES)
async def history(request: Request, staff: Staff) -> HTTPResponse:
    """``GET /history?file=&limit=``: the newest changes first."""
    limit = query_int(request, "limit", 100, 1, 1000)
    file = clean_json(request.args.get("file")) or None  # no NUL: PostgreSQL refuses it
    changes = await staff.state.run(change_log().recent, limit, file)
    return response.json({"changes": [change_json(c) for c in changes]})


@staff_route(csrf=False, roles=EDITOR_ROLES)
async def history_entry(request: Request, staff: Staff, change_id: int) -> HTTPResponse:
    """``GET /history/<id>``: one change with its diff."""
    change = await staff.state.run(change_log().get, change_id)
    if change is None:
        raise ApiError(
            404,
            "not_found",
            api_text("api_no_change", page_language(request), number=str(change_id)),
        )
    return response.json(change_json(change, diff=True))


@staff_route(csrf=True, roles=EDITOR_ROLES)
async def history_undo(request: Request, staff: Staff, change_id: int) -> HTTPResponse:
    """``POST /history/<id>/undo``: restore what the change replaced."""
    directory = kb_directory(request)
    try:
        change = await staff.state.run(
            lambda: undo(directory, change_id, account=staff.user.username)
        )
    except EntryNotFound as error:
        raise ApiError(404, "not_found", str(error)) from None
    except ChangeConflict as error:
        raise _conflict(error, None, page_language(request)) from None
    except InvalidChange as error:
        body = invalid_response_body(error, file="", language=page_language(request))
        raise ApiError(422, "invalid", body["message"], errors=body["errors"]) from None
    return response.json({"change": change_json(change)}, status=201)
