"""Loads and validates the knowledge base YAML files.

Every problem is reported with the file, the line, the entry and the field, so that
an editor who is not a programmer can find and fix it. Keys are checked against the
schema in :mod:`bot.kb.schema`, placeholders in answers by :mod:`bot.kb.placeholders`.
All problems in all files are collected before failing, not only the first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, time
from pathlib import Path
from typing import Any

from bot.kb.extras import address, faq_synonyms, generic_words, logo_url, sample_entries
from bot.kb.meetings import meetings
from bot.kb.models import (
    LANGUAGES,
    PHONE_ID,
    REQUIRED_LANGUAGES,
    WEEKDAYS,
    Contact,
    EmergencyNumber,
    Exception_,
    FaqEntry,
    Interval,
    KnowledgeBase,
    Location,
    Municipality,
    Service,
    Text,
)
from bot.kb.placeholders import placeholder_problems
from bot.kb.schema import SCHEMA, suggestion, unknown_keys
from bot.kb.source import LineMap, duplicate_keys, line_of, read_yaml

FILES: tuple[str, ...] = (
    "service_desks.yml",
    "closures.yml",
    "contact.yml",
    "services.yml",
    "faq.yml",
    "municipality.yml",
)
CHAT_STAFFED: tuple[str, ...] = ("phone_hours", "never")
_INTERVAL = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*[-–]\s*(\d{1,2})[:.](\d{2})\s*$")
_ID = re.compile(r"^[a-z0-9_]+$")


class KnowledgeBaseError(ValueError):
    """The knowledge base has one or more invalid entries.

    Attributes:
        problems: One human-readable line per problem, each naming file, entry and field.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"The knowledge base has {len(problems)} problem(s); fix them and save again:\n"
            f"{listing}"
        )


class _Checker:
    """Collects problems while reading one file, each with the line it is on."""

    def __init__(self, file: str, root: LineMap) -> None:
        self.file = file
        self.root = root
        self.entries: dict[str, Any] = {}  # "faq[2] (id 'x')" -> that entry's mapping
        self.problems: list[str] = []

    def where(self, entry: str, field: str) -> str:
        """``faq.yml, line 12: faq[2] (id 'x')``: the file, the line and the entry."""
        if entry in self.entries:
            line = line_of(self.entries[entry], field)
        else:
            line = line_of(self.root, f"{entry}.{field}" if entry else field, own_line=False)
        place = f"{self.file}, line {line}" if line else self.file
        return f"{place}: {entry}" if entry else place

    def fail(self, entry: str, field: str, message: str) -> None:
        self.problems.append(f"{self.where(entry, field)}, field '{field}': {message}")

    def keys(self) -> None:
        """Names every key the schema doesn't allow (with the closest allowed one) and
        every key written twice."""
        for path, key, hint in unknown_keys(self.root, SCHEMA[self.file]):
            line = line_of(self.root, f"{path}.{key}" if path else key)
            self.problems.append(f"{self._at(path, line)}unknown key '{key}'{hint}")
        for path, key, line in duplicate_keys(self.root):
            self.problems.append(
                f"{self._at(path, line)}'{key}' is given twice (only the last one counts); "
                "remove one"
            )

    def _at(self, path: str, line: int | None) -> str:
        """``file, line N: entry, in 'sub': `` for a path such as ``locations[1].note``."""
        top, _, rest = path.partition(".")
        entry = _entry_at(self.root, top)
        if rest:
            entry = f"{entry}, in '{rest}'"
        place = f"{self.file}, line {line}" if line else self.file
        return f"{place}: {entry}: " if entry else f"{place}: "

    def mapping(self, value: Any, entry: str, field: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(entry, field, f"expected a mapping (key: value), got {_kind(value)}")
            return {}
        if field == "(entry)":
            self.entries[entry] = value
        return value

    def flag(self, value: Any, entry: str, field: str) -> bool:
        """A yes/no value such as ``sample: true``."""
        if value is None:
            return False
        if not isinstance(value, bool):
            self.fail(entry, field, f"'{value}' is not true or false")
            return False
        return value

    def placeholders(self, text: Text, entry: str, field: str, desks: dict[str, bool]) -> None:
        """Names unknown placeholders (and unknown desks in them) in an answer."""
        for language in LANGUAGES:
            for problem in placeholder_problems(getattr(text, language) or "", desks):
                self.fail(entry, f"{field}.{language}", problem)

    def sequence(self, value: Any, entry: str, field: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(entry, field, f"expected a list, got {_kind(value)}")
            return []
        return value

    def string(self, value: Any, entry: str, field: str, required: bool = True) -> str:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(entry, field, "is missing or empty")
            return ""
        if not isinstance(value, str | int | float):
            self.fail(entry, field, f"expected text, got {_kind(value)}")
            return ""
        return str(value).strip()

    def identifier(self, value: Any, entry: str, seen: set[str]) -> str:
        ident = self.string(value, entry, "id")
        if ident and not _ID.match(ident):
            self.fail(entry, "id", f"'{ident}' may only use a-z, 0-9 and _")
        if ident in seen:
            self.fail(entry, "id", f"duplicate id '{ident}'; every id must be unique")
        seen.add(ident)
        return ident

    def text(self, value: Any, entry: str, field: str) -> Text:
        data = self.mapping(value, entry, field)
        if value is not None and isinstance(value, str):
            return Text(nn="", nb="")
        for language in REQUIRED_LANGUAGES:
            label = "Nynorsk" if language == "nn" else "Bokmål"
            if not isinstance(data.get(language), str) or not data[language].strip():
                self.fail(entry, f"{field}.{language}", f"the {label} text is missing")
        for key in data:
            if key not in LANGUAGES:
                self.fail(entry, f"{field}.{key}", f"unknown language '{key}'; use nn, nb or en")
        en = data.get("en")
        return Text(
            nn=str(data.get("nn") or "").strip(),
            nb=str(data.get("nb") or "").strip(),
            en=str(en).strip() if en else None,
        )

    def interval(self, value: Any, entry: str, field: str) -> Interval | None:
        match = _INTERVAL.match(str(value)) if isinstance(value, str) else None
        if not match:
            self.fail(entry, field, f"'{value}' is not a time range like 09:00-15:00")
            return None
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        for hour, minute in ((h1, m1), (h2, m2)):
            if hour > 23 or minute > 59:
                self.fail(entry, field, f"{hour:02d}:{minute:02d} is not a time of day")
                return None
        start, end = time(h1, m1), time(h2, m2)
        if start >= end:
            self.fail(entry, field, f"opens at {start:%H:%M} but closes at {end:%H:%M}")
            return None
        return Interval(start, end)

    def week(self, value: Any, entry: str, field: str) -> dict[str, Interval]:
        hours: dict[str, Interval] = {}
        for day, spec in self.mapping(value, entry, field).items():
            if str(day).lower() not in WEEKDAYS:
                hint = suggestion(str(day).lower(), WEEKDAYS, "use one of")
                self.fail(entry, f"{field}.{day}", f"unknown weekday '{day}'{hint}")
                continue
            interval = self.interval(spec, entry, f"{field}.{day}")
            if interval:
                hours[str(day).lower()] = interval
        return hours

    def date_(self, value: Any, entry: str, field: str) -> date | None:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(entry, field, f"'{value}' is not a date like 2026-12-24")
            return None

    def words(self, value: Any, entry: str, field: str) -> tuple[str, ...]:
        items = self.sequence(value, entry, field)
        words = []
        for index, item in enumerate(items):
            word = self.string(item, entry, f"{field}[{index}]")
            if word:
                words.append(word)
        return tuple(words)


def _kind(value: Any) -> str:
    kinds: dict[type, str] = {dict: "a mapping", list: "a list", str: "text"}
    return kinds.get(type(value), type(value).__name__)


def _entry_at(root: LineMap, top: str) -> str:
    """``locations[1] (id 'manger')`` for the path ``locations[1]``; other paths as they are."""
    kind, _, index = top.partition("[")
    items = root.get(kind)
    if index and isinstance(items, list):
        position = int(index.rstrip("]"))
        return _entry(kind, position, items[position])
    return top


def _entry(kind: str, index: int, raw: Any) -> str:
    ident = raw.get("id") if isinstance(raw, dict) else None
    return f"{kind}[{index}]" + (f" (id '{ident}')" if ident else "")


def _locations(data: dict[str, Any], c: _Checker) -> tuple[Text, tuple[Location, ...]]:
    service_name = c.text(data.get("service_name"), "", "service_name")
    seen: set[str] = set()
    locations = []
    for index, raw in enumerate(c.sequence(data.get("locations"), "", "locations")):
        entry = _entry("locations", index, raw)
        raw = c.mapping(raw, entry, "(entry)")
        if not raw:
            continue
        locations.append(
            Location(
                id=c.identifier(raw.get("id"), entry, seen),
                name=c.string(raw.get("name"), entry, "name"),
                venue=c.text(raw.get("venue"), entry, "venue"),
                synonyms=c.words(raw.get("synonyms"), entry, "synonyms"),
                opening_hours=c.week(raw.get("opening_hours"), entry, "opening_hours"),
                note=c.text(raw["note"], entry, "note") if raw.get("note") else None,
                preposition=c.string(raw.get("preposition"), entry, "preposition", False) or "på",
                sample=c.flag(raw.get("sample"), entry, "sample"),
                address=address(raw.get("address"), c, entry),
            )
        )
    if not locations:
        c.fail("", "locations", "at least one location is needed")
    return service_name, tuple(locations)


def _exceptions(
    data: dict[str, Any], c: _Checker, location_ids: Iterable[str]
) -> tuple[Exception_, ...]:
    known = [*location_ids, PHONE_ID]
    result = []
    for index, raw in enumerate(c.sequence(data.get("exceptions"), "", "exceptions")):
        entry = _entry("exceptions", index, raw)
        raw = c.mapping(raw, entry, "(entry)")
        if not raw:
            continue
        if "date" in raw:
            start = end = c.date_(raw["date"], entry, "date")
        else:
            start = c.date_(raw.get("from"), entry, "from")
            end = c.date_(raw.get("to"), entry, "to")
        if start and end and end < start:
            c.fail(entry, "to", f"ends ({end}) before it starts ({start})")
        closed = bool(raw.get("closed", False))
        hours = c.interval(raw["hours"], entry, "hours") if "hours" in raw else None
        if closed == ("hours" in raw):
            c.fail(entry, "closed/hours", "give either 'closed: true' or 'hours: HH:MM-HH:MM'")
        locations = c.words(raw.get("locations"), entry, "locations")
        for loc in locations:
            if loc not in known:
                hint = suggestion(loc, known, "use one of")
                c.fail(entry, "locations", f"unknown location '{loc}'{hint}")
        if start and end:
            result.append(
                Exception_(
                    start=start,
                    end=end,
                    closed=closed,
                    hours=hours,
                    reason=c.text(raw.get("reason"), entry, "reason"),
                    locations=locations,
                    sample=c.flag(raw.get("sample"), entry, "sample"),
                )
            )
    return tuple(result)


def _contact(data: dict[str, Any], c: _Checker) -> Contact:
    phone = c.mapping(data.get("phone"), "phone", "phone")
    post = c.mapping(data.get("post"), "post", "post")
    email = c.string(data.get("email"), "", "email")
    if email and not re.match(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", email):
        c.fail("", "email", f"'{email}' is not an e-mail address")
    emergency = []
    seen: set[str] = set()
    for index, raw in enumerate(c.sequence(data.get("emergency"), "", "emergency")):
        entry = _entry("emergency", index, raw)
        raw = c.mapping(raw, entry, "(entry)")
        if raw:
            emergency.append(
                EmergencyNumber(
                    id=c.identifier(raw.get("id"), entry, seen),
                    number=c.string(raw.get("number"), entry, "number"),
                    label=c.text(raw.get("label"), entry, "label"),
                )
            )
    if "legevakt" not in seen:
        c.fail("", "emergency", "an entry with id 'legevakt' is required")
    return Contact(
        phone=c.string(phone.get("number"), "phone", "number"),
        phone_hours=c.week(phone.get("opening_hours"), "phone", "opening_hours"),
        email=email,
        web=c.string(data.get("web"), "", "web"),
        postal_address=c.string(post.get("address"), "post", "address"),
        emergency=tuple(emergency),
        postal_address_sample=c.flag(post.get("sample"), "post", "sample"),
    )


def _services(data: dict[str, Any], c: _Checker, desks: dict[str, bool]) -> tuple[Service, ...]:
    seen: set[str] = set()
    result = []
    for index, raw in enumerate(c.sequence(data.get("services"), "", "services")):
        entry = _entry("services", index, raw)
        raw = c.mapping(raw, entry, "(entry)")
        if raw:
            answer = c.text(raw.get("answer"), entry, "answer")
            c.placeholders(answer, entry, "answer", desks)
            result.append(
                Service(
                    id=c.identifier(raw.get("id"), entry, seen),
                    name=c.text(raw.get("name"), entry, "name"),
                    synonyms=c.words(raw.get("synonyms"), entry, "synonyms"),
                    answer=answer,
                    link=c.string(raw.get("link"), entry, "link"),
                    sample=c.flag(raw.get("sample"), entry, "sample"),
                )
            )
    return tuple(result)


def _faq(data: dict[str, Any], c: _Checker, desks: dict[str, bool]) -> tuple[FaqEntry, ...]:
    seen: set[str] = set()
    result = []
    for index, raw in enumerate(c.sequence(data.get("faq"), "", "faq")):
        entry = _entry("faq", index, raw)
        raw = c.mapping(raw, entry, "(entry)")
        if not raw:
            continue
        questions = c.words(raw.get("questions"), entry, "questions")
        if not questions:
            c.fail(entry, "questions", "needs at least one question phrasing")
        answer = c.text(raw.get("answer"), entry, "answer")
        c.placeholders(answer, entry, "answer", desks)
        result.append(
            FaqEntry(
                id=c.identifier(raw.get("id"), entry, seen),
                questions=questions,
                answer=answer,
                link=c.string(raw.get("link"), entry, "link", required=False),
                sample=c.flag(raw.get("sample"), entry, "sample"),
            )
        )
    return tuple(result)


def _municipality(data: dict[str, Any], c: _Checker) -> Municipality:
    privacy_url = c.string(data.get("privacy_url"), "", "privacy_url")
    search_url = c.string(data.get("search_url"), "", "search_url")
    for field, url in (("privacy_url", privacy_url), ("search_url", search_url)):
        if url and not url.startswith(("https://", "http://")):
            c.fail("", field, f"'{url}' is not a web address starting with https://")
    if search_url and "{query}" not in search_url:
        c.fail("", "search_url", "put {query} where the search words go")
    colour = c.string(data.get("brand_colour"), "", "brand_colour")
    if colour and not re.match(r"^#[0-9a-fA-F]{6}$", colour):
        c.fail("", "brand_colour", f"'{colour}' is not a colour like #0b4f6c")
    logo = logo_url(data, c)
    chat = c.mapping(data.get("chat"), "chat", "chat")
    staffed = c.string(chat.get("staffed"), "chat", "staffed")
    if staffed and staffed not in CHAT_STAFFED:
        c.fail("chat", "staffed", f"'{staffed}' is not one of {', '.join(CHAT_STAFFED)}")
    sample = c.words(data.get("sample"), "", "sample")
    keys = [key for key in SCHEMA["municipality.yml"] if key not in ("sample", "source")]
    for index, key in enumerate(sample):
        if key not in keys:
            c.fail("", f"sample[{index}]", f"unknown key '{key}'{suggestion(key, keys)}")
    return Municipality(
        name=c.text(data.get("name"), "", "name"),
        privacy_url=privacy_url,
        search_url=search_url,
        brand_colour=colour,
        chat_staffed=staffed or "phone_hours",
        sample=sample,
        logo_url=logo,
    )


def load_knowledge_base(directory: str | Path) -> KnowledgeBase:
    """Reads and validates every knowledge base file in ``directory``.

    Args:
        directory: The ``knowledge_base/`` folder.

    Returns:
        The validated knowledge base.

    Raises:
        KnowledgeBaseError: If any file is missing, unreadable or has invalid entries;
            the message lists every problem with file, line, entry and field.
    """
    folder = Path(directory)
    problems: list[str] = []
    raw = {name: read_yaml(folder / name, problems) for name in FILES}
    checkers = {name: _Checker(name, raw[name]) for name in FILES}
    for checker in checkers.values():
        checker.keys()

    service_name, locations = _locations(raw["service_desks.yml"], checkers["service_desks.yml"])
    closures = raw["closures.yml"]
    exceptions = _exceptions(closures, checkers["closures.yml"], (loc.id for loc in locations))
    contact = _contact(raw["contact.yml"], checkers["contact.yml"])
    desks = {loc.id: loc.has_desk for loc in locations if loc.id}
    services = _services(raw["services.yml"], checkers["services.yml"], desks)
    faq = _faq(raw["faq.yml"], checkers["faq.yml"], desks)
    municipality = _municipality(raw["municipality.yml"], checkers["municipality.yml"])
    generic = generic_words(raw["service_desks.yml"], checkers["service_desks.yml"], locations)
    synonyms = faq_synonyms(raw["faq.yml"], checkers["faq.yml"])

    holidays_closed = checkers["closures.yml"].flag(
        closures.get("public_holidays_closed", True), "", "public_holidays_closed"
    )
    for checker in checkers.values():
        problems.extend(checker.problems)
    if problems:
        raise KnowledgeBaseError(problems)
    kb = KnowledgeBase(
        service_name=service_name,
        locations=locations,
        exceptions=exceptions,
        public_holidays_closed=holidays_closed,
        contact=contact,
        services=services,
        faq=faq,
        municipality=municipality,
        generic_words=generic,
        faq_synonyms=synonyms,
        meetings=meetings(raw["services.yml"], checkers["services.yml"]),
    )
    return KnowledgeBase(**{**kb.__dict__, "sample_entries": sample_entries(kb)})
