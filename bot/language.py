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
# What a compound word that starts with a stem in the word lists counts ("skolerute").
STEM_WEIGHT = 0.7
# A Nynorsk/Bokmål signal at least this strong switches a conversation's standard; a
# weaker one ("søppel", "kor") only decides when the conversation has none yet.
CLEAR_MARGIN = 1.0
# The role of a ``language`` entity whose signal is weak (it does not fill the slot).
WEAK = "weak"

_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "é": "e", "è": "e", "ò": "o", "ô": "o"})
_WORD = re.compile(r"[a-z0-9æøåéèòô]+")
# "e-post", "e-mail": a one-letter prefix is part of the word ("e" alone is dialect "er").
_JOINED_PREFIX = re.compile(r"\b(\w)-(?=\w)")
# Personal data masked by bot/privacy ("[telefonnummer fjerna]") is in the standard the
# masking guessed, not the citizen's: it is no signal.
_MASKED = re.compile(r"\[[^\[\]]{1,60}\]")
_EXACT_WORD = re.compile(r"[^\W\d_]+")

WORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "language" / "words.yml"


@dataclass(frozen=True)
class WordLists:
    """The signal words of each written standard, folded (see ``data/language/words.yml``)."""

    nynorsk: frozenset[str]
    bokmal: frozenset[str]
    english: frozenset[str]
    shared_with_english: frozenset[str]
    weights: dict[str, float]
    nynorsk_exact: frozenset[str] = frozenset()
    bokmal_exact: frozenset[str] = frozenset()
    nynorsk_stems: tuple[str, ...] = ()
    bokmal_stems: tuple[str, ...] = ()
    norwegian_common: frozenset[str] = frozenset()


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
        nynorsk_exact=frozenset(str(data.get("nynorsk_exact") or "").split()),
        bokmal_exact=frozenset(str(data.get("bokmal_exact") or "").split()),
        nynorsk_stems=tuple(str(data.get("nynorsk_stems") or "").split()),
        bokmal_stems=tuple(str(data.get("bokmal_stems") or "").split()),
        norwegian_common=frozenset(str(data.get("norwegian_common") or "").split()),
    )


def fold(text: str) -> str:
    """Lower-cases and replaces æ, ø, å and accents, so ``Åpent`` matches ``apent``."""
    text = unicodedata.normalize("NFC", text.lower()).translate(_FOLD)
    return text


def words(text: str) -> list[str]:
    """Splits a message into folded words."""
    return _WORD.findall(fold(text))


def detect_language(text: str) -> str | None:
    """Returns ``nn``, ``nb`` or ``en`` for a message, or None when it gives no signal.

    See :func:`detect`; this is its language, clear or weak.

    Args:
        text: The citizen's message as typed.
    """
    return detect(text)[0]


def detect(text: str) -> tuple[str | None, bool]:
    """The written standard of a message and whether the signal is clear.

    The word lists decide; when they give no signal, a message of two words or more
    (numbers and masked personal data do not count as words) without an everyday
    Norwegian word ("har", "du", "med") that lingua (restricted to Bokmål, Nynorsk and
    English) calls English is English.
    Lingua is not asked to tell Bokmål from Nynorsk: on short messages it is wrong
    far more often than the word lists (see tests/language/measure.py).
    A signal is weak when Nynorsk and Bokmål words differ by less than
    ``CLEAR_MARGIN`` ("søppel", "kor"): such a message keeps a conversation's standard.

    Args:
        text: The citizen's message as typed.

    Returns:
        (``nn``/``nb``/``en`` or None, whether the signal is clear).
    """
    text = _MASKED.sub(" ", text)
    found, margin = score_by_words(text)
    lettered = [word for word in words(text) if word.isalpha()]
    norwegian = word_lists().norwegian_common.intersection(lettered)
    if found is None and len(lettered) >= 2 and not norwegian and _lingua_says_english(text):
        return ENGLISH, True
    return found, found is not None and margin >= CLEAR_MARGIN


@lru_cache(maxsize=1)
def _lingua() -> LanguageDetector:
    """Lingua restricted to the three standards, high-accuracy mode (about 40 MB, 40 µs).

    The low-accuracy mode took short Norwegian messages ("logg ut", "min side",
    "vil prate") for English; measured in tests/language/measure.py.
    """
    return (
        LanguageDetectorBuilder.from_languages(Language.NYNORSK, Language.BOKMAL, Language.ENGLISH)
        .with_minimum_relative_distance(0.1)
        .build()
    )


def warm_up() -> None:
    """Loads the word lists and lingua's models (about 0.3 s) ahead of the first message."""
    word_lists()
    _lingua().detect_language_of("warm up")


def _lingua_says_english(text: str) -> bool:
    """Whether lingua is confident the message is English."""
    return _lingua().detect_language_of(text) == Language.ENGLISH


def detect_by_words(text: str) -> str | None:
    """The written standard by the word lists alone, or None without a signal.

    Args:
        text: The citizen's message as typed.
    """
    return score_by_words(text)[0]


def score_by_words(text: str) -> tuple[str | None, float]:
    """The written standard by the word lists and the strength of its signal.

    Args:
        text: The citizen's message as typed.

    Returns:
        The standard (None without a signal) and its margin: for Nynorsk and Bokmål the
        difference of their weighted word counts, for English its count of English words.
    """
    text = _MASKED.sub(" ", text)
    tokens = words(_JOINED_PREFIX.sub(r"\1", text))
    if not tokens:
        return None, 0.0
    lists = word_lists()
    weight = lists.weights.get
    exact = _EXACT_WORD.findall(unicodedata.normalize("NFC", text.lower()))
    nn = sum(weight(t, 1.0) for t in tokens if t in lists.nynorsk)
    nn += sum(1.0 for t in exact if t in lists.nynorsk_exact)
    nn += STEM_WEIGHT * sum(_compound(t, lists.nynorsk_stems) for t in tokens)
    nb = sum(weight(t, 1.0) for t in tokens if t in lists.bokmal)
    nb += sum(1.0 for t in exact if t in lists.bokmal_exact)
    nb += STEM_WEIGHT * sum(_compound(t, lists.bokmal_stems) for t in tokens)
    shared = lists.shared_with_english
    en = sum(1.0 for t in tokens if t in lists.english and t not in shared)
    en_shared = sum(1.0 for t in tokens if t in shared and t in lists.english)
    english_enough = en >= 2 or len(tokens) <= 2 or (en + 0.5 * en_shared >= 1.5 and nn == nb == 0)
    if en >= 1 and en + 0.5 * en_shared > nn + nb and english_enough:
        return ENGLISH, en
    if nn > nb:
        return NYNORSK, nn - nb
    if nb > nn:
        return BOKMAL, nb - nn
    return None, 0.0


def _compound(token: str, stems: tuple[str, ...]) -> bool:
    """Whether ``token`` is a longer word that starts with one of ``stems``."""
    return any(len(token) > len(stem) and token.startswith(stem) for stem in stems)


def answer_language(
    latest_entities: Iterable[Mapping[str, object]],
    slot: object,
    earlier: Iterable[Iterable[Mapping[str, object]]] = (),
) -> str:
    """The written standard to answer the latest message in.

    In this order: a clear ``language`` entity of the latest message (set by the
    LanguageDetector), so the reply follows the message being answered even if the
    ``language`` slot has not been updated yet; the slot (the conversation's standard,
    so "ja", "hei" and "når stenger de i dag" keep it); a weak signal (role ``weak``:
    "søppel" starts a conversation in Bokmål, but does not switch a Nynorsk one) of the
    latest message, else of the most recent earlier message that had one, so a
    conversation started by a weak signal stays in that standard; else Nynorsk.

    Args:
        latest_entities: The entities of the latest user message.
        slot: The value of the ``language`` slot (None until a message set it).
        earlier: The entities of the earlier user messages, most recent first.
    """
    clear = _language_entity(latest_entities, weak=False)
    if clear is not None:
        return clear
    if isinstance(slot, str) and slot in LANGUAGES:
        return slot
    for entities in (latest_entities, *earlier):
        found = _language_entity(entities, weak=True)
        if found is not None:
            return found
    return DEFAULT_LANGUAGE


def _language_entity(entities: Iterable[Mapping[str, object]], weak: bool) -> str | None:
    """The value of the first clear (or, with ``weak``, weak) ``language`` entity."""
    for entity in entities:
        value = entity.get("value")
        if entity.get("entity") != LANGUAGE_ENTITY or value not in LANGUAGES:
            continue
        if (entity.get("role") == WEAK) == weak:
            return str(value)
    return None
