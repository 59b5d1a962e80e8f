"""What the staff console sees: JSON views of the queue, a conversation, notes, requests.

Read-only; the functions that read the database are blocking (the channel runs them
with :meth:`bot.web.state.WebState.run`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from bot.handoff.records import Note, OfflineRequest, Sender, StaffUser
from bot.kb.facts import render_answer
from bot.kb.models import KnowledgeBase

from .state import WebState
from .views import iso, message_json

__all__ = [
    "STATIC_DIR",
    "canned_replies",
    "conversation_key",
    "conversation_snapshot",
    "note_json",
    "offline_json",
    "queue_snapshot",
    "user_json",
]

STATIC_DIR = Path(__file__).resolve().parent / "static" / "console"
_LAST_TEXT_CHARS = 200


def user_json(user: StaffUser) -> dict[str, Any]:
    """``{"id", "first_name", "role"}``."""
    return {"id": user.id, "first_name": user.first_name, "role": user.role.value}


def note_json(note: Note, names: dict[int, str]) -> dict[str, Any]:
    """A note with its author's first name."""
    return {
        "id": note.id,
        "author_id": note.author_id,
        "author_first_name": names.get(note.author_id),
        "text": note.text,
        "created_at": iso(note.created_at),
    }


def offline_json(item: OfflineRequest) -> dict[str, Any]:
    """An offline request."""
    return {
        "id": item.id,
        "question": item.question,
        "contact": item.contact,
        "language": item.language.value,
        "created_at": iso(item.created_at),
        "answered_at": iso(item.answered_at),
    }


def _last_citizen_text(state: WebState, conversation_id: str) -> tuple[str, int]:
    messages = state.store.messages.transcript(conversation_id)
    last_id = messages[-1].id if messages else 0
    for message in reversed(messages):
        if message.sender is Sender.CITIZEN:
            return message.text[:_LAST_TEXT_CHARS], last_id
    return "", last_id


def queue_snapshot(state: WebState, user: StaffUser) -> dict[str, Any]:
    """The queue view of one staff member, with an etag over everything but the clock."""
    now = state.now()
    entries = state.store.conversations.queue()
    mine = state.store.conversations.list_active_for_staff(user.id)
    flags = state.presence.flags_many([e.conversation.id for e in entries] + [c.id for c in mine])
    waiting = []
    for entry in entries:
        text, _ = _last_citizen_text(state, entry.conversation.id)
        waiting.append(
            {
                "conversation_id": entry.conversation.id,
                "waiting_seconds": int(entry.waiting_for.total_seconds()),
                "language": entry.conversation.language.value,
                "last_text": text,
            }
        )
    mine_json = []
    for conversation in mine:
        text, last_id = _last_citizen_text(state, conversation.id)
        typing = flags[conversation.id].citizen_typing(now) if conversation.id in flags else False
        mine_json.append(
            {
                "conversation_id": conversation.id,
                "state": conversation.state.value,
                "language": conversation.language.value,
                "last_text": text,
                "citizen_typing": typing,
                "last_message_id": last_id,
            }
        )
    open_requests = len(state.store.requests.list(open_only=True))
    fingerprint = json.dumps(
        [[(w["conversation_id"], w["last_text"]) for w in waiting], mine_json, open_requests],
        sort_keys=True,
    )
    return {
        "etag": hashlib.sha256(fingerprint.encode("utf-8")).hexdigest()[:20],
        "waiting": waiting,
        "mine": mine_json,
        "offline_requests_open": open_requests,
    }


def conversation_snapshot(
    state: WebState, conversation_id: str, after: int
) -> dict[str, Any] | None:
    """One conversation for staff: state, messages after ``after``, notes, typing."""
    conversation = state.store.conversations.get(conversation_id)
    if conversation is None:
        return None
    claimed_by = state.store.users.get(conversation.claimed_by) if conversation.claimed_by else None
    messages = state.store.messages.after(conversation_id, after)
    notes = state.store.notes.list(conversation_id)
    names: dict[int, str] = {}
    for note in notes:
        if note.author_id not in names:
            author = state.store.users.get(note.author_id)
            names[note.author_id] = author.first_name if author else "?"
    flags = state.presence.flags(conversation_id)
    return {
        "conversation": {
            "id": conversation.id,
            "state": conversation.state.value,
            "language": conversation.language.value,
            "claimed_by_first_name": claimed_by.first_name if claimed_by else None,
            "claimed_by_id": conversation.claimed_by,
        },
        "messages": [message_json(m, console=True) for m in messages],
        "notes": [note_json(n, names) for n in notes],
        "citizen_typing": flags.citizen_typing(state.now()),
    }


def conversation_key(snapshot: dict[str, Any]) -> tuple[Any, ...]:
    """What, besides new messages, ends a conversation long-poll when it changes."""
    return (
        snapshot["conversation"]["state"],
        snapshot["conversation"]["claimed_by_id"],
        snapshot["citizen_typing"],
        len(snapshot["notes"]),
    )


def canned_replies(kb: KnowledgeBase) -> list[dict[str, Any]]:
    """Canned replies from the knowledge base's FAQ and services, in nn and nb, facts filled."""
    replies: list[dict[str, Any]] = []
    for faq in kb.faq:
        replies.append(
            {
                "id": f"faq:{faq.id}",
                "title": faq.questions[0] if faq.questions else faq.id,
                "nn": render_answer(kb, faq.answer, "nn"),
                "nb": render_answer(kb, faq.answer, "nb"),
                "link": faq.link,
            }
        )
    for item in kb.services:
        replies.append(
            {
                "id": f"service:{item.id}",
                "title": item.name.nn,
                "nn": render_answer(kb, item.answer, "nn"),
                "nb": render_answer(kb, item.answer, "nb"),
                "link": item.link,
            }
        )
    return replies
