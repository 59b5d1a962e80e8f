"""Named message texts in Nynorsk, Bokmål and English, and Norwegian date formatting.

The texts live in ``bot/messages.yml``; code refers to them by name only.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.kb.models import WEEKDAYS, Interval
from bot.language import DEFAULT_LANGUAGE, ENGLISH

CATALOGUE = Path(__file__).with_name("messages.yml")


class MessageError(KeyError):
    """A message name or a placeholder is missing from ``bot/messages.yml``."""


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, Any]:
    with CATALOGUE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def _pick(variants: dict[str, Any], language: str) -> Any:
    if language in variants:
        return variants[language]
    if language == ENGLISH and "nb" in variants:
        return variants["nb"]
    return variants[DEFAULT_LANGUAGE]


def message_names() -> list[str]:
    return sorted(_catalogue()["messages"])


def render(message: str, language: str, **values: Any) -> str:
    """Returns ``message`` in ``language`` with its placeholders filled.

    Raises:
        MessageError: If the message or one of its placeholders is unknown.
    """
    variants = _catalogue()["messages"].get(message)
    if variants is None:
        raise MessageError(f"No message named '{message}' in {CATALOGUE.name}; add it there.")
    try:
        return str(_pick(variants, language)).format(**values).strip()
    except KeyError as missing:
        raise MessageError(f"Message '{message}' needs the value {missing}.") from None


def calendar(key: str, language: str) -> Any:
    return _pick(_catalogue()["calendar"][key], language)


def weekday_label(weekday: str, language: str) -> str:
    """``wednesday`` -> ``onsdag`` / ``Wednesday``."""
    return str(calendar("weekdays", language)[WEEKDAYS.index(weekday)])


def join_words(items: list[str], language: str) -> str:
    """``[a, b, c]`` -> ``a, b og c``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {calendar('and', language)} {items[-1]}"


def days_label(weekdays: list[str], language: str) -> str:
    """Names a set of weekdays: ``måndag–fredag`` for a run of 3+, else a list."""
    indices = sorted(WEEKDAYS.index(d) for d in weekdays)
    names = calendar("weekdays", language)
    if len(indices) >= 3 and indices == list(range(indices[0], indices[-1] + 1)):
        return f"{names[indices[0]]}–{names[indices[-1]]}"
    return join_words([str(names[i]) for i in indices], language)


def schedule_label(week: dict[str, Interval], language: str) -> str:
    """Describes a weekly pattern: ``måndag, tysdag og torsdag kl. 09.00–15.00``."""
    groups: dict[str, list[str]] = {}
    for weekday in WEEKDAYS:
        if weekday in week:
            groups.setdefault(week[weekday].label(), []).append(weekday)
    parts = [
        render("schedule", language, days=days_label(days, language), hours=hours)
        for hours, days in groups.items()
    ]
    return join_words(parts, language)


def date_label(day: date, language: str, today: date | None = None) -> str:
    """``i dag``, ``i morgon`` or ``fredag 27. november``."""
    if today is not None and day == today:
        return str(calendar("today", language))
    if today is not None and day == today + timedelta(days=1):
        return str(calendar("tomorrow", language))
    return str(calendar("date", language)).format(
        weekday=weekday_label(WEEKDAYS[day.weekday()], language),
        day=day.day,
        month=calendar("months", language)[day.month - 1],
    )


def moment_label(moment: datetime, language: str, now: datetime) -> str:
    """``i morgon kl. 09.00`` or ``måndag 30. november kl. 09.00``."""
    when = date_label(moment.date(), language, today=now.date())
    return str(calendar("at_time", language)).format(when=when, time=f"{moment:%H.%M}")
