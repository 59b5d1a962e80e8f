"""Emergency meaning: the emergency answer needs it, a number alone never gives it.

Issue 7: any message with digits (a case number, a phone number, a line of HTML) was
classified ``ask_emergency`` and answered with 113/110/112. The intent classifier still
decides, but bot/nlu/topic_guard.py moves an ``ask_emergency`` message without emergency
meaning to the next intent or to the honest not-understood answer. Emergency meaning is a
word of bot/nlu/emergency_words.yml (with typo tolerance) or an emergency number asked about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from bot.language import words
from bot.nlu.word_files import load_word_file

EMERGENCY_WORDS = Path(__file__).resolve().parent / "emergency_words.yml"
# The emergency numbers as numbers of their own (not "23/1130" or "2026-113").
_NUMBER = re.compile(r"(?<![\d/.\-])(110|112|113|116 ?117)(?![\d/\-]|\.\d)")
# A stem this long counts inside a compound too ("bilulykke", "husbrann").
COMPOUND_STEM = 5
# A stem at least this long counts in a word whose start is this close to it (a typo).
TYPO_MIN_LENGTH = 6
TYPO_CUTOFF = 80.0
# An acute stem counts with an ending this long; as a compound's last part, with this.
ACUTE_ENDING = 4
COMPOUND_ENDING = 3
# The words after a name cue ("eg heiter ...") that are a name.
NAME_WORDS = 3


@dataclass(frozen=True)
class _Vocabulary:
    """bot/nlu/emergency_words.yml, folded and split."""

    stems: tuple[str, ...]
    whole: frozenset[str]
    calm: tuple[str, ...]
    never: frozenset[str]
    acute: tuple[str, ...]
    acute_phrases: tuple[str, ...]
    name_cues: tuple[tuple[str, ...], ...]
    venues: tuple[str, ...]
    venue_questions: frozenset[str]


def _build_vocabulary(data: dict[str, Any]) -> _Vocabulary:
    return _Vocabulary(
        stems=tuple(str(data["stems"]).split()),
        whole=frozenset(str(data["words"]).split()),
        calm=tuple(str(data.get("calm") or "").split()),
        never=frozenset(str(data.get("never") or "").split()),
        acute=tuple(str(data.get("acute") or "").split()),
        acute_phrases=tuple(" ".join(words(p)) for p in data.get("acute_phrases") or []),
        name_cues=tuple(tuple(words(p)) for p in data.get("name_cues") or []),
        venues=tuple(str(data.get("venues") or "").split()),
        venue_questions=frozenset(str(data.get("venue_questions") or "").split()),
    )


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    return load_word_file(
        EMERGENCY_WORDS,
        _build_vocabulary,
        "'stems' and 'words' (and may have 'calm', 'never', 'acute', 'acute_phrases', "
        "'name_cues', 'venues', 'venue_questions')",
    )


def emergency_vocabulary() -> tuple[tuple[str, ...], frozenset[str]]:
    """The stems and whole words of bot/nlu/emergency_words.yml."""
    vocab = _vocabulary()
    return vocab.stems, vocab.whole


def _word_has_meaning(word: str, stems: tuple[str, ...], whole: frozenset[str]) -> bool:
    if word in whole:
        return True
    for stem in stems:
        if word.startswith(stem) or (len(stem) >= COMPOUND_STEM and stem in word):
            return True
        if len(word) >= TYPO_MIN_LENGTH and len(stem) >= TYPO_MIN_LENGTH:
            if fuzz.ratio(word[: len(stem)], stem) >= TYPO_CUTOFF:
                return True
    return False


def _is_acute(word: str, acute: tuple[str, ...]) -> bool:
    """An acute stem with an ending ("brannen", "kollapset") or as the last part of a
    compound ("skogbrann", "hjarteinfarkt"); not the first part of one ("brannstasjon",
    "brennevin"), which is mostly an errand."""
    for stem in acute:
        if word.startswith(stem) and len(word) - len(stem) <= ACUTE_ENDING:
            return True
        if len(stem) >= COMPOUND_STEM and stem in word[-len(stem) - COMPOUND_ENDING :]:
            return True
    return False


def _without_names(ws: list[str], cues: tuple[tuple[str, ...], ...]) -> list[str]:
    """``ws`` without the (up to) three words after a name cue ("eg heiter Kari Brann")."""
    kept: list[str] = []
    skip = 0
    for i, word in enumerate(ws):
        if skip:
            skip -= 1
            continue
        kept.append(word)
        for cue in cues:
            if tuple(ws[i + 1 - len(cue) : i + 1]) == cue:
                skip = NAME_WORDS
    return kept


def _meaning(text: str) -> tuple[bool, bool]:
    """(emergency meaning, acute emergency meaning) of ``text``."""
    if _NUMBER.search(text):
        return True, True
    vocab = _vocabulary()
    ws = _without_names(words(text), vocab.name_cues)
    if vocab.never.intersection(ws):
        return False, False  # "er det lov å brenne bål", "vann Brann i går": no emergency
    joined = f" {' '.join(ws)} "
    acute = any(f" {phrase} " in joined for phrase in vocab.acute_phrases)
    calm = False
    meaning = False
    # "når har politiet ope": the police station's hours or address is an errand
    visit = bool(vocab.venue_questions.intersection(ws))
    for word in ws:
        if word.startswith(vocab.calm) or (visit and word.startswith(vocab.venues)):
            calm = True
            continue  # "politiattest", "brannstasjonen": an errand, not an emergency
        if _is_acute(word, vocab.acute):
            meaning = acute = True
        elif _word_has_meaning(word, vocab.stems, vocab.whole):
            meaning = True
    if acute:
        return True, True
    return meaning and not calm, False


def has_emergency_meaning(text: str) -> bool:
    """Whether ``text`` speaks of an emergency or asks about an emergency number.

    A word of an everyday errand near the emergency services ("politiattest", "bot",
    "feiar") takes the meaning away unless the message also names an acute emergency,
    and a question about what is allowed ("er det lov å brenne"), sport or a story never
    has it (bot/nlu/emergency_words.yml, ``never``).
    """
    return _meaning(text)[0]


def is_acute_emergency(text: str) -> bool:
    """Whether ``text`` names an emergency happening now ("hjarteinfarkt", "skogbrann").

    The topic guard gives such a message the emergency answer even where the intent
    classifier did not recognise it and the bot would otherwise decline.
    """
    return _meaning(text)[1]
