"""Offline requests: questions a citizen leaves for staff to answer later."""

from __future__ import annotations

import builtins
from typing import Any

from sqlalchemy import select, update

from .common import MAX_QUESTION_LENGTH, check_language, check_text
from .contact import normalize_contact
from .database import Database
from .errors import OfflineRequestNotFound
from .moves import current_state
from .records import Language, OfflineRequest
from .schema import OfflineRequestRow
from .users import UserRepository

__all__ = ["RequestRepository"]


def _offline_request(row: Any) -> OfflineRequest:
    return OfflineRequest(
        id=row.id,
        conversation_id=row.conversation_id,
        question=row.question,
        contact=row.contact,
        language=Language(row.language),
        created_at=row.created_at,
        answered_at=row.answered_at,
        answered_by=row.answered_by,
    )


class RequestRepository:
    """The ``offline_requests`` table."""

    def __init__(self, db: Database, users: UserRepository) -> None:
        """Use the shared database ``db``; ``users`` checks that staff users are active."""
        self._db = db
        self._users = users

    def create(
        self,
        question: str,
        contact: str,
        language: Language | str = Language.NN,
        conversation_id: str | None = None,
    ) -> OfflineRequest:
        """Store a question for staff to answer later by e-mail or phone.

        This does not change the conversation's state; if the citizen was
        waiting, also call ``conversations.transition(conversation_id, Event.CANCEL,
        "citizen")``.

        Args:
            question: The citizen's question.
            contact: E-mail address or Norwegian 8-digit phone number (optional
                ``+47``, spaces allowed). Stored normalised.
            language: Language to answer in.
            conversation_id: The conversation it came from, if any.

        Returns:
            The stored request.

        Raises:
            InvalidContact: If the contact is neither e-mail nor phone number.
            ConversationNotFound: If ``conversation_id`` is given but unknown.
            ValueError: If the question is empty or too long or the language unknown.
        """
        check_text(question, "Question", MAX_QUESTION_LENGTH)
        normalized = normalize_contact(contact)
        lang = check_language(language)
        row = OfflineRequestRow(
            conversation_id=conversation_id,
            question=question,
            contact=normalized,
            language=lang.value,
            created_at=self._db.now(),
            answered_at=None,
            answered_by=None,
        )
        with self._db.session() as session:
            if conversation_id is not None:
                current_state(session, conversation_id)
            session.add(row)
            session.flush()
            return _offline_request(row)

    def list(self, open_only: bool = True) -> builtins.list[OfflineRequest]:
        """Return offline requests, oldest first.

        Args:
            open_only: Only those nobody has answered yet.
        """
        query = select(OfflineRequestRow)
        if open_only:
            query = query.where(OfflineRequestRow.answered_at.is_(None))
        query = query.order_by(OfflineRequestRow.created_at, OfflineRequestRow.id)
        with self._db.session() as session:
            return [_offline_request(row) for row in session.execute(query).scalars()]

    def mark_answered(self, request_id: int, staff_user_id: int) -> bool:
        """Mark an offline request as answered. Exactly one staff member wins.

        Returns:
            True if this call marked it; False if it was already answered.

        Raises:
            OfflineRequestNotFound: If the request does not exist.
            UserNotFound: If the staff user does not exist.
            UserInactive: If the staff user is deactivated.
        """
        self._users.active(staff_user_id)
        with self._db.session() as session:
            result = session.execute(
                update(OfflineRequestRow)
                .where(OfflineRequestRow.id == request_id, OfflineRequestRow.answered_at.is_(None))
                .values(answered_at=self._db.now(), answered_by=staff_user_id)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:
                return True
            exists = session.execute(
                select(OfflineRequestRow.id).where(OfflineRequestRow.id == request_id)
            ).scalar_one_or_none()
        if exists is None:
            raise OfflineRequestNotFound(request_id)
        return False
