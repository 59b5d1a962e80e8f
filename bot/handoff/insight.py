"""Insight storage (issue 9): ratings, inbox decisions and the aggregated statistics.

The statistics are written when a conversation is deleted (by the retention job or by
"Slett samtalen", both through :func:`bot.handoff.retention.delete_conversations`):
:func:`archive_conversations` turns each conversation into one row of facts without
text, id or exact time. Live conversations are read from the handoff tables with the
same :func:`bot.insight.facts.conversation_facts`, so every conversation is counted
exactly once: either it still exists, or it was archived.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from bot.insight.facts import (
    ConversationFacts,
    FaqFinder,
    MessageFacts,
    TransitionFacts,
    conversation_facts,
    topics_from_json,
    topics_to_json,
)
from bot.kb.hours import OSLO
from bot.kb.models import KnowledgeBase

from .common import chunks
from .database import Database
from .schema import (
    INBOX_DECISIONS,
    RATING_VALUES,
    ConversationRow,
    MessageRow,
    OfflineRequestRow,
    TransitionRow,
    conversation_ratings_table,
    conversation_stats_table,
    inbox_marks_table,
)

__all__ = [
    "FactSources",
    "InboxMessage",
    "InsightRepository",
    "archive_conversations",
    "default_sources",
    "sources_for",
    "delete_insight_rows",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FactSources:
    """What facts need from the knowledge base: the FAQ matcher and the desk's hours."""

    faq_of: FaqFinder
    outside_hours: Callable[[datetime], bool | None]


def sources_for(kb: KnowledgeBase) -> FactSources:
    """Fact sources from a knowledge base (the bot's FAQ matching and phone hours)."""
    from bot.insight.topics import faq_finder, outside_hours

    return FactSources(faq_finder(kb), lambda at: outside_hours(kb, at))


def default_sources() -> FactSources:
    """Fact sources from the live knowledge base; without one, no FAQ ids and no hours."""
    try:
        from bot.kb.store import default_store

        return sources_for(default_store().get())
    except Exception:  # noqa: BLE001 - statistics must never stop a deletion
        log.warning("No knowledge base for the statistics; FAQ topics and hours left out.")
        return FactSources(lambda _text: None, lambda _at: None)


@dataclass(frozen=True)
class InboxMessage:
    """A masked citizen message the bot did not answer well, and why."""

    message_id: int
    conversation_id: str
    text: str
    language: str
    intent: str | None
    confidence: float | None
    reason: str
    created_at: datetime


def delete_insight_rows(session: Session, ids: Sequence[str]) -> None:
    """Delete the ratings and inbox decisions of conversations ``ids`` (before their rows)."""
    for table in (conversation_ratings_table, inbox_marks_table):
        session.execute(
            delete(table)
            .where(table.c.conversation_id.in_(ids))
            .execution_options(synchronize_session=False)
        )


def _facts_of(
    session: Session, conversations: Sequence[Any], sources: FactSources
) -> list[ConversationFacts]:
    ids = [c.id for c in conversations]
    messages: dict[str, list[MessageFacts]] = {i: [] for i in ids}
    moves: dict[str, list[TransitionFacts]] = {i: [] for i in ids}
    requests: dict[str, list[tuple[datetime, datetime | None]]] = {i: [] for i in ids}
    ratings: dict[str, str] = {}
    for row in session.execute(
        select(MessageRow).where(MessageRow.conversation_id.in_(ids)).order_by(MessageRow.id)
    ).scalars():
        messages[row.conversation_id].append(
            MessageFacts(row.sender, row.text, row.intent, row.confidence, row.feedback)
        )
    for row in session.execute(
        select(TransitionRow).where(TransitionRow.conversation_id.in_(ids))
    ).scalars():
        moves[row.conversation_id].append(TransitionFacts(row.event, row.at))
    for row in session.execute(
        select(OfflineRequestRow).where(OfflineRequestRow.conversation_id.in_(ids))
    ).scalars():
        requests[row.conversation_id].append((row.created_at, row.answered_at))
    table = conversation_ratings_table
    for cid, value in session.execute(
        select(table.c.conversation_id, table.c.value).where(table.c.conversation_id.in_(ids))
    ):
        ratings[cid] = value
    return [
        conversation_facts(
            created_at=c.created_at,
            language=c.language,
            messages=messages[c.id],
            transitions=moves[c.id],
            requests=requests[c.id],
            rating=ratings.get(c.id),
            faq_of=sources.faq_of,
            outside_hours=sources.outside_hours(c.created_at),
        )
        for c in conversations
    ]


def _row(facts: ConversationFacts) -> dict[str, Any]:
    return {
        "started_on": facts.started_on.isoformat(),
        "started_hour": facts.started_hour,
        "weekday": facts.weekday,
        "language": facts.language,
        "topics": topics_to_json(facts.topics),
        "citizen_messages": facts.citizen_messages,
        "bot_messages": facts.bot_messages,
        "staff_messages": facts.staff_messages,
        "fallbacks": facts.fallbacks,
        "resolved_by_bot": facts.resolved_by_bot,
        "handoff": facts.handoff,
        "queue_wait_s": facts.queue_wait_s,
        "handling_s": facts.handling_s,
        "offline_request": facts.offline_request,
        "offline_answer_s": facts.offline_answer_s,
        "rating": facts.rating,
        "outside_hours": facts.outside_hours,
    }


def _from_row(row: Any) -> ConversationFacts:
    return ConversationFacts(
        started_on=date.fromisoformat(row.started_on),
        started_hour=row.started_hour,
        weekday=row.weekday,
        language=row.language,
        topics=topics_from_json(row.topics),
        citizen_messages=row.citizen_messages,
        bot_messages=row.bot_messages,
        staff_messages=row.staff_messages,
        fallbacks=row.fallbacks,
        resolved_by_bot=row.resolved_by_bot,
        handoff=row.handoff,
        queue_wait_s=row.queue_wait_s,
        handling_s=row.handling_s,
        offline_request=row.offline_request,
        offline_answer_s=row.offline_answer_s,
        rating=row.rating,
        outside_hours=row.outside_hours,
    )


def archive_conversations(
    session: Session, ids: Sequence[str], sources: FactSources | None = None
) -> int:
    """Write one statistics row per conversation in ``ids`` that has a citizen message.

    Call it in the deleting transaction, before the rows are deleted. Returns the
    number of rows written. A failure here never stops the deletion (privacy comes
    first): it is logged, the savepoint is rolled back and 0 is returned.
    """
    try:
        with session.begin_nested():
            return _archive(session, ids, sources)
    except Exception:  # noqa: BLE001 - statistics must never keep personal data alive
        log.exception("Could not archive statistics of %d conversations.", len(ids))
        return 0


def _archive(session: Session, ids: Sequence[str], sources: FactSources | None) -> int:
    rows = list(
        session.execute(select(ConversationRow).where(ConversationRow.id.in_(ids))).scalars()
    )
    if not rows:
        return 0
    facts = [
        f for f in _facts_of(session, rows, sources or default_sources()) if f.citizen_messages > 0
    ]
    if facts:
        session.execute(insert(conversation_stats_table), [_row(f) for f in facts])
    return len(facts)


def _local_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    first = datetime.combine(start, datetime.min.time(), OSLO)
    after = datetime.combine(end + timedelta(days=1), datetime.min.time(), OSLO)
    return first, after


class InsightRepository:
    """Ratings, inbox decisions and the report's facts."""

    def __init__(self, db: Database) -> None:
        """Use the shared database ``db``."""
        self._db = db

    def rate(self, conversation_id: str, value: str, comment: str | None) -> None:
        """Store the conversation's rating; a second one replaces the first.

        Args:
            conversation_id: An existing conversation.
            value: ``yes``, ``partly`` or ``no``.
            comment: The citizen's comment, already masked (or None).

        Raises:
            ValueError: For another value.
        """
        if value not in RATING_VALUES:
            raise ValueError(f"Rating {value!r} is not one of {', '.join(RATING_VALUES)}.")
        table = conversation_ratings_table
        with self._db.session() as session:
            session.execute(delete(table).where(table.c.conversation_id == conversation_id))
            session.execute(
                insert(table).values(
                    conversation_id=conversation_id,
                    value=value,
                    comment=comment,
                    created_at=self._db.now(),
                )
            )

    def rating(self, conversation_id: str) -> tuple[str, str | None] | None:
        """The conversation's rating and comment, or None."""
        table = conversation_ratings_table
        with self._db.session() as session:
            row = session.execute(
                select(table.c.value, table.c.comment).where(
                    table.c.conversation_id == conversation_id
                )
            ).first()
        return (row.value, row.comment) if row else None

    def facts(self, start: date, end: date, sources: FactSources) -> list[ConversationFacts]:
        """Facts of conversations started from ``start`` to ``end`` (local dates, inclusive).

        Live conversations (with a citizen message) and archived statistics together.
        """
        first, after = _local_bounds(start, end)
        with self._db.session() as session:
            live = list(
                session.execute(
                    select(ConversationRow).where(
                        ConversationRow.created_at >= first, ConversationRow.created_at < after
                    )
                ).scalars()
            )
            result: list[ConversationFacts] = []
            for batch in chunks(live, 500):
                result += [f for f in _facts_of(session, batch, sources) if f.citizen_messages]
            table = conversation_stats_table
            archived = session.execute(
                select(table).where(
                    table.c.started_on >= start.isoformat(), table.c.started_on <= end.isoformat()
                )
            )
            result += [_from_row(row) for row in archived]
        return sorted(result, key=lambda f: (f.started_on, f.started_hour))

    def unanswered(self, limit: int = 2000) -> list[InboxMessage]:
        """Masked citizen messages that ended in a fallback, a handoff, a thumbs-down or a
        low-confidence answer, and that no editor has dealt with yet (newest first)."""
        from bot.insight.inbox import inbox_reason

        marks = select(inbox_marks_table.c.message_id)
        with self._db.session() as session:
            rows = list(
                session.execute(
                    select(MessageRow, ConversationRow.language)
                    .join(ConversationRow, ConversationRow.id == MessageRow.conversation_id)
                    .order_by(MessageRow.conversation_id, MessageRow.id)
                ).all()
            )
            marked = set(session.execute(marks).scalars())
            asked = set(
                session.execute(
                    select(TransitionRow.conversation_id, TransitionRow.at).where(
                        TransitionRow.event == "request_human"
                    )
                ).all()
            )
        found: list[InboxMessage] = []
        by_conversation: dict[str, list[Any]] = {}
        for message, language in rows:
            by_conversation.setdefault(message.conversation_id, []).append((message, language))
        handoff_at: dict[str, datetime] = {}
        for cid, at in asked:
            handoff_at[cid] = min(at, handoff_at.get(cid, at))
        for cid, items in by_conversation.items():
            for index, (message, language) in enumerate(items):
                if message.sender != "citizen" or message.id in marked:
                    continue
                later = [m for m, _ in items[index + 1 :]]
                reason = inbox_reason(message, later, handoff_at.get(cid))
                if reason is not None:
                    found.append(
                        InboxMessage(
                            message.id,
                            cid,
                            message.text,
                            language,
                            message.intent,
                            message.confidence,
                            reason,
                            message.created_at,
                        )
                    )
        found.sort(key=lambda m: m.created_at, reverse=True)
        return found[:limit]

    def mark(
        self, message_ids: Sequence[int], decision: str, faq_id: str | None, account: str
    ) -> int:
        """Record that an editor dealt with these inbox messages. Returns how many.

        Raises:
            ValueError: For an unknown decision.
        """
        if decision not in INBOX_DECISIONS:
            raise ValueError(f"Decision {decision!r} is not one of {', '.join(INBOX_DECISIONS)}.")
        table = inbox_marks_table
        now = self._db.now()
        with self._db.session() as session:
            found = session.execute(
                select(MessageRow.id, MessageRow.conversation_id).where(
                    MessageRow.id.in_(list(message_ids)), MessageRow.sender == "citizen"
                )
            ).all()
            done = set(
                session.execute(
                    select(table.c.message_id).where(table.c.message_id.in_(list(message_ids)))
                ).scalars()
            )
            new = [
                {
                    "message_id": mid,
                    "conversation_id": cid,
                    "decision": decision,
                    "faq_id": faq_id,
                    "account": account[:64],
                    "created_at": now,
                }
                for mid, cid in found
                if mid not in done
            ]
            if new:
                session.execute(insert(table), new)
        return len(new)
