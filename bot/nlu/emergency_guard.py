"""Emergency meaning: the emergency answer needs it, a number alone never gives it.

Issue 7: any message with digits (a case number, a phone number, a line of HTML) was
classified ``ask_emergency`` and answered with 113/110/112. The intent classifier still
decides, but bot/nlu/topic_guard.py moves an ``ask_emergency`` message without emergency
meaning to the next intent or to the honest not-understood answer. Emergency meaning is a
word of bot/nlu/emergency_words.yml (with typo tolerance) or an emergency number asked about.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from bot.language import words

EMERGENCY_WORDS = Path(__file__).resolve().parent / "emergency_words.yml"
# The emergency numbers as numbers of their own (not "23/1130" or "2026-113").
_NUMBER = re.compile(r"(?<![\d/.\-])(110|112|113|116 ?117)(?![\d/\-]|\.\d)")
# A stem this long counts inside a compound too ("bilulykke", "husbrann").
COMPOUND_STEM = 5
# A stem at least this long counts in a word whose start is this close to it (a typo).
TYPO_MIN_LENGTH = 6
TYPO_CUTOFF = 80.0


@lru_cache(maxsize=1)
def emergency_vocabulary() -> tuple[tuple[str, ...], frozenset[str]]:
    """The stems and whole words of bot/nlu/emergency_words.yml."""
    try:
        data = yaml.safe_load(EMERGENCY_WORDS.read_text(encoding="utf-8")) or {}
        return tuple(str(data["stems"]).split()), frozenset(str(data["words"]).split())
    except (OSError, KeyError, yaml.YAMLError) as error:
        raise RuntimeError(
            f"{EMERGENCY_WORDS} is missing or malformed ({error}); it needs 'stems' and "
            "'words', see the comment at its top"
        ) from error


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


def has_emergency_meaning(text: str) -> bool:
    """Whether ``text`` speaks of an emergency or asks about an emergency number."""
    if _NUMBER.search(text):
        return True
    stems, whole = emergency_vocabulary()
    return any(_word_has_meaning(w, stems, whole) for w in words(text))
