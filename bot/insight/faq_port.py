"""The inbox's way into the FAQ: a small port, and the adapter over bot.kb.writer.

The editor package's ``bot.kb.writer`` validates, writes and versions knowledge-base
files; the inbox only needs two of its calls. Tests use a fake :class:`FaqWriter`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

__all__ = ["FaqWriter", "FaqWriterMissing", "KbWriterAdapter"]


class FaqWriterMissing(RuntimeError):
    """``bot.kb.writer`` is not installed, so the FAQ cannot be changed from the inbox."""


class FaqWriter(Protocol):
    """Adds an FAQ phrasing or a new FAQ entry on behalf of an editor."""

    def add_phrasing(self, entry_id: str, phrasing: str, *, account: str) -> None:
        """Add ``phrasing`` to the questions of FAQ entry ``entry_id``."""
        ...

    def create_entry(self, entry: Mapping[str, Any], *, account: str) -> None:
        """Create a new FAQ entry (``id``, ``questions``, ``answer``, ``link`` ...)."""
        ...


def _writer() -> Any:
    """The editor package's ``bot.kb.writer`` (validation, history), imported when used."""
    try:
        return importlib.import_module("bot.kb.writer")
    except ImportError as exc:
        raise FaqWriterMissing(
            "bot.kb.writer (the editor package) is not installed; the inbox cannot write "
            "FAQ entries without it."
        ) from exc


class KbWriterAdapter:
    """:class:`FaqWriter` over ``bot.kb.writer`` in knowledge-base folder ``directory``."""

    def __init__(self, directory: Path) -> None:
        """Write to the knowledge base in ``directory``."""
        self.directory = directory

    def add_phrasing(self, entry_id: str, phrasing: str, *, account: str) -> None:
        """Add a phrasing through ``bot.kb.writer.add_faq_phrasing``."""
        _writer().add_faq_phrasing(self.directory, entry_id, phrasing, account=account)

    def create_entry(self, entry: Mapping[str, Any], *, account: str) -> None:
        """Create an entry through ``bot.kb.writer.create_faq_entry``."""
        _writer().create_faq_entry(self.directory, entry, account=account)
