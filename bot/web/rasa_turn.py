"""Reading what Rasa did with a citizen message: its replies and its tracker.

The widget channel passes the citizen's text to Rasa with a collecting output channel;
this module turns the collected replies into :class:`bot.handoff.service.BotReply`
objects plus the handoff request, and reads the NLU result, the language slot and
whether the citizen asked for a person from Rasa's tracker.

:func:`in_order` makes the turns of one conversation run one after the other (store the
message, ask Rasa, store the answer), so two messages sent at once are answered in the
order they were stored.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.handoff.records import Conversation, Language
from bot.handoff.service import BotReply
from bot.rasa import speedups

__all__ = ["TrackerInfo", "ask_rasa", "in_order", "read_tracker", "translate_replies"]

logger = logging.getLogger(__name__)

NO_HANDOFF = False
# The bot asked "shall I find a person?" with this slot value (actions/handoff.py).
_PENDING_HANDOFF_PREFIX = "handoff:"
_OFFERING_ACTIONS = frozenset({"action_offer_handoff"})
# event loop -> conversation id -> [lock, holders and waiters]; an entry lives while used.
_turn_locks: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[str, tuple[asyncio.Lock, list[int]]]
] = weakref.WeakKeyDictionary()


@asynccontextmanager
async def in_order(conversation_id: str) -> AsyncIterator[None]:
    """Hold the conversation's turn lock (first come, first served; this process only).

    Across several instances, Rasa's lock store keeps the Rasa part of turns in order.
    """
    per_loop = _turn_locks.setdefault(asyncio.get_running_loop(), {})
    lock, users = per_loop.setdefault(conversation_id, (asyncio.Lock(), [0]))
    users[0] += 1
    try:
        async with lock:
            yield
    finally:
        users[0] -= 1
        if users[0] == 0:
            per_loop.pop(conversation_id, None)


def _reply_payload(reply: dict[str, Any]) -> dict[str, Any] | None:
    payload: dict[str, Any] = {}
    buttons = reply.get("buttons")
    if isinstance(buttons, list) and buttons:
        payload["buttons"] = [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in buttons
            if isinstance(b, dict)
        ]
    custom = reply.get("custom")
    if isinstance(custom, dict):
        payload["custom"] = custom
    links = [
        str(reply[key])
        for key in ("image", "attachment")
        if isinstance(reply.get(key), str) and str(reply[key]).startswith(("https://", "http://"))
    ]
    if links:
        payload["links"] = links
    return payload or None


def _handoff_of(reply: dict[str, Any]) -> dict[str, Any] | None:
    custom = reply.get("custom")
    if isinstance(custom, dict) and isinstance(custom.get("handoff"), dict):
        return dict(custom["handoff"])
    return None


def translate_replies(replies: list[dict[str, Any]]) -> tuple[list[BotReply], str | None | bool]:
    """Turn Rasa's collected messages into bot replies and the handoff request.

    Returns:
        ``(replies, handoff)``: handoff is False if the bot did not hand off, else its
        reason (or None). After a handoff payload only custom messages are kept: the
        service's system message replaces the bot's "call us" text.
    """
    handoff_index = next((i for i, r in enumerate(replies) if _handoff_of(r)), None)
    kept: list[BotReply] = []
    for index, reply in enumerate(replies):
        text = reply.get("text")
        text = text if isinstance(text, str) else ""
        payload = _reply_payload(reply)
        if not text.strip() and payload is None:
            continue
        if handoff_index is not None and index > handoff_index and "custom" not in reply:
            continue
        kept.append(BotReply(text, payload))
    if handoff_index is None:
        return kept, NO_HANDOFF
    reason = (_handoff_of(replies[handoff_index]) or {}).get("reason")
    return kept, str(reason) if reason else None


@dataclass(frozen=True)
class TrackerInfo:
    """What Rasa's tracker says about the latest citizen message.

    Attributes:
        intent: The latest intent (None if unknown).
        confidence: Its confidence in [0, 1] (None if unknown).
        language: The language slot, only once the bot has set it.
        wants_person: The handoff reason if the citizen asked for a person with this
            message (``request_human``, or ``affirm`` right after the bot offered one).
    """

    intent: str | None = None
    confidence: float | None = None
    language: str | None = None
    wants_person: str | None = None


def _previous_bot_action(events: list[Any]) -> str | None:
    """The last action the bot ran before the latest user message."""
    seen_user = False
    for event in reversed(events):
        kind = type(event).__name__
        if kind == "UserUttered":
            if seen_user:
                return None
            seen_user = True
        elif seen_user and kind == "ActionExecuted":
            name = getattr(event, "action_name", None)
            if name and name != "action_listen":
                return str(name)
    return None


def _wants_person(tracker: Any, intent: str | None, events: list[Any]) -> str | None:
    if intent == "request_human":
        return "requested"
    if intent != "affirm":
        return None
    pending = tracker.get_slot("pending_question") if hasattr(tracker, "get_slot") else None
    if isinstance(pending, str) and pending.startswith(_PENDING_HANDOFF_PREFIX):
        return pending[len(_PENDING_HANDOFF_PREFIX) :] or "requested"
    if _previous_bot_action(events) in _OFFERING_ACTIONS:
        return "requested"
    return None


async def read_tracker(agent: Any, conversation_id: str) -> TrackerInfo:
    """Read the latest intent, confidence, language slot and handoff wish from Rasa's tracker.

    The tracker Rasa has just saved is used if it is still at hand
    (:func:`bot.rasa.speedups.take_saved`); otherwise it is read from the tracker store.
    """
    tracker = speedups.take_saved(conversation_id)
    tracker_store = getattr(agent, "tracker_store", None)
    if tracker is None:
        if tracker_store is None:
            return TrackerInfo()
        try:
            tracker = await tracker_store.retrieve(conversation_id)
        except Exception:  # noqa: BLE001 - the intent is a nice-to-have
            logger.warning("Could not read the tracker of a conversation", exc_info=True)
            return TrackerInfo()
    if tracker is None:
        return TrackerInfo()
    return summarise(tracker)


def summarise(tracker: Any) -> TrackerInfo:
    """The :class:`TrackerInfo` of a Rasa tracker."""
    intent_data = getattr(getattr(tracker, "latest_message", None), "intent", None) or {}
    name = intent_data.get("name") if isinstance(intent_data, dict) else None
    confidence = intent_data.get("confidence") if isinstance(intent_data, dict) else None
    intent = str(name)[:200] if name else None
    score = float(confidence) if isinstance(confidence, int | float) else None
    if score is not None and not 0.0 <= score <= 1.0:
        score = None
    events = list(getattr(tracker, "events", ()) or ())
    language: str | None = None
    slot_was_set = any(
        getattr(event, "key", None) == "language" and type(event).__name__ == "SlotSet"
        for event in events
    )
    if slot_was_set:
        value = tracker.get_slot("language")
        if value in {lang.value for lang in Language}:
            language = str(value)
    return TrackerInfo(intent, score, language, _wants_person(tracker, intent, events))


async def ask_rasa(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    conversation: Conversation,
    text: str,
    channel: str,
) -> list[dict[str, Any]]:
    """Pass a citizen message to Rasa and return what the bot sent (empty if Rasa failed)."""
    collector = CollectingOutputChannel()
    metadata = {"language": conversation.language.value, "channel": channel}
    message = UserMessage(
        text, collector, conversation.id, input_channel=channel, metadata=metadata
    )
    try:
        await on_new_message(message)
    except Exception:  # noqa: BLE001 - answered with a system message by the service
        logger.exception("Rasa failed to handle a widget message")
    return list(collector.messages)
