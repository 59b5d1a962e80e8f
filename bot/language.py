"""Written-standard detection (Nynorsk, Bokmål, English) and text normalisation.

Nynorsk is Alver's official written standard and the default: a message that
gives no clear signal keeps the language of the conversation so far.
"""

from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from lingua import Language, LanguageDetector, LanguageDetectorBuilder
from rapidfuzz.distance import OSA, Indel

from bot.language_forms import catalogue_forms, ending_pairs, paired

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

ROOT = Path(__file__).resolve().parent.parent
WORDS_FILE = ROOT / "data" / "language" / "words.yml"
# The project's own texts: their words are spelt right, so they are never read as a typo
# of a signal word ("hjelp" is not a typo of "hjelpa"). Globs relative to the repository.
VOCABULARY_SOURCES = ("data/nlu/**/*.yml", "bot/messages.yml", "knowledge_base/*.yml")
# What a typo of a signal word ("ikek", "hvordn", "jge") or a half of two words typed
# together ("hvakan") counts, times the word's weight.
TYPO_WEIGHT = 0.7
# A typo of an English word counts (TYPO_WEIGHT) when both have this many letters.
ENGLISH_TYPO_MIN = 5
# Two words typed together count only when both have this many letters ("passord-et" is
# one word, "hva-kan" two).
SPLIT_MIN = 3
# One letter replaced counts as a typo only in words this long ("apningdtid", "hvorfan"):
# in shorter ones it more often makes another real word ("kva" is not "hva").
SUBSTITUTION_MIN = 6
# Typed without æ, ø, å on a foreign keyboard: "paa", "naar", "soeppel", "haer".
_ASCII_VARIANTS = (("aa", "a"), ("oe", "o"))


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
    nynorsk_suffixes: tuple[str, ...] = ()
    bokmal_suffixes: tuple[str, ...] = ()
    neutral: frozenset[str] = frozenset()
    bokmal_pairs: tuple[tuple[str, str, str], ...] = ()
    nynorsk_pairs: tuple[tuple[str, str, str], ...] = ()

    def signal(self, token: str) -> bool:
        """Whether ``token`` is a Nynorsk or Bokmål signal word."""
        return token in self.nynorsk or token in self.bokmal


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
        nynorsk_suffixes=tuple(str(data.get("nynorsk_suffixes") or "").split()),
        bokmal_suffixes=tuple(str(data.get("bokmal_suffixes") or "").split()),
        neutral=frozenset(str(data.get("neutral") or "").split()),
        bokmal_pairs=ending_pairs(data.get("bokmal_pairs"), path),
        nynorsk_pairs=ending_pairs(data.get("nynorsk_pairs"), path),
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
    plain = [t for t in tokens if not lists.signal(t)]  # a listed word has its own weight
    nn += STEM_WEIGHT * sum(_compound(t, lists.nynorsk_stems) for t in plain)
    nb = sum(weight(t, 1.0) for t in tokens if t in lists.bokmal)
    nb += sum(1.0 for t in exact if t in lists.bokmal_exact)
    nb += STEM_WEIGHT * sum(_compound(t, lists.bokmal_stems) for t in plain)
    for token in tokens:
        stem = _compound(token, lists.nynorsk_stems) or _compound(token, lists.bokmal_stems)
        if stem or lists.signal(token):
            continue
        ending_nn = _ending(token, lists.nynorsk_suffixes) or _paired(token, NYNORSK)
        ending_nb = _ending(token, lists.bokmal_suffixes) or _paired(token, BOKMAL)
        if ending_nn or ending_nb:  # a word of its own, not a typo ("trengjer")
            nn += STEM_WEIGHT * ending_nn
            nb += STEM_WEIGHT * ending_nb
            continue
        typo_nn, typo_nb = _misspelt(token)
        nn += typo_nn
        nb += typo_nb
    shared = lists.shared_with_english
    en = sum(1.0 for t in tokens if t in lists.english and t not in shared)
    en_shared = sum(1.0 for t in tokens if t in shared and t in lists.english)
    en += sum(TYPO_WEIGHT for t in tokens if _english_typo(t))
    english_enough = en >= 2 or len(tokens) <= 2 or (en + 0.5 * en_shared >= 1.5 and nn == nb == 0)
    if en >= 1 and en + 0.5 * en_shared > nn + nb and english_enough:
        return ENGLISH, en
    if nn > nb:
        return NYNORSK, nn - nb
    if nb > nn:
        return BOKMAL, nb - nn
    return None, 0.0


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Every folded word of the project's own texts and of the word lists (spelt right)."""
    found: set[str] = set()
    for pattern in VOCABULARY_SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            found.update(words(path.read_text(encoding="utf-8")))
    lists = word_lists()
    groups = (lists.nynorsk, lists.bokmal, lists.english, lists.norwegian_common, lists.neutral)
    for group in groups:
        found.update(group)
    return frozenset(found)


@lru_cache(maxsize=1)
def _only_words() -> tuple[frozenset[str], frozenset[str]]:
    """(words only Nynorsk uses, words only Bokmål uses): the lists' and the catalogue's."""
    lists = word_lists()
    forms = catalogue_forms(ROOT, words)
    return lists.nynorsk | forms.nynorsk, lists.bokmal | forms.bokmal


@lru_cache(maxsize=4096)
def _paired(token: str, standard: str) -> bool:
    """Whether ``token`` is a form of ``standard`` by an ending pair of the word lists
    (see :func:`bot.language_forms.paired`)."""
    lists = word_lists()
    forms = catalogue_forms(ROOT, words)
    if token in lists.neutral:
        return False
    nynorsk, bokmal = _only_words()
    if standard == BOKMAL:
        return paired(token, lists.bokmal_pairs, nynorsk, forms.nynorsk_all, known_words())
    return paired(token, lists.nynorsk_pairs, bokmal, forms.bokmal_all, known_words())


@lru_cache(maxsize=4096)
def _misspelt(token: str) -> tuple[float, float]:
    """The Nynorsk and Bokmål signal of a word that is not spelt as any known word.

    In this order: typed without æ/ø/å as "aa"/"oe" ("aapent", "soeppel"); two known
    words typed together ("hvakan": "hva" + "kan"); a typo of signal words (see
    :func:`_near`). A typo close to words of both standards counts for both, so it
    decides nothing. The words of the project's own texts are never typos.

    Returns:
        (Nynorsk weight, Bokmål weight), both 0 for a known word or no signal.
    """
    if token in known_words() or not token.isalpha() or len(token) < 3:
        return 0.0, 0.0
    lists = word_lists()
    weight = lists.weights.get
    for old, new in _ASCII_VARIANTS:
        variant = token.replace(old, new)
        if variant != token and lists.signal(variant):
            return _weights(variant, lists, 1.0)
    for cut in range(SPLIT_MIN, len(token) - SPLIT_MIN + 1):
        head, tail = token[:cut], token[cut:]
        known = known_words()
        if head in known and tail in known and (lists.signal(head) or lists.signal(tail)):
            nn_head, nb_head = _weights(head, lists, TYPO_WEIGHT)
            nn_tail, nb_tail = _weights(tail, lists, TYPO_WEIGHT)
            return nn_head + nn_tail, nb_head + nb_tail
    for substitute in (False, True):  # a replaced letter only when nothing closer fits
        nn = max((weight(w, 1.0) for w in _near(token, lists.nynorsk, substitute)), default=0.0)
        nb = max((weight(w, 1.0) for w in _near(token, lists.bokmal, substitute)), default=0.0)
        if nn or nb:
            break
    return TYPO_WEIGHT * nn, TYPO_WEIGHT * nb


@lru_cache(maxsize=4096)
def _english_typo(token: str) -> bool:
    """Whether ``token`` is a typo of a long English word ("openign", "adress"), and no
    known word or Norwegian signal. Only words of five letters or more on both sides."""
    if len(token) < ENGLISH_TYPO_MIN or not token.isalpha() or token in known_words():
        return False
    lists = word_lists()
    if lists.signal(token) or token in lists.english:
        return False
    return bool(_near(token, _long_english()))


@lru_cache(maxsize=1)
def _long_english() -> frozenset[str]:
    """The English signal words long enough to have typos counted."""
    lists = word_lists()
    long = (w for w in lists.english if len(w) >= ENGLISH_TYPO_MIN)
    return frozenset(w for w in long if w not in lists.shared_with_english)


def _weights(token: str, lists: WordLists, factor: float) -> tuple[float, float]:
    """The Nynorsk and Bokmål weight of a signal word, times ``factor``."""
    weight = lists.weights.get(token, 1.0) * factor
    return (
        weight if token in lists.nynorsk else 0.0,
        weight if token in lists.bokmal else 0.0,
    )


def _near(token: str, candidates: frozenset[str], substitute: bool = False) -> list[str]:
    """The words of ``candidates`` that ``token`` is a typo of.

    A typo is one letter left out or added in a word of four letters or more ("hvordn",
    "hvorr"; "nok" is not "noko") or two neighbouring letters swapped ("ikek", "jge");
    with ``substitute``, also one letter replaced in a word of ``SUBSTITUTION_MIN`` letters or
    more ("hvorfan"); never in a shorter one, where that more often makes another real word
    ("kva" is not "hva").
    """
    found = []
    for word in candidates:
        if len(word) < 3 or word == token:
            continue
        if abs(len(word) - len(token)) == 1 and min(len(word), len(token)) >= 4:
            if Indel.distance(token, word) == 1:
                found.append(word)
        elif len(word) == len(token) and OSA.distance(token, word) == 1:
            if sorted(word) == sorted(token) or (substitute and len(word) >= SUBSTITUTION_MIN):
                found.append(word)
    return found


def _ending(token: str, suffixes: tuple[str, ...]) -> bool:
    """Whether ``token`` is a longer word (three letters more) that ends in one of ``suffixes``."""
    return any(len(token) >= len(suffix) + 3 and token.endswith(suffix) for suffix in suffixes)


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


class ConversationStandards:
    """The written standard of each conversation a channel sees, by the same rule as the bot.

    A clear signal sets (or switches) a conversation's standard; a weak one ("søppel")
    only starts a conversation that has none; a message without a signal keeps it. For a
    channel that must write in the conversation's standard before Rasa has read the
    message (the REST channel's "[telefonnummer fjerna]"). Remembers the most recent
    ``capacity`` conversations only.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        """Create an empty memory.

        Args:
            capacity: How many conversations to remember (the oldest is forgotten first).
        """
        self.capacity = capacity
        self._standards: OrderedDict[str, str] = OrderedDict()

    def observe(self, conversation: str, text: str) -> str:
        """The standard of ``conversation`` after the citizen wrote ``text``.

        Args:
            conversation: The conversation's id (the sender id).
            text: The citizen's message as typed.
        """
        detected, clear = detect(text)
        known = self._standards.get(conversation)
        standard = detected if detected is not None and (clear or known is None) else known
        if standard is None:
            return DEFAULT_LANGUAGE
        self._standards[conversation] = standard
        self._standards.move_to_end(conversation)
        while len(self._standards) > self.capacity:
            self._standards.popitem(last=False)
        return standard
