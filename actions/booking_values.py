"""What the booking form understands: topics, places, days, names and corrections.

Pure functions over the knowledge base and a date, so that they are tested without
Rasa. actions/booking.py uses them to validate the form's answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from rapidfuzz import fuzz, process

from bot.dates import find_dates
from bot.entities import LOCATION, extract
from bot.kb import KnowledgeBase
from bot.kb.hours import DayHours, hours_on
from bot.kb.meetings import DIGITAL
from bot.language import fold, words
from bot.messages import date_label, render

__all__ = [
    "CANCEL",
    "DIGITAL",
    "FIELDS",
    "Place",
    "asked_field",
    "day_hours",
    "is_cancel",
    "is_correction",
    "is_yes",
    "open_days",
    "parse_days",
    "parse_name",
    "parse_place",
    "parse_topic",
    "places",
]

# The form's fields a citizen can ask to change, in the order the form asks them.
FIELDS: tuple[str, ...] = (
    "booking_topic",
    "booking_place",
    "booking_days",
    "booking_name",
    "booking_description",
)
# How many open days are offered as buttons, and how far ahead the form looks.
OFFERED_DAYS = 10
SEARCH_DAYS = 60
MAX_NAME_LENGTH = 80
MAX_DESCRIPTION_LENGTH = 500

CANCEL = re.compile(
    r"^(?:nei,? )?(?:avbryt|stopp|stop|glem det|gloym det|cancel|hald opp|hold opp|"
    r"slutt|avslutt|drit i det|forget it|never mind)\b"
)
_YES = re.compile(
    r"^(?:ja|jepp|ok|okei|send|send den|send forespurnaden|send foresporselen|stemmer|"
    r"det stemmer|riktig|rett|yes|confirm|send it|send the request|correct)\b"
)
_CORRECTION = re.compile(
    r"\b(?:endre|endra|end?r|rette|korriger|korrigere|change|edit|feil|wrong|"
    r"meinte|mente|meant|eigentleg|egentlig|actually|heller|instead|nei)\b"
)
# Words naming a field ("endre staden"): folded, without æøå.
_FIELD_WORDS: dict[str, tuple[str, ...]] = {
    "booking_topic": ("emne", "emnet", "tema", "temaet", "omrade", "omradet", "topic", "subject"),
    "booking_place": ("stad", "staden", "sted", "stedet", "plass", "kontor", "place", "where"),
    "booking_days": ("dag", "dagen", "dagar", "dagane", "dager", "dagene", "dato", "day", "days"),
    "booking_name": ("namn", "namnet", "navn", "navnet", "name"),
    "booking_description": (
        "skildring",
        "skildringa",
        "beskriving",
        "beskrivelse",
        "beskrivelsen",
        "tekst",
        "teksten",
        "description",
        "sporsmal",
        "sporsmalet",
    ),
}
_DIGITAL_WORDS = frozenset(
    {"digital", "digitalt", "digitale", "video", "videomote", "teams", "nett", "online", "skjerm"}
)
_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_NAME = re.compile(r"^[^\W\d_][^\W\d_ .'’-]*(?:[ .'’-]+[^\W\d_][^\W\d_.'’-]*)*\.?$")


@dataclass(frozen=True)
class Place:
    """Where a meeting can be: a location in the knowledge base, or ``digital``."""

    id: str
    label: str


def places(kb: KnowledgeBase, language: str) -> list[Place]:
    """The places offered: every location in the knowledge base, then a digital meeting."""
    found = [Place(loc.id, loc.name) for loc in kb.locations]
    return [*found, Place(DIGITAL, render("booking_place_digital", language))]


def place_label(kb: KnowledgeBase, place_id: str, language: str) -> str:
    """The place's name as the citizen reads it (``digital`` in the citizen's language)."""
    return next((p.label for p in places(kb, language) if p.id == place_id), place_id)


def day_hours(kb: KnowledgeBase, place_id: str, day: date) -> DayHours:
    """Meeting hours at a place on a day: the desk's hours, else ``meetings.hours``.

    Public holidays and closures apply either way (hours_on).
    """
    location = kb.location(place_id)
    weekly = location.opening_hours if location and location.has_desk else kb.meetings.hours
    return hours_on(kb, weekly, place_id, day)


def open_days(
    kb: KnowledgeBase, place_id: str, today: date, count: int = OFFERED_DAYS
) -> list[date]:
    """The next ``count`` days after today when a meeting can be had at the place."""
    days: list[date] = []
    for offset in range(1, SEARCH_DAYS + 1):
        day = today + timedelta(days=offset)
        if day_hours(kb, place_id, day).is_open:
            days.append(day)
            if len(days) == count:
                break
    return days


def is_cancel(text: str) -> bool:
    """Whether the message stops the booking ("avbryt", "stopp", "glem det")."""
    folded = " ".join(words(text))
    return len(folded.split()) <= 6 and bool(CANCEL.match(folded))


def is_yes(text: str) -> bool:
    """Whether the message confirms the summary ("ja", "send", "stemmer")."""
    return bool(_YES.match(" ".join(words(text))))


def is_correction(text: str) -> bool:
    """Whether the message corrects an earlier answer ("nei, eg meinte Manger")."""
    return bool(_CORRECTION.search(" ".join(words(text))))


def asked_field(text: str) -> str | None:
    """The field a message asks to change ("endre staden" -> ``booking_place``), if any."""
    tokens = set(words(text))
    for slot, names in _FIELD_WORDS.items():
        if tokens & set(names):
            return slot
    return None


def parse_topic(text: str, kb: KnowledgeBase) -> str | None:
    """The meeting topic a message names: a topic's name or one of its words (typos allowed)."""
    folded = " ".join(words(text))
    if not folded:
        return None
    phrases: dict[str, str] = {}
    for topic in kb.meetings.topics:
        for phrase in (
            topic.id,
            topic.name.nn,
            topic.name.nb,
            topic.name.en or "",
            *topic.synonyms,
        ):
            if phrase:
                phrases[" ".join(words(phrase))] = topic.id
    if folded in phrases:
        return phrases[folded]
    tokens = folded.split()
    for phrase, topic_id in phrases.items():
        if " " not in phrase and phrase in tokens:
            return topic_id
        if " " in phrase and f" {phrase} " in f" {folded} ":
            return topic_id
    best = process.extractOne(folded, list(phrases), scorer=fuzz.ratio, score_cutoff=85)
    return phrases[best[0]] if best else None


def parse_place(text: str, kb: KnowledgeBase) -> str | None:
    """The place a message names: a location (typo-tolerant) or a digital meeting."""
    if set(words(text)) & _DIGITAL_WORDS:
        return DIGITAL
    for match in extract(text, kb):
        if match.entity == LOCATION:
            return match.value
    return None


def parse_days(
    text: str, kb: KnowledgeBase, place_id: str, today: date, language: str
) -> tuple[list[date], list[date]]:
    """The days a message names at a place, split into open and closed ones.

    A day offered as a button ("tysdag 1. desember") is read by its label first; other
    text is read with bot.dates (dates, weekdays, "neste veke", ...). Only days after
    today and within the search window count.

    Returns:
        The open days, and the days named on which the place is closed.
    """
    offered = open_days(kb, place_id, today)
    labels = {fold(date_label(day, language)): day for day in offered}
    wanted = [day for label, day in labels.items() if label in fold(text)]
    for iso in _ISO_DATE.findall(text):
        try:
            wanted.append(date.fromisoformat(iso))
        except ValueError:
            continue
    if not wanted:
        for ref in find_dates(text, today):
            # "fredag" said on a Friday means next Friday: a meeting is never today.
            shift = timedelta(days=7) if ref.kind == "weekday" and ref.start == today else None
            wanted += [day + shift for day in ref.days()] if shift else ref.days()
    last = today + timedelta(days=SEARCH_DAYS)
    wanted = sorted({day for day in wanted if today < day <= last})
    opened = [day for day in wanted if day_hours(kb, place_id, day).is_open]
    closed = [day for day in wanted if day not in opened]
    return opened, closed


def parse_name(text: str) -> str | None:
    """A name: letters, spaces, hyphens and apostrophes, at most 80 characters."""
    name = " ".join(text.split()).strip(" .")
    if not name or len(name) > MAX_NAME_LENGTH or "[" in name or not _NAME.match(name):
        return None
    return name


def encode_days(days: list[date]) -> str:
    """Days as a slot value: ``2026-12-01,2026-12-03``."""
    return ",".join(day.isoformat() for day in days)


def decode_days(value: str | None) -> list[date]:
    """The days in a slot value (malformed parts skipped)."""
    days: list[date] = []
    for part in (value or "").split(","):
        try:
            days.append(date.fromisoformat(part.strip()))
        except ValueError:
            continue
    return days
