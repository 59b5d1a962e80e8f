"""Dates, date ranges and named days in a citizen's message ("julaftan", "17. mai", "i påska").

A small, tested grammar over the folded text (æ/ø/å folded, so ``paska`` and ``påska`` are the
same): named days in Nynorsk, Bokmål and English, explicit dates (``24. desember``, ``24.12``,
``30/11``, ``1. og 17. mai``, ``24.-26. desember``, ``December 24``), relative days (``i dag``,
``i morgon``, ``i overmorgon``, ``neste fredag``, ``på fredag``) and weeks (``denne veka``,
``neste uke``). Moveable feasts come from the Easter date in ``bot.kb.holidays``; what is open
on a day always comes from the knowledge base (``bot.kb.hours.hours_on``), never from here.

Named days and dates without a year resolve to their next occurrence (today included).
``neste fredag`` is the first Friday after today; the answer names the date, so the citizen
sees which day was meant.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.kb.holidays import easter_sunday
from bot.language import fold

# Kinds of reference, in DateRef.kind.
NAMED = "named"
DATE = "date"
TODAY = "today"
TOMORROW = "tomorrow"
RELATIVE = "relative"
WEEKDAY = "weekday"
NEXT_WEEKDAY = "next_weekday"
WEEK = "week"

_FIRST = r"(?:1\.?|forste|fyrste|first)\s*"
_SECOND = r"(?:2\.?|andre|second)\s*"
_EVE = r"aft(?:[ae]n?|n)\w*"
_PENTECOST = r"(?:pinse|pingst)"

# Named day -> pattern over the normalised text. Order matters: longer names first
# ("2. juledag" before "juledag", "påskeaftan" before "påske").
_NAMED_PATTERNS: tuple[tuple[str, str], ...] = (
    ("easter_eve", rf"paske{_EVE}|easter (?:eve|saturday)"),
    ("whitsun_eve", rf"{_PENTECOST}e?{_EVE}|whitsun eve"),
    ("christmas_eve", rf"jule?{_EVE}|julekveld\w*|christmas eve"),
    ("new_years_eve", rf"nyttars{_EVE}|nyttarskveld\w*|new years? eve"),
    ("boxing_day", rf"{_SECOND}juledag\w*|boxing day"),
    ("christmas_day", rf"(?:{_FIRST})?juledag\w*|christmas day"),
    ("new_years_day", rf"(?:{_FIRST})?nyttarsdag\w*|new years? day"),
    ("easter_monday", rf"{_SECOND}paskedag\w*|easter monday"),
    ("easter_sunday", rf"(?:{_FIRST})?paskedag\w*|easter (?:sunday|day)"),
    ("whit_monday", rf"{_SECOND}{_PENTECOST}e?dag\w*|whit ?monday"),
    ("whit_sunday", rf"(?:{_FIRST})?{_PENTECOST}e?dag\w*|whit ?sunday"),
    ("palm_sunday", r"palmes[ou]ndag\w*|palm sunday"),
    ("maundy_thursday", r"skj(?:ae|e|a)rtorsdag\w*|maundy thursday|holy thursday"),
    ("good_friday", r"langfredag\w*|good friday"),
    ("ascension_day", r"(?:kristi )?himmelfart\w*|ascension(?: day)?"),
    (
        "labour_day",
        r"arbeid(?:ar|er)ane?s? (?:sin )?dag|arbeidernes dag|labou?r day|may day"
        r"|(?:forste|fyrste) mai|first of may|may first",
    ),
    ("constitution_day", r"grunnlovsdag\w*|nasjonaldag\w*|syttende mai|constitution day"),
    ("romjul", r"romjul\w*|mellom jul og nyttar"),
    ("easter", r"pask(?:e|a|en|ehelga|ehelgi|ehelgen|eferie\w*|eveka|euka|euken)?|easter"),
    ("pentecost", r"(?:pins|pingst)(?:e|a|en|ehelga|ehelgen|helga|helgen)?|pentecost|whitsun\w*"),
    ("christmas", r"jul(?:a|en|ehelga|ehelgen|eferie\w*)?|christmas"),
)


def _named_span(key: str, year: int) -> tuple[date, date]:
    """The first and last day of a named day (or season) in ``year``."""
    easter = easter_sunday(year)

    def rel(days: int) -> date:
        return easter + timedelta(days=days)

    fixed: dict[str, tuple[date, date]] = {
        "christmas_eve": (date(year, 12, 24), date(year, 12, 24)),
        "christmas_day": (date(year, 12, 25), date(year, 12, 25)),
        "boxing_day": (date(year, 12, 26), date(year, 12, 26)),
        "romjul": (date(year, 12, 27), date(year, 12, 30)),
        "new_years_eve": (date(year, 12, 31), date(year, 12, 31)),
        "new_years_day": (date(year, 1, 1), date(year, 1, 1)),
        "christmas": (date(year, 12, 24), date(year + 1, 1, 1)),
        "labour_day": (date(year, 5, 1), date(year, 5, 1)),
        "constitution_day": (date(year, 5, 17), date(year, 5, 17)),
        "palm_sunday": (rel(-7), rel(-7)),
        "maundy_thursday": (rel(-3), rel(-3)),
        "good_friday": (rel(-2), rel(-2)),
        "easter_eve": (rel(-1), rel(-1)),
        "easter_sunday": (easter, easter),
        "easter_monday": (rel(1), rel(1)),
        "easter": (rel(-7), rel(1)),
        "ascension_day": (rel(39), rel(39)),
        "whitsun_eve": (rel(48), rel(48)),
        "whit_sunday": (rel(49), rel(49)),
        "whit_monday": (rel(50), rel(50)),
        "pentecost": (rel(48), rel(50)),
    }
    return fixed[key]


NAMED_DAYS: tuple[str, ...] = tuple(key for key, _ in _NAMED_PATTERNS)

_MONTHS: dict[str, int] = {
    "januar": 1, "jan": 1, "january": 1,
    "februar": 2, "feb": 2, "february": 2,
    "mars": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mai": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "july": 7,
    "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "october": 10, "oct": 10,
    "november": 11, "nov": 11,
    "desember": 12, "des": 12, "december": 12, "dec": 12,
}  # fmt: skip
_WEEKDAYS: dict[str, int] = {
    "mandag": 0, "monday": 0,
    "tysdag": 1, "tirsdag": 1, "tisdag": 1, "tuesday": 1,
    "onsdag": 2, "wednesday": 2,
    "torsdag": 3, "thursday": 3,
    "fredag": 4, "friday": 4,
    "laurdag": 5, "lordag": 5, "saturday": 5,
    "sundag": 6, "sondag": 6, "sunday": 6,
}  # fmt: skip

_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_NAME = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_ORDINAL = r"(?:\.|st|nd|rd|th)?"
_JOIN = r"(?:,|og|and|eller|or|&|-|–|til|to)"
_WEEKDAY_PREFIX = rf"(?:(?:{_DAY_NAME})(?:en)?,?\s+(?:den\s+)?)?"
_DAYS_BEFORE_MONTH = re.compile(
    rf"\b{_WEEKDAY_PREFIX}(?P<days>\d{{1,2}}{_ORDINAL}(?:\s*{_JOIN}\s*\d{{1,2}}{_ORDINAL})*)"
    rf"\s*(?:of\s+)?(?P<month>{_MONTH})\b\.?(?:\s*(?P<year>\d{{4}})\b)?"
)
_MONTH_BEFORE_DAY = re.compile(
    rf"\b(?P<month>{_MONTH})\s+(?P<days>\d{{1,2}}){_ORDINAL}\b(?:,?\s*(?P<year>\d{{4}})\b)?"
)
_NUMERIC = re.compile(
    rf"(?<![\d.,/]){_WEEKDAY_PREFIX}(?P<days>\d{{1,2}})[./](?P<month>\d{{1,2}})"
    r"(?:[./](?P<year>\d{4}|\d{2}))?\.?(?![\d]|[./]\d)"
)
# "dagen før julaftan", "dagen etter 2. påskedag", "the day before Christmas Eve".
_SHIFT = r"(?P<shift>(?:dagen|dagan|the day) (?:for|etter|after|before) )?"
_RANGE_WORDS = frozenset({"-", "–", "til", "to"})
_TODAY = re.compile(r"\b(?:i dag|idag|today)\b")
_TOMORROW = re.compile(r"\b(?:i morgon|i morgen|imorgon|imorgen|tomorrow)\b")
_DAY_AFTER = re.compile(r"\b(?:i )?over ?morg[eo]n\b|\bday after tomorrow\b")
_THIS_WEEK = re.compile(r"\b(?:denne|denna)\s+(?:veka|veke|vekja|uka|uke|uken)\b|\bthis week\b")
_NEXT_WEEK = re.compile(r"\b(?:neste|naeste)\s+(?:veke|veka|uke|uka|uken)\b|\bnext week\b")
_WEEKDAY_WORD = re.compile(
    r"\b(?P<next>(?:neste|naeste|kommande|kommende|forstkommande|forstkommende|next|this)\s+)?"
    rf"(?P<day>{_DAY_NAME})(?:en)?\b"
)


@dataclass(frozen=True)
class DateRef:
    """A day or a run of days the citizen asked about.

    Attributes:
        start: The first day.
        end: The last day (``start`` for a single day).
        kind: How it was written: ``named``, ``date``, ``today``, ``tomorrow``,
            ``relative``, ``weekday`` (plain "på fredag"), ``next_weekday`` or ``week``.
        name: The named day's key (``christmas_eve``, ``easter``, ...; see NAMED_DAYS),
            or ``this_week`` / ``next_week``; None for a plain date.
    """

    start: date
    end: date
    kind: str
    name: str | None = None

    @property
    def is_range(self) -> bool:
        return self.end > self.start

    def days(self) -> list[date]:
        """Every day from ``start`` to ``end``."""
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


def normalise(text: str) -> str:
    """Folds æ/ø/å, ``aa`` and apostrophes so spellings without æøå match."""
    folded = fold(text).replace("aa", "a").replace("'", "").replace("’", "")
    return re.sub(r"\s+", " ", folded)


def _next_named(key: str, today: date) -> DateRef:
    for year in (today.year - 1, today.year, today.year + 1):
        start, end = _named_span(key, year)
        if end >= today:
            return DateRef(max(start, today), end, NAMED, key)
    raise AssertionError(f"Named day '{key}' has no next occurrence after {today}.")


def _shifted(match: re.Match[str], key: str, today: date) -> DateRef:
    """A named day, or the day before or after it ("dagen før julaftan")."""
    ref = _next_named(key, today)
    shift = match.group("shift")
    if not shift:
        return ref
    if re.search(r"for|before", shift):
        day = ref.start - timedelta(days=1)
    else:
        day = ref.end + timedelta(days=1)
    return DateRef(day, day, RELATIVE)


def _on_or_after(day: int, month: int, year: str | None, today: date) -> date | None:
    """The date ``day.month`` (of ``year``, or its next occurrence), or None if invalid."""
    try:
        if year:
            full = int(year) + (2000 if len(year) == 2 else 0)
            return date(full, month, day)
        found = date(today.year, month, day)
        return found if found >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


def _explicit(match: re.Match[str], month: int, today: date) -> list[DateRef]:
    """``1. og 17. mai`` -> two dates; ``24.-26. desember`` -> one range."""
    tokens = re.findall(r"\d{1,2}|-|–|\btil\b|\bto\b", match.group("days"))
    refs: list[DateRef] = []
    pending_range = False
    for token in tokens:
        if token in _RANGE_WORDS:
            pending_range = True
            continue
        day = _on_or_after(int(token), month, match.group("year"), today)
        if day is None:
            continue
        if pending_range and refs and refs[-1].start < day:
            refs[-1] = DateRef(refs[-1].start, day, DATE)
        else:
            refs.append(DateRef(day, day, DATE))
        pending_range = False
    return refs


def _blank(text: str, match: re.Match[str]) -> str:
    """Replaces a match with spaces so that it is not read twice."""
    return text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]


def _scan(
    text: str,
    pattern: re.Pattern[str],
    found: list[tuple[int, DateRef]],
    make: Callable[..., list[DateRef]],
) -> str:
    for match in list(pattern.finditer(text)):
        refs = make(match)
        if refs:
            found.extend((match.start(), ref) for ref in refs)
            text = _blank(text, match)
    return text


def find_dates(text: str, today: date) -> list[DateRef]:
    """Finds the dates, ranges and named days in a message, in the order written.

    Args:
        text: The message as typed.
        today: Today's date in Europe/Oslo.

    Returns:
        The references found; empty when the message names no day.
    """
    norm = normalise(text)
    found: list[tuple[int, DateRef]] = []
    for key, pattern in _NAMED_PATTERNS:
        regex = re.compile(rf"(?<![a-z0-9]){_SHIFT}(?:{pattern})(?![a-z])")
        norm = _scan(norm, regex, found, lambda m, key=key: [_shifted(m, key, today)])
    norm = _scan(
        norm, _DAYS_BEFORE_MONTH, found, lambda m: _explicit(m, _MONTHS[m.group("month")], today)
    )
    norm = _scan(
        norm, _MONTH_BEFORE_DAY, found, lambda m: _explicit(m, _MONTHS[m.group("month")], today)
    )

    def numeric(match: re.Match[str]) -> list[DateRef]:
        before = norm[max(0, match.start() - 4) : match.start()]
        month = int(match.group("month"))
        if "kl" in before or not 1 <= month <= 12:
            return []  # a time of day ("kl. 10.30"), not a date
        return _explicit(match, month, today)

    norm = _scan(norm, _NUMERIC, found, numeric)
    plus = timedelta(days=1)
    norm = _scan(
        norm, _DAY_AFTER, found, lambda m: [DateRef(today + 2 * plus, today + 2 * plus, RELATIVE)]
    )
    norm = _scan(norm, _TOMORROW, found, lambda m: [DateRef(today + plus, today + plus, TOMORROW)])
    norm = _scan(norm, _TODAY, found, lambda m: [DateRef(today, today, TODAY)])
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    norm = _scan(norm, _THIS_WEEK, found, lambda m: [DateRef(today, sunday, WEEK, "this_week")])
    next_week = DateRef(monday + 7 * plus, sunday + 7 * plus, WEEK, "next_week")
    norm = _scan(norm, _NEXT_WEEK, found, lambda m: [next_week])

    def weekday(match: re.Match[str]) -> list[DateRef]:
        offset = (_WEEKDAYS[match.group("day")] - today.weekday()) % 7
        if match.group("next"):
            day = today + timedelta(days=offset or 7)
            return [DateRef(day, day, NEXT_WEEKDAY)]
        return [DateRef(today + timedelta(days=offset), today + timedelta(days=offset), WEEKDAY)]

    _scan(norm, _WEEKDAY_WORD, found, weekday)
    ordered: list[DateRef] = []
    for _, ref in sorted(found, key=lambda item: item[0]):
        if ref not in ordered:
            ordered.append(ref)
    return ordered


def encode(refs: list[DateRef]) -> str | None:
    """Writes references into a slot value (None for none)."""
    if not refs:
        return None
    return ";".join(f"{r.start}/{r.end}/{r.kind}/{r.name or ''}" for r in refs)


def decode(value: str | None) -> list[DateRef]:
    """Reads references back from ``encode``'s slot value; malformed parts are skipped."""
    refs: list[DateRef] = []
    for part in (value or "").split(";"):
        fields = part.split("/")
        if len(fields) != 4:
            continue
        try:
            start, end = date.fromisoformat(fields[0]), date.fromisoformat(fields[1])
        except ValueError:
            continue
        name = (
            fields[3]
            if fields[3] in NAMED_DAYS or fields[3] in ("this_week", "next_week")
            else None
        )
        refs.append(DateRef(start, end, fields[2], name))
    return refs


__all__ = ["NAMED_DAYS", "DateRef", "decode", "encode", "find_dates", "normalise"]
