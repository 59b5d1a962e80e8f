"""The unanswered inbox: which messages go in, and how the seeded set is grouped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from bot.handoff import HandoffStore
from bot.insight.inbox import group_messages, inbox_reason
from bot.insight.web import inbox_groups, lemmas_for
from bot.kb import KnowledgeBase
from tests.insight.seed import EXPECTED_INBOX

T0 = datetime(2026, 11, 2, 10, tzinfo=timezone.utc)


@dataclass
class Msg:
    sender: str
    intent: str | None = None
    confidence: float | None = None
    feedback: int | None = None
    minute: int = 0

    @property
    def created_at(self) -> datetime:
        return T0 + timedelta(minutes=self.minute)


@pytest.mark.parametrize(
    ("message", "later", "handoff_minute", "expected"),
    [
        (Msg("citizen", "nlu_fallback", 0.3), [], None, "fallback"),
        (Msg("citizen", "ask_phone", 0.45), [], None, "low_confidence"),
        (Msg("citizen", "ask_phone", 0.9), [Msg("bot", feedback=-1)], None, "thumbs_down"),
        (Msg("citizen", "ask_phone", 0.9), [Msg("bot", feedback=1)], None, None),
        # a thumbs-down on a later question's answer is not this message's
        (
            Msg("citizen", "ask_phone", 0.9),
            [Msg("bot"), Msg("citizen", "ask_post", 0.9), Msg("bot", feedback=-1)],
            None,
            None,
        ),
        (
            Msg("citizen", "ask_municipal_topic", 0.9),
            [Msg("citizen", "request_human", 0.99, minute=1)],
            1,
            "handoff",
        ),
        # only the last question before the person was asked for
        (
            Msg("citizen", "ask_phone", 0.9),
            [Msg("citizen", "ask_post", 0.9, minute=1), Msg("citizen", "request_human", minute=2)],
            2,
            None,
        ),
        (Msg("citizen", "request_human", 0.99), [], 0, None),
        (Msg("citizen", "greet", 0.2), [], None, None),
        (Msg("citizen", "ask_phone", 0.9, minute=5), [], 1, None),
    ],
)
def test_which_messages_go_in_the_inbox(
    message: Msg, later: list[Msg], handoff_minute: int | None, expected: str | None
) -> None:
    handoff = T0 + timedelta(minutes=handoff_minute) if handoff_minute is not None else None
    assert inbox_reason(message, later, handoff) == expected


def test_the_seeded_inbox_is_grouped_as_expected(
    store: HandoffStore, seeded: dict[str, str], kb: KnowledgeBase
) -> None:
    groups = inbox_groups(store, kb)
    got = [(g["examples"], g["reasons"]) for g in groups]
    assert got == EXPECTED_INBOX
    assert [g["count"] for g in groups] == [3, 1, 1]


def test_a_marked_group_leaves_the_inbox(
    store: HandoffStore, seeded: dict[str, str], kb: KnowledgeBase
) -> None:
    first = inbox_groups(store, kb)[0]
    assert store.insight.mark(first["message_ids"], "not_for_bot", None, "redaktor") == 3
    assert store.insight.mark(first["message_ids"], "not_for_bot", None, "redaktor") == 0
    assert [g["count"] for g in inbox_groups(store, kb)] == [1, 1]


@dataclass
class Item:
    message_id: int
    text: str
    reason: str = "fallback"
    intent: str | None = None
    created_at: datetime = T0


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["søknad om barnehageplass", "barnehageplass søknad", "Søknad om barnehage-plass"], [3]),
        (["når kjem bossbilen", "parkering ved rådhuset"], [1, 1]),
        ([], []),
    ],
)
def test_grouping_uses_folded_topic_words(
    kb: KnowledgeBase, texts: list[str], expected: list[int]
) -> None:
    items = [
        Item(n + 1, text, created_at=T0 + timedelta(minutes=n)) for n, text in enumerate(texts)
    ]
    assert [g.count for g in group_messages(items, lemmas_for(kb))] == expected


@pytest.mark.parametrize(
    ("text", "intent", "in_inbox"),
    [
        ("når kjem bossbilen", "nlu_fallback", False),  # the FAQ answered it
        ("når kjem bossbilen", "ask_municipal_topic", False),
        ("kor tid kjem kompostdunken", "nlu_fallback", True),
        ("når kjem bossbilen", "ask_phone", True),  # low confidence, and not an FAQ intent
    ],
)
def test_a_message_the_faq_answered_stays_out_of_the_inbox(
    store: HandoffStore, kb: KnowledgeBase, text: str, intent: str, in_inbox: bool
) -> None:
    conv = store.conversations.create("nn")
    store.messages.receive_citizen(conv.id, text, intent=intent, confidence=0.2)
    assert bool(inbox_groups(store, kb)) is in_inbox
