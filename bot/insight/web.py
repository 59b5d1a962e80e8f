"""Console views of the insight page: inbox groups, the report as JSON/HTML/CSV, FAQ list.

Blocking work only (run through ``WebState.run``); HTTP translation is in
:mod:`bot.channels.insight_channel`.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bot.handoff.insight import sources_for
from bot.handoff.store import HandoffStore
from bot.kb.models import KnowledgeBase
from bot.kb.store import DEFAULT_DIRECTORY

from .facts import FAQ_INTENTS
from .faq_port import FaqWriter, KbWriterAdapter
from .figures import ASSUMPTIONS, Report, build_report
from .inbox import group_messages
from .topics import faq_finder

__all__ = [
    "MAX_REPORT_DAYS",
    "STATIC_DIR",
    "TABLES",
    "default_writer",
    "faq_entries",
    "inbox_groups",
    "lemmas_for",
    "parse_period",
    "report_csv",
    "report_json",
    "report_of",
]

STATIC_DIR = Path(__file__).resolve().parents[1] / "web" / "static" / "insight"
TABLES = ("samandrag", "per_dag", "per_vekedag", "per_time", "tema", "innsparing")
"""The report's tables (CSV file names)."""
MAX_REPORT_DAYS = 3 * 366
"""Longest period one report covers."""


def lemmas_for(kb: KnowledgeBase) -> Callable[[str], list[str]]:
    """Folded topic words of a text, the way the bot's FAQ matching sees them."""
    from actions.faq import topic_words  # the bot's own word handling

    return lambda text: topic_words(text, kb)


def inbox_groups(store: HandoffStore, kb: KnowledgeBase) -> list[dict[str, Any]]:
    """The unanswered inbox, grouped by similarity, biggest group first.

    A fallback or low-confidence message the FAQ answers (actions/fallback.py tries the
    FAQ first) was answered after all, and stays out.
    """
    faq_of = faq_finder(kb)
    items = [
        item
        for item in store.insight.unanswered()
        if not (
            item.reason in ("fallback", "low_confidence")
            and (item.intent is None or item.intent in FAQ_INTENTS)
            and faq_of(item.text) is not None
        )
    ]
    groups = group_messages(items, lemmas_for(kb))
    return [group.to_json() for group in groups]


def faq_entries(kb: KnowledgeBase) -> list[dict[str, Any]]:
    """FAQ entries for the "add as phrasing of" choice: id and first question."""
    return [
        {"id": entry.id, "question": entry.questions[0] if entry.questions else entry.id}
        for entry in kb.faq
    ]


def parse_period(start: str | None, end: str | None, today: date) -> tuple[date, date]:
    """The report period from query values (default: the last 30 days up to today).

    Raises:
        ValueError: For a bad date, ``to`` before ``from``, or a period too long.
    """
    try:
        last = date.fromisoformat(end) if end else today
        first = date.fromisoformat(start) if start else last - timedelta(days=29)
    except ValueError:
        raise ValueError("Dates must look like 2026-01-31.") from None
    if last < first:
        raise ValueError("'to' is before 'from'.")
    if (last - first).days >= MAX_REPORT_DAYS:
        raise ValueError(f"A report covers at most {MAX_REPORT_DAYS} days.")
    return first, last


def report_of(store: HandoffStore, kb: KnowledgeBase, start: date, end: date) -> Report:
    """The report's figures for the period."""
    return build_report(store.insight.facts(start, end, sources_for(kb)), start, end)


def report_json(report: Report) -> dict[str, Any]:
    """The report as JSON for the console page."""
    return {
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "tables": report.tables(),
        "assumptions": list(ASSUMPTIONS),
    }


def report_csv(report: Report, table: str) -> str | None:
    """One table as CSV text, or None if there is no such table."""
    rows = report.tables().get(table)
    if rows is None:
        return None
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["namn", "verdi"])
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def default_writer() -> FaqWriter:
    """The FAQ writer over the live knowledge base folder (``KNOWLEDGE_BASE_DIR``)."""
    return KbWriterAdapter(Path(os.environ.get("KNOWLEDGE_BASE_DIR") or DEFAULT_DIRECTORY))
