"""The console's history: search results as JSON, one conversation as text for the archive,
and the citizen's start page (path only).

Read-only and blocking (the channel runs these with :meth:`bot.web.state.WebState.run`).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from bot.handoff.history import GENERIC_INTENTS, HistoryHit, HistoryQuery
from bot.handoff.records import Sender
from bot.kb.hours import OSLO
from bot.messages import ui_texts

from .console_views import asked_question
from .http import ApiError, clean_json
from .state import WebState
from .views import iso

__all__ = [
    "MAX_PAGE_CHARS",
    "clean_page",
    "conversation_text",
    "history_json",
    "history_query",
]

MAX_PAGE_CHARS = 200
_PATH_RE = re.compile(r"/[\w\-./~%+]*", re.UNICODE)


def clean_page(value: object) -> str | None:
    """The start page the widget sent, as a path only (no host, query or fragment).

    ``{"page": location.pathname}`` is the expected value; a full URL is cut to its path.
    None, an empty string or anything not a path gives None; so does a non-string.

    Raises:
        ApiError: 400 ``invalid_field`` if ``page`` is not a string.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError(400, "invalid_field", "The field 'page' must be a string.", field="page")
    path = urlsplit(value.strip()).path[:MAX_PAGE_CHARS]
    return path if path and _PATH_RE.fullmatch(path) else None


def _day(raw: str | None, name: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(
            400, "invalid_field", f"'{name}' must be a date like 2026-11-27.", field=name
        ) from None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=OSLO).astimezone(timezone.utc)


def history_query(args: Any) -> HistoryQuery:
    """Read ``q``, ``from``, ``to`` (dates, Oslo, inclusive), ``staff`` and ``topic``.

    Raises:
        ApiError: 400 ``invalid_field`` for a malformed date or staff id.
    """
    # clean_json: NUL removed (PostgreSQL refuses it), a lone surrogate refused with 400.
    text = clean_json(args.get("q") or "").strip()[:200] or None
    start, end = _day(args.get("from"), "from"), _day(args.get("to"), "to")
    staff_raw = args.get("staff") or ""
    try:
        staff = int(staff_raw) if staff_raw else None
    except ValueError:
        staff = -1
    if staff is not None and not 1 <= staff <= 2**62:
        raise ApiError(400, "invalid_field", "'staff' must be a staff member's id.", field="staff")
    topic = clean_json(args.get("topic") or "").strip()[:100] or None
    return HistoryQuery(
        text=text,
        start=_start_of(start) if start else None,
        end=_start_of(end + timedelta(days=1)) if end else None,
        staff_user_id=staff,
        topic=topic,
    )


def _hit_json(state: WebState, hit: HistoryHit, names: dict[int, str]) -> dict[str, Any]:
    answered_by = [names.get(i, "?") for i in hit.staff_user_ids]
    if hit.conversation is None:
        return {
            "kind": "request",
            "id": hit.request_id,
            "at": iso(hit.at),
            "answered_by": answered_by,
            "question": hit.question,
            "contact": hit.contact,
        }
    conversation = hit.conversation
    asked = asked_question(state, conversation.id, state.store.messages.transcript(conversation.id))
    return {
        "kind": "conversation",
        "id": conversation.id,
        "at": iso(hit.at),
        "started_at": iso(conversation.created_at),
        "state": conversation.state.value,
        "language": conversation.language.value,
        "answered_by": answered_by,
        "question": asked.text[:200] if asked else "",
        "topic": asked.intent if asked and asked.intent not in GENERIC_INTENTS else None,
    }


def history_json(state: WebState, query: HistoryQuery) -> dict[str, Any]:
    """Search results, newest first, each with who answered."""
    hits = state.store.history.search(query)
    ids = sorted({i for hit in hits for i in hit.staff_user_ids})
    names = state.store.history.first_names(ids)
    return {"results": [_hit_json(state, hit, names) for hit in hits]}


def _topic(texts: dict[str, str], topic: str | None) -> str:
    return texts.get("topic_" + topic, topic) if topic else "–"


def _clock(moment: datetime) -> str:
    return moment.astimezone(OSLO).strftime("%Y-%m-%d %H:%M")


def conversation_text(state: WebState, conversation_id: str, language: str) -> str | None:
    """One conversation as plain text for the archive (None if it does not exist)."""
    conversation = state.store.conversations.get(conversation_id)
    if conversation is None:
        return None
    texts = ui_texts("console", language, state.knowledge_base())
    messages = state.store.messages.transcript(conversation_id)
    notes = state.store.notes.list(conversation_id)
    asked = asked_question(state, conversation_id, messages)
    topic = asked.intent if asked and asked.intent not in GENERIC_INTENTS else None
    authors = {m.staff_user_id for m in messages if m.staff_user_id}
    ids = sorted(authors | {n.author_id for n in notes})
    names = state.store.history.first_names(ids)
    sender = {
        Sender.CITIZEN: texts.get("senderCitizen", "Innbyggjar"),
        Sender.BOT: texts.get("senderBot", "Chatbot"),
        Sender.SYSTEM: texts.get("senderSystem", "System"),
    }
    lines = [
        texts.get("exportTitle", "Samtale"),
        f"{texts.get('exportStarted', 'Start')}: {_clock(conversation.created_at)}",
        f"{texts.get('exportLanguage', 'Språk')}: {conversation.language.value}",
        f"{texts.get('exportTopic', 'Emne')}: {_topic(texts, topic)}",
        f"{texts.get('exportAnsweredBy', 'Svart av')}: "
        + (", ".join(names[i] for i in sorted(authors) if i in names) or "–"),
        f"{texts.get('exportId', 'Id')}: {conversation.id}",
        "",
    ]
    for message in messages:
        who = (
            names.get(message.staff_user_id or 0, "?")
            if message.sender is Sender.STAFF
            else sender[message.sender]
        )
        lines.append(f"[{_clock(message.created_at)}] {who}: {message.text}")
    if notes:
        lines += ["", texts.get("exportNotes", "Interne merknader") + ":"]
        lines += [
            f"[{_clock(n.created_at)}] {names.get(n.author_id, '?')}: {n.text}" for n in notes
        ]
    return "\n".join(lines) + "\n"
