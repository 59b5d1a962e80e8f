"""Deleting data: one conversation on request, or everything past the retention period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .common import check_timedelta, chunks
from .database import Database
from .insight import archive_conversations, delete_insight_rows
from .records import PurgeResult
from .schema import ConversationRow, MessageRow, NoteRow, OfflineRequestRow, TransitionRow

__all__ = ["RetentionRepository", "delete_conversations"]

# Size of id batches for bulk deletes (keeps IN lists well below driver limits).
_DELETE_BATCH = 500


def delete_conversations(session: Session, ids: Sequence[str]) -> tuple[int, int]:
    """Delete conversations and everything linked to them.

    Returns:
        How many conversations and how many offline requests were deleted.
    """
    conversations = requests = 0
    for batch in chunks(ids, _DELETE_BATCH):
        # insight: keep the conversation's facts without text, then drop its insight rows
        archive_conversations(session, batch)
        delete_insight_rows(session, batch)
        for model in (MessageRow, NoteRow, TransitionRow):
            session.execute(
                delete(model)
                .where(model.conversation_id.in_(batch))
                .execution_options(synchronize_session=False)
            )
        requests += session.execute(
            delete(OfflineRequestRow)
            .where(OfflineRequestRow.conversation_id.in_(batch))
            .execution_options(synchronize_session=False)
        ).rowcount
        conversations += session.execute(
            delete(ConversationRow)
            .where(ConversationRow.id.in_(batch))
            .execution_options(synchronize_session=False)
        ).rowcount
    return conversations, requests


class RetentionRepository:
    """Deletes data past the retention period (run it on a schedule)."""

    def __init__(self, db: Database) -> None:
        """Use the shared database ``db``."""
        self._db = db

    def purge_older_than(self, age: timedelta) -> PurgeResult:
        """Delete data past the retention period.

        Deletes every conversation (in any state) whose last activity
        (``updated_at``) is older than ``age``, with its messages, notes,
        transitions and linked offline requests, plus every offline request
        created more than ``age`` ago (answered or not).

        Args:
            age: Retention period, e.g. ``timedelta(days=30)``.

        Returns:
            How many conversations and offline requests were deleted.
        """
        check_timedelta(age, "age")
        cutoff = self._db.now() - age
        with self._db.session() as session:
            ids = list(
                session.execute(
                    select(ConversationRow.id).where(ConversationRow.updated_at < cutoff)
                ).scalars()
            )
            conversations, requests = delete_conversations(session, ids)
            requests += session.execute(
                delete(OfflineRequestRow)
                .where(OfflineRequestRow.created_at < cutoff)
                .execution_options(synchronize_session=False)
            ).rowcount
        return PurgeResult(conversations=conversations, offline_requests=requests)
