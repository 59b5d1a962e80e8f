"""One conversation's facts for the report: counts, times and topics, never text.

:func:`conversation_facts` is pure: the caller reads the rows (live tables, or the
rows of a conversation about to be deleted) and passes plain values. The same
function feeds the live report and the archived statistics, so both count alike.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.kb.hours import OSLO

__all__ = [
    "FALLBACK_INTENT",
    "FAQ_INTENTS",
    "LOW_CONFIDENCE",
    "NOT_QUESTIONS",
    "ConversationFacts",
    "FaqFinder",
    "MessageFacts",
    "TopicFacts",
    "TransitionFacts",
    "conversation_facts",
    "percentile",
    "topics_from_json",
    "topics_to_json",
]

FALLBACK_INTENT = "nlu_fallback"
"""Rasa's intent when no intent is confident enough (config.yml FallbackClassifier)."""

LOW_CONFIDENCE = 0.5
"""A citizen message whose intent is below this counts as a low-confidence answer."""

FAQ_INTENTS = frozenset({"ask_municipal_topic", "out_of_scope", FALLBACK_INTENT})
"""Intents whose answer comes from the FAQ when an entry matches (actions/fallback.py)."""

NOT_QUESTIONS = frozenset(
    {"greet", "goodbye", "thanks", "affirm", "deny", "bot_identity", "bot_capabilities"}
)
"""Small talk: such a message alone does not make a conversation "resolved by the bot"."""

FaqFinder = Callable[[str], "str | None"]
"""Returns the id of the FAQ entry the bot answers a (masked) text with, or None."""


@dataclass(frozen=True)
class MessageFacts:
    """What the report needs of one stored message."""

    sender: str
    text: str
    intent: str | None
    confidence: float | None
    feedback: int | None


@dataclass(frozen=True)
class TransitionFacts:
    """One state change of the conversation (event name and time)."""

    event: str
    at: datetime


@dataclass(frozen=True)
class TopicFacts:
    """A topic of a conversation (``intent`` name or ``faq:<id>``) and its thumbs."""

    topic: str
    up: int = 0
    down: int = 0


@dataclass(frozen=True)
class ConversationFacts:
    """Everything the report counts of one conversation; no text, no id, no exact time."""

    started_on: date
    started_hour: int
    weekday: int
    language: str
    topics: tuple[TopicFacts, ...] = ()
    citizen_messages: int = 0
    bot_messages: int = 0
    staff_messages: int = 0
    fallbacks: int = 0
    resolved_by_bot: bool = False
    handoff: bool = False
    queue_wait_s: float | None = None
    handling_s: float | None = None
    offline_request: bool = False
    offline_answer_s: float | None = None
    rating: str | None = None
    outside_hours: bool | None = None


def topics_to_json(topics: Sequence[TopicFacts]) -> str:
    """Store topics as JSON (intent names and FAQ ids only)."""
    return json.dumps([{"topic": t.topic, "up": t.up, "down": t.down} for t in topics])


def topics_from_json(text: str) -> tuple[TopicFacts, ...]:
    """Read topics stored by :func:`topics_to_json` (bad JSON gives no topics)."""
    try:
        items = json.loads(text)
    except ValueError:
        return ()
    if not isinstance(items, list):
        return ()
    return tuple(
        TopicFacts(str(i["topic"]), int(i.get("up", 0)), int(i.get("down", 0)))
        for i in items
        if isinstance(i, dict) and "topic" in i
    )


def _topic(message: MessageFacts, faq_of: FaqFinder) -> tuple[str, bool]:
    """The message's topic and whether the bot answered it."""
    intent = message.intent
    if intent is None or intent in FAQ_INTENTS:
        faq_id = faq_of(message.text)
        if faq_id is not None:
            return f"faq:{faq_id}", True
    if intent is None:
        return "ukjend", False
    if intent == FALLBACK_INTENT or intent == "out_of_scope":
        return intent, False
    low = message.confidence is not None and message.confidence < LOW_CONFIDENCE
    return intent, not low and intent not in NOT_QUESTIONS


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds())


def _queue_times(transitions: Sequence[TransitionFacts]) -> tuple[bool, float | None, float | None]:
    """Whether a person was asked for; first wait until claimed; first handling time."""
    asked = claimed = None
    handling_end = None
    for move in sorted(transitions, key=lambda t: t.at):
        if move.event == "request_human" and asked is None:
            asked = move.at
        elif move.event == "claim" and claimed is None and asked is not None:
            claimed = move.at
        elif move.event in ("hand_back", "close") and claimed and handling_end is None:
            handling_end = move.at
    return asked is not None, _seconds(asked, claimed), _seconds(claimed, handling_end)


def conversation_facts(
    *,
    created_at: datetime,
    language: str,
    messages: Sequence[MessageFacts],
    transitions: Sequence[TransitionFacts],
    requests: Sequence[tuple[datetime, datetime | None]],
    rating: str | None,
    faq_of: FaqFinder,
    outside_hours: bool | None,
) -> ConversationFacts:
    """Compute one conversation's facts (see docs in the README's insight section).

    A conversation is *resolved by the bot* when the citizen asked at least one
    question the bot answered (an intent other than small talk with confidence
    at least :data:`LOW_CONFIDENCE`, or an FAQ entry), nobody was asked for, no
    offline request was left, no answer got a thumbs-down, and the rating (if
    any) is neither "no" nor "partly".
    """
    local = created_at.astimezone(OSLO)
    topics: dict[str, list[int]] = {}
    current: str | None = None
    answered = thumbs_down = False
    counts = {"citizen": 0, "bot": 0, "staff": 0}
    fallbacks = 0
    for message in messages:
        if message.sender in counts:
            counts[message.sender] += 1
        if message.sender == "citizen":
            current, ok = _topic(message, faq_of)
            topics.setdefault(current, [0, 0])
            answered = answered or ok
            fallbacks += current == FALLBACK_INTENT
        elif message.feedback in (1, -1) and current is not None:
            topics[current][0 if message.feedback == 1 else 1] += 1
            thumbs_down = thumbs_down or message.feedback == -1
    handoff, wait, handling = _queue_times(transitions)
    first = min(requests, key=lambda r: r[0]) if requests else None
    resolved = (
        answered
        and not handoff
        and first is None
        and not thumbs_down
        and rating not in ("no", "partly")
    )
    return ConversationFacts(
        started_on=local.date(),
        started_hour=local.hour,
        weekday=local.weekday(),
        language=language,
        topics=tuple(TopicFacts(name, up, down) for name, (up, down) in topics.items()),
        citizen_messages=counts["citizen"],
        bot_messages=counts["bot"],
        staff_messages=counts["staff"],
        fallbacks=fallbacks,
        resolved_by_bot=resolved,
        handoff=handoff,
        queue_wait_s=wait,
        handling_s=handling,
        offline_request=first is not None,
        offline_answer_s=_seconds(first[0], first[1]) if first else None,
        rating=rating,
        outside_hours=outside_hours,
    )


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile (``share`` in (0, 1]); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]
