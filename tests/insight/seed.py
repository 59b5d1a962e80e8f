"""A seeded week of conversations (2-8 November 2026) with known answers.

Every figure the report shows is written out in :data:`EXPECTED`, worked out by hand
from the scripts below. Times are Europe/Oslo. ``C10`` is deleted after seeding, so
its facts come from the archived statistics; ``C9`` is outside the week.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from bot.handoff import HandoffStore
from bot.handoff.insight import FactSources
from bot.kb.hours import OSLO

START, END = date(2026, 11, 2), date(2026, 11, 8)


class Clock:
    """The store's clock, set by the seeder."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 1, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A November 2026 time in Oslo, as aware UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=OSLO).astimezone(timezone.utc)


FAQ = {"når kjem bossbilen": "renovasjon"}
"""The fake FAQ matcher's answers (the real one is tested separately)."""


def fake_sources() -> FactSources:
    """FAQ ids from :data:`FAQ`; the desk open Monday-Friday 09-15."""

    def outside(moment: datetime) -> bool:
        local = moment.astimezone(OSLO)
        return not (local.weekday() < 5 and 9 <= local.hour < 15)

    return FactSources(lambda text: FAQ.get(text), outside)


@dataclass
class Script:
    """One conversation: its start, language and steps (kind, minute offset, data)."""

    name: str
    start: datetime
    language: str
    steps: list[tuple[str, int, Any]] = field(default_factory=list)


SCRIPTS = [
    Script(
        "C1",
        at(2, 10, 15),
        "nn",
        [
            ("citizen", 0, ("Når er det opent?", "ask_opening_hours", 0.95)),
            ("bot", 0, ("Opningstidene er ...", 1)),
            ("rating", 1, ("yes", None)),
        ],
    ),
    Script(
        "C2",
        at(2, 20, 30),
        "nb",
        [
            ("citizen", 0, ("når kjem bossbilen", "ask_municipal_topic", 0.8)),
            ("bot", 0, ("Tømmekalenderen ...", None)),
        ],
    ),
    Script(
        "C3",
        at(3, 11),
        "nn",
        [
            ("citizen", 0, ("kva kostar parkering ved hamna", "nlu_fallback", 0.3)),
            ("bot", 0, ("Eg forstod ikkje.", None)),
            ("citizen", 1, ("menneske", "request_human", 0.99)),
            ("request_human", 1, None),
            ("claim", 3, None),
            ("staff", 5, "Hei, det kostar 20 kr timen."),
            ("close", 13, None),
        ],
    ),
    Script(
        "C4",
        at(4, 13),
        "en",
        [
            ("citizen", 0, ("opening hours", "ask_opening_hours", 0.9)),
            ("bot", 0, ("The opening hours are ...", -1)),
            ("rating", 2, ("no", "ring meg på 41234567")),
        ],
    ),
    Script(
        "C5",
        at(7, 9),
        "nn",
        [
            ("citizen", 0, ("parkering hamna pris", "nlu_fallback", 0.2)),
            ("citizen", 1, ("snakke med ein person", "request_human", 0.97)),
            ("request_human", 1, None),
            ("cancel", 4, None),
            ("offline", 5, ("Kva kostar parkering ved hamna?", 5 + 48 * 60)),
        ],
    ),
    Script(
        "C6",
        at(8, 14),
        "nn",
        [("citizen", 0, ("hei", "greet", 0.99)), ("rating", 1, ("partly", None))],
    ),
    Script("C7", at(5, 10), "nn", [("bot", 0, ("Hei! Kva lurer du på?", None))]),
    Script(
        "C8",
        at(5, 12),
        "nb",
        [("citizen", 0, ("parkering ved hamna?", "out_of_scope", 0.4))],
    ),
    Script(
        "C9",
        at(9, 10),
        "nn",
        [
            ("citizen", 0, ("eg vil klage på byggesaka mi", "ask_municipal_topic", 0.9)),
            ("citizen", 1, ("snakke med nokon", "request_human", 0.99)),
            ("request_human", 1, None),
        ],
    ),
    Script(
        "C10",
        at(6, 10),
        "nn",
        [
            ("citizen", 0, ("kva er telefonnummeret", "ask_phone", 0.9)),
            ("bot", 0, ("56 37 50 00", None)),
        ],
    ),
]


def seed(store: HandoffStore, clock: Clock) -> dict[str, str]:
    """Play every script into ``store``; delete C10. Returns name -> conversation id."""
    staff = store.users.add("seed-kari", "Kari", "riktig-hest-batteri", "staff")
    ids: dict[str, str] = {}
    for script in SCRIPTS:
        clock.now = script.start
        conv = store.conversations.create(script.language)
        ids[script.name] = conv.id
        for kind, minute, data in script.steps:
            clock.now = script.start + timedelta(minutes=minute)
            if kind == "citizen":
                text, intent, confidence = data
                store.messages.receive_citizen(conv.id, text, intent=intent, confidence=confidence)
            elif kind == "bot":
                text, thumbs = data
                message = store.messages.add(conv.id, "bot", text)
                if thumbs is not None:
                    store.messages.set_feedback(message.id, conv.id, thumbs)
            elif kind == "staff":
                store.messages.add(conv.id, "staff", data, staff_user_id=staff.id)
            elif kind == "claim":
                assert store.conversations.claim(conv.id, staff.id)
            elif kind in ("request_human", "cancel", "close"):
                store.conversations.transition(conv.id, kind, "staff:seed-kari")
            elif kind == "rating":
                store.insight.rate(conv.id, data[0], data[1])
            elif kind == "offline":
                question, answered_after = data
                request = store.requests.create(question, "kari@example.no", "nn", conv.id)
                clock.now = script.start + timedelta(minutes=answered_after)
                store.requests.mark_answered(request.id, staff.id)
    clock.now = at(10, 8)
    assert store.conversations.delete(ids["C10"])
    return ids


EXPECTED_SUMMARY = {
    "samtalar": 8,
    "meldingar frå innbyggjarar": 10,
    "løyst av boten": 3,
    "del løyst av boten": 0.375,
    "meldingar boten ikkje forstod": 2,
    "del meldingar boten ikkje forstod": 0.2,
    "samtalar sette over til ein person": 2,
    "del sette over til ein person": 0.25,
    "ventetid i kø, median (s)": 120.0,
    "ventetid i kø, 90-persentil (s)": 120.0,
    "handsamingstid, median (s)": 600.0,
    "handsamingstid, 90-persentil (s)": 600.0,
    "førespurnader lagde att": 1,
    "førespurnader svara på": 1,
    "svartid førespurnader, median (s)": 172800.0,
    "svartid førespurnader, 90-persentil (s)": 172800.0,
    "samtalar utanfor opningstida": 3,
    "del utanfor opningstida": 0.375,
    "tommel opp": 1,
    "tommel ned": 1,
    "vurdering ja": 1,
    "vurdering delvis": 1,
    "vurdering nei": 1,
    "estimert innsparing (kr)": 111,
}

EXPECTED_PER_DAY = [
    ("2026-11-02", 2, 2),
    ("2026-11-03", 1, 2),
    ("2026-11-04", 1, 1),
    ("2026-11-05", 1, 1),
    ("2026-11-06", 1, 1),
    ("2026-11-07", 1, 2),
    ("2026-11-08", 1, 1),
]

EXPECTED_PER_HOUR = {
    9: (1, 2),
    10: (2, 2),
    11: (1, 2),
    12: (1, 1),
    13: (1, 1),
    14: (1, 1),
    20: (1, 1),
}

EXPECTED_TOPICS = [
    # topic, conversations, thumbs up, thumbs down, yes, partly, no
    ("ask_opening_hours", 2, 1, 1, 1, 0, 1),
    ("nlu_fallback", 2, 0, 0, 0, 0, 0),
    ("request_human", 2, 0, 0, 0, 0, 0),
    ("ask_phone", 1, 0, 0, 0, 0, 0),
    ("faq:renovasjon", 1, 0, 0, 0, 0, 0),
    ("greet", 1, 0, 0, 0, 1, 0),
    ("out_of_scope", 1, 0, 0, 0, 0, 0),
]

EXPECTED_INBOX = [
    # group texts (newest first) and reasons
    (
        ["parkering hamna pris", "parkering ved hamna?", "kva kostar parkering ved hamna"],
        {"fallback": 2, "low_confidence": 1},
    ),
    (["opening hours"], {"thumbs_down": 1}),
    (["eg vil klage på byggesaka mi"], {"handoff": 1}),
]
