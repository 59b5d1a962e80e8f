"""What the widget and the console see: JSON views of messages and conversations.

Read-only (every change goes through :class:`bot.handoff.service.HandoffService`).
The functions that read the database are blocking; the channels run them in a
worker thread with :meth:`bot.web.state.WebState.run`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from bot.handoff.records import Conversation, Message, Sender
from bot.handoff.states import HandoffState
from bot.kb.hours import OSLO
from bot.messages import render

from .http import ApiError
from .queue_estimate import expected_wait_seconds
from .state import WebState

__all__ = [
    "booking_offer",
    "citizen_events",
    "citizen_view",
    "citizen_poll_ready",
    "citizen_view_key",
    "citizen_view_tag",
    "extract_links",
    "iso",
    "message_json",
    "queue_json",
    "rating_request",
    "seen_view_tag",
    "shown_to_citizen",
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


def rating_request(message: Message) -> bool:
    """Whether the bot asked the citizen to rate the conversation (custom payload).

    Rasa sends a response's ``custom`` part as a message of its own, so the payload
    ``{"rating_request": true}`` usually comes as a message without text.
    """
    custom = _payload(message).get("custom")
    return isinstance(custom, dict) and custom.get("rating_request") is True


def booking_offer(message: Message, key: str = "booking") -> int | None:
    """The booking request id the bot offers a contact field for, if any (custom payload).

    ``action_booking_finish`` sends ``{"booking": {"id": 7, "contact": "optional"}}`` after
    a request was stored: the widget then offers a field for an e-mail or phone, which the
    chat itself would mask (``POST .../bookings/<id>/contact``). With ``key`` set to
    ``booking_handled``: the request staff handled (the system message that says so).
    """
    custom = _payload(message).get("custom")
    booking = custom.get(key) if isinstance(custom, dict) else None
    if not isinstance(booking, dict):
        return None
    booking_id = booking.get("id")
    if isinstance(booking_id, bool) or not isinstance(booking_id, int) or booking_id <= 0:
        return None
    return booking_id


def shown_to_citizen(message: Message) -> bool:
    """Whether the citizen API delivers the message: visible, a rating request or a booking."""
    return visible_to_citizen(message) or (
        message.sender is Sender.BOT
        and (rating_request(message) or booking_offer(message) is not None)
    )


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
    if rating_request(message):
        data["rating_request"] = True
    booking_id = booking_offer(message) if message.sender is Sender.BOT else None
    if booking_id is not None:
        data["booking"] = {"id": booking_id}
    handled_id = (
        booking_offer(message, "booking_handled") if message.sender is Sender.SYSTEM else None
    )
    if handled_id is not None:
        data["booking_handled"] = {"id": handled_id}
    if console:
        data.update(
            intent=message.intent,
            confidence=message.confidence,
            feedback=message.feedback,
            custom=payload.get("custom"),
            button_payload=payload.get("button"),
        )
    return data


def queue_json(state: WebState, conversation: Conversation) -> dict[str, int | None] | None:
    """``{"position", "waiting_seconds", "expected_wait_seconds"}`` while waiting, else None.

    ``expected_wait_seconds`` is the median of recent queue-to-claim times
    (:mod:`bot.web.queue_estimate`), or None when there were too few claims lately.
    """
    if conversation.state is not HandoffState.WAITING:
        return None
    for position, entry in enumerate(state.store.conversations.queue(), start=1):
        if entry.conversation.id == conversation.id:
            return {
                "position": position,
                "waiting_seconds": int(entry.waiting_for.total_seconds()),
                "expected_wait_seconds": expected_wait_seconds(state.store.engine, state.now()),
            }
    return None


def citizen_view(state: WebState, conversation: Conversation) -> dict[str, Any]:
    """The citizen-facing status of a conversation: state, queue, staff, offline offer."""
    flags = state.presence.flags(conversation.id)
    staff = None
    if conversation.state is HandoffState.WITH_HUMAN and conversation.claimed_by is not None:
        user = state.store.users.get(conversation.claimed_by)
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
    for message in state.store.messages.transcript(conversation.id):
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


def citizen_view_key(view: dict[str, Any]) -> tuple[Any, ...]:
    """What, besides new messages, ends a citizen's long-poll when it changes."""
    queue = view.get("queue") or {}
    staff = view.get("staff") or {}
    return (
        view.get("state"),
        queue.get("position"),
        staff.get("first_name"),
        staff.get("typing"),
        view.get("offline_offer"),
    )


def citizen_view_tag(view: dict[str, Any]) -> str:
    """A short tag of :func:`citizen_view_key`: equal tags, the same status for the widget.

    The widget sends the tag it last applied back with its long-poll (``seen``), so the
    poll answers at once when the widget's status is not the server's, e.g. after an older
    poll answer reached it later than the newer answer to its own message.
    """
    key = json.dumps(citizen_view_key(view), separators=(",", ":"))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


_TAG_RE = re.compile(r"[0-9a-f]{1,64}")


def seen_view_tag(raw: str | None) -> str | None:
    """The ``seen`` query parameter of a citizen long-poll (None if not given).

    Raises:
        ApiError: 400 ``invalid_field`` if it is not a tag from :func:`citizen_view_tag`.
    """
    if raw is None or raw == "":
        return None
    if not _TAG_RE.fullmatch(raw):
        raise ApiError(
            400,
            "invalid_field",
            "The query parameter 'seen' must be the 'view_tag' of an earlier answer.",
            field="seen",
        )
    return raw


def citizen_poll_ready(
    seen: str | None,
) -> Callable[[tuple[list[Message], dict[str, Any]]], bool]:
    """When a citizen's long-poll answers: new messages, or a status other than ``seen``.

    Without ``seen`` (older widgets), the status the poll first read is the baseline.
    """
    baseline: list[str] = [seen] if seen else []

    def ready(found: tuple[list[Message], dict[str, Any]]) -> bool:
        tag = citizen_view_tag(found[1])
        if not baseline:
            baseline.append(tag)
        return bool(found[0]) or tag != baseline[0]

    return ready


def citizen_events(
    state: WebState, conversation_id: str, after: int
) -> tuple[list[Message], dict[str, Any]] | None:
    """The citizen's messages after ``after`` and :func:`citizen_view` (None if deleted)."""
    conversation = state.store.conversations.get(conversation_id)
    if conversation is None:
        return None
    messages = state.store.messages.after(conversation_id, after)
    visible = [m for m in messages if shown_to_citizen(m)]
    return visible, citizen_view(state, conversation)
