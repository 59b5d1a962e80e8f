"""State changes inside a transaction: read the state, move it conditionally, log the move.

Concurrency is handled with conditional ``UPDATE ... WHERE state = ...``
statements and a rowcount check (optimistic concurrency), never with
read-then-write or database-specific locking.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .errors import ConversationNotFound
from .records import Conversation, Language, Transition
from .schema import ConversationRow, TransitionRow
from .states import Event, HandoffState, next_state

__all__ = ["UNSET", "Unset", "current_state", "to_conversation", "to_transition", "try_move"]


class Unset:
    """Marker for 'leave this column unchanged'."""


UNSET = Unset()


def to_conversation(row: Any) -> Conversation:
    """Convert a ``conversations`` row to a :class:`Conversation` record."""
    return Conversation(
        id=row.id,
        state=HandoffState(row.state),
        language=Language(row.language),
        created_at=row.created_at,
        updated_at=row.updated_at,
        claimed_by=row.claimed_by,
        waiting_since=row.waiting_since,
    )


def to_transition(row: Any) -> Transition:
    """Convert a ``transitions`` row to a :class:`Transition` record."""
    return Transition(
        id=row.id,
        conversation_id=row.conversation_id,
        from_state=HandoffState(row.from_state),
        to_state=HandoffState(row.to_state),
        event=Event(row.event),
        actor=row.actor,
        reason=row.reason,
        at=row.at,
    )


def current_state(session: Session, conversation_id: str) -> HandoffState:
    """Return the state of a conversation.

    Raises:
        ConversationNotFound: If it does not exist.
    """
    state = session.execute(
        select(ConversationRow.state).where(ConversationRow.id == conversation_id)
    ).scalar_one_or_none()
    if state is None:
        raise ConversationNotFound(conversation_id)
    return HandoffState(state)


def try_move(
    session: Session,
    conversation_id: str,
    from_state: HandoffState,
    event_: Event,
    actor: str,
    reason: str | None,
    now: datetime,
    claimed_by: int | None | Unset = UNSET,
    extra_where: Sequence[Any] = (),
) -> HandoffState | None:
    """Apply one move with a conditional UPDATE and log it.

    Returns:
        The new state, or None if the conversation was no longer in
        ``from_state`` (someone else changed it first).

    Raises:
        InvalidTransition: If the state table refuses the move.
    """
    to_state = next_state(from_state, event_)
    values: dict[str, Any] = {"state": to_state.value, "updated_at": now}
    if to_state is HandoffState.WAITING:
        values.update(waiting_since=now, claimed_by=None)
    elif to_state is HandoffState.BOT:
        values.update(waiting_since=None, claimed_by=None)
    else:  # WITH_HUMAN or CLOSED: no longer waiting; CLOSED keeps claimed_by
        values.update(waiting_since=None)
    if not isinstance(claimed_by, Unset):
        values["claimed_by"] = claimed_by
    result = session.execute(
        update(ConversationRow)
        .where(
            ConversationRow.id == conversation_id,
            ConversationRow.state == from_state.value,
            *extra_where,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    session.add(
        TransitionRow(
            conversation_id=conversation_id,
            from_state=from_state.value,
            to_state=to_state.value,
            event=event_.value,
            actor=actor,
            reason=reason,
            at=now,
        )
    )
    return to_state
