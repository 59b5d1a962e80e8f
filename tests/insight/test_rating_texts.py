"""The rating's contract with the widget: the goodbye payload and the form's texts."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.texts_channel import texts_payload
from bot.kb import KnowledgeBase
from bot.nlg import CatalogueNLG

ROOT = Path(__file__).resolve().parents[2]
RATING_KEYS = [  # the keys widget.js reads (widget branch)
    "rating_question",
    "rating_yes",
    "rating_partly",
    "rating_no",
    "rating_comment",
    "rating_comment_hint",
    "rating_send",
    "rating_skip",
    "rating_choose",
    "rating_thanks",
]


@pytest.mark.parametrize(
    ("response", "custom"),
    [("utter_goodbye", {"rating_request": True}), ("utter_greet", None)],
)
def test_only_the_goodbye_carries_the_rating_request(
    kb: KnowledgeBase, response: str, custom: dict[str, bool] | None
) -> None:
    domain = Domain.load(str(ROOT / "domain.yml"))
    nlg = CatalogueNLG(None, domain, knowledge_base=lambda: kb)
    reply = asyncio.run(nlg.generate(response, DialogueStateTracker("t", domain.slots), "alver"))
    assert reply is not None and reply["text"]
    assert reply.get("custom") == custom


@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("nn", "Fekk du svar på det du lurte på?"),
        ("nb", "Fikk du svar på det du lurte på?"),
        ("en", "Did you get an answer to your question?"),
    ],
)
def test_the_rating_form_texts_are_served_in_each_language(
    kb: KnowledgeBase, language: str, question: str
) -> None:
    texts = texts_payload("widget", language, kb)
    labels = texts["texts"]
    assert labels["rating_question"] == question
    assert all(labels[key] for key in RATING_KEYS)
