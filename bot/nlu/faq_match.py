"""Typo-tolerant matching of a citizen's question against the FAQ phrasings.

Shared by the NLU (bot/nlu/topic_guard.py: a strong FAQ match wins over a generic
intent) and the actions (actions/faq.py: the FAQ before the bot gives up), so an editor's
new FAQ entry is answerable at once, without retraining.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from bot.kb.models import FaqEntry, KnowledgeBase
from bot.language import fold, words
from bot.nlu.word_files import load_word_file

FUNCTION_WORDS = Path(__file__).resolve().parent / "function_words.yml"
# A phrasing matches when at least this share of the question's topic words is in it,
# and this share of the phrasing's topic words is in the question. Measured on
# tests/test_faq.py's table: an unrelated FAQ with the same sentence pattern ("korleis
# søkjer eg om startlån" / "... om barnehageplass") shares no topic word and never matches.
QUESTION_COVERAGE = 0.5
PHRASING_COVERAGE = 0.6
# Typos: two topic words of at least this length with a rapidfuzz ratio this high match.
TYPO_MIN_LENGTH = 5
TYPO_CUTOFF = 85.0
# A word this long this close to a synonym is that synonym mistyped.
SYNONYM_TYPO_MIN_LENGTH = 8
SYNONYM_TYPO_CUTOFF = 90.0
# An inflected or compound form matches its stem if the stem has at least this length.
STEM_MIN_LENGTH = 4
_HYPHENATED = re.compile(r"[a-z0-9æøåéèòô]+(?:-[a-z0-9æøåéèòô]+)*")
_LETTERS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
ENDING_MAX_LENGTH = 3
# The generic word for the desk (its synonym group: resepsjon, skranke, servicetorg ...).
# A phrasing whose only topic word is it matches no question by itself.
GENERIC_DESK_WORD = "kontor"
LACKING_TOPICS = Path(__file__).resolve().parent / "lacking_topics.yml"
# A lacking topic's stem this long counts inside a compound too ("septiktanken").
LACKING_COMPOUND = 5
# What bot/privacy put in place of personal data ("[telefonnummer fjerna]"): not a topic.
_MASKED = re.compile(r"\[[^\]]*\]")


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


@dataclass(frozen=True)
class _Prepared:
    """What matching needs from one knowledge base, computed once per loaded version."""

    whole: dict[str, str]
    starts: list[tuple[str, str]]
    places: frozenset[str]
    phrasings: list[tuple[FaqEntry, str, list[str]]]


# The last knowledge base seen and its prepared tables (the store hands out one object
# per loaded version, so a hot reload makes a new entry).
_LAST: list[tuple[KnowledgeBase, _Prepared]] = []


def _prepared(kb: KnowledgeBase) -> _Prepared:
    if _LAST and _LAST[0][0] is kb:
        return _LAST[0][1]
    whole, starts = _synonym_table(kb)
    ready = _Prepared(whole, starts, place_words(kb), [])
    _LAST[:] = [(kb, ready)]
    for entry in kb.faq:
        for phrasing in entry.questions:
            ready.phrasings.append((entry, phrasing, topic_words(phrasing, kb)))
    return ready


def _synonym_table(kb: KnowledgeBase) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Whole words and (longest first) word starts -> the first word of their group.

    A group sharing a word with an earlier group extends it (faq.yml can add English
    words to "søppel" in a group of their own).
    """
    whole: dict[str, str] = {}
    starts: list[tuple[str, str]] = []
    for group in kb.faq_synonyms:
        shared = next((whole[_plain(w)] for w in group if _plain(w) in whole), None)
        canonical = shared or _plain(group[0])
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


def place_words(kb: KnowledgeBase) -> frozenset[str]:
    """The folded names and synonyms of the knowledge base's places (one word each)."""
    found: set[str] = set()
    for location in kb.locations:
        for phrase in (location.name, location.id, *location.synonyms):
            found.update(words(fold(phrase)))
    return frozenset(found)


def topic_words(text: str, kb: KnowledgeBase) -> list[str]:
    """The words of ``text`` that carry its topic, with synonyms made the same.

    ``"når kjem bossbilen"`` -> ``["soppel"]`` (``boss`` is in the ``søppel`` group, and a
    compound of a synonym stands for its group).
    Words with digits (a year, an amount, a case or phone number) say nothing about the
    topic and are left out.
    """
    ready = _prepared(kb)
    whole, starts = ready.whole, ready.starts
    stop = function_words()
    result = []
    for word in _split(fold(text), whole):
        if word in stop or any(ch.isdigit() for ch in word):
            continue
        if word in whole:
            word = whole[word]
        else:
            # A compound of a synonym is about that synonym's topic: "bossbilen",
            # "søppeldunken" and "søppeltømming" are all about "søppel".
            group: str | None = next((c for s, c in starts if word.startswith(s)), None)
            word = group or _typo_of(word, whole)
        result.append(word)
    return result


def _typo_of(word: str, whole: dict[str, str]) -> str:
    """A long word one typo from a synonym stands for its group ("barnehagplass")."""
    if len(word) < SYNONYM_TYPO_MIN_LENGTH:
        return word
    found = process.extractOne(
        word, list(whole), scorer=fuzz.ratio, score_cutoff=SYNONYM_TYPO_CUTOFF
    )
    return whole[found[0]] if found else word


@lru_cache(maxsize=65536)
def _same(a: str, b: str, places: frozenset[str] = frozenset()) -> bool:
    """Equal, one the stem of the other (kort/kortare), two endings, or one typo apart.

    A place name is only ever equal to itself ("manger" is not a form of "mange").
    """
    if a == b:
        return True
    if a in places or b in places:
        return False
    short, long = sorted((a, b), key=len)
    if len(short) >= STEM_MIN_LENGTH and long.startswith(short):
        return True
    common = len(os.path.commonprefix([a, b]))
    if common >= TYPO_MIN_LENGTH and len(long) - common <= ENDING_MAX_LENGTH:
        return True  # two endings of one stem: "søppelet" and "søppela"
    return len(short) >= TYPO_MIN_LENGTH and fuzz.ratio(a, b) >= TYPO_CUTOFF


def _coverage(
    query: list[str], phrasing: list[str], places: frozenset[str] = frozenset()
) -> tuple[float, float]:
    """(share of the question's topic words in the phrasing, and the other way round)."""
    in_phrasing = sum(any(_same(q, p, places) for p in phrasing) for q in query)
    in_query = sum(any(_same(p, q, places) for q in query) for p in phrasing)
    return in_phrasing / len(query), in_query / len(phrasing)


def _shares_more_than(
    query: list[str], phrasing: list[str], ignored: set[str], places: frozenset[str]
) -> bool:
    """Whether a word of ``query`` not in ``ignored`` is in ``phrasing``."""
    return any(any(_same(q, p, places) for p in phrasing) for q in query if q not in ignored)


@lru_cache(maxsize=1)
def price_vocabulary() -> tuple[frozenset[str], frozenset[str]]:
    """(words that ask for a price, words that show a phrasing is about money), folded."""
    with FUNCTION_WORDS.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    price = frozenset(words(data.get("price_words") or ""))
    return price, price | frozenset(words(data.get("money_words") or ""))


def asks_price(text: str) -> bool:
    """Whether ``text`` asks what something costs ("kva kostar", "what is the fee")."""
    return not price_vocabulary()[0].isdisjoint(words(text))


def _about_money(entry: FaqEntry) -> bool:
    """Whether a phrasing of ``entry`` is about money (a price asked must be answered)."""
    money = price_vocabulary()[1]
    return any(not money.isdisjoint(words(question)) for question in entry.questions)


@lru_cache(maxsize=1)
def lacking_stems() -> tuple[str, ...]:
    """Stems of topics the knowledge base lacks that look like its own (lacking_topics.yml)."""
    return load_word_file(LACKING_TOPICS, lambda data: tuple(str(data["stems"]).split()), "'stems'")


def _names(word: str, stem: str) -> bool:
    return word.startswith(stem) or (len(stem) >= LACKING_COMPOUND and stem in word)


def lacking_topics(text: str) -> list[str]:
    """The stems of lacking_topics.yml that ``text`` names ("septiktanken" -> septik)."""
    ws = words(text)
    return [stem for stem in lacking_stems() if any(_names(w, stem) for w in ws)]


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
    ready = _prepared(kb)
    price = asks_price(text)
    desk = set(topic_words(GENERIC_DESK_WORD, kb))
    desk_only = all(q in desk for q in query)  # only the desk word: any match may do
    best: FaqMatch | None = None
    best_key = (0.0, 0.0)
    lacking = lacking_topics(text)
    for entry, phrasing, tokens in ready.phrasings:
        if lacking and not all(any(_names(w, s) for w in words(phrasing)) for s in lacking):
            continue  # "når tømmes septiktanken": a topic this phrasing does not name
        # A match resting on the desk word alone says nothing about a question with a
        # topic of its own ("nummer til servicetorget" is not "kor er resepsjonen").
        if price and not _about_money(entry):
            continue  # a price asked: only an entry about money may answer
        if tokens and (desk_only or _shares_more_than(query, tokens, desk, ready.places)):
            q_share, p_share = _coverage(query, tokens, ready.places)
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
    text = _MASKED.sub(" ", text)
    return [w for w in _LETTERS.findall(text.lower()) if fold(w) not in stop]
