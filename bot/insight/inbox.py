"""The unanswered inbox: which citizen messages belong in it, and grouping them.

Messages are grouped by similarity of their folded topic words (the bot's own word
handling from actions/faq.py: function words dropped, synonyms made the same), with
rapidfuzz's ``token_set_ratio``; a message joins the first group that has a member at
least :data:`SIMILARITY` alike (single linkage, oldest message first, so the result is
deterministic).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from rapidfuzz import fuzz

from bot.language import words

from .facts import FALLBACK_INTENT, LOW_CONFIDENCE

__all__ = [
    "ASKING_INTENTS",
    "SIMILARITY",
    "InboxGroup",
    "InboxItem",
    "group_messages",
    "inbox_reason",
]

SIMILARITY = 70.0
"""Least rapidfuzz token-set ratio (0-100) for two messages to be in one group."""

ASKING_INTENTS = frozenset({"request_human", "affirm", "deny", "greet", "thanks", "goodbye"})
"""Messages that ask for a person or answer yes/no: never the question a handoff is about."""

MAX_EXAMPLES = 5


class _Message(Protocol):
    sender: str
    intent: str | None
    confidence: float | None
    feedback: int | None
    created_at: datetime


class InboxItem(Protocol):
    """What grouping needs of an inbox message."""

    @property
    def message_id(self) -> int: ...  # noqa: D102
    @property
    def text(self) -> str: ...  # noqa: D102
    @property
    def reason(self) -> str: ...  # noqa: D102
    @property
    def intent(self) -> str | None: ...  # noqa: D102
    @property
    def created_at(self) -> datetime: ...  # noqa: D102


def inbox_reason(
    message: _Message, later: Sequence[_Message], handoff_at: datetime | None
) -> str | None:
    """Why a citizen message belongs in the inbox, or None.

    Args:
        message: The citizen message.
        later: The conversation's messages after it, in order.
        handoff_at: When the conversation first asked for a person (or None).

    Returns:
        ``fallback``, ``low_confidence``, ``thumbs_down`` or ``handoff``.
    """
    if message.intent == FALLBACK_INTENT:
        return "fallback"
    if message.intent in ASKING_INTENTS:
        return None
    if message.confidence is not None and message.confidence < LOW_CONFIDENCE:
        return "low_confidence"
    for reply in later:
        if reply.sender == "citizen":
            break
        if reply.feedback == -1:
            return "thumbs_down"
    if handoff_at is not None and message.created_at <= handoff_at:
        questions = [
            m
            for m in later
            if m.sender == "citizen"
            and m.created_at <= handoff_at
            and m.intent not in ASKING_INTENTS
        ]
        if not questions:  # the last question before the person was asked for
            return "handoff"
    return None


@dataclass(frozen=True)
class InboxGroup:
    """Similar unanswered messages: how many, why, examples and their message ids."""

    group_id: int
    count: int
    examples: tuple[str, ...]
    message_ids: tuple[int, ...]
    reasons: dict[str, int]
    intent: str | None

    def to_json(self) -> dict[str, Any]:
        """The group as JSON for the console."""
        return {
            "group_id": self.group_id,
            "count": self.count,
            "examples": list(self.examples),
            "message_ids": list(self.message_ids),
            "reasons": dict(self.reasons),
            "intent": self.intent,
        }


def _key(text: str, lemmas: Callable[[str], list[str]]) -> str:
    found = lemmas(text) or words(text)
    return " ".join(sorted(set(found)))


def group_messages(
    items: Sequence[InboxItem],
    lemmas: Callable[[str], list[str]],
    similarity: float = SIMILARITY,
) -> list[InboxGroup]:
    """Group similar messages; the biggest group first (then the oldest).

    Args:
        items: Inbox messages.
        lemmas: Folded topic words of a text (``actions.faq.topic_words`` with the KB).
        similarity: Least token-set ratio for joining a group.
    """
    ordered = sorted(items, key=lambda i: (i.created_at, i.message_id))
    groups: list[list[tuple[str, InboxItem]]] = []
    for item in ordered:
        key = _key(item.text, lemmas)
        for group in groups:
            if any(fuzz.token_set_ratio(key, other) >= similarity for other, _ in group):
                group.append((key, item))
                break
        else:
            groups.append([(key, item)])
    result = []
    for group in groups:
        members = [item for _, item in group]
        examples: list[str] = []
        for item in reversed(members):  # newest examples first
            if item.text not in examples and len(examples) < MAX_EXAMPLES:
                examples.append(item.text)
        intents = Counter(i.intent for i in members if i.intent)
        result.append(
            InboxGroup(
                group_id=min(i.message_id for i in members),
                count=len(members),
                examples=tuple(examples),
                message_ids=tuple(sorted(i.message_id for i in members)),
                reasons=dict(sorted(Counter(i.reason for i in members).items())),
                intent=intents.most_common(1)[0][0] if intents else None,
            )
        )
    first_seen = {g.group_id: n for n, g in enumerate(result)}
    return sorted(result, key=lambda g: (-g.count, first_seen[g.group_id]))
