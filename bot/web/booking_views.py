"""Read-only JSON of booking requests for the Møteførespurnader page (issue 10)."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.handoff.booking_service import place_name
from bot.handoff.bookings import Booking
from bot.kb import KnowledgeBase
from bot.messages import date_label

__all__ = ["STATIC_DIR", "booking_json", "parse_meeting"]

STATIC_DIR = Path(__file__).resolve().parent / "static" / "bookings"
OSLO = ZoneInfo("Europe/Oslo")
_TIME_RE = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def booking_json(booking: Booking, kb: KnowledgeBase) -> dict[str, Any]:
    """One request as the page shows it (names and days in Nynorsk, the staff's language)."""
    topic = next((t.name.nn for t in kb.meetings.topics if t.id == booking.topic), booking.topic)
    return {
        "id": booking.id,
        "conversation_id": booking.conversation_id,
        "topic": topic,
        "place": place_name(kb, booking.place, "nn"),
        "place_id": booking.place,
        "days": [day.isoformat() for day in booking.days],
        "days_label": ", ".join(date_label(day, "nn") for day in booking.days),
        "name": booking.name,
        "description": booking.description,
        "contact": booking.contact,
        "language": booking.language,
        "status": booking.status,
        "created_at": _iso(booking.created_at),
        "meeting_at": _iso(booking.meeting_at),
        "handled_at": _iso(booking.handled_at),
        "note": booking.staff_note,
    }


def parse_meeting(day: str, at: str) -> datetime:
    """``2026-12-03`` and ``10:30`` as an aware Europe/Oslo time.

    Raises:
        ValueError: With what is wrong, for the API's 400 answer.
    """
    try:
        parsed_day = date.fromisoformat(day.strip())
    except ValueError:
        raise ValueError(f"'{day}' is not a date like 2026-12-03.") from None
    match = _TIME_RE.match(at.strip())
    if not match:
        raise ValueError(f"'{at}' is not a time like 10:30.")
    return datetime.combine(parsed_day, time(int(match[1]), int(match[2])), tzinfo=OSLO)
