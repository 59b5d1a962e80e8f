"""The history of changes to the knowledge base: who changed what, when, with a diff.

:class:`Change` is one saved change; a :class:`ChangeLog` keeps them. The knowledge-base
writer (:mod:`bot.kb.writer`) records every save in the log that :func:`change_log`
returns: the SQL table ``kb_changes`` (:mod:`bot.handoff.kb_changes`) once the editor
channel has called :func:`configure_change_log`, else an in-memory log (scripts, tests).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Protocol

__all__ = [
    "Change",
    "ChangeLog",
    "MemoryChangeLog",
    "change_log",
    "configure_change_log",
]


@dataclass(frozen=True)
class Change:
    """One saved change to a knowledge-base file (or to a staff account).

    Attributes:
        id: Number of the change (increasing).
        file: The file changed (``faq.yml``), or ``(users)`` for a staff account.
        entry: What was changed in it (``faq:eigedomsskatt``, ``exceptions``), or ``""``
            for the whole file.
        summary: One line for people, in Nynorsk (``La til formulering i …``).
        account: The username of who saved it.
        at: When (aware UTC).
        diff: Unified diff of the file.
        previous: The file's whole text before the change (for undo).
        content: The file's whole text after the change.
        undoes: The change this one undid, if it is an undo.
    """

    id: int
    file: str
    entry: str
    summary: str
    account: str
    at: datetime
    diff: str = ""
    previous: str = ""
    content: str = ""
    undoes: int | None = None


class ChangeLog(Protocol):
    """Where changes are recorded."""

    def record(self, change: Change) -> Change:
        """Store ``change`` (its ``id`` is ignored) and return it with its new id."""
        ...

    def get(self, change_id: int) -> Change | None:
        """One change, or None."""
        ...

    def recent(self, limit: int = 100, file: str | None = None) -> list[Change]:
        """The newest changes first (of one file if ``file`` is given)."""
        ...

    def last_for(self, file: str, entry: str) -> Change | None:
        """The newest change of one entry (or of the whole file when ``entry`` is ``""``)."""
        ...


class MemoryChangeLog:
    """A change log in memory (lost when the process ends)."""

    def __init__(self) -> None:
        self._changes: list[Change] = []
        self._lock = threading.Lock()

    def record(self, change: Change) -> Change:
        """Store ``change`` with the next id."""
        with self._lock:
            stored = replace(change, id=len(self._changes) + 1)
            self._changes.append(stored)
            return stored

    def get(self, change_id: int) -> Change | None:
        """One change, or None."""
        with self._lock:
            if 1 <= change_id <= len(self._changes):
                return self._changes[change_id - 1]
            return None

    def recent(self, limit: int = 100, file: str | None = None) -> list[Change]:
        """The newest changes first."""
        with self._lock:
            found = [c for c in reversed(self._changes) if file is None or c.file == file]
        return found[:limit]

    def last_for(self, file: str, entry: str) -> Change | None:
        """The newest change of one entry (any entry of the file if ``entry`` is empty)."""
        for change in self.recent(limit=len(self._changes) or 1, file=file):
            if not entry or change.entry in (entry, ""):
                return change
        return None


_log: ChangeLog = MemoryChangeLog()
_log_lock = threading.Lock()


def configure_change_log(log: ChangeLog) -> None:
    """Make ``log`` the process's change log (the editor channel does this at start)."""
    global _log
    with _log_lock:
        _log = log


def change_log() -> ChangeLog:
    """The process's change log."""
    with _log_lock:
        return _log


def utc_now() -> datetime:
    """The current aware UTC time."""
    return datetime.now(timezone.utc)
