"""The FAQ in the actions: answer from it, or give a web search for the citizen's words.

The matching itself is in bot/nlu/faq_match.py (the NLU uses it too).
"""

from __future__ import annotations

from urllib.parse import quote_plus

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import say
from bot.kb.facts import render_answer
from bot.kb.models import KnowledgeBase
from bot.nlu.faq_match import FaqMatch, match_faq, search_words, topic_words

__all__ = ["FaqMatch", "answer_from_faq", "match_faq", "search_link", "search_words", "topic_words"]


def search_link(kb: KnowledgeBase, text: str) -> str | None:
    """The municipality's web search for the topic words of ``text``, or None if none."""
    found = search_words(text)
    if not found:
        return None
    return kb.municipality.search_url.replace("{query}", quote_plus(" ".join(found)))


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
