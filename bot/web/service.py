"""Chat logic shared by the widget and the console channel (no HTTP here).

All functions in this module are blocking (database access); the channels run
them in a worker thread with :meth:`bot.web.state.WebState.run`.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

from bot.desk import DeskStatus, chat_desk_status
from bot.handoff.errors import ConversationNotFound
from bot.handoff.records import Conversation, Message, Sender
from bot.handoff.states import Event, HandoffState, InvalidTransition
from bot.kb.hours import OSLO
from bot.messages import moment_label, render

from .state import WebState

__all__ = [
    "DeskStatus",
    "citizen_view",
    "decide_handoff",
    "desk_status",
    "expire_waiting_once",
    "extract_links",
    "iso",
    "message_json",
    "purge_once",
    "system_message",
    "transcript_text",
    "visible_to_citizen",
]

_LINK_RE = re.compile(r"https?://[^\s<>\"'()\[\]{}]+")
_TRAILING = ".,;:!?"


def iso(moment: datetime | None) -> str | None:
    """Format an aware datetime as ISO 8601 UTC (``2026-11-26T09:00:00Z``)."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def extract_links(text: str) -> list[str]:
    """Return the http(s) links in a text, in order, without duplicates."""
    links: list[str] = []
    for match in _LINK_RE.findall(text or ""):
        link = match.rstrip(_TRAILING)
        if link not in links:
            links.append(link)
    return links


def _payload(message: Message) -> dict[str, Any]:
    return message.payload if isinstance(message.payload, dict) else {}


def _buttons(message: Message) -> list[dict[str, str]]:
    buttons = _payload(message).get("buttons") or []
    return [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in buttons
        if isinstance(b, dict)
    ]


def visible_to_citizen(message: Message) -> bool:
    """Whether the widget shows the message (a bare custom payload is internal)."""
    return bool(message.text.strip()) or bool(_buttons(message))


def message_json(message: Message, *, console: bool = False) -> dict[str, Any]:
    """Serialise a message for the API (see docs/chat-api.md, "Message").

    Args:
        message: The stored message.
        console: Add ``intent``, ``confidence``, ``feedback`` and ``custom`` for staff.
    """
    payload = _payload(message)
    links = extract_links(message.text)
    for extra in payload.get("links") or []:
        if isinstance(extra, str) and extra not in links:
            links.append(extra)
    data: dict[str, Any] = {
        "id": message.id,
        "sender": message.sender.value,
        "text": message.text,
        "buttons": _buttons(message),
        "links": links,
        "staff_first_name": message.staff_first_name,
        "created_at": iso(message.created_at),
    }
    if console:
        data.update(
            intent=message.intent,
            confidence=message.confidence,
            feedback=message.feedback,
            custom=payload.get("custom"),
            button_payload=payload.get("button"),
        )
    return data


def system_message(
    state: WebState, conversation_id: str, message_name: str, language: str, /, **values: Any
) -> Message:
    """Store a ``system`` message from ``bot/messages.yml`` in the conversation's language."""
    text = render(message_name, language, **values)
    return state.store.add_message(conversation_id, Sender.SYSTEM, text)


def desk_status(state: WebState) -> DeskStatus:
    """Read the chat desk's hours and staff presence (see :mod:`bot.desk`)."""
    present = state.presence.staff_present(timedelta(seconds=state.settings.staff_presence_seconds))
    return chat_desk_status(
        state.knowledge_base(),
        state.now(),
        staff_present=present,
        always_open=state.settings.always_open,
    )


def decide_handoff(state: WebState, conversation_id: str, reason: str | None) -> bool:
    """Handle the bot's handoff payload: queue the citizen, or offer an offline request.

    Args:
        state: The web state.
        conversation_id: The conversation.
        reason: Why the bot hands off (stored in the audit trail).

    Returns:
        True if the citizen was put in the queue (state WAITING); False if the
        offline offer was made instead.
    """
    conversation = state.store.get_conversation(conversation_id)
    if conversation is None:
        raise ConversationNotFound(conversation_id)
    language = conversation.language.value
    kb = state.knowledge_base()
    desk = desk_status(state)
    if desk.can_queue:
        try:
            state.store.transition(
                conversation_id, Event.REQUEST_HUMAN, "bot", reason=(reason or "")[:200] or None
            )
        except InvalidTransition:
            return conversation.state is HandoffState.WAITING
        state.presence.set_offline_offer(conversation_id, False)
        system_message(state, conversation_id, "chat_handoff_queued", language)
        return True
    if not desk.open_now:
        now_local = state.now().astimezone(OSLO)
        upcoming = desk.hours.next_opening
        label = moment_label(upcoming, language, now_local) if upcoming is not None else "–"
        system_message(
            state,
            conversation_id,
            "chat_handoff_closed",
            language,
            next=label,
            phone=kb.contact.phone,
        )
    else:
        system_message(
            state, conversation_id, "chat_handoff_no_staff", language, phone=kb.contact.phone
        )
    state.presence.set_offline_offer(conversation_id, True)
    return False


def expire_waiting_once(state: WebState) -> list[str]:
    """Send waiting conversations back to the bot when nobody can take them.

    A conversation goes back after ``HANDOFF_CLAIM_TIMEOUT_SECONDS``, or at once
    when the desk has closed or no staff member is signed in any more (the
    citizen is never left waiting in an empty queue). Each citizen gets a
    ``system`` message and the offline offer.

    Returns:
        The ids of the conversations sent back.
    """
    desk = desk_status(state)
    older_than = (
        timedelta(seconds=state.settings.handoff_claim_timeout_seconds)
        if desk.can_queue
        else timedelta(0)
    )
    moved = state.store.expire_waiting(older_than)
    if not moved:
        return moved
    phone = state.knowledge_base().contact.phone
    for conversation_id in moved:
        conversation = state.store.get_conversation(conversation_id)
        if conversation is None:
            continue
        try:
            system_message(
                state,
                conversation_id,
                "chat_handoff_timeout",
                conversation.language.value,
                phone=phone,
            )
            state.presence.set_offline_offer(conversation_id, True)
        except ConversationNotFound:  # deleted meanwhile
            continue
    return moved


def purge_once(state: WebState) -> None:
    """Delete data past the retention period, and expired console sessions."""
    state.store.purge_older_than(timedelta(days=state.settings.retention_days))
    state.presence.delete_orphans()
    state.sessions.purge_expired()


def queue_json(state: WebState, conversation: Conversation) -> dict[str, int] | None:
    """``{"position", "waiting_seconds"}`` while the conversation waits, else None."""
    if conversation.state is not HandoffState.WAITING:
        return None
    for position, entry in enumerate(state.store.queue(), start=1):
        if entry.conversation.id == conversation.id:
            return {"position": position, "waiting_seconds": int(entry.waiting_for.total_seconds())}
    return None


def citizen_view(state: WebState, conversation: Conversation) -> dict[str, Any]:
    """The citizen-facing status of a conversation: state, queue, staff, offline offer."""
    flags = state.presence.flags(conversation.id)
    staff = None
    if conversation.state is HandoffState.WITH_HUMAN and conversation.claimed_by is not None:
        user = state.store.get_user(conversation.claimed_by)
        if user is not None:
            staff = {"first_name": user.first_name, "typing": flags.staff_typing(state.now())}
    return {
        "state": conversation.state.value,
        "queue": queue_json(state, conversation),
        "staff": staff,
        "offline_offer": flags.offline_offer,
    }


def transcript_text(state: WebState, conversation: Conversation) -> str:
    """The citizen's transcript as plain text, times in Europe/Oslo."""
    language = conversation.language.value
    labels = {
        Sender.CITIZEN: render("chat_label_citizen", language),
        Sender.BOT: render("chat_label_bot", language),
        Sender.SYSTEM: render("chat_label_system", language),
    }
    created = conversation.created_at.astimezone(OSLO)
    lines = [render("chat_transcript_title", language, date=f"{created:%d.%m.%Y %H.%M}"), ""]
    for message in state.store.transcript(conversation.id):
        if not visible_to_citizen(message):
            continue
        who = (
            message.staff_first_name or "?"
            if message.sender is Sender.STAFF
            else labels[message.sender]
        )
        when = message.created_at.astimezone(OSLO)
        text = message.text
        buttons = _buttons(message)
        if buttons:
            text += "\n" + "\n".join(f"  [{b['title']}]" for b in buttons)
        lines.append(f"[{when:%d.%m.%Y %H.%M}] {who}: {text}")
    return "\n".join(lines) + "\n"
