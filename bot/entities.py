"""Typo-tolerant extraction of places, services, weekdays and time words.

The names come from the knowledge base, so an editor who adds a place or a
service (with synonyms) makes it recognisable without touching training data.
Shared by the Rasa NLU component and the custom actions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.kb.models import WEEKDAYS, KnowledgeBase
from bot.language import fold

LOCATION = "location"
SERVICE = "service"
WEEKDAY = "weekday"
TIME_REF = "time_ref"
# A word for the desk itself ("servicetorget"): matched so that it takes its words away
# from fuzzy place matching, but never reported.
GENERIC = "generic"
_GENERIC_ENDINGS = ("", "en", "et", "a", "ar", "er", "ane", "ene", "n", "s")

_TOKEN = re.compile(r"[\wæøåÆØÅ-]+")
# Ordinary words that are one typo away from a name and must never match fuzzily.
_NOT_NAMES = frozenset(
    {"mange", "manga", "mangen", "menge", "fredags", "bygg", "soker", "sokte", "mote", "sender"}
)
_WEEKDAY_WORDS: dict[str, tuple[str, ...]] = {
    "monday": ("måndag", "mandag", "monday", "mondag"),
    "tuesday": ("tysdag", "tirsdag", "tisdag", "tuesday"),
    "wednesday": ("onsdag", "wednesday"),
    "thursday": ("torsdag", "thursday"),
    "friday": ("fredag", "friday"),
    "saturday": ("laurdag", "lørdag", "saturday"),
    "sunday": ("sundag", "søndag", "sunday"),
}
_TIME_WORDS: dict[str, str] = {
    "no": "now",
    "nå": "now",
    "now": "now",
    "akkurat no": "now",
    "akkurat nå": "now",
    "right now": "now",
    "i dag": "today",
    "idag": "today",
    "today": "today",
    "i morgon": "tomorrow",
    "i morgen": "tomorrow",
    "imorgon": "tomorrow",
    "imorgen": "tomorrow",
    "tomorrow": "tomorrow",
}
_TIME_FOLDED = {fold(k): v for k, v in _TIME_WORDS.items()}


@dataclass(frozen=True)
class Match:
    entity: str
    value: str
    start: int
    end: int
    text: str
    score: float


@dataclass(frozen=True)
class Lexicon:
    """Folded phrase -> (entity, value), with the phrases of each length."""

    phrases: dict[str, tuple[str, str]]

    def by_length(self, n: int) -> list[str]:
        return [p for p in self.phrases if len(p.split()) == n]


def _add(phrases: dict[str, tuple[str, str]], phrase: str, entity: str, value: str) -> None:
    key = " ".join(_TOKEN.findall(fold(phrase)))
    if key and key not in phrases:
        phrases[key] = (entity, value)


_cache: dict[int, tuple[KnowledgeBase, Lexicon]] = {}


def build_lexicon(kb: KnowledgeBase) -> Lexicon:
    """Returns the name lexicon of a knowledge base, built once per loaded version."""
    cached = _cache.get(id(kb))
    if cached is not None and cached[0] is kb:
        return cached[1]
    lexicon = _build_lexicon(kb)
    _cache.clear()
    _cache[id(kb)] = (kb, lexicon)
    return lexicon


def _build_lexicon(kb: KnowledgeBase) -> Lexicon:
    phrases: dict[str, tuple[str, str]] = {}
    for location in kb.locations:
        for phrase in (location.name, location.id, *location.synonyms):
            _add(phrases, phrase, LOCATION, location.id)
    for service in kb.services:
        for phrase in (service.name.nn, service.name.nb, *service.synonyms):
            _add(phrases, phrase, SERVICE, service.id)
    # After the places and services: a name that is also listed as generic stays a name.
    for word in kb.generic_words:
        for ending in _GENERIC_ENDINGS:
            _add(phrases, word + ending, GENERIC, "")
    for weekday, variants in _WEEKDAY_WORDS.items():
        for variant in variants:
            for suffix in ("", "ar", "er", "en", "ane", "ene", "s"):
                _add(phrases, variant + suffix, WEEKDAY, weekday)
    return Lexicon(phrases)


def _looks_like_day(candidate: str) -> bool:
    """Weekday typos still contain "dag"/"day"; this keeps "mangar" a place."""
    return "dag" in candidate or "day" in candidate


def _fuzzy_ok(candidate: str) -> bool:
    return len(candidate) >= 5 and candidate not in _NOT_NAMES


def extract(text: str, kb: KnowledgeBase, cutoff: float = 80.0) -> list[Match]:
    """Finds places, services, weekdays and time words in a message.

    Longer phrases win over shorter ones; each character belongs to one match. Words
    for the desk itself (the knowledge base's ``generic_words``: "servicetorget",
    "resepsjonen") are matched too, also with typos, and then left out, so they can
    never become a place.

    Args:
        text: The message as typed.
        kb: The knowledge base whose names to look for.
        cutoff: Minimum rapidfuzz ratio (0-100) for a fuzzy match.
    """
    lexicon = build_lexicon(kb)
    spans = [(m.start(), m.end(), fold(m.group())) for m in _TOKEN.finditer(text)]
    found: list[Match] = []
    taken: set[int] = set()
    # A phrase with a generic word in it ("er kommunehuset") is a place only if written
    # exactly as in the knowledge base ("kommunehuset på manger"), never by fuzzy match.
    generic = {i for i, s in enumerate(spans) if lexicon.phrases.get(s[2], ("",))[0] == GENERIC}
    for n in (3, 2, 1):
        choices = lexicon.by_length(n)
        for i in range(len(spans) - n + 1):
            window = spans[i : i + n]
            if any(j in taken for j in range(i, i + n)):
                continue
            candidate = " ".join(w[2] for w in window)
            start, end = window[0][0], window[-1][1]
            if candidate in _TIME_FOLDED:
                found.append(
                    Match(TIME_REF, _TIME_FOLDED[candidate], start, end, text[start:end], 100)
                )
                taken.update(range(i, i + n))
                continue
            if candidate in lexicon.phrases:
                entity, value = lexicon.phrases[candidate]
                score = 100.0
            elif choices and _fuzzy_ok(candidate) and generic.isdisjoint(range(i, i + n)):
                allowed = (
                    choices
                    if _looks_like_day(candidate)
                    else [c for c in choices if lexicon.phrases[c][0] != WEEKDAY]
                )
                best = process.extractOne(
                    candidate, allowed, scorer=fuzz.ratio, score_cutoff=cutoff
                )
                if best is None:
                    continue
                entity, value = lexicon.phrases[best[0]]
                score = float(best[1])
            else:
                continue
            taken.update(range(i, i + n))
            if entity != GENERIC:
                found.append(Match(entity, value, start, end, text[start:end], score))
    return sorted(found, key=lambda m: m.start)


def first_value(matches: list[Match], entity: str) -> str | None:
    return next((m.value for m in matches if m.entity == entity), None)


__all__ = ["LOCATION", "SERVICE", "TIME_REF", "WEEKDAY", "WEEKDAYS", "Match", "extract"]
