"""Staff status and capacity: who is available for the queue, and how many chats they hold.

A staff member sets themselves ``available``, on a ``break`` or ``busy`` and has a limit
of concurrent chats (default :func:`default_max_chats`, env ``CONSOLE_MAX_CHATS``).
Only staff who are available, signed in (polled the console recently) and below their
limit count as present for the queue (:meth:`StaffingRepository.free_staff`). A staff
member without a stored row is available with the default limit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .database import Database
from .schema import (
    STAFF_STATUSES,
    ConversationRow,
    StaffUserRow,
    staff_presence_table,
    staff_status_table,
)
from .states import HandoffState

__all__ = [
    "AVAILABLE",
    "MAX_CHATS_LIMIT",
    "STAFF_STATUSES",
    "StaffStatus",
    "StaffingRepository",
    "default_max_chats",
    "read_statuses",
]

AVAILABLE = "available"
MAX_CHATS_LIMIT = 20
"""Highest limit of concurrent chats a staff member can set."""
MAX_CHATS_ENV = "CONSOLE_MAX_CHATS"


def default_max_chats() -> int:
    """The default limit of concurrent chats (env ``CONSOLE_MAX_CHATS``, default 3)."""
    raw = os.environ.get(MAX_CHATS_ENV, "3").strip() or "3"
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(
            f"{MAX_CHATS_ENV}={raw!r} is not a whole number; set it to 1..{MAX_CHATS_LIMIT}."
        ) from None
    if not 1 <= value <= MAX_CHATS_LIMIT:
        raise ValueError(
            f"{MAX_CHATS_ENV}={value} is out of range; set it to 1..{MAX_CHATS_LIMIT}."
        )
    return value


@dataclass(frozen=True)
class StaffStatus:
    """One staff member's status for the queue.

    Attributes:
        staff_user_id: The staff member.
        first_name: Their first name.
        status: ``available``, ``break`` or ``busy``.
        max_chats: Their limit of concurrent chats.
        active_chats: How many conversations they hold now.
        last_seen: When their console last polled (None: signed out).
    """

    staff_user_id: int
    first_name: str
    status: str
    max_chats: int
    active_chats: int
    last_seen: datetime | None

    def present(self, cutoff: datetime) -> bool:
        """Whether their console polled at or after ``cutoff``."""
        return self.last_seen is not None and self.last_seen >= cutoff

    def takes_chats(self, cutoff: datetime) -> bool:
        """Available, signed in and below their limit: may get (another) chat."""
        return (
            self.status == AVAILABLE and self.present(cutoff) and self.active_chats < self.max_chats
        )


def check_status(status: str, max_chats: int | None) -> None:
    """Refuse an unknown status or a limit out of range (ValueError says which)."""
    if status not in STAFF_STATUSES:
        raise ValueError(f"Unknown status {status!r}; use one of: {', '.join(STAFF_STATUSES)}.")
    if max_chats is not None and not 1 <= max_chats <= MAX_CHATS_LIMIT:
        raise ValueError(f"The chat limit must be 1..{MAX_CHATS_LIMIT}, not {max_chats}.")


def read_statuses(executor: Connection | Session) -> list[StaffStatus]:
    """Every active staff member's status, held chats and last poll, by first name.

    Args:
        executor: An open connection or session on the handoff database.
    """
    status = staff_status_table
    presence = staff_presence_table
    held = (
        select(ConversationRow.claimed_by, func.count().label("n"))
        .where(ConversationRow.state == HandoffState.WITH_HUMAN.value)
        .group_by(ConversationRow.claimed_by)
        .subquery()
    )
    query = (
        select(
            StaffUserRow.id,
            StaffUserRow.first_name,
            status.c.status,
            status.c.max_chats,
            held.c.n,
            presence.c.last_seen,
        )
        .select_from(StaffUserRow)
        .outerjoin(status, status.c.staff_user_id == StaffUserRow.id)
        .outerjoin(held, held.c.claimed_by == StaffUserRow.id)
        .outerjoin(presence, presence.c.staff_user_id == StaffUserRow.id)
        .where(StaffUserRow.active.is_(True))
        .order_by(StaffUserRow.first_name, StaffUserRow.id)
    )
    default = default_max_chats()
    return [
        StaffStatus(
            staff_user_id=row[0],
            first_name=row[1],
            status=row[2] or AVAILABLE,
            max_chats=row[3] or default,
            active_chats=int(row[4] or 0),
            last_seen=row[5],
        )
        for row in executor.execute(query).all()
    ]


class StaffingRepository:
    """The ``console_staff_status`` table, read together with presence and held chats."""

    def __init__(self, db: Database) -> None:
        """Use the shared database ``db``."""
        self._db = db

    def set_status(self, staff_user_id: int, status: str, max_chats: int | None = None) -> None:
        """Store a staff member's status (and limit; None keeps the current one).

        Raises:
            ValueError: If the status is unknown or the limit out of range.
        """
        check_status(status, max_chats)
        table = staff_status_table
        values: dict[str, Any] = {"status": status, "updated_at": self._db.now()}
        if max_chats is not None:
            values["max_chats"] = max_chats
        for _ in range(3):
            with self._db.session() as session:
                done = session.execute(
                    update(table).where(table.c.staff_user_id == staff_user_id).values(**values)
                ).rowcount
            if done:
                return
            try:
                with self._db.session() as session:
                    row = {"staff_user_id": staff_user_id, "max_chats": default_max_chats()}
                    session.execute(table.insert().values({**row, **values}))
                return
            except IntegrityError:
                continue

    def all(self) -> list[StaffStatus]:
        """Every active staff member's status, held chats and last poll, by first name."""
        with self._db.session() as session:
            return read_statuses(session)

    def get(self, staff_user_id: int) -> StaffStatus | None:
        """One active staff member's status, or None if no such active user."""
        return next((s for s in self.all() if s.staff_user_id == staff_user_id), None)

    def free_staff(self, cutoff: datetime) -> list[StaffStatus]:
        """Staff who take chats now: available, polled at or after ``cutoff``, below limit."""
        return [s for s in self.all() if s.takes_chats(cutoff)]
