"""Word forms one written standard alone uses, found by ending pairs (package "standard4").

Bokmål "lagret", "venter", "meldingen" stand beside Nynorsk "lagrar", "ventar",
"meldinga": a word with a Bokmål ending whose stem with the paired Nynorsk ending is a
word only Nynorsk uses is Bokmål, and the reverse. The Nynorsk-only and Bokmål-only words
are the word lists' and those of the project's own parallel texts (``bot/messages.yml``
and the knowledge base), so a form the lists lack is still known. Used by bot/language.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

NYNORSK = "nn"
BOKMAL = "nb"
# A stem must have this many letters ("klar" is no "kl" + "-ar").
MIN_STEM = 3


@dataclass(frozen=True)
class CatalogueForms:
    """The words of the project's own Nynorsk and Bokmål texts (folded)."""

    nynorsk: frozenset[str]
    bokmal: frozenset[str]
    nynorsk_all: frozenset[str]
    bokmal_all: frozenset[str]


Pair = tuple[str, str, str]


def ending_pairs(value: object, path: Path) -> tuple[Pair, ...]:
    """Ending pairs written ``"et:ar en:a:e"`` in the word lists.

    A third part names an ending that cancels the pair: ``en:a:e`` does not read "ringen"
    as Bokmål beside Nynorsk "ringa", because "ringe" is a known word (a verb, whose
    Nynorsk infinitive ends in "-a"), while "meldingen" beside "meldinga" counts.

    Raises:
        ValueError: a pair is not ``ending:ending[:ending]``; fix ``data/language/words.yml``.
    """
    pairs = []
    for item in str(value or "").split():
        parts = item.split(":")
        if len(parts) not in (2, 3) or not all(parts):
            raise ValueError(
                f"{path}: ending pair {item!r} is not 'ending:ending' or 'ending:ending:ending'; "
                "fix it."
            )
        pairs.append((parts[0], parts[1], parts[2] if len(parts) == 3 else ""))
    return tuple(pairs)


@lru_cache(maxsize=2)
def catalogue_forms(root: Path, tokenize: Callable[[str], list[str]]) -> CatalogueForms:
    """The words of the parallel ``nn``/``nb`` texts of the catalogue and knowledge base.

    ``nynorsk`` holds the words of the Nynorsk texts that no Bokmål text uses ("lagra",
    "meldinga"), ``bokmal`` the reverse; ``*_all`` every word of each standard's texts.

    Args:
        root: The repository root.
        tokenize: Splits a text into folded words (bot.language.words).
    """
    found: dict[str, set[str]] = {NYNORSK: set(), BOKMAL: set()}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get(NYNORSK) and node.get(BOKMAL):
                for language, words in found.items():
                    words.update(tokenize(str(node[language])))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in [root / "bot" / "messages.yml", *sorted(root.glob("knowledge_base/*.yml"))]:
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return CatalogueForms(
        nynorsk=frozenset(found[NYNORSK] - found[BOKMAL]),
        bokmal=frozenset(found[BOKMAL] - found[NYNORSK]),
        nynorsk_all=frozenset(found[NYNORSK]),
        bokmal_all=frozenset(found[BOKMAL]),
    )


def paired(
    token: str,
    pairs: tuple[Pair, ...],
    other_only: frozenset[str],
    other_texts: frozenset[str],
    known: frozenset[str] = frozenset(),
) -> bool:
    """Whether ``token`` ends in an ending of ``pairs`` whose paired form is the other's.

    Args:
        token: A folded word.
        pairs: (own ending, the other standard's ending, an ending that cancels or ""),
            e.g. ("er", "ar", "").
        other_only: Words only the other standard uses.
        other_texts: Every word of the other standard's own texts: never this standard's.
        known: Known words, for the cancelling ending.
    """
    if token in other_texts or token in other_only:
        return False
    for own, other, unless in pairs:
        stem = token[: -len(own)]
        if not token.endswith(own) or len(stem) < MIN_STEM or stem + other not in other_only:
            continue
        if not unless or stem + unless not in known:
            return True
    return False
