"""The verbs of booking requests, with their side effects (issue 10).

* :func:`submit` - the action server stores a request the citizen confirmed in the chat.
  The action server writes through the same database as the Rasa server
  (``HANDOFF_DATABASE_URL``): it needs nothing from the Rasa server's memory, a request
  is stored even while the Rasa server restarts, and no internal HTTP route has to be
  protected. The long-polls are not woken: the console's booking list is polled.
* :class:`BookingService` - staff book a meeting or answer a request; if the citizen's
  conversation is still open, a system message tells them, through the handoff store's
  message path, and the long-polls are woken so the widget shows it at once.

Kept apart from :mod:`bot.handoff.service` (at its size limit); it uses the same store,
notifier and clock as :class:`~bot.handoff.service.HandoffService`.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bot.kb import KnowledgeBase
from bot.messages import date_label, moment_label, render

from .bookings import ANSWERED, BOOKED, Booking, BookingRepository
from .records import Sender
from .service import HandoffService
from .states import HandoffState
from .store import HandoffStore

__all__ = ["BookingService", "bookings_of", "submit", "submit_from_action_server"]

OSLO = ZoneInfo("Europe/Oslo")
T = TypeVar("T")

_lock = threading.Lock()
_stores: dict[str, HandoffStore] = {}


def bookings_of(store: HandoffStore) -> BookingRepository:
    """The booking repository over the store's database and users."""
    return BookingRepository(store._db, store.users)  # noqa: SLF001 - same package


def submit(
    store: HandoffStore,
    *,
    conversation_id: str,
    topic: str,
    place: str,
    days: list[date],
    name: str,
    description: str,
    language: str,
    contact: str | None = None,
) -> Booking:
    """Store a request the citizen confirmed (see BookingRepository.create for errors)."""
    return bookings_of(store).create(
        conversation_id,
        topic=topic,
        place=place,
        days=days,
        name=name,
        description=description,
        language=language,
        contact=contact,
    )


def submit_from_action_server(**request: Any) -> int:
    """:func:`submit` through a store opened once per process from ``HANDOFF_DATABASE_URL``.

    Returns:
        The new request's id.
    """
    with _lock:
        store = _stores.get("default")
        if store is None:
            store = _stores["default"] = HandoffStore()
    return submit(store, **request).id


def place_name(kb: KnowledgeBase, place: str, language: str) -> str:
    """A place's name for the citizen (a location's name, or "digital")."""
    location = kb.location(place)
    return location.name if location else render("booking_place_digital", language)


class BookingService:
    """Staff verbs on booking requests.

    Args:
        handoff: The handoff service whose store, notifier and knowledge base are used.
    """

    def __init__(self, handoff: HandoffService) -> None:
        self.handoff = handoff
        self.bookings = bookings_of(handoff.store)

    async def _run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, functools.partial(function, *args, **kwargs))

    async def list(self, open_only: bool = True) -> list[Booking]:
        """Requests, oldest first."""
        return await self._run(self.bookings.list, open_only)

    async def add_contact(self, conversation_id: str, booking_id: int, contact: str) -> Booking:
        """The citizen adds an e-mail or phone to their open request (validated, normalised)."""
        return await self._run(self.bookings.set_contact, conversation_id, booking_id, contact)

    async def book(self, booking_id: int, staff_user_id: int, meeting_at: datetime) -> bool:
        """Mark a request booked at ``meeting_at`` and tell the citizen if the chat is open.

        Returns:
            False if someone else handled it first (nothing is sent then).
        """
        if meeting_at.tzinfo is None:
            meeting_at = meeting_at.replace(tzinfo=OSLO)
        done = await self._run(
            self.bookings.handle, booking_id, staff_user_id, BOOKED, meeting_at=meeting_at
        )
        if done:
            await self._tell(booking_id)
        return done

    async def answer(self, booking_id: int, staff_user_id: int, note: str) -> bool:
        """Mark a request answered another way, with a note the citizen reads if still there."""
        done = await self._run(self.bookings.handle, booking_id, staff_user_id, ANSWERED, note=note)
        if done:
            await self._tell(booking_id)
        return done

    async def _tell(self, booking_id: int) -> None:
        if await self._run(self._tell_blocking, booking_id):
            self.handoff.notifier.notify()

    def _tell_blocking(self, booking_id: int) -> bool:
        """Adds the system message; False if the conversation is closed or gone."""
        booking = self.bookings.get(booking_id)
        conversation = self.handoff.store.conversations.get(booking.conversation_id)
        if conversation is None or conversation.state is HandoffState.CLOSED:
            return False
        text = self.confirmation(booking, self.handoff.knowledge_base(), self.handoff.clock())
        # The widget hides the request's contact field once it is handled.
        handled = {"custom": {"booking_handled": {"id": booking.id}}}
        self.handoff.store.messages.add(
            booking.conversation_id, Sender.SYSTEM, text, payload=handled
        )
        return True

    @staticmethod
    def confirmation(booking: Booking, kb: KnowledgeBase, now: datetime) -> str:
        """The system message for a handled request, in the request's language."""
        language = booking.language
        if booking.status == ANSWERED:
            return render("booking_answered", language, note=booking.staff_note or "")
        meeting = (booking.meeting_at or now).astimezone(OSLO)
        when = moment_label(meeting, language, now.astimezone(OSLO))
        if booking.place == "digital":
            return render("booking_confirmed_digital", language, when=when)
        return render(
            "booking_confirmed", language, when=when, place=place_name(kb, booking.place, language)
        )


def days_label(booking: Booking) -> str:
    """The days the citizen asked for, in Nynorsk (for the console)."""
    return ", ".join(date_label(day, "nn") for day in booking.days)
