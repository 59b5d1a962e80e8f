"""Insight verbs (issue 9): the citizen's rating and an editor's inbox decision.

Kept beside :class:`bot.handoff.service.HandoffService` (which is full) so that every
write to the handoff store still happens in ``bot/handoff/``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.insight.faq_port import FaqWriter
from bot.kb.models import KnowledgeBase
from bot.privacy import mask_citizen_text

from .records import Conversation
from .store import HandoffStore

__all__ = ["MAX_RATING_COMMENT", "InboxAction", "rate", "resolve_inbox"]

MAX_RATING_COMMENT = 1000
"""Longest rating comment (characters)."""


def rate(
    store: HandoffStore,
    kb: KnowledgeBase,
    conversation: Conversation,
    value: str,
    comment: str | None,
) -> None:
    """Store the citizen's rating, with the comment masked; a second one replaces the first.

    Raises:
        ValueError: For a value other than yes / partly / no, or a comment too long.
    """
    text = (comment or "").strip()
    if len(text) > MAX_RATING_COMMENT:
        raise ValueError(f"The comment is longer than {MAX_RATING_COMMENT} characters.")
    masked = mask_citizen_text(text, conversation.language.value, kb).text if text else None
    store.insight.rate(conversation.id, value, masked)


class InboxAction:
    """The three things an editor can do with an inbox group."""

    PHRASING = "phrasing"
    ENTRY = "entry"
    IGNORE = "not_for_bot"
    ALL = (PHRASING, ENTRY, IGNORE)


def resolve_inbox(
    store: HandoffStore,
    writer: FaqWriter,
    message_ids: Sequence[int],
    action: str,
    *,
    account: str,
    entry_id: str | None = None,
    phrasing: str | None = None,
    entry: Mapping[str, Any] | None = None,
) -> int:
    """Deal with an inbox group: new FAQ phrasing, new FAQ entry, or "not for the bot".

    The FAQ is written first (through ``writer``); only when that succeeded are the
    messages marked as dealt with. Returns how many messages were marked.

    Raises:
        ValueError: For an unknown action or a missing field of the action.
    """
    if action == InboxAction.PHRASING:
        if not entry_id or not phrasing:
            raise ValueError("A new phrasing needs 'entry_id' and 'phrasing'.")
        writer.add_phrasing(entry_id, phrasing, account=account)
        return store.insight.mark(message_ids, "faq_phrasing", entry_id, account)
    if action == InboxAction.ENTRY:
        if not entry or not isinstance(entry.get("id"), str):
            raise ValueError("A new FAQ entry needs an 'entry' object with an 'id'.")
        writer.create_entry(entry, account=account)
        return store.insight.mark(message_ids, "faq_entry", str(entry["id"]), account)
    if action == InboxAction.IGNORE:
        return store.insight.mark(message_ids, "not_for_bot", None, account)
    raise ValueError(f"Action {action!r} is not one of {', '.join(InboxAction.ALL)}.")
