"""The report's figures from conversation facts: pure functions, exact numbers.

Every table is a list of rows (dicts with the same keys), so the CSV files, the
HTML report, the console page and the tests all read the same values.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from .facts import ConversationFacts, percentile

__all__ = [
    "ASSUMPTIONS",
    "COST_PER_CONTACT",
    "WEEKDAYS_NN",
    "Report",
    "build_report",
]

COST_PER_CONTACT = {"sjolvbetening": 3, "telefon": 40, "personleg oppmote": 80, "brev/e-post": 110}
"""Kroner per contact, from the strategy's Tabell 1 (about)."""

WEEKDAYS_NN = ("måndag", "tysdag", "onsdag", "torsdag", "fredag", "laurdag", "sundag")

Row = dict[str, Any]


@dataclass(frozen=True)
class Report:
    """All figures of one period."""

    start: date
    end: date
    summary: list[Row] = field(default_factory=list)
    per_day: list[Row] = field(default_factory=list)
    per_weekday: list[Row] = field(default_factory=list)
    per_hour: list[Row] = field(default_factory=list)
    topics: list[Row] = field(default_factory=list)
    saving: list[Row] = field(default_factory=list)

    def value(self, name: str) -> Any:
        """A summary figure by name (``KeyError`` if there is none)."""
        for row in self.summary:
            if row["namn"] == name:
                return row["verdi"]
        raise KeyError(name)

    def tables(self) -> dict[str, list[Row]]:
        """Every table by file name (without ``.csv``)."""
        return {
            "samandrag": self.summary,
            "per_dag": self.per_day,
            "per_vekedag": self.per_weekday,
            "per_time": self.per_hour,
            "tema": self.topics,
            "innsparing": self.saving,
        }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _median(values: Sequence[float]) -> float | None:
    return round(float(statistics.median(values)), 1) if values else None


def _p90(values: Sequence[float]) -> float | None:
    found = percentile(values, 0.9)
    return round(found, 1) if found is not None else None


def _counts(facts: Sequence[ConversationFacts], key: Any, keys: Sequence[Any]) -> list[Row]:
    rows = {k: {"samtalar": 0, "meldingar": 0} for k in keys}
    for f in facts:
        row = rows.get(key(f))
        if row is not None:
            row["samtalar"] += 1
            row["meldingar"] += f.citizen_messages
    return [{"key": k, **v} for k, v in rows.items()]


def _topics(facts: Sequence[ConversationFacts]) -> list[Row]:
    rows: dict[str, Row] = {}
    for f in facts:
        for topic in f.topics:
            row = rows.setdefault(
                topic.topic,
                {
                    "tema": topic.topic,
                    "samtalar": 0,
                    "tommel_opp": 0,
                    "tommel_ned": 0,
                    "ja": 0,
                    "delvis": 0,
                    "nei": 0,
                },
            )
            row["samtalar"] += 1
            row["tommel_opp"] += topic.up
            row["tommel_ned"] += topic.down
            if f.rating in ("yes", "partly", "no"):
                row[{"yes": "ja", "partly": "delvis", "no": "nei"}[f.rating]] += 1
    return sorted(rows.values(), key=lambda r: (-r["samtalar"], r["tema"]))


def _saving(resolved: int) -> list[Row]:
    phone, own = COST_PER_CONTACT["telefon"], COST_PER_CONTACT["sjolvbetening"]
    return [
        {"namn": "samtalar løyste av boten", "verdi": resolved},
        {"namn": "kostnad per telefonkontakt (kr)", "verdi": phone},
        {"namn": "kostnad per sjølvbetening (kr)", "verdi": own},
        {"namn": "innsparing per samtale (kr)", "verdi": phone - own},
        {"namn": "estimert innsparing (kr)", "verdi": resolved * (phone - own)},
    ]


ASSUMPTIONS = (
    "Kostnad per kontakt frå strategien sin Tabell 1: sjølvbetening om lag 3 kr, "
    "telefon om lag 40 kr, personleg oppmøte om lag 80 kr, brev/e-post om lag 110 kr.",
    "Kvar samtale boten løyste, tel som ein sjølvbeteningskontakt i staden for ein "
    "telefonsamtale (40 kr − 3 kr = 37 kr spart).",
    "Løyst av boten: innbyggjaren stilte minst eitt spørsmål boten svarte på, bad ikkje "
    "om ein person, la ikkje att ein førespurnad, gav ingen tommel ned og svarte ikkje "
    "«nei» eller «delvis» på om hen fekk svar.",
    "Samtalar som ville ha vore eit oppmøte, brev eller e-post er ikkje rekna med: "
    "talet er difor eit forsiktig anslag.",
)
"""The saving's assumptions, printed next to the figure."""


def build_report(facts: Sequence[ConversationFacts], start: date, end: date) -> Report:
    """Compute every figure for conversations started from ``start`` to ``end``."""
    facts = [f for f in facts if start <= f.started_on <= end and f.citizen_messages > 0]
    total = len(facts)
    messages = sum(f.citizen_messages for f in facts)
    resolved = sum(f.resolved_by_bot for f in facts)
    fallbacks = sum(f.fallbacks for f in facts)
    handoffs = sum(f.handoff for f in facts)
    known_hours = [f for f in facts if f.outside_hours is not None]
    outside = sum(bool(f.outside_hours) for f in known_hours)
    waits = [f.queue_wait_s for f in facts if f.queue_wait_s is not None]
    handling = [f.handling_s for f in facts if f.handling_s is not None]
    offline = [f for f in facts if f.offline_request]
    answer_times = [f.offline_answer_s for f in offline if f.offline_answer_s is not None]
    ratings = {v: sum(f.rating == v for f in facts) for v in ("yes", "partly", "no")}
    thumbs_up = sum(t.up for f in facts for t in f.topics)
    thumbs_down = sum(t.down for f in facts for t in f.topics)
    summary: list[Row] = [
        {"namn": "samtalar", "verdi": total},
        {"namn": "meldingar frå innbyggjarar", "verdi": messages},
        {"namn": "løyst av boten", "verdi": resolved},
        {"namn": "del løyst av boten", "verdi": _share(resolved, total)},
        {"namn": "meldingar boten ikkje forstod", "verdi": fallbacks},
        {"namn": "del meldingar boten ikkje forstod", "verdi": _share(fallbacks, messages)},
        {"namn": "samtalar sette over til ein person", "verdi": handoffs},
        {"namn": "del sette over til ein person", "verdi": _share(handoffs, total)},
        {"namn": "ventetid i kø, median (s)", "verdi": _median(waits)},
        {"namn": "ventetid i kø, 90-persentil (s)", "verdi": _p90(waits)},
        {"namn": "handsamingstid, median (s)", "verdi": _median(handling)},
        {"namn": "handsamingstid, 90-persentil (s)", "verdi": _p90(handling)},
        {"namn": "førespurnader lagde att", "verdi": len(offline)},
        {"namn": "førespurnader svara på", "verdi": len(answer_times)},
        {"namn": "svartid førespurnader, median (s)", "verdi": _median(answer_times)},
        {"namn": "svartid førespurnader, 90-persentil (s)", "verdi": _p90(answer_times)},
        {"namn": "samtalar utanfor opningstida", "verdi": outside},
        {"namn": "del utanfor opningstida", "verdi": _share(outside, len(known_hours))},
        {"namn": "tommel opp", "verdi": thumbs_up},
        {"namn": "tommel ned", "verdi": thumbs_down},
        {"namn": "vurdering ja", "verdi": ratings["yes"]},
        {"namn": "vurdering delvis", "verdi": ratings["partly"]},
        {"namn": "vurdering nei", "verdi": ratings["no"]},
        {"namn": "estimert innsparing (kr)", "verdi": _saving(resolved)[-1]["verdi"]},
    ]
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    per_day = [
        {"dato": r["key"].isoformat(), "samtalar": r["samtalar"], "meldingar": r["meldingar"]}
        for r in _counts(facts, lambda f: f.started_on, days)
    ]
    per_weekday = [
        {"vekedag": WEEKDAYS_NN[r["key"]], "samtalar": r["samtalar"], "meldingar": r["meldingar"]}
        for r in _counts(facts, lambda f: f.weekday, range(7))
    ]
    per_hour = [
        {"time": r["key"], "samtalar": r["samtalar"], "meldingar": r["meldingar"]}
        for r in _counts(facts, lambda f: f.started_hour, range(24))
    ]
    return Report(
        start=start,
        end=end,
        summary=summary,
        per_day=per_day,
        per_weekday=per_weekday,
        per_hour=per_hour,
        topics=_topics(facts),
        saving=_saving(resolved),
    )
