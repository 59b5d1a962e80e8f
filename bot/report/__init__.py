"""The yearly report: ``python -m bot.report --from YYYY-MM-DD --to YYYY-MM-DD --out DIR``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.handoff.insight import sources_for
from bot.handoff.store import HandoffStore
from bot.insight.figures import Report, build_report
from bot.insight.output import write_report
from bot.kb.models import KnowledgeBase

__all__ = ["make_report", "report_for"]


def report_for(store: HandoffStore, kb: KnowledgeBase, start: date, end: date) -> Report:
    """The figures of conversations started from ``start`` to ``end`` (inclusive)."""
    if end < start:
        raise ValueError(f"--to ({end}) is before --from ({start}); swap them.")
    return build_report(store.insight.facts(start, end, sources_for(kb)), start, end)


def make_report(
    store: HandoffStore, kb: KnowledgeBase, start: date, end: date, out: Path
) -> dict[str, Path]:
    """Compute the report and write its files to ``out``."""
    return write_report(report_for(store, kb, start, end), out)
