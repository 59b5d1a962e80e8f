"""Opening-hours reasoning: what is open when, in Europe/Oslo time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.kb.holidays import holiday_name
from bot.kb.models import WEEKDAYS, Interval, KnowledgeBase, Text

OSLO = ZoneInfo("Europe/Oslo")
_SEARCH_DAYS = 60


@dataclass(frozen=True)
class DayHours:
    """Opening hours of one place on one date.

    Attributes:
        interval: The hours, or None when closed that day.
        reason: Why the day differs from the weekly pattern (holiday or exception).
        changed: True when an exception changed the usual hours.
    """

    day: date
    interval: Interval | None
    reason: Text | None = None
    changed: bool = False

    @property
    def is_open(self) -> bool:
        return self.interval is not None


@dataclass(frozen=True)
class OpenStatus:
    """Whether a place is open at a moment, and when it next opens."""

    open_now: bool
    today: DayHours
    next_opening: datetime | None


def now_oslo() -> datetime:
    """The current time in Europe/Oslo."""
    return datetime.now(OSLO)


def weekday_name(day: date) -> str:
    return WEEKDAYS[day.weekday()]


def hours_on(
    kb: KnowledgeBase, weekly: dict[str, Interval], location_id: str, day: date
) -> DayHours:
    """Returns the hours of a place (or the phone, ``location_id='phone'``) on a date.

    Dated exceptions win over public holidays, which win over the weekly pattern.
    A closure applies every day it covers; changed hours only on the place's usual days.
    """
    usual = weekly.get(weekday_name(day))
    for exception in kb.exceptions:
        if exception.applies(day, location_id) and (exception.closed or usual is not None):
            # Changed hours apply only where the place is normally open that weekday.
            interval = None if exception.closed else exception.hours
            return DayHours(day, interval, exception.reason, changed=True)
    if kb.public_holidays_closed:
        holiday = holiday_name(day)
        if holiday is not None:
            return DayHours(day, None, holiday, changed=weekday_name(day) in weekly)
    return DayHours(day, usual)


def status_at(
    kb: KnowledgeBase, weekly: dict[str, Interval], location_id: str, moment: datetime
) -> OpenStatus:
    """Returns whether a place is open at ``moment`` and its next opening time."""
    local = moment.astimezone(OSLO)
    today = hours_on(kb, weekly, location_id, local.date())
    open_now = bool(today.interval and today.interval.contains(local.time().replace(tzinfo=None)))
    return OpenStatus(open_now, today, next_opening(kb, weekly, location_id, local))


def next_opening(
    kb: KnowledgeBase, weekly: dict[str, Interval], location_id: str, after: datetime
) -> datetime | None:
    """Returns the next time the place opens strictly after ``after`` (within 60 days)."""
    local = after.astimezone(OSLO)
    for offset in range(_SEARCH_DAYS):
        day = local.date() + timedelta(days=offset)
        hours = hours_on(kb, weekly, location_id, day)
        if hours.interval is None:
            continue
        opening = datetime.combine(day, hours.interval.start, tzinfo=OSLO)
        if opening > local:
            return opening
    return None
