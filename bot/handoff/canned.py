"""Canned replies written by staff: personal ones and the team's (greeting, closing, ...).

The knowledge base's FAQ and services are canned replies too (see
:func:`bot.web.console_views.canned_replies`); these are the ones staff write themselves.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update

from .common import check_text
from .database import Database
from .schema import canned_replies_table

__all__ = ["MAX_CANNED_TEXT", "MAX_CANNED_TITLE", "CannedReply", "CannedReplyRepository"]

MAX_CANNED_TITLE = 100
MAX_CANNED_TEXT = 2_000
LANGUAGES = ("nn", "nb", "en")


@dataclass(frozen=True)
class CannedReply:
    """A canned reply written by staff.

    Attributes:
        id: Row id.
        owner_id: The staff member it belongs to; None for the team's.
        title: Short name shown in the list.
        text: The reply.
        language: ``nn``, ``nb`` or ``en``; None for any conversation.
        updated_at: Last change.
    """

    id: int
    owner_id: int | None
    title: str
    text: str
    language: str | None
    updated_at: datetime


def _reply(row: Any) -> CannedReply:
    return CannedReply(
        id=row.id,
        owner_id=row.owner_id,
        title=row.title,
        text=row.text,
        language=row.language,
        updated_at=row.updated_at,
    )


def _check(title: str, text: str, language: str | None) -> None:
    check_text(title, "Title", MAX_CANNED_TITLE)
    check_text(text, "Text", MAX_CANNED_TEXT)
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"Unknown language {language!r}; use nn, nb, en or none.")


class CannedReplyRepository:
    """The ``console_canned_replies`` table."""

    def __init__(self, db: Database) -> None:
        """Use the shared database ``db``."""
        self._db = db

    def list_for(self, staff_user_id: int) -> builtins.list[CannedReply]:
        """The team's replies and this staff member's own, team first, by title."""
        table = canned_replies_table
        query = (
            select(table)
            .where(or_(table.c.owner_id.is_(None), table.c.owner_id == staff_user_id))
            .order_by(table.c.owner_id.isnot(None), table.c.title, table.c.id)
        )
        with self._db.session() as session:
            return [_reply(row) for row in session.execute(query).all()]

    def get(self, reply_id: int) -> CannedReply | None:
        """One reply, or None."""
        table = canned_replies_table
        with self._db.session() as session:
            row = session.execute(select(table).where(table.c.id == reply_id)).first()
        return _reply(row) if row is not None else None

    def add(self, owner_id: int | None, title: str, text: str, language: str | None) -> CannedReply:
        """Store a new reply (``owner_id`` None: the team's).

        Raises:
            ValueError: If the title or text is empty or too long, or the language unknown.
        """
        _check(title, text, language)
        values = {
            "owner_id": owner_id,
            "title": title,
            "text": text,
            "language": language,
            "updated_at": self._db.now(),
        }
        with self._db.session() as session:
            result = session.execute(canned_replies_table.insert().values(**values))
            new_id = int(result.inserted_primary_key[0])
        return CannedReply(id=new_id, **values)  # type: ignore[arg-type]

    def update(self, reply_id: int, title: str, text: str, language: str | None) -> bool:
        """Change a reply; False if it does not exist.

        Raises:
            ValueError: As :meth:`add`.
        """
        _check(title, text, language)
        table = canned_replies_table
        with self._db.session() as session:
            done = session.execute(
                update(table)
                .where(table.c.id == reply_id)
                .values(title=title, text=text, language=language, updated_at=self._db.now())
            ).rowcount
        return bool(done)

    def delete(self, reply_id: int) -> bool:
        """Delete a reply; False if it did not exist."""
        table = canned_replies_table
        with self._db.session() as session:
            done = session.execute(delete(table).where(table.c.id == reply_id)).rowcount
        return bool(done)
