"""History: conversations staff handled and answered offline requests, searchable.

Read-only. Closed and handed-back conversations stay findable (by date, text, staff
member, topic) until retention deletes them; each hit says who answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, literal, or_, select

from .database import Database
from .moves import to_conversation
from .records import Conversation, Message, Sender, Transition
from .schema import (
    ConversationRow,
    MessageRow,
    OfflineRequestRow,
    StaffUserRow,
    TransitionRow,
)
from .states import Event, HandoffState

__all__ = [
    "GENERIC_INTENTS",
    "HistoryHit",
    "HistoryQuery",
    "HistoryRepository",
    "asked_for_person_at",
    "handoff_question",
]

GENERIC_INTENTS = frozenset(
    {"affirm", "deny", "greet", "goodbye", "thanks", "request_human", "inform", "nlu_fallback"}
)
"""Intents that name no topic ("Ja, takk", "Hei", "Kan eg snakke med ein person?")."""
SMALL_TALK = frozenset({"affirm", "deny", "greet", "goodbye", "thanks"})
"""Intents of messages that are never the citizen's question."""
_STAFF_EVENTS = (Event.CLAIM.value, Event.TRANSFER.value)
MAX_HITS = 100


def handoff_question(messages: Sequence[Message], before: datetime | None = None) -> Message | None:
    """The citizen message that led to the handoff, not the "Ja, takk" that confirmed it.

    The last citizen message (before ``before``, if given) with a topical intent; else
    the last one that is not small talk (a request for a person, an unrecognised
    question); else the last one; None if the citizen wrote nothing.
    """
    said = [
        m
        for m in messages
        if m.sender is Sender.CITIZEN
        and m.text.strip()
        and (before is None or m.created_at <= before)
    ]
    for message in reversed(said):
        if message.intent and message.intent not in GENERIC_INTENTS:
            return message
    for message in reversed(said):
        if message.intent not in SMALL_TALK:
            return message
    return said[-1] if said else None


def asked_for_person_at(transitions: Sequence[Transition]) -> datetime | None:
    """When the citizen last asked for a person (the last ``request_human`` move)."""
    moments = [t.at for t in transitions if t.event is Event.REQUEST_HUMAN]
    return moments[-1] if moments else None


@dataclass(frozen=True)
class HistoryQuery:
    """What to search for; every field optional.

    Attributes:
        text: Words in a message (or a request's question), case-insensitive.
        start: Last activity at or after this moment.
        end: Last activity before this moment.
        staff_user_id: A staff member who answered.
        topic: An intent of a citizen message.
    """

    text: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    staff_user_id: int | None = None
    topic: str | None = None


@dataclass(frozen=True)
class HistoryHit:
    """One conversation or answered request in the history.

    Attributes:
        kind: ``conversation`` or ``request``.
        conversation: The conversation (for ``conversation``), else None.
        request_id: The offline request's id (for ``request``), else None.
        at: Its last activity (request: when it was answered).
        staff_user_ids: Who answered (staff message authors, the last holder, the answerer).
        question: For a request, the citizen's question.
        contact: For a request, the contact the citizen gave.
    """

    kind: str
    conversation: Conversation | None
    request_id: int | None
    at: datetime
    staff_user_ids: tuple[int, ...]
    question: str | None = None
    contact: str | None = None


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class HistoryRepository:
    """Searches handled conversations and answered requests."""

    def __init__(self, db: Database) -> None:
        """Use the shared database ``db``."""
        self._db = db

    def search(self, query: HistoryQuery, limit: int = MAX_HITS) -> list[HistoryHit]:
        """Handled conversations and answered requests matching ``query``, newest first."""
        hits = self._conversations(query, limit)
        if query.topic is None:
            hits.extend(self._requests(query, limit))
        hits.sort(key=lambda hit: hit.at, reverse=True)
        return hits[:limit]

    def _conversations(self, query: HistoryQuery, limit: int) -> list[HistoryHit]:
        conv = ConversationRow
        handled = exists().where(
            TransitionRow.conversation_id == conv.id, TransitionRow.event.in_(_STAFF_EVENTS)
        )
        where = [conv.state.in_((HandoffState.BOT.value, HandoffState.CLOSED.value)), handled]
        if query.start is not None:
            where.append(conv.updated_at >= query.start)
        if query.end is not None:
            where.append(conv.updated_at < query.end)
        if query.text:
            where.append(
                exists().where(
                    MessageRow.conversation_id == conv.id,
                    func.lower(MessageRow.text).like(_like(query.text), escape="\\"),
                )
            )
        if query.topic:
            where.append(
                exists().where(
                    MessageRow.conversation_id == conv.id, MessageRow.intent == query.topic
                )
            )
        if query.staff_user_id is not None:
            took_it = exists().where(
                TransitionRow.conversation_id == conv.id,
                TransitionRow.event.in_(_STAFF_EVENTS),
                StaffUserRow.id == query.staff_user_id,
                TransitionRow.actor == literal("staff:") + StaffUserRow.username,
            )
            wrote = exists().where(
                MessageRow.conversation_id == conv.id,
                MessageRow.staff_user_id == query.staff_user_id,
            )
            where.append(or_(conv.claimed_by == query.staff_user_id, wrote, took_it))
        with self._db.session() as session:
            rows = session.execute(
                select(conv).where(and_(*where)).order_by(conv.updated_at.desc()).limit(limit)
            ).scalars()
            conversations = [to_conversation(row) for row in rows]
            authors: dict[str, set[int]] = {c.id: set() for c in conversations}
            if conversations:
                for conversation_id, staff_id in session.execute(
                    select(MessageRow.conversation_id, MessageRow.staff_user_id)
                    .where(
                        MessageRow.conversation_id.in_(list(authors)),
                        MessageRow.staff_user_id.isnot(None),
                    )
                    .distinct()
                ).all():
                    authors[conversation_id].add(staff_id)
                for conversation_id, staff_id in session.execute(
                    select(TransitionRow.conversation_id, StaffUserRow.id)
                    .where(
                        TransitionRow.conversation_id.in_(list(authors)),
                        TransitionRow.event.in_(_STAFF_EVENTS),
                        TransitionRow.actor == literal("staff:") + StaffUserRow.username,
                    )
                    .distinct()
                ).all():
                    authors[conversation_id].add(staff_id)
        return [
            HistoryHit(
                kind="conversation",
                conversation=c,
                request_id=None,
                at=c.updated_at,
                staff_user_ids=tuple(
                    sorted(authors[c.id] | ({c.claimed_by} if c.claimed_by else set()))
                ),
            )
            for c in conversations
        ]

    def _requests(self, query: HistoryQuery, limit: int) -> list[HistoryHit]:
        req = OfflineRequestRow
        where = [req.answered_at.isnot(None)]
        if query.start is not None:
            where.append(req.answered_at >= query.start)
        if query.end is not None:
            where.append(req.answered_at < query.end)
        if query.text:
            where.append(func.lower(req.question).like(_like(query.text), escape="\\"))
        if query.staff_user_id is not None:
            where.append(req.answered_by == query.staff_user_id)
        with self._db.session() as session:
            rows = session.execute(
                select(req).where(and_(*where)).order_by(req.answered_at.desc()).limit(limit)
            ).scalars()
            return [
                HistoryHit(
                    kind="request",
                    conversation=None,
                    request_id=row.id,
                    at=row.answered_at,
                    staff_user_ids=(row.answered_by,) if row.answered_by else (),
                    question=row.question,
                    contact=row.contact,
                )
                for row in rows
            ]

    def first_names(self, ids: Sequence[int]) -> dict[int, str]:
        """First names of staff users by id."""
        if not ids:
            return {}
        with self._db.session() as session:
            rows = session.execute(
                select(StaffUserRow.id, StaffUserRow.first_name).where(StaffUserRow.id.in_(ids))
            ).all()
        return {row[0]: row[1] for row in rows}
