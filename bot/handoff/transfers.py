"""Moving a held conversation to a named colleague, or back to the queue.

Both are conditional updates (``WHERE state = 'with_human' AND claimed_by = <holder>``),
so a transfer cannot race with a hand-back or a close by the holder.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from .common import staff_actor
from .database import Database
from .moves import try_move
from .records import StaffUser
from .schema import ConversationRow
from .states import Event, HandoffState

__all__ = ["TransferRepository"]


class TransferRepository:
    """Transfers and requeues in the ``conversations`` and ``transitions`` tables."""

    def __init__(self, db: Database) -> None:
        """Use the shared database ``db``."""
        self._db = db

    def _move(
        self,
        session: Session,
        conversation_id: str,
        holder: StaffUser,
        event: Event,
        reason: str,
        claimed_by: int | None,
    ) -> bool:
        new = try_move(
            session,
            conversation_id,
            HandoffState.WITH_HUMAN,
            event,
            staff_actor(holder.username),
            reason[:1000],
            self._db.now(),
            claimed_by=claimed_by,
            extra_where=(ConversationRow.claimed_by == holder.id,),
        )
        return new is not None

    def transfer(self, conversation_id: str, holder: StaffUser, to: StaffUser) -> bool:
        """Give a conversation ``holder`` has to ``to``; False if they no longer hold it."""
        with self._db.session() as session:
            return self._move(
                session,
                conversation_id,
                holder,
                Event.TRANSFER,
                f"to {to.username}",
                to.id,
            )

    def requeue(self, conversation_id: str, holder: StaffUser) -> bool:
        """Put a conversation ``holder`` has back in the queue; False if they no longer hold it."""
        with self._db.session() as session:
            return self._move(
                session, conversation_id, holder, Event.REQUEUE, "back to the queue", None
            )
