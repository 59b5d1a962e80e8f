"""Whether innbyggjarservice answers now: the one rule for the phone and the chat desk.

Actions (what the bot says about the phone and a handoff) and the chat channels
(whether a citizen can be put in the staff queue) both ask this module, so the
answer never differs between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.kb.hours import OpenStatus, status_at
from bot.kb.models import PHONE_ID, KnowledgeBase

__all__ = ["PHONE", "DeskStatus", "chat_desk_status", "phone_status"]

PHONE = PHONE_ID  # the id closures.yml exceptions use for the phone (and the chat desk)


def phone_status(kb: KnowledgeBase, now: datetime) -> OpenStatus:
    """Whether the phone is answered at ``now``, and when it opens next.

    The phone's weekly hours come from contact.yml; public holidays and the
    closures in closures.yml that name ``phone`` (or every place) apply.
    """
    return status_at(kb, kb.contact.phone_hours, PHONE, now)


@dataclass(frozen=True)
class DeskStatus:
    """Whether a citizen can be put in the staff queue now.

    Attributes:
        open_now: Staff answer the chat at this moment (the municipality's chat policy).
        staff_present: At least one staff member is available in the console.
        hours: The underlying opening status (for the next opening time).
    """

    open_now: bool
    staff_present: bool
    hours: OpenStatus

    @property
    def can_queue(self) -> bool:
        """Open and at least one staff member present."""
        return self.open_now and self.staff_present


def chat_desk_status(
    kb: KnowledgeBase, now: datetime, *, staff_present: bool, always_open: bool = False
) -> DeskStatus:
    """Whether the chat desk is staffed now, by ``municipality.yml``'s ``chat.staffed``.

    Args:
        kb: The knowledge base.
        now: An aware datetime.
        staff_present: Whether a staff member is available in the console.
        always_open: Tests and demos only (``HANDOFF_ALWAYS_OPEN``): ignore the clock.
    """
    hours = phone_status(kb, now)
    staffed = kb.municipality.chat_staffed == "phone_hours"
    open_now = always_open or (staffed and hours.open_now)
    return DeskStatus(open_now=open_now, staff_present=staff_present, hours=hours)
