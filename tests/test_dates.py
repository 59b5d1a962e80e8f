"""Dates and named days: the parser (bot/dates.py) and the answers for those days.

Every public holiday of 2026 and 2027 and every closure date of the fixture's closures.yml
is asked about for every desk, through action_opening_hours with a fixed clock.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.opening_hours import ActionOpeningHours
from bot.dates import NAMED_DAYS, DateRef, decode, find_dates
from bot.kb import KnowledgeBase, load_knowledge_base
from bot.kb.holidays import public_holidays
from bot.kb.hours import OSLO
from bot.kb.models import WEEKDAYS
from bot.messages import calendar
from tests.conftest import KB_DIR, THURSDAY_MORNING, texts

D = date
THU = date(2026, 11, 26)  # Thursday 26 November 2026
ROMJUL_MONDAY = date(2026, 12, 28)
NEW_YEAR_SATURDAY = date(2027, 1, 2)

Span = tuple[date, date]


def spans(text: str, today: date) -> list[Span]:
    return [(ref.start, ref.end) for ref in find_dates(text, today)]


def one(day: date) -> list[Span]:
    return [(day, day)]


# (message, today, expected days). Named days in Nynorsk, Bokmål, without æøå and in English.
PARSER_CASES: list[tuple[str, date, list[Span]]] = [
    # Christmas and New Year
    ("har de ope julaftan?", THU, one(D(2026, 12, 24))),
    ("har dere åpent julaften", THU, one(D(2026, 12, 24))),
    ("apent julaften", THU, one(D(2026, 12, 24))),
    ("ope juleaftan", THU, one(D(2026, 12, 24))),
    ("ope julaftn", THU, one(D(2026, 12, 24))),
    ("e dokke opne på julafta", THU, one(D(2026, 12, 24))),
    ("stengt nyttårsafta?", THU, one(D(2026, 12, 31))),
    ("are you open on christmas eve", THU, one(D(2026, 12, 24))),
    ("julaftan", ROMJUL_MONDAY, one(D(2027, 12, 24))),
    ("1. juledag", THU, one(D(2026, 12, 25))),
    ("første juledag", THU, one(D(2026, 12, 25))),
    ("forste juledag", THU, one(D(2026, 12, 25))),
    ("fyrste juledag", THU, one(D(2026, 12, 25))),
    ("juledagen", THU, one(D(2026, 12, 25))),
    ("2. juledag", THU, one(D(2026, 12, 26))),
    ("andre juledag", THU, one(D(2026, 12, 26))),
    ("2 juledag", THU, one(D(2026, 12, 26))),
    ("boxing day", THU, one(D(2026, 12, 26))),
    ("i romjula", THU, [(D(2026, 12, 27), D(2026, 12, 30))]),
    ("i romjulen", THU, [(D(2026, 12, 27), D(2026, 12, 30))]),
    ("mellom jul og nyttår", THU, [(D(2026, 12, 27), D(2026, 12, 30))]),
    ("romjula", ROMJUL_MONDAY, [(D(2026, 12, 28), D(2026, 12, 30))]),  # the rest of it
    ("ope i jula?", THU, [(D(2026, 12, 24), D(2027, 1, 1))]),
    ("nyttårsaftan", THU, one(D(2026, 12, 31))),
    ("nyttårsaften", THU, one(D(2026, 12, 31))),
    ("nyttarsaften", THU, one(D(2026, 12, 31))),
    ("nyttaarsaftan", THU, one(D(2026, 12, 31))),
    ("new year's eve", THU, one(D(2026, 12, 31))),
    ("nyttårsaftan", NEW_YEAR_SATURDAY, one(D(2027, 12, 31))),
    ("1. nyttårsdag", THU, one(D(2027, 1, 1))),
    ("første nyttårsdag", ROMJUL_MONDAY, one(D(2027, 1, 1))),
    ("nyttarsdag", NEW_YEAR_SATURDAY, one(D(2028, 1, 1))),
    # Easter 2027: Palm Sunday 21 March, Easter Sunday 28 March
    ("ope i påska?", THU, [(D(2027, 3, 21), D(2027, 3, 29))]),
    ("åpent i påsken", THU, [(D(2027, 3, 21), D(2027, 3, 29))]),
    ("paska", THU, [(D(2027, 3, 21), D(2027, 3, 29))]),
    ("paasken", THU, [(D(2027, 3, 21), D(2027, 3, 29))]),
    ("påskeveka", THU, [(D(2027, 3, 21), D(2027, 3, 29))]),
    ("palmesundag", THU, one(D(2027, 3, 21))),
    ("palmesøndag", THU, one(D(2027, 3, 21))),
    ("skjærtorsdag", THU, one(D(2027, 3, 25))),
    ("skjaertorsdag", THU, one(D(2027, 3, 25))),
    ("skjartorsdag", THU, one(D(2027, 3, 25))),
    ("langfredag", THU, one(D(2027, 3, 26))),
    ("good friday", THU, one(D(2027, 3, 26))),
    ("påskeaftan", THU, one(D(2027, 3, 27))),
    ("paskeaften", THU, one(D(2027, 3, 27))),
    ("1. påskedag", THU, one(D(2027, 3, 28))),
    ("første påskedag", THU, one(D(2027, 3, 28))),
    ("2. påskedag", THU, one(D(2027, 3, 29))),
    ("andre paskedag", THU, one(D(2027, 3, 29))),
    ("easter monday", THU, one(D(2027, 3, 29))),
    ("Kristi himmelfartsdag", THU, one(D(2027, 5, 6))),
    ("kristi himmelfart", THU, one(D(2027, 5, 6))),
    ("himmelfartsdagen", THU, one(D(2027, 5, 6))),
    ("pinse", THU, [(D(2027, 5, 15), D(2027, 5, 17))]),
    ("i pinsa", THU, [(D(2027, 5, 15), D(2027, 5, 17))]),
    ("i pinsen", THU, [(D(2027, 5, 15), D(2027, 5, 17))]),
    ("pingst", THU, [(D(2027, 5, 15), D(2027, 5, 17))]),
    ("pinseaftan", THU, one(D(2027, 5, 15))),
    ("pinseaften", THU, one(D(2027, 5, 15))),
    ("1. pinsedag", THU, one(D(2027, 5, 16))),
    ("første pinsedag", THU, one(D(2027, 5, 16))),
    ("2. pinsedag", THU, one(D(2027, 5, 17))),
    ("andre pinsedag", THU, one(D(2027, 5, 17))),
    ("1. mai", THU, one(D(2027, 5, 1))),
    ("arbeidernes dag", THU, one(D(2027, 5, 1))),
    ("17. mai", THU, one(D(2027, 5, 17))),
    ("17 mai", THU, one(D(2027, 5, 17))),
    ("grunnlovsdagen", THU, one(D(2027, 5, 17))),
    ("syttende mai", THU, one(D(2027, 5, 17))),
    # Explicit dates
    ("er de opne 24. desember", THU, one(D(2026, 12, 24))),
    ("ope 24.12?", THU, one(D(2026, 12, 24))),
    ("ope 24/12", THU, one(D(2026, 12, 24))),
    ("24 des", THU, one(D(2026, 12, 24))),
    ("torsdag 24. desember", THU, one(D(2026, 12, 24))),
    ("måndag 30. november", THU, one(D(2026, 11, 30))),
    ("mandag den 30. november", THU, one(D(2026, 11, 30))),
    ("30/11", THU, one(D(2026, 11, 30))),
    ("2. januar", THU, one(D(2027, 1, 2))),
    ("2. januar", NEW_YEAR_SATURDAY, one(D(2027, 1, 2))),
    ("26. november", THU, one(THU)),
    ("25. november", THU, one(D(2027, 11, 25))),
    ("24.12.2027", THU, one(D(2027, 12, 24))),
    ("24.12.27", THU, one(D(2027, 12, 24))),
    ("December 24th", THU, one(D(2026, 12, 24))),
    ("on the 24th of December", THU, one(D(2026, 12, 24))),
    ("1. og 17. mai", THU, [*one(D(2027, 5, 1)), *one(D(2027, 5, 17))]),
    ("24.-26. desember", THU, [(D(2026, 12, 24), D(2026, 12, 26))]),
    ("28. til 30. desember", THU, [(D(2026, 12, 28), D(2026, 12, 30))]),
    # Relative days and weeks
    ("har de ope dagen før julaftan", THU, one(D(2026, 12, 23))),
    ("dagen etter 2. påskedag", THU, one(D(2027, 3, 30))),
    ("the day before new year's eve", THU, one(D(2026, 12, 30))),
    ("i dag", THU, one(THU)),
    ("idag", THU, one(THU)),
    ("i morgon", THU, one(D(2026, 11, 27))),
    ("i morgen", D(2026, 12, 31), one(D(2027, 1, 1))),
    ("imorgen", THU, one(D(2026, 11, 27))),
    ("i overmorgon", THU, one(D(2026, 11, 28))),
    ("i overmorgen", D(2026, 12, 31), one(D(2027, 1, 2))),
    ("neste fredag", THU, one(D(2026, 11, 27))),
    ("neste torsdag", THU, one(D(2026, 12, 3))),
    ("på fredag", THU, one(D(2026, 11, 27))),
    ("next monday", D(2026, 12, 30), one(D(2027, 1, 4))),
    ("denne veka", THU, [(THU, D(2026, 11, 29))]),
    ("denne uka", THU, [(THU, D(2026, 11, 29))]),
    ("neste veke", THU, [(D(2026, 11, 30), D(2026, 12, 6))]),
    ("neste uke", ROMJUL_MONDAY, [(D(2027, 1, 4), D(2027, 1, 10))]),
    ("next week", THU, [(D(2026, 11, 30), D(2026, 12, 6))]),
    # No date
    ("opningstider", THU, []),
    ("når har de ope", THU, []),
    ("har de ope på fredagar", THU, []),
    ("kor tid er det ope i veka", THU, []),
    ("kl. 10.30", THU, []),
    ("ring meg på 91234567", THU, []),
    ("ring 56 37 50 00", THU, []),
    ("saksnummer 2026/1234", THU, []),
    ("fødselsnummer 01017012345", THU, []),
    ("31.02", THU, []),
    ("har de ope i juli", THU, []),
]


@pytest.mark.parametrize(("text", "today", "expected"), PARSER_CASES)
def test_find_dates(text: str, today: date, expected: list[Span]) -> None:
    assert spans(text, today) == expected


@pytest.mark.parametrize(
    ("text", "kind", "name"),
    [
        ("julaftan", "named", "christmas_eve"),
        ("i påska", "named", "easter"),
        ("17. mai", "date", None),
        ("i dag", "today", None),
        ("i morgon", "tomorrow", None),
        ("i overmorgon", "relative", None),
        ("på fredag", "weekday", None),
        ("neste fredag", "next_weekday", None),
        ("neste veke", "week", "next_week"),
    ],
)
def test_kind_and_name(text: str, kind: str, name: str | None) -> None:
    (ref,) = find_dates(text, THU)
    assert (ref.kind, ref.name) == (kind, name)


@pytest.mark.parametrize("language", ["nn", "nb", "en"])
def test_every_named_day_has_a_label(language: str) -> None:
    labels = calendar("named_days", language)
    assert set(NAMED_DAYS) | {"this_week", "next_week"} == set(labels)


def test_named_days_cover_every_public_holiday() -> None:
    """Each holiday of 2026-2030 is reachable by a named day the parser knows."""
    for year in range(2026, 2031):
        named = {
            ref.start
            for key in NAMED_DAYS
            for ref in find_dates(key.replace("_", " "), date(year, 1, 1))
        }
        assert set(public_holidays(year)) - named == set()


def test_range_days() -> None:
    ref = DateRef(D(2026, 12, 27), D(2026, 12, 30), "named", "romjul")
    assert ref.is_range and ref.days() == [D(2026, 12, 27) + timedelta(n) for n in range(4)]


# --- Answers through action_opening_hours ---------------------------------------------

KB = load_knowledge_base(KB_DIR)
DESKS = [desk.id for desk in KB.desks]
MONTHS_NN = calendar("months", "nn")


def _tracker(text: str, location: str | None, language: str) -> Tracker:
    entities = [{"entity": "location", "value": location}] if location else []
    latest = {"intent": {"name": "ask_opening_hours"}, "entities": entities, "text": text}
    return Tracker(
        "test",
        {"language": language},
        latest,
        [{"event": "user", "text": text, "parse_data": latest}],
        False,
        None,
        {},
        "action_listen",
    )


def ask(
    kb: KnowledgeBase,
    text: str,
    location: str | None = None,
    language: str = "nn",
    moment: datetime = THURSDAY_MORNING,
) -> str:
    dispatcher = CollectingDispatcher()
    action = ActionOpeningHours(clock=lambda: moment, knowledge_base=lambda: kb)
    asyncio.run(action.run(dispatcher, _tracker(text, location, language), {}))
    return texts(dispatcher)


def _phrase(day: date) -> str:
    return f"er de opne {day.day}. {MONTHS_NN[day.month - 1]} {day.year}?"


HOLIDAYS = [(day, name) for year in (2026, 2027) for day, name in public_holidays(year).items()]


@pytest.mark.parametrize("desk", DESKS)
@pytest.mark.parametrize(("day", "name"), HOLIDAYS, ids=[str(d) for d, _ in HOLIDAYS])
def test_every_public_holiday_is_closed_at_every_desk(
    kb: KnowledgeBase, desk: str, day: date, name: Any
) -> None:
    location = kb.location(desk)
    assert location is not None
    text = ask(kb, _phrase(day), desk)
    assert (
        f"er innbyggjarservice {location.preposition} {location.name} stengd "
        f"({name.nn}, offentleg høgtidsdag)"
    ) in text
    assert f"{day.day}. {MONTHS_NN[day.month - 1]}" in text
    assert "ope som vanleg" not in text


@pytest.mark.parametrize(("day", "name"), HOLIDAYS, ids=[str(d) for d, _ in HOLIDAYS])
def test_every_public_holiday_is_closed_everywhere_in_bokmal(
    kb: KnowledgeBase, day: date, name: Any
) -> None:
    text = ask(kb, _phrase(day), language="nb")
    assert f"stengt alle steder ({name.nb}, offentlig høytidsdag)" in text
    assert all(f"• {kb.location(d).name}: åpner igjen" in text for d in DESKS)  # type: ignore[union-attr]


CLOSURE_DAYS = [
    (day, exception)
    for exception in KB.exceptions
    for day in DateRef(exception.start, exception.end, "date").days()
]


@pytest.mark.parametrize("desk", DESKS)
@pytest.mark.parametrize(("day", "exception"), CLOSURE_DAYS, ids=[str(d) for d, _ in CLOSURE_DAYS])
def test_every_closure_date_at_every_desk(
    kb: KnowledgeBase, desk: str, day: date, exception: Any
) -> None:
    location = kb.location(desk)
    assert location is not None
    text = ask(kb, _phrase(day), desk)
    place = f"innbyggjarservice {location.preposition} {location.name}"
    usual = WEEKDAYS[day.weekday()] in location.opening_hours
    if not exception.applies(day, desk):
        pytest.fail("the fixture's exceptions apply to every desk")
    if exception.closed:
        assert f"er {place} stengd ({exception.reason.nn})" in text
    elif usual:
        assert f"har {place} endra opningstid: kl. {exception.hours.label()}" in text
        assert f"({exception.reason.nn})" in text
    else:
        assert f"har ikkje {place} ope" in text


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "har de ope julaftan?",
            "nn",
            "Julaftan (torsdag 24. desember) er innbyggjarservice stengd alle stader (julaftan).",
        ),
        (
            "har dere åpent julaften?",
            "nb",
            "Julaften (torsdag 24. desember) er innbyggerservice stengt alle steder (julaften).",
        ),
        (
            "are you open on christmas eve?",
            "en",
            "Christmas Eve (Thursday 24 December), all service desks are closed (Christmas Eve).",
        ),
        (
            "2. juledag",
            "nn",
            "2. juledag (laurdag 26. desember) er innbyggjarservice stengd alle stader "
            "(andre juledag, offentleg høgtidsdag).",
        ),
        (
            "17. mai",
            "nb",
            "Mandag 17. mai er innbyggerservice stengt alle steder",
        ),
        ("måndag 30. november", "nn", "• Knarvik: ope kl. 09.00–15.00"),
        ("måndag 30. november", "nn", "• Frekhaug: ikkje ope på måndagar"),
        ("neste fredag", "nb", "• Manger: ikke åpent på fredager"),
    ],
)
def test_named_days_and_dates_for_every_desk(
    kb: KnowledgeBase, text: str, language: str, expected: str
) -> None:
    answer = ask(kb, text, language=language)
    assert expected in answer
    assert "Opningstider for innbyggjarservice" not in answer  # not the weekly hours


@pytest.mark.parametrize(
    ("desk", "expected"),
    [
        (
            "knarvik",
            "Måndag 30. november har innbyggjarservice i Knarvik ope som vanleg, kl. 09.00–15.00.",
        ),
        ("manger", "Måndag 30. november har innbyggjarservice på Manger ope som vanleg"),
        (
            "frekhaug",
            "Måndag 30. november har ikkje innbyggjarservice på Frekhaug ope. Der er det ope "
            "onsdag og fredag kl. 09.00–15.00. Neste opning er onsdag 2. desember kl. 09.00.",
        ),
    ],
)
def test_normal_day_and_a_desk_not_open_that_weekday(
    kb: KnowledgeBase, desk: str, expected: str
) -> None:
    assert expected in ask(kb, "er de opne måndag 30. november?", desk)


def test_a_range_lists_the_days_that_differ(kb: KnowledgeBase) -> None:
    easter = ask(kb, "ope i påska?")
    assert easter.startswith("Innbyggjarservice påska (sundag 21. mars–måndag 29. mars):")
    for line in (
        "• torsdag 25. mars: stengt alle stader (skjærtorsdag, offentleg høgtidsdag)",
        "• fredag 26. mars: stengt alle stader (langfredag, offentleg høgtidsdag)",
        "• måndag 29. mars: stengt alle stader (andre påskedag, offentleg høgtidsdag)",
    ):
        assert line in easter
    assert "måndag 22. mars" not in easter  # a normal day is summarised, not listed
    assert "Dei andre dagane er opningstidene som vanleg." in easter


def test_romjul_for_one_desk(kb: KnowledgeBase) -> None:
    text = ask(kb, "har de ope i romjulen", "manger", language="nb")
    assert text.startswith("Innbyggerservice på Manger, romjulen (søndag 27. desember–onsdag")
    assert "• mandag 28. desember: endret åpningstid, kl. 10.00–14.00 (romjulen)" in text
    assert "• tirsdag 29. desember: endret åpningstid, kl. 10.00–14.00 (romjulen)" in text
    assert "• onsdag 30. desember" not in text  # Manger is not open on Wednesdays anyway


def test_a_week_without_exceptions_gives_the_usual_hours(kb: KnowledgeBase) -> None:
    text = ask(kb, "kva tid er det ope neste veke", "frekhaug")
    assert text.startswith("Neste veke (måndag 30. november–sundag 6. desember)")
    assert "onsdag og fredag kl. 09.00–15.00" in text


def test_two_dates_in_one_question(kb: KnowledgeBase) -> None:
    text = ask(kb, "ope 1. og 17. mai?", "knarvik")
    assert "(arbeidarane sin dag, offentleg høgtidsdag)" in text
    assert "17. mai er innbyggjarservice i Knarvik stengd" in text


def test_across_new_year(kb: KnowledgeBase) -> None:
    moment = datetime(2026, 12, 31, 12, 0, tzinfo=OSLO)
    text = ask(kb, "er det ope i morgon og 2. januar?", "knarvik", moment=moment)
    assert "I morgon er innbyggjarservice i Knarvik stengd (nyttårsdag" in text
    assert "Laurdag 2. januar har ikkje innbyggjarservice i Knarvik ope" in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("er de opne i dag", "I dag har innbyggjarservice i Knarvik ope kl. 09.00–15.00."),
        ("opningstider", "Innbyggjarservice i Knarvik (Knarvik Senter) har ope måndag–fredag"),
    ],
)
def test_today_and_plain_questions_keep_their_answers(
    kb: KnowledgeBase, make_tracker: Any, text: str, expected: str
) -> None:
    entities = {"location": "knarvik"}
    if "i dag" in text:
        entities["time_ref"] = "today"
    dispatcher = CollectingDispatcher()
    action = ActionOpeningHours(clock=lambda: THURSDAY_MORNING, knowledge_base=lambda: kb)
    asyncio.run(action.run(dispatcher, make_tracker("ask_opening_hours", text, entities), {}))
    assert texts(dispatcher).startswith(expected)


def test_follow_up_keeps_the_date_and_changes_the_place(kb: KnowledgeBase) -> None:
    dispatcher = CollectingDispatcher()
    action = ActionOpeningHours(clock=lambda: THURSDAY_MORNING, knowledge_base=lambda: kb)
    first = _tracker("har de ope 2. juledag", None, "nn")
    events = asyncio.run(action.run(dispatcher, first, {}))
    stored = next(e["value"] for e in events if e.get("name") == "asked_dates")
    assert stored == "2026-12-26/2026-12-26/named/boxing_day"
    follow = _tracker("kva med frekhaug?", "frekhaug", "nn")
    follow.latest_message["intent"] = {"name": "inform"}
    follow.slots["asked_dates"] = stored
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, follow, {}))
    assert texts(dispatcher).startswith(
        "2. juledag (laurdag 26. desember) er innbyggjarservice på Frekhaug stengd"
    )


@pytest.mark.parametrize("value", [None, "", "garbage", "2026-13-01/2026-13-01/date/", "a/b/c/d"])
def test_decode_skips_malformed_slot_values(value: str | None) -> None:
    assert decode(value) == []


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ("er de opne 24.12.2027", True),  # after the last day closures.yml knows of
        ("julaftan", False),
        ("2. juledag 2027", False),  # a public holiday is closed whatever closures.yml says
        ("neste veke", False),
    ],
)
def test_days_beyond_the_known_closures_say_so(kb: KnowledgeBase, text: str, note: bool) -> None:
    answer = ask(kb, text.replace("2. juledag 2027", "26.12.2027"))
    assert ("fram til 31.12.2026" in answer) is note
    assert ("56 37 50 00" in answer) is note


def test_a_long_range_is_answered_for_its_first_two_weeks(kb: KnowledgeBase) -> None:
    text = ask(kb, "opningstider 1.-31. desember")
    assert text.startswith("Tysdag 1. desember–måndag 14. desember er opningstidene som vanleg")
