"""References in held-out answer cases, resolved against the knowledge base.

A case says which facts its answer must hold (``hours:manger``,
``closed_on:2026-12-24:knarvik``, ``faq:renovasjon`` ...); :class:`Resolver` turns each
into a check on the bot's reply. The grammar is in ``docs/answer-evaluation.md``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rapidfuzz import fuzz

from bot.kb import KnowledgeBase
from bot.kb.facts import render_answer
from bot.kb.hours import hours_on
from bot.kb.models import LANGUAGES, WEEKDAYS, Interval, Location
from bot.language import fold
from bot.messages import calendar, days_label

# "Closed": a closed word, or a negation with "open" later in the same clause, a few words on
# ("Laurdag 2. januar har ikkje innbyggjarservice i Knarvik ope"), as docs/answer-evaluation.md
# says ("ikkje ope/…"). The words between may not hold a clause's punctuation.
CLOSED = re.compile(
    r"\b(stengt|stengd|stengde|closed)\b"
    r"|\b(ikkje|ikke|not)(\s+[^\s.,;:!?]+){0,5}?\s+(ope|open|opne|apen|apent|apne)\b"
)
TIME = re.compile(r"\b\d{1,2}\.\d{2}\b")
OPEN_OR_CLOSED = re.compile(r"\b(ope|open|opne|apen|apent|apne|stengt|stengd|closed|opens?)\b")
YES = re.compile(r"^\s*(ja|jo|yes)\b")
_SEGMENT = re.compile(r"\n|(?<=[.!?])\s+(?=[A-ZÆØÅ•«\"])")
_WEEKDAY_NAMES = {  # folded names in nn, nb and en, by English weekday
    "monday": ("mandag", "monday"), "tuesday": ("tysdag", "tirsdag", "tuesday"),
    "wednesday": ("onsdag", "wednesday"), "thursday": ("torsdag", "thursday"),
    "friday": ("fredag", "friday"), "saturday": ("laurdag", "lordag", "saturday"),
    "sunday": ("sundag", "sondag", "sunday"),
}  # fmt: skip
_SEASONS = ("jul", "christmas", "romjul", "nyttar", "new year", "pask", "easter", "pinse", "whit",
            "himmelfart", "ascension", "grunnlov", "constitution", "arbeid", "labour")  # fmt: skip
# Words that tie a sentence to another day than the one asked about ("closed now", "today").
_OTHER_DAY = re.compile(
    r"\s(no|na)\b|\b(now|i dag|today|i morgon|i morgen|tomorrow|januar|februar|mars|april|mai|juni"
    r"|juli|august|september|oktober|november|desember|january|february|march|may|june|july"
    r"|october|december)\b"
)
_WEEKDAYS_WORDS = ("kvardag", "hverdag", "weekday")


class CaseError(ValueError):
    """A case file or a reference in it is malformed."""


# --------------------------------------------------------------------------- replies


@dataclass
class Reply:
    """What the bot sent back for one case (all messages of the last turn)."""

    texts: list[str]
    payloads: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    @property
    def raw(self) -> str:
        return "\n".join(self.texts)

    @property
    def norm(self) -> str:
        return normalise(self.raw)

    @property
    def segments(self) -> list[str]:
        return [normalise(s) for s in _SEGMENT.split(self.raw) if s.strip()]

    @property
    def digits(self) -> str:
        """The text with spaces between digits removed (``56 37 50 00`` -> ``56375000``)."""
        return re.sub(r"(?<=\d) (?=\d)", "", self.raw)


def normalise(text: str) -> str:
    """Folds æøå and case, unifies dashes and ``09:00``/``09.00``, collapses spaces."""
    text = fold(text).replace("–", "-").replace("—", "-").replace("\u2019", "'")
    text = re.sub(r"(?<=\d):(?=\d\d)", ".", text)
    return re.sub(r"[ \t]+", " ", text)


def _fuzzy_in(needle: str, reply: Reply, cutoff: float = 90.0) -> bool:
    needle = normalise(needle).strip()
    return bool(needle) and fuzz.partial_ratio(needle, reply.norm) >= cutoff


def _first_sentence(text: str, limit: int = 90) -> str:
    return re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0][:limit]


# --------------------------------------------------------------------------- references


@dataclass(frozen=True)
class Ref:
    """A resolved reference: ``kind`` and the checks on a reply."""

    text: str
    kind: str
    desk: str | None = None
    present: Callable[[Reply], bool] = lambda reply: False
    closed: bool | None = None  # on:/weekday: whether the desk is closed that day
    usually_open: bool = False  # on:/weekday: whether the weekday is one of the desk's days
    changed: bool = False  # on: open with hours that differ from the weekly pattern


class Resolver:
    """Resolves case references against a knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._cache: dict[str, Ref] = {}

    def __call__(self, text: str) -> Ref:
        if text not in self._cache:
            self._cache[text] = self._resolve(text)
        return self._cache[text]

    def _location(self, text: str, location_id: str, desk: bool = True) -> Location:
        location = self.kb.location(location_id)
        if location is None or (desk and not location.has_desk):
            known = [loc.id for loc in (self.kb.desks if desk else self.kb.locations)]
            raise CaseError(
                f"'{text}': '{location_id}' is not a desk in the knowledge base {known}"
            )
        return location

    def _resolve(self, text: str) -> Ref:  # noqa: C901 - one branch per reference kind
        kind, _, rest = str(text).partition(":")
        kb, args = self.kb, rest.split(":") if rest else []
        if kind in ("phone", "email", "web", "post", "phone_hours") and not args:
            return Ref(text, kind, present=self._contact(kind))
        if kind == "hours" and len(args) == 1:
            loc = self._location(text, args[0])
            return Ref(text, kind, loc.id, lambda r: _hours_present(r, loc.opening_hours, loc))
        if kind == "now" and len(args) == 1:
            desk = None if args[0] == "all" else self._location(text, args[0]).id
            return Ref(
                text,
                kind,
                desk,
                lambda r: bool(OPEN_OR_CLOSED.search(r.norm) or TIME.search(r.norm)),
            )
        if kind == "place" and len(args) == 1:
            loc = self._location(text, args[0], desk=False)
            return Ref(text, kind, loc.id, lambda r: _place_present(r, loc))
        if kind == "note" and len(args) == 1:
            loc = self._location(text, args[0], desk=False)
            if loc.note is None:
                raise CaseError(f"'{text}': location '{loc.id}' has no note")
            notes = [_first_sentence(loc.note.get(lang)) for lang in LANGUAGES]
            return Ref(text, kind, loc.id, lambda r: any(_fuzzy_in(n, r) for n in notes))
        if kind == "emergency" and len(args) == 1:
            number = next((e.number for e in kb.contact.emergency if e.id == args[0]), None)
            if number is None:
                raise CaseError(f"'{text}': no emergency number with id '{args[0]}'")
            pattern = re.compile(rf"(?<!\d){re.escape(number.replace(' ', ''))}(?!\d)")
            return Ref(text, kind, present=lambda r: bool(pattern.search(r.digits)))
        if kind in ("faq", "service") and len(args) == 1:
            entry = kb.faq_entry(args[0]) if kind == "faq" else kb.service(args[0])
            if entry is None:
                raise CaseError(f"'{text}': no {kind} entry with id '{args[0]}'")
            answers = {_first_sentence(render_answer(kb, entry.answer, lang)) for lang in LANGUAGES}
            return Ref(text, kind, present=lambda r: any(_fuzzy_in(a, r) for a in answers))
        if kind in ("on", "closed_on", "open_on") and len(args) == 2:
            return self._on_date(text, kind, args[0], self._location(text, args[1]))
        if kind == "weekday" and len(args) == 2 and args[0] in WEEKDAYS:
            loc = self._location(text, args[1])
            interval = loc.opening_hours.get(args[0])
            weekday = _WEEKDAY_NAMES[args[0]]
            return self._day_ref(
                text, kind, loc, interval, interval is not None, False, (), weekday
            )
        raise CaseError(f"unknown or malformed reference '{text}' (see docs/answer-evaluation.md)")

    def _contact(self, kind: str) -> Callable[[Reply], bool]:
        contact = self.kb.contact
        if kind == "phone":
            number = contact.phone.replace(" ", "")
            return lambda r: number in r.digits.replace(" ", "")
        if kind == "email":
            return lambda r: contact.email.lower() in r.raw.lower()
        if kind == "web":
            site = re.sub(r"^https?://", "", contact.web).rstrip("/").lower()
            return lambda r: site in r.raw.lower()
        if kind == "post":
            return lambda r: _fuzzy_in(contact.postal_address, r)
        return lambda r: _schedule_in(r.norm, contact.phone_hours)

    def _on_date(self, text: str, kind: str, value: str, loc: Location) -> Ref:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise CaseError(f"'{text}': '{value}' is not a date (YYYY-MM-DD)") from None
        hours = hours_on(self.kb, loc.opening_hours, loc.id, day)
        usual = loc.opening_hours.get(WEEKDAYS[day.weekday()])
        changed = hours.interval is not None and hours.interval != usual
        words = _day_words(day)
        if hours.reason is not None:
            reasons = [hours.reason.get(lang) for lang in LANGUAGES]
            words += tuple(normalise(r) for r in reasons) + _season_words(reasons)
        weekday = _WEEKDAY_NAMES[WEEKDAYS[day.weekday()]]
        return self._day_ref(
            text, kind, loc, hours.interval, usual is not None, changed, words, weekday
        )

    def _day_ref(
        self,
        text: str,
        kind: str,
        loc: Location,
        interval: Interval | None,
        usually_open: bool,
        changed: bool,
        day_words: tuple[str, ...],
        weekday: tuple[str, ...],
    ) -> Ref:
        if interval is None:
            # "closed" must be said about the asked day, not about now or another day.
            return Ref(
                text, kind, loc.id, lambda r: _closed_on(r, day_words, weekday), True, usually_open
            )
        times = (_times(interval.start.hour, interval.start.minute), _times(interval.end.hour, 0))
        return Ref(
            text,
            kind,
            loc.id,
            lambda r: all(any(t in r.norm + " " for t in group) for group in times),
            False,
            usually_open,
            changed,
        )

    def known_kb_facts(self) -> list[Ref]:
        """Every desk's hours, emergency number, FAQ, service and note: facts to police."""
        refs = [f"hours:{d.id}" for d in self.kb.desks]
        refs += [f"emergency:{e.id}" for e in self.kb.contact.emergency]
        refs += [f"faq:{f.id}" for f in self.kb.faq] + [f"service:{s.id}" for s in self.kb.services]
        refs += [f"note:{loc.id}" for loc in self.kb.locations if loc.note is not None]
        return [self(r) for r in refs]


def _day_words(day: date) -> tuple[str, ...]:
    """Ways a reply names ``day``: 24. desember, 24 december, 24.12, 24/12."""
    months = [normalise(m) for lang in LANGUAGES for m in calendar("months", lang)]
    month_names = {months[day.month - 1], months[12 + day.month - 1], months[24 + day.month - 1]}
    forms = [f"{day.day}. {m}" for m in month_names] + [f"{day.day} {m}" for m in month_names]
    return (
        *forms,
        f"{day.day}.{day.month}",
        f"{day.day:02d}.{day.month:02d}",
        f"{day.day}/{day.month}",
    )


def _season_words(reasons: list[str]) -> tuple[str, ...]:
    """Season names in a holiday's or closure's names ("andre pinsedag" -> "pinse")."""
    folded = " ".join(normalise(r) for r in reasons)
    return tuple(w for w in _SEASONS if w in folded)


def _closed_on(reply: Reply, day_words: tuple[str, ...], weekday: tuple[str, ...]) -> bool:
    """A segment says closed and names the day (a weekday only where no other day is named)."""
    for seg in reply.segments:
        if not CLOSED.search(seg):
            continue
        if any(w in seg for w in day_words):
            return True
        if any(w in seg for w in weekday) and not _OTHER_DAY.search(seg):
            return True
    return False


def _times(hour: int, minute: int) -> tuple[str, ...]:
    forms = [f"{hour:02d}.{minute:02d}", f"{hour}.{minute:02d}"]
    if minute == 0:
        forms += [f"kl {hour} ", f"kl. {hour} ", f" {hour}-", f"-{hour} ", f"-{hour}."]
    return tuple(forms)


def _schedule_in(segment: str, week: dict[str, Interval]) -> bool:
    """Whether ``segment`` gives every day group of ``week`` with its opening time."""
    groups: dict[Interval, list[str]] = defaultdict(list)
    for weekday in WEEKDAYS:
        if weekday in week:
            groups[week[weekday]].append(weekday)
    for interval, days in groups.items():
        labels = [normalise(days_label(days, lang)) for lang in LANGUAGES]
        named = all(any(n in segment for n in _WEEKDAY_NAMES[d]) for d in days)
        weekdays = days == WEEKDAYS[:5] and any(w in segment for w in _WEEKDAYS_WORDS)
        if not (any(label in segment for label in labels) or named or weekdays):
            return False
        if not any(t in segment + " " for t in _times(interval.start.hour, interval.start.minute)):
            return False
    return bool(groups)


def _hours_present(reply: Reply, week: dict[str, Interval], loc: Location) -> bool:
    name = normalise(loc.name)
    return any(name in seg and _schedule_in(seg, week) for seg in reply.segments)


def _place_present(reply: Reply, loc: Location) -> bool:
    address = getattr(loc, "address", None)
    candidates = [loc.venue.get(lang) for lang in LANGUAGES]
    candidates += [s for s in loc.synonyms if " " in s]
    if address:
        candidates.append(str(address.get("nn") if hasattr(address, "get") else address))
    return any(normalise(c) in reply.norm for c in candidates)


def _open_or_closed(reply: Reply) -> bool:
    """``now:`` (loose): the reply says open or closed, or gives a time."""
    return bool(OPEN_OR_CLOSED.search(reply.norm) or TIME.search(reply.norm))
