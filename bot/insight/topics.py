"""The knowledge base's part of the facts: which FAQ entry answers a text, desk hours."""

from __future__ import annotations

from datetime import datetime

from bot.desk import phone_status
from bot.kb.models import KnowledgeBase

from .facts import FaqFinder

__all__ = ["faq_finder", "outside_hours"]


def faq_finder(kb: KnowledgeBase) -> FaqFinder:
    """The FAQ matcher the bot itself uses at run time (actions/faq.py)."""
    from actions.faq import match_faq  # the bot's own matching, so the report agrees

    def find(text: str) -> str | None:
        found = match_faq(text, kb)
        return found.entry.id if found is not None else None

    return find


def outside_hours(kb: KnowledgeBase, at: datetime) -> bool:
    """Whether innbyggjarservice's phone is closed at ``at`` (holidays and closures count)."""
    return not phone_status(kb, at).open_now
