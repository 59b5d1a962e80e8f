"""The editor API's preview and spreadsheet handlers (role editor or admin)."""

from __future__ import annotations

import logging
from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.editor import csvio, preview
from bot.editor.plans import build_plan
from bot.editor.problems import invalid_response_body, page_language
from bot.editor.views import EDITOR_ROLES, apply_plan, change_json, kb_directory
from bot.kb.writer import EntryNotFound, InvalidChange, read_entry
from bot.web.auth import Staff, staff_route
from bot.web.http import ApiError, parse_json_object

__all__ = ["faq_export", "faq_import", "preview_answers"]

logger = logging.getLogger(__name__)
MAX_QUESTIONS = 10
MAX_CSV_CHARS = 2_000_000


def _questions(body: dict[str, Any]) -> list[str]:
    value = body.get("questions")
    if not isinstance(value, list) or not all(isinstance(q, str) for q in value):
        raise ApiError(
            400, "bad_request", "'questions' must be a list of texts.", field="questions"
        )
    questions = [q.strip()[:500] for q in value if q.strip()]
    if not questions or len(questions) > MAX_QUESTIONS:
        raise ApiError(
            400,
            "bad_request",
            f"Skriv mellom 1 og {MAX_QUESTIONS} testspørsmål.",
            field="questions",
        )
    return questions


async def _parse(request: Request, question: str) -> dict[str, Any] | None:
    agent = getattr(request.app.ctx, "agent", None)
    if agent is None or not hasattr(agent, "parse_message"):
        return None
    try:
        parsed: dict[str, Any] = await agent.parse_message(question)
    except Exception:  # noqa: BLE001 - no model loaded yet: the fallback answers
        logger.warning("Preview: the agent could not parse a question; using the fallback.")
        return None
    return parsed


@staff_route(csrf=True, roles=EDITOR_ROLES)
async def preview_answers(request: Request, staff: Staff) -> HTTPResponse:
    """``POST /preview``: ``{"kind", "id", "change", "questions"}`` -> answers in nn and nb.

    ``kind`` and ``change`` are a form and its body exactly as it would be saved (see
    :data:`bot.editor.plans.PLANNERS`); ``kind`` may be empty to preview the saved state.
    """
    body = parse_json_object(request)
    questions = _questions(body)
    kind = str(body.get("kind") or "")
    change = body.get("change") or {}
    if not isinstance(change, dict):
        raise ApiError(400, "bad_request", "'change' must be an object.", field="change")
    plan = build_plan(kind, str(body.get("id") or ""), change) if kind else None
    directory = kb_directory(request)
    try:
        kb = await staff.state.run(preview.changed_knowledge_base, directory, plan)
    except InvalidChange as error:
        detail = invalid_response_body(
            error, file=plan.file if plan else "", index=None, language=page_language(request)
        )
        raise ApiError(422, "invalid", detail["message"], errors=detail["errors"]) from None
    except EntryNotFound as error:
        raise ApiError(404, "not_found", str(error)) from None
    answers = [await preview.answer(q, await _parse(request, q), kb) for q in questions]
    parsed = getattr(request.app.ctx, "agent", None) is not None
    return response.json({"answers": answers, "parsed_by_agent": parsed})


@staff_route(csrf=False, roles=EDITOR_ROLES)
async def faq_export(request: Request, staff: Staff) -> HTTPResponse:
    """``GET /faq.csv``: the FAQ as a spreadsheet."""
    data, _ = read_entry(kb_directory(request), "", "faq.yml")
    text = csvio.export_csv(csvio.faq_entries(data))
    return response.text(
        "\ufeff" + text,  # a BOM, so that Excel reads UTF-8
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="faq.csv"'},
    )


@staff_route(csrf=True, roles=EDITOR_ROLES)
async def faq_import(request: Request, staff: Staff) -> HTTPResponse:
    """``POST /faq/import``: ``{"csv": text, "apply": false}`` -> the summary (dry run);
    with ``"apply": true`` and the dry run's ``version`` it is written."""
    body = parse_json_object(request)
    text = body.get("csv")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_CSV_CHARS:
        raise ApiError(400, "bad_request", "Send the CSV file's text in 'csv'.", field="csv")
    try:
        rows = csvio.parse_csv(text)
    except csvio.CsvProblem as error:
        raise ApiError(
            422, "invalid", str(error), errors=[{"field": "csv", "message": str(error)}]
        ) from None
    directory = kb_directory(request)
    data, _ = read_entry(directory, "", "faq.yml")
    _, version = read_entry(directory, "faq", "faq.yml")
    apply = body.get("apply") is True
    plan, summary = csvio.import_plan(
        rows, csvio.faq_entries(data), str(body.get("version") or "") if apply else None
    )
    if apply and not body.get("version"):
        raise ApiError(400, "bad_request", "Send the 'version' of the dry run.", field="version")
    result: dict[str, Any] = {"summary": summary.as_json(), "version": version}
    if not summary.added and not summary.changed:
        return response.json({**result, "applied": False})
    if not apply:
        try:
            await staff.state.run(preview.changed_knowledge_base, directory, plan)
        except InvalidChange as error:
            detail = invalid_response_body(error, file="faq.yml", language=page_language(request))
            raise ApiError(
                422, "invalid", detail["message"], errors=detail["errors"], **result
            ) from None
        return response.json({**result, "applied": False})
    change = await apply_plan(request, staff, plan)
    return response.json({**result, "applied": True, "change": change_json(change)}, status=201)
