"""The ``kb_changes`` table: the change log of the knowledge-base writer in SQL.

Implements :class:`bot.kb.changelog.ChangeLog`, so several instances share one history.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.engine import Engine

from bot.kb.changelog import Change

from .schema import kb_changes_table as t

__all__ = ["KbChangeRepository"]

_MAX_LIMIT = 1000


def _change(row: Any) -> Change:
    return Change(
        id=row.id,
        file=row.file,
        entry=row.entry,
        summary=row.summary,
        account=row.account,
        at=row.at,
        diff=row.diff,
        previous=row.previous,
        content=row.content,
        undoes=row.undoes,
    )


class KbChangeRepository:
    """Records and reads changes in the handoff database."""

    def __init__(self, engine: Engine) -> None:
        """Use the handoff database's ``engine`` (migrated to 0004_editor or later)."""
        self._engine = engine

    def record(self, change: Change) -> Change:
        """Store ``change`` and return it with its new id."""
        values = {
            "at": change.at,
            "account": change.account[:64],
            "file": change.file[:100],
            "entry": change.entry[:200],
            "summary": change.summary,
            "diff": change.diff,
            "previous": change.previous,
            "content": change.content,
            "undoes": change.undoes,
        }
        with self._engine.begin() as connection:
            new_id = connection.execute(insert(t).values(**values)).inserted_primary_key[0]
        stored = self.get(int(new_id))
        if stored is None:  # pragma: no cover - the row was just written
            raise RuntimeError("The change was not stored; check the database.")
        return stored

    def get(self, change_id: int) -> Change | None:
        """One change, or None."""
        with self._engine.connect() as connection:
            row = connection.execute(select(t).where(t.c.id == change_id)).first()
        return _change(row) if row is not None else None

    def recent(self, limit: int = 100, file: str | None = None) -> list[Change]:
        """The newest changes first (of one file if ``file`` is given)."""
        query = select(t).order_by(t.c.id.desc()).limit(max(1, min(limit, _MAX_LIMIT)))
        if file is not None:
            query = query.where(t.c.file == file)
        with self._engine.connect() as connection:
            return [_change(row) for row in connection.execute(query)]

    def last_for(self, file: str, entry: str) -> Change | None:
        """The newest change of one entry (or of the whole file)."""
        query = select(t).where(t.c.file == file).order_by(t.c.id.desc()).limit(1)
        if entry:
            query = query.where(or_(t.c.entry == entry, t.c.entry == ""))
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        return _change(row) if row is not None else None
