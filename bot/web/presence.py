"""Staff presence, typing indicators and the offline-offer flag, stored in the database.

These small tables live in the handoff database (same SQLAlchemy engine as
:class:`bot.handoff.store.HandoffStore`), so several bot instances behind a load
balancer see the same presence and typing state. Nothing here is kept only in
memory.

Tables (created if missing):

* ``web_staff_presence``: when each staff member last polled the console.
* ``web_conversation_flags``: per conversation, when the citizen and the staff
  member last typed, and whether the citizen is offered to leave an offline
  request. Rows are removed with the conversation (see :meth:`Presence.delete_conversation`
  and :meth:`Presence.delete_orphans`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.handoff.schema import (
    conversation_context_table,
    conversation_flags_table,
    staff_presence_table,
)
from bot.handoff.staffing import read_statuses

__all__ = [
    "CITIZEN_GONE_SECONDS",
    "TYPING_SECONDS",
    "CitizenContext",
    "ConversationFlags",
    "Presence",
]

TYPING_SECONDS = 5.0
"""A typing indicator is shown this long after the last typing signal."""

CITIZEN_GONE_SECONDS = 60.0
"""A citizen whose widget has not long-polled for this long counts as gone."""


@dataclass(frozen=True)
class CitizenContext:
    """Where the citizen started, and whether they are still there."""

    page: str | None = None
    citizen_seen_at: datetime | None = None
    citizen_left_at: datetime | None = None

    def left(self, now: datetime) -> bool:
        """Tab closed (and not back since), or no long-poll for :data:`CITIZEN_GONE_SECONDS`."""
        seen = self.citizen_seen_at
        if self.citizen_left_at is not None and (seen is None or seen <= self.citizen_left_at):
            return True
        return seen is not None and now - seen > timedelta(seconds=CITIZEN_GONE_SECONDS)


@dataclass(frozen=True)
class ConversationFlags:
    """Typing timestamps and the offline offer of one conversation."""

    citizen_typing_at: datetime | None = None
    staff_typing_at: datetime | None = None
    offline_offer: bool = False

    def citizen_typing(self, now: datetime) -> bool:
        """Whether the citizen typed within the last :data:`TYPING_SECONDS`."""
        return _recent(self.citizen_typing_at, now)

    def staff_typing(self, now: datetime) -> bool:
        """Whether the staff member typed within the last :data:`TYPING_SECONDS`."""
        return _recent(self.staff_typing_at, now)


def _recent(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and timedelta(0) <= now - moment < timedelta(seconds=TYPING_SECONDS)


class Presence:
    """Reads and writes presence, typing and offline-offer state in the database."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        """Use the handoff database (its tables come from the migrations in bot/handoff/).

        Args:
            engine: The handoff database engine (``HandoffStore.engine``).
            clock: Returns the current aware UTC time.
        """
        self._engine = engine
        self._clock = clock

    # ----- staff presence ------------------------------------------------

    def mark_staff_seen(self, staff_user_id: int) -> None:
        """Record that a staff member is signed in and polling now."""
        now = self._clock()
        self._upsert(
            staff_presence_table,
            staff_presence_table.c.staff_user_id,
            staff_user_id,
            {"last_seen": now},
        )

    def forget_staff(self, staff_user_id: int) -> None:
        """Record that a staff member signed out."""
        with self._engine.begin() as conn:
            conn.execute(
                delete(staff_presence_table).where(
                    staff_presence_table.c.staff_user_id == staff_user_id
                )
            )

    def staff_present(self, within: timedelta) -> bool:
        """Tell whether a staff member takes chats: polled within ``within``, available,
        and below their limit of concurrent chats (:mod:`bot.handoff.staffing`)."""
        cutoff = self._clock() - within
        with self._engine.connect() as conn:
            return any(s.takes_chats(cutoff) for s in read_statuses(conn))

    # ----- the citizen's context (wp-console) --------------------------------

    def set_page(self, conversation_id: str, page: str | None) -> None:
        """Store the page (path only, see :func:`clean_page`) the citizen started on."""
        self._set_context(conversation_id, page=page)

    def mark_citizen_seen(self, conversation_id: str) -> None:
        """The citizen's widget long-polled (or wrote) now: they are here."""
        self._set_context(conversation_id, citizen_seen_at=self._clock())

    def mark_citizen_left(self, conversation_id: str) -> None:
        """The citizen closed the tab (the widget's beacon)."""
        self._set_context(conversation_id, citizen_left_at=self._clock())

    def context_many(self, conversation_ids: Iterable[str]) -> dict[str, CitizenContext]:
        """The stored context of several conversations, by id."""
        rows = self._rows_by_conversation(conversation_context_table, conversation_ids)
        return {
            row.conversation_id: CitizenContext(
                page=row.page,
                citizen_seen_at=row.citizen_seen_at,
                citizen_left_at=row.citizen_left_at,
            )
            for row in rows
        }

    def context(self, conversation_id: str) -> CitizenContext:
        """The context of one conversation (defaults if none was stored)."""
        return self.context_many([conversation_id]).get(conversation_id, CitizenContext())

    def _rows_by_conversation(self, table: Table, conversation_ids: Iterable[str]) -> list[Any]:
        """The rows of a per-conversation table for these conversations (none for no ids)."""
        ids = list(conversation_ids)
        if not ids:
            return []
        with self._engine.connect() as conn:
            return list(conn.execute(select(table).where(table.c.conversation_id.in_(ids))).all())

    def _set_context(self, conversation_id: str, **values: Any) -> None:
        table = conversation_context_table
        self._upsert(table, table.c.conversation_id, conversation_id, values)

    # ----- conversation flags ---------------------------------------------

    def set_citizen_typing(self, conversation_id: str) -> None:
        """Record that the citizen is typing now."""
        self._set_flags(conversation_id, citizen_typing_at=self._clock())

    def set_staff_typing(self, conversation_id: str, typing: bool = True) -> None:
        """Record that the staff member is typing now (or stopped, ``typing=False``)."""
        self._set_flags(conversation_id, staff_typing_at=self._clock() if typing else None)

    def set_offline_offer(self, conversation_id: str, offer: bool) -> None:
        """Turn the offer to leave an offline request on or off."""
        self._set_flags(conversation_id, offline_offer=offer)

    def flags(self, conversation_id: str) -> ConversationFlags:
        """Return the flags of one conversation (defaults if none were stored)."""
        return self.flags_many([conversation_id]).get(conversation_id, ConversationFlags())

    def flags_many(self, conversation_ids: Iterable[str]) -> dict[str, ConversationFlags]:
        """Return the stored flags of several conversations, by id."""
        rows = self._rows_by_conversation(conversation_flags_table, conversation_ids)
        return {
            row.conversation_id: ConversationFlags(
                citizen_typing_at=row.citizen_typing_at,
                staff_typing_at=row.staff_typing_at,
                offline_offer=bool(row.offline_offer),
            )
            for row in rows
        }

    def delete_conversation(self, conversation_id: str) -> None:
        """Remove everything stored here about a conversation."""
        with self._engine.begin() as conn:
            for table in (conversation_flags_table, conversation_context_table):
                conn.execute(delete(table).where(table.c.conversation_id == conversation_id))

    def delete_orphans(self) -> int:
        """Remove flags of conversations that no longer exist (after a retention purge).

        Returns:
            How many rows were removed.
        """
        removed = 0
        with self._engine.begin() as conn:
            for table in (conversation_flags_table, conversation_context_table):
                result = conn.execute(
                    delete(table).where(
                        table.c.conversation_id.notin_(
                            select(text("id")).select_from(text("conversations"))
                        )
                    )
                )
                removed += int(result.rowcount or 0)
        return removed

    # ----- helpers ---------------------------------------------------------

    def _set_flags(self, conversation_id: str, **values: Any) -> None:
        self._upsert(
            conversation_flags_table,
            conversation_flags_table.c.conversation_id,
            conversation_id,
            values,
        )

    def _upsert(self, table: Table, key: Any, key_value: Any, values: dict[str, Any]) -> None:
        """Portable upsert: UPDATE, else INSERT, and UPDATE again if the INSERT raced."""
        for _ in range(3):
            with self._engine.begin() as conn:
                result = conn.execute(update(table).where(key == key_value).values(**values))
                if result.rowcount:
                    return
            try:
                with self._engine.begin() as conn:
                    conn.execute(table.insert().values({key.name: key_value, **values}))
                return
            except IntegrityError:
                continue  # someone inserted it in between: update again
