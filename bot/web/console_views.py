"""What the staff console sees: JSON views of the queue, a conversation, notes, requests.

Read-only; the functions that read the database are blocking (the channel runs them
with :meth:`bot.web.state.WebState.run`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.handoff.history import GENERIC_INTENTS, asked_for_person_at, handoff_question
from bot.handoff.records import Conversation, Message, Note, OfflineRequest, Sender, StaffUser
from bot.handoff.staffing import StaffStatus
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
    "asked_question",
    "queue_snapshot",
    "staff_snapshot",
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


def _summary(state: WebState, conversation: Conversation) -> dict[str, Any]:
    """What a queue or "mine" item shows: the question, topic, page, presence, counts."""
    messages = state.store.messages.transcript(conversation.id)
    asked = asked_question(state, conversation.id, messages)
    citizen = [m for m in messages if m.sender is Sender.CITIZEN]
    context = state.presence.context(conversation.id)
    return {
        "conversation_id": conversation.id,
        "language": conversation.language.value,
        "question": asked.text[:_LAST_TEXT_CHARS] if asked else "",
        "topic": asked.intent if asked and asked.intent not in GENERIC_INTENTS else None,
        "last_text": citizen[-1].text[:_LAST_TEXT_CHARS] if citizen else "",
        "page": context.page,
        "citizen_left": context.left(state.now()),
        "started_at": iso(conversation.created_at),
        "last_message_id": messages[-1].id if messages else 0,
        "citizen_messages": len(citizen),
    }


def asked_question(
    state: WebState, conversation_id: str, messages: list[Message]
) -> Message | None:
    """The question that led to the (last) handoff: the topic of a conversation."""
    moment = asked_for_person_at(state.store.conversations.history(conversation_id))
    return handoff_question(messages, moment)


def _staff_json(item: StaffStatus, cutoff: datetime) -> dict[str, Any]:
    return {
        "id": item.staff_user_id,
        "first_name": item.first_name,
        "status": item.status,
        "max_chats": item.max_chats,
        "active_chats": item.active_chats,
        "present": item.present(cutoff),
        "takes_chats": item.takes_chats(cutoff),
    }


def staff_snapshot(state: WebState) -> list[dict[str, Any]]:
    """Every active staff member's status, limit, held chats and whether they take chats."""
    cutoff = state.now() - timedelta(seconds=state.settings.staff_presence_seconds)
    return [_staff_json(item, cutoff) for item in state.store.staffing.all()]


def queue_snapshot(state: WebState, user: StaffUser) -> dict[str, Any]:
    """The queue view of one staff member, with an etag over everything but the clock."""
    entries = state.store.conversations.queue()
    mine = state.store.conversations.list_active_for_staff(user.id)
    flags = state.presence.flags_many([c.id for c in mine])
    now = state.now()
    waiting = []
    for entry in entries:
        item = _summary(state, entry.conversation)
        item["waiting_seconds"] = int(entry.waiting_for.total_seconds())
        waiting.append(item)
    mine_json = []
    for conversation in mine:
        item = _summary(state, conversation)
        typing = flags[conversation.id].citizen_typing(now) if conversation.id in flags else False
        item.update(state=conversation.state.value, citizen_typing=typing)
        mine_json.append(item)
    open_requests = len(state.store.requests.list(open_only=True))
    staff = staff_snapshot(state)
    fingerprint = json.dumps(
        [
            [(w["conversation_id"], w["last_text"], w["citizen_left"]) for w in waiting],
            mine_json,
            open_requests,
            staff,
        ],
        sort_keys=True,
    )
    return {
        "etag": hashlib.sha256(fingerprint.encode("utf-8")).hexdigest()[:20],
        "waiting": waiting,
        "mine": mine_json,
        "offline_requests_open": open_requests,
        "staff": staff,
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
    context = state.presence.context(conversation_id)
    asked = asked_question(state, conversation_id, state.store.messages.transcript(conversation_id))
    return {
        "conversation": {
            "id": conversation.id,
            "state": conversation.state.value,
            "language": conversation.language.value,
            "claimed_by_first_name": claimed_by.first_name if claimed_by else None,
            "claimed_by_id": conversation.claimed_by,
            "started_at": iso(conversation.created_at),
            "topic": asked.intent if asked and asked.intent not in GENERIC_INTENTS else None,
            "page": context.page,
            "citizen_left": context.left(state.now()),
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
        snapshot["conversation"]["citizen_left"],
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
