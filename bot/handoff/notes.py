"""Internal staff notes on a conversation (never shown to the citizen)."""

from __future__ import annotations

import builtins
from typing import Any

from sqlalchemy import select

from .common import MAX_NOTE_LENGTH, check_text
from .database import Database
from .moves import current_state
from .records import Note
from .schema import NoteRow
from .users import UserRepository

__all__ = ["NoteRepository"]


def _note(row: Any) -> Note:
    return Note(
        id=row.id,
        conversation_id=row.conversation_id,
        author_id=row.author_id,
        text=row.text,
        created_at=row.created_at,
    )


class NoteRepository:
    """The ``notes`` table."""

    def __init__(self, db: Database, users: UserRepository) -> None:
        """Use the shared database ``db``; ``users`` checks that authors are active."""
        self._db = db
        self._users = users

    def add(self, conversation_id: str, staff_user_id: int, text: str) -> Note:
        """Add an internal staff note to a conversation.

        Raises:
            ConversationNotFound: If the conversation does not exist.
            UserNotFound: If the staff user does not exist.
            UserInactive: If the staff user is deactivated.
            ValueError: If the text is empty or too long.
        """
        check_text(text, "Note text", MAX_NOTE_LENGTH)
        self._users.active(staff_user_id)
        row = NoteRow(
            conversation_id=conversation_id,
            author_id=staff_user_id,
            text=text,
            created_at=self._db.now(),
        )
        with self._db.session() as session:
            current_state(session, conversation_id)
            session.add(row)
            session.flush()
            return _note(row)

    def list(self, conversation_id: str) -> builtins.list[Note]:
        """Return the staff notes of a conversation, oldest first.

        Raises:
            ConversationNotFound: If the conversation does not exist.
        """
        with self._db.session() as session:
            current_state(session, conversation_id)
            rows = session.execute(
                select(NoteRow)
                .where(NoteRow.conversation_id == conversation_id)
                .order_by(NoteRow.id)
            ).scalars()
            return [_note(row) for row in rows]
