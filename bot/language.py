"""Written-standard detection (Nynorsk, Bokmål, English) and text normalisation.

Nynorsk is Alver's official written standard and the default: a message that
gives no clear signal keeps the language of the conversation so far.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from lingua import Language, LanguageDetector, LanguageDetectorBuilder

NYNORSK = "nn"
BOKMAL = "nb"
ENGLISH = "en"
DEFAULT_LANGUAGE = NYNORSK
LANGUAGES = frozenset({NYNORSK, BOKMAL, ENGLISH})
LANGUAGE_ENTITY = "language"

_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "é": "e", "è": "e", "ò": "o", "ô": "o"})
_WORD = re.compile(r"[a-z0-9æøåéèòô]+")

WORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "language" / "words.yml"


@dataclass(frozen=True)
class WordLists:
    """The signal words of each written standard, folded (see ``data/language/words.yml``)."""

    nynorsk: frozenset[str]
    bokmal: frozenset[str]
    english: frozenset[str]
    shared_with_english: frozenset[str]
    weights: dict[str, float]


@lru_cache(maxsize=1)
def word_lists(path: Path = WORDS_FILE) -> WordLists:
    """Loads the word lists once.

    Raises:
        ValueError: the file lacks a list; fix ``data/language/words.yml``.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    missing = {"nynorsk", "bokmal", "english", "shared_with_english"} - set(data)
    if missing:
        raise ValueError(f"{path} lacks the word lists {sorted(missing)}; add them.")
    return WordLists(
        nynorsk=frozenset(str(data["nynorsk"]).split()),
        bokmal=frozenset(str(data["bokmal"]).split()),
        english=frozenset(str(data["english"]).split()),
        shared_with_english=frozenset(str(data["shared_with_english"]).split()),
        weights={str(k): float(v) for k, v in (data.get("weights") or {}).items()},
    )


def fold(text: str) -> str:
    """Lower-cases and replaces æ, ø, å and accents, so ``Åpent`` matches ``apent``."""
    text = unicodedata.normalize("NFC", text.lower()).translate(_FOLD)
    return text


def words(text: str) -> list[str]:
    """Splits a message into folded words."""
    return _WORD.findall(fold(text))


def detect_language(text: str) -> str | None:
    """Returns ``nn``, ``nb`` or ``en`` for a message, or None when it gives no clear signal.

    The word lists decide; when they give no signal, a message of two words or more
    (numbers and masked personal data do not count as words) that lingua (restricted
    to Bokmål, Nynorsk and English) calls English is English.
    Lingua is not asked to tell Bokmål from Nynorsk: on short messages it is wrong
    far more often than the word lists (see tests/language/measure.py).

    Args:
        text: The citizen's message as typed.
    """
    found = detect_by_words(text)
    lettered = [word for word in words(text) if word.isalpha()]
    if found is None and len(lettered) >= 2 and _lingua_says_english(text):
        return ENGLISH
    return found


@lru_cache(maxsize=1)
def _lingua() -> LanguageDetector:
    """Lingua restricted to the three standards, low-accuracy mode (trigrams, ~15 MB)."""
    return (
        LanguageDetectorBuilder.from_languages(Language.NYNORSK, Language.BOKMAL, Language.ENGLISH)
        .with_minimum_relative_distance(0.1)
        .with_low_accuracy_mode()
        .build()
    )


def _lingua_says_english(text: str) -> bool:
    """Whether lingua is confident the message is English."""
    return _lingua().detect_language_of(text) == Language.ENGLISH


def detect_by_words(text: str) -> str | None:
    """The written standard by the word lists alone, or None without a clear signal.

    Args:
        text: The citizen's message as typed.
    """
    tokens = words(text)
    if not tokens:
        return None
    lists = word_lists()
    weight = lists.weights.get
    nn = sum(weight(t, 1.0) for t in tokens if t in lists.nynorsk)
    nb = sum(weight(t, 1.0) for t in tokens if t in lists.bokmal)
    shared = lists.shared_with_english
    en = sum(1.0 for t in tokens if t in lists.english and t not in shared)
    en_shared = sum(1.0 for t in tokens if t in shared and t in lists.english)
    if en >= 1 and en + 0.5 * en_shared > nn + nb and (en >= 2 or len(tokens) <= 2):
        return ENGLISH
    if nn > nb:
        return NYNORSK
    if nb > nn:
        return BOKMAL
    return None


def answer_language(latest_entities: Iterable[Mapping[str, object]], slot: object) -> str:
    """The written standard to answer the latest message in.

    The ``language`` entity of the latest message (set by the LanguageDetector when the
    message shows a standard) wins, so the reply follows the message being answered even
    if the ``language`` slot has not been updated yet; otherwise the slot (the
    conversation's language, so "ja" and "hei" keep it), else Nynorsk.

    Args:
        latest_entities: The entities of the latest user message.
        slot: The value of the ``language`` slot.
    """
    for entity in latest_entities:
        value = entity.get("value")
        if entity.get("entity") == LANGUAGE_ENTITY and isinstance(value, str):
            if value in LANGUAGES:
                return value
    return slot if isinstance(slot, str) and slot in LANGUAGES else DEFAULT_LANGUAGE
