"""Typo-tolerant matching of a citizen's question against the FAQ phrasings.

Used before the bot gives up, so an editor's new FAQ entry is answerable at once,
without retraining.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz
from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import say
from bot.kb.facts import render_answer
from bot.kb.models import FaqEntry, KnowledgeBase
from bot.language import words

# Minimum scores (0-100). Measured on tests/test_faq.py's table: unrelated questions
# ("kva kostar pizza i knarvik") stay below, reworded FAQ questions above.
SENTENCE_CUTOFF = 78.0
KEYWORD_CUTOFF = 88.0
KEYWORD_MIN_LENGTH = 8


@dataclass(frozen=True)
class FaqMatch:
    entry: FaqEntry
    score: float
    phrasing: str


def _sentence_score(query: list[str], phrasing: list[str]) -> float:
    a, b = " ".join(query), " ".join(phrasing)
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))


def _keyword_score(query: list[str], phrasing: list[str]) -> float:
    """A one-word phrasing ("eigedomsskatt") matches a query word that is close to it."""
    if len(phrasing) != 1 or len(phrasing[0]) < KEYWORD_MIN_LENGTH:
        return 0.0
    keyword = phrasing[0]
    best = 0.0
    for word in query:
        # Allow inflected forms: "eigedomsskatten" for "eigedomsskatt".
        stem = word[: len(keyword) + 1]
        best = max(best, fuzz.ratio(stem, keyword), fuzz.ratio(word, keyword))
    return best if best >= KEYWORD_CUTOFF else 0.0


def match_faq(text: str, kb: KnowledgeBase) -> FaqMatch | None:
    """Returns the best FAQ entry for ``text`` if it is a confident match.

    Args:
        text: The citizen's message.
        kb: The knowledge base with the FAQ.
    """
    query = words(text)
    if not query or len("".join(query)) < 4:
        return None
    best: FaqMatch | None = None
    for entry in kb.faq:
        for phrasing in entry.questions:
            tokens = words(phrasing)
            score = max(_sentence_score(query, tokens), _keyword_score(query, tokens))
            if score >= SENTENCE_CUTOFF and (best is None or score > best.score):
                best = FaqMatch(entry, score, phrasing)
    return best


def answer_from_faq(
    dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, language: str
) -> list[EventType] | None:
    """Answers the latest message from the FAQ if it matches confidently.

    Returns:
        The events to return from the action, or None when no FAQ entry matched.
    """
    faq = match_faq(tracker.latest_message.get("text") or "", kb)
    if faq is None:
        return None
    say(
        dispatcher,
        "answer_with_link",
        language,
        answer=render_answer(kb, faq.entry.answer, language),
        link=faq.entry.link or kb.contact.web,
    )
    return []
