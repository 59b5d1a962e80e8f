"""Booking requests: meetings with a saksbehandlar a citizen asked for in the chat.

A request belongs to a conversation and is deleted with it (``ON DELETE CASCADE``), by
"Slett samtalen" and by the retention job. Its description is masked citizen text; its
name (and the optional contact) are kept only on the request.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update

from .common import check_language
from .contact import normalize_contact
from .database import Database
from .moves import current_state
from .schema import BOOKING_STATUSES, BookingRequestRow
from .users import UserRepository

__all__ = ["Booking", "BookingNotFound", "BookingRepository"]

OPEN, BOOKED, ANSWERED = BOOKING_STATUSES
MAX_NAME = 80
MAX_DESCRIPTION = 500
MAX_NOTE = 1000


class BookingNotFound(LookupError):
    """No booking request has this id."""

    def __init__(self, booking_id: int) -> None:
        super().__init__(f"Booking request {booking_id} does not exist (deleted or never made).")
        self.booking_id = booking_id


@dataclass(frozen=True)
class Booking:
    """A stored booking request."""

    id: int
    conversation_id: str
    topic: str
    place: str
    days: tuple[date, ...]
    name: str
    description: str
    contact: str | None
    language: str
    status: str
    created_at: datetime
    meeting_at: datetime | None = None
    handled_at: datetime | None = None
    handled_by: int | None = None
    staff_note: str | None = None


def _booking(row: Any) -> Booking:
    return Booking(
        id=row.id,
        conversation_id=row.conversation_id,
        topic=row.topic,
        place=row.place,
        days=tuple(date.fromisoformat(d) for d in row.days.split(",") if d),
        name=row.name,
        description=row.description,
        contact=row.contact,
        language=row.language,
        status=row.status,
        created_at=row.created_at,
        meeting_at=row.meeting_at,
        handled_at=row.handled_at,
        handled_by=row.handled_by,
        staff_note=row.staff_note,
    )


def _text(value: str, what: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"The booking's {what} is empty; the form must ask for it again.")
    if len(value) > limit:
        raise ValueError(f"The booking's {what} is {len(value)} characters; at most {limit}.")
    return value.strip()


class BookingRepository:
    """The ``booking_requests`` table."""

    def __init__(self, db: Database, users: UserRepository) -> None:
        """Use the shared database ``db``; ``users`` checks that staff users are active."""
        self._db = db
        self._users = users

    def create(
        self,
        conversation_id: str,
        *,
        topic: str,
        place: str,
        days: list[date] | tuple[date, ...],
        name: str,
        description: str,
        language: str,
        contact: str | None = None,
    ) -> Booking:
        """Store an open booking request for the conversation.

        Raises:
            ConversationNotFound: If the conversation does not exist.
            InvalidContact: If a contact is given and is neither e-mail nor phone.
            ValueError: If a field is empty or too long, or no day is given.
        """
        if not days:
            raise ValueError("A booking request needs at least one day; ask the citizen for one.")
        row = BookingRequestRow(
            conversation_id=conversation_id,
            topic=_text(topic, "topic", 64),
            place=_text(place, "place", 64),
            days=",".join(d.isoformat() for d in days),
            name=_text(name, "name", MAX_NAME),
            description=_text(description, "description", MAX_DESCRIPTION),
            contact=normalize_contact(contact) if contact else None,
            language=check_language(language).value,
            status=OPEN,
            created_at=self._db.now(),
        )
        with self._db.session() as session:
            current_state(session, conversation_id)
            session.add(row)
            session.flush()
            return _booking(row)

    def get(self, booking_id: int) -> Booking:
        """The request with this id.

        Raises:
            BookingNotFound: If there is none.
        """
        with self._db.session() as session:
            row = session.get(BookingRequestRow, booking_id)
            if row is None:
                raise BookingNotFound(booking_id)
            return _booking(row)

    def list(self, open_only: bool = True) -> builtins.list[Booking]:
        """Requests, oldest first (only open ones unless ``open_only`` is False)."""
        query = select(BookingRequestRow)
        if open_only:
            query = query.where(BookingRequestRow.status == OPEN)
        query = query.order_by(BookingRequestRow.created_at, BookingRequestRow.id)
        with self._db.session() as session:
            return [_booking(row) for row in session.execute(query).scalars()]

    def set_contact(self, conversation_id: str, booking_id: int, contact: str) -> Booking:
        """Attach the citizen's e-mail or phone to their own open request.

        The contact is given through the widget's own field, never in the chat text
        (which is masked before Rasa sees it), and is stored only on the request.

        Raises:
            BookingNotFound: If the conversation has no open request with this id.
            InvalidContact: If the contact is neither e-mail nor phone.
        """
        normalized = normalize_contact(contact)
        with self._db.session() as session:
            result = session.execute(
                update(BookingRequestRow)
                .where(
                    BookingRequestRow.id == booking_id,
                    BookingRequestRow.conversation_id == conversation_id,
                    BookingRequestRow.status == OPEN,
                )
                .values(contact=normalized)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                raise BookingNotFound(booking_id)
        return self.get(booking_id)

    def handle(
        self,
        booking_id: int,
        staff_user_id: int,
        status: str,
        *,
        meeting_at: datetime | None = None,
        note: str | None = None,
    ) -> bool:
        """Mark an open request booked (with the meeting's time) or answered.

        Exactly one staff member wins when two handle it at once.

        Returns:
            True if this call handled it; False if it was already handled.

        Raises:
            BookingNotFound: If the request does not exist.
            ValueError: For an unknown status, a booking without a time, or a long note.
            UserNotFound, UserInactive: If the staff user may not act.
        """
        if status not in (BOOKED, ANSWERED):
            raise ValueError(f"Status '{status}' is not 'booked' or 'answered'.")
        if status == BOOKED and meeting_at is None:
            raise ValueError("A booked meeting needs its date and time.")
        if note is not None and len(note) > MAX_NOTE:
            raise ValueError(f"The note is {len(note)} characters; at most {MAX_NOTE}.")
        self._users.active(staff_user_id)
        with self._db.session() as session:
            result = session.execute(
                update(BookingRequestRow)
                .where(BookingRequestRow.id == booking_id, BookingRequestRow.status == OPEN)
                .values(
                    status=status,
                    meeting_at=meeting_at,
                    staff_note=note,
                    handled_at=self._db.now(),
                    handled_by=staff_user_id,
                )
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:
                return True
            exists = session.execute(
                select(BookingRequestRow.id).where(BookingRequestRow.id == booking_id)
            ).scalar_one_or_none()
        if exists is None:
            raise BookingNotFound(booking_id)
        return False
