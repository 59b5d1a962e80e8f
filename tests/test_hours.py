"""Public holidays and opening-hours reasoning in Europe/Oslo time."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from bot.desk import phone_status
from bot.kb import KnowledgeBase, load_knowledge_base
from bot.kb.holidays import easter_sunday, holiday_name, public_holidays
from bot.kb.hours import OSLO, hours_on, next_opening, status_at


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
    ],
)
def test_easter(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_public_holidays_2026() -> None:
    days = public_holidays(2026)
    assert len(days) == 12
    expected = {
        date(2026, 1, 1),
        date(2026, 4, 2),
        date(2026, 4, 3),
        date(2026, 4, 5),
        date(2026, 4, 6),
        date(2026, 5, 1),
        date(2026, 5, 14),
        date(2026, 5, 17),
        date(2026, 5, 24),
        date(2026, 5, 25),
        date(2026, 12, 25),
        date(2026, 12, 26),
    }
    assert set(days) == expected
    assert holiday_name(date(2026, 5, 17)).nn == "grunnlovsdagen"
    assert holiday_name(date(2026, 5, 18)) is None


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2027, 1, 1), "nyttårsdag"),
        (date(2027, 3, 25), "skjærtorsdag"),
        (date(2027, 3, 26), "langfredag"),
        (date(2027, 3, 28), "første påskedag"),
        (date(2027, 3, 29), "andre påskedag"),
        (date(2027, 5, 1), "arbeidarane sin dag"),
        (date(2027, 5, 6), "Kristi himmelfartsdag"),
        (date(2027, 5, 16), "første pinsedag"),
        (date(2027, 5, 17), "grunnlovsdagen og andre pinsedag"),  # Whit Monday too
        (date(2027, 12, 25), "første juledag"),
        (date(2027, 12, 26), "andre juledag"),
    ],
)
def test_public_holidays_2027(day: date, name: str) -> None:
    holiday = holiday_name(day)
    assert holiday is not None and holiday.nn == name
    assert len(public_holidays(2027)) == 11  # 17 May and Whit Monday fall on one day


def _desk(kb: KnowledgeBase, location_id: str):  # noqa: ANN202
    location = kb.location(location_id)
    assert location is not None
    return location


@pytest.mark.parametrize(
    ("location_id", "day", "open_"),
    [
        ("knarvik", date(2026, 11, 23), True),  # Monday
        ("manger", date(2026, 11, 25), False),  # Wednesday: Manger closed
        ("frekhaug", date(2026, 11, 25), True),  # Wednesday: Frekhaug open
        ("frekhaug", date(2026, 11, 26), False),  # Thursday
        ("knarvik", date(2026, 11, 28), False),  # Saturday
        ("knarvik", date(2026, 4, 2), False),  # Maundy Thursday
        ("knarvik", date(2026, 5, 14), False),  # Ascension Day
        ("knarvik", date(2026, 12, 24), False),  # closures.yml: Christmas Eve
    ],
)
def test_hours_on(kb: KnowledgeBase, location_id: str, day: date, open_: bool) -> None:
    desk = _desk(kb, location_id)
    assert hours_on(kb, desk.opening_hours, desk.id, day).is_open is open_


def test_changed_hours_only_on_usual_days(kb: KnowledgeBase) -> None:
    knarvik, frekhaug = _desk(kb, "knarvik"), _desk(kb, "frekhaug")
    monday = date(2026, 12, 28)  # romjul: 10:00-14:00 in closures.yml
    changed = hours_on(kb, knarvik.opening_hours, "knarvik", monday)
    assert changed.interval is not None and changed.interval.label() == "10.00–14.00"
    assert changed.reason is not None and changed.reason.nn == "romjula"
    assert not hours_on(kb, frekhaug.opening_hours, "frekhaug", monday).is_open


@pytest.mark.parametrize(
    ("moment", "open_now"),
    [
        (datetime(2026, 11, 26, 8, 59, tzinfo=OSLO), False),
        (datetime(2026, 11, 26, 9, 0, tzinfo=OSLO), True),
        (datetime(2026, 11, 26, 14, 59, tzinfo=OSLO), True),
        (datetime(2026, 11, 26, 15, 0, tzinfo=OSLO), False),
    ],
)
def test_status_at_edges(kb: KnowledgeBase, moment: datetime, open_now: bool) -> None:
    knarvik = _desk(kb, "knarvik")
    assert status_at(kb, knarvik.opening_hours, "knarvik", moment).open_now is open_now


def test_next_opening_skips_easter(kb: KnowledgeBase) -> None:
    knarvik = _desk(kb, "knarvik")
    wednesday_evening = datetime(2027, 3, 24, 16, 0, tzinfo=OSLO)
    # Thu 25 and Fri 26 are holidays, Mon 29 is Easter Monday.
    assert next_opening(kb, knarvik.opening_hours, "knarvik", wednesday_evening) == datetime(
        2027, 3, 30, 9, 0, tzinfo=OSLO
    )


def test_next_opening_in_utc_input(kb: KnowledgeBase) -> None:
    manger = _desk(kb, "manger")
    # 07:30 UTC on Thursday 26 Nov = 08:30 in Oslo: Manger opens at 09:00 the same day.
    moment = datetime.fromisoformat("2026-11-26T07:30:00+00:00")
    assert next_opening(kb, manger.opening_hours, "manger", moment) == datetime(
        2026, 11, 26, 9, 0, tzinfo=OSLO
    )


def test_a_closure_can_name_the_phone_alone(kb_dir: Path) -> None:
    """`locations: [phone]` in closures.yml closes the phone (and chat desk), not the desks."""
    closures = kb_dir / "closures.yml"
    closures.write_text(
        closures.read_text(encoding="utf-8")
        + "\n  - date: 2026-11-26\n    closed: true\n    locations: [phone]\n"
        "    reason: {nn: personalmøte, nb: personalmøte}\n",
        encoding="utf-8",
    )
    kb = load_knowledge_base(kb_dir)
    thursday = datetime(2026, 11, 26, 10, 0, tzinfo=OSLO)
    assert not phone_status(kb, thursday).open_now
    knarvik = _desk(kb, "knarvik")
    assert status_at(kb, knarvik.opening_hours, "knarvik", thursday).open_now
