"""Typo-tolerant matching of a citizen's question against the FAQ phrasings.

Used before the bot gives up, so an editor's new FAQ entry is answerable at once,
without retraining.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote_plus

import yaml
from rapidfuzz import fuzz
from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import say
from bot.kb.facts import render_answer
from bot.kb.models import FaqEntry, KnowledgeBase
from bot.language import fold, words

FUNCTION_WORDS = Path(__file__).resolve().parents[1] / "bot" / "nlu" / "function_words.yml"
# A phrasing matches when at least this share of the question's topic words is in it,
# and this share of the phrasing's topic words is in the question. Measured on
# tests/test_faq.py's table: an unrelated FAQ with the same sentence pattern ("korleis
# søkjer eg om startlån" / "... om barnehageplass") shares no topic word and never matches.
QUESTION_COVERAGE = 0.5
PHRASING_COVERAGE = 0.6
# Typos: two topic words of at least this length with a rapidfuzz ratio this high match.
TYPO_MIN_LENGTH = 5
TYPO_CUTOFF = 85.0
# An inflected or compound form matches its stem if the stem has at least this length.
STEM_MIN_LENGTH = 4
_HYPHENATED = re.compile(r"[a-z0-9æøåéèòô]+(?:-[a-z0-9æøåéèòô]+)*")
_LETTERS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
ENDING_MAX_LENGTH = 3


@dataclass(frozen=True)
class FaqMatch:
    entry: FaqEntry
    score: float
    phrasing: str


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    """Words that say nothing about a question's topic (bot/nlu/function_words.yml)."""
    with FUNCTION_WORDS.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return frozenset(words(data["function_words"]))


def _synonym_table(kb: KnowledgeBase) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Whole words and (longest first) word starts -> the first word of their group."""
    whole: dict[str, str] = {}
    starts: list[tuple[str, str]] = []
    for group in kb.faq_synonyms:
        canonical = _plain(group[0])
        for word in group:
            folded = _plain(word)
            whole.setdefault(folded, canonical)
            if len(folded) >= STEM_MIN_LENGTH:
                starts.append((folded, canonical))
    starts.sort(key=lambda item: len(item[0]), reverse=True)
    return whole, starts


def _plain(word: str) -> str:
    return fold(word).replace("-", "").replace(" ", "")


def _split(text: str, whole: dict[str, str]) -> list[str]:
    """Words; a hyphenated word is one word if its joined form or its first part is a
    synonym ("e-post", "bhg-plass" -> "barnehageplass"), else its parts."""
    result: list[str] = []
    for token in _HYPHENATED.findall(text):
        first, _, rest = token.partition("-")
        if not rest or token.replace("-", "") in whole:
            result.append(token.replace("-", ""))
        elif first in whole:
            result.append(whole[first] + rest.replace("-", ""))
        else:
            result += words(token)
    return result


def topic_words(text: str, kb: KnowledgeBase) -> list[str]:
    """The words of ``text`` that carry its topic, with synonyms made the same.

    ``"når kjem bossbilen"`` -> ``["soppelbilen"]`` (``boss`` is in the ``søppel`` group).
    """
    whole, starts = _synonym_table(kb)
    stop = function_words()
    result = []
    for word in _split(fold(text), whole):
        if word in stop:
            continue
        if word in whole:
            word = whole[word]
        else:
            word = next((c + word[len(s) :] for s, c in starts if word.startswith(s)), word)
        result.append(word)
    return result


def _same(a: str, b: str) -> bool:
    """Equal, one the stem of the other (kort/kortare), two endings, or one typo apart."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if len(short) >= STEM_MIN_LENGTH and long.startswith(short):
        return True
    common = len(os.path.commonprefix([a, b]))
    if common >= TYPO_MIN_LENGTH and len(long) - common <= ENDING_MAX_LENGTH:
        return True  # two endings of one stem: "søppelet" and "søppela"
    return len(short) >= TYPO_MIN_LENGTH and fuzz.ratio(a, b) >= TYPO_CUTOFF


def _coverage(query: list[str], phrasing: list[str]) -> tuple[float, float]:
    """(share of the question's topic words in the phrasing, and the other way round)."""
    in_phrasing = sum(any(_same(q, p) for p in phrasing) for q in query)
    in_query = sum(any(_same(p, q) for q in query) for p in phrasing)
    return in_phrasing / len(query), in_query / len(phrasing)


def match_faq(text: str, kb: KnowledgeBase) -> FaqMatch | None:
    """Returns the best FAQ entry for ``text`` if it is a confident match.

    Only topic words count (not "korleis", "eg", "søkje"), with the knowledge base's
    synonyms, stems and typos; both the question and the phrasing must be mostly
    covered by the other, so a FAQ with the same sentence pattern but another topic is
    never given. Ties go to the phrasing closest as a whole sentence.

    Args:
        text: The citizen's message.
        kb: The knowledge base with the FAQ.
    """
    query = topic_words(text, kb)
    if not query:
        return None
    best: FaqMatch | None = None
    best_key = (0.0, 0.0)
    for entry in kb.faq:
        for phrasing in entry.questions:
            tokens = topic_words(phrasing, kb)
            if not tokens:
                continue
            q_share, p_share = _coverage(query, tokens)
            if q_share < QUESTION_COVERAGE or p_share < PHRASING_COVERAGE:
                continue
            score = 50.0 * (q_share + p_share)
            key = (score, fuzz.token_sort_ratio(" ".join(words(text)), " ".join(words(phrasing))))
            if key > best_key:
                best, best_key = FaqMatch(entry, score, phrasing), key
    return best


def search_words(text: str) -> list[str]:
    """The citizen's own topic words, as typed (lower case), for a web search.

    Function words and anything with a digit (phone, case or personal numbers) are left
    out, so the search link carries the topic and nothing personal.
    """
    stop = function_words()
    return [w for w in _LETTERS.findall(text.lower()) if fold(w) not in stop]


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
