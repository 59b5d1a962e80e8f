"""Everyday and English words for the knowledge base's services (bot/nlu/service_words.yml).

The knowledge base's names and synonyms are for editors and in Norwegian; citizens also
write "application forms", "building permit" or "søknadene mine". These phrases add a
``service`` entity when the message names no service in the knowledge base's own words.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path

import yaml

from bot.entities import SERVICE, Match
from bot.language import fold

SERVICE_WORDS = Path(__file__).resolve().parent / "service_words.yml"
_TOKEN = re.compile(r"[^\W\d_]+")
# What a match counts as (the knowledge base's exact matches count 100).
SCORE = 90.0


@lru_cache(maxsize=1)
def service_phrases(path: Path = SERVICE_WORDS) -> tuple[tuple[tuple[str, ...], str], ...]:
    """(folded words of a phrase, service id), longest phrase first.

    Raises:
        ValueError: the file has no ``services`` mapping; fix bot/nlu/service_words.yml.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    services = data.get("services")
    if not isinstance(services, dict):
        raise ValueError(f"{path} needs a `services:` mapping of service id to phrases.")
    phrases = [
        (tuple(fold(word) for word in _TOKEN.findall(str(phrase).lower())), str(service))
        for service, listed in services.items()
        for phrase in listed or ()
    ]
    phrases = [(words, service) for words, service in phrases if words]
    return tuple(sorted(phrases, key=lambda item: len(item[0]), reverse=True))


def extra_service_matches(text: str, known: Collection[str]) -> list[Match]:
    """The services named in ``text`` by the phrases of bot/nlu/service_words.yml.

    Args:
        text: The citizen's message.
        known: The service ids of the knowledge base (others are ignored).

    Returns:
        One match per phrase found (longest phrases first, no overlaps).
    """
    tokens = [(fold(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(text.lower())]
    folded = [token for token, _, _ in tokens]
    taken: set[int] = set()
    found: list[Match] = []
    for words, service in service_phrases():
        if service not in known:
            continue
        size = len(words)
        for i in range(len(folded) - size + 1):
            span = range(i, i + size)
            if tuple(folded[i : i + size]) == words and not taken.intersection(span):
                taken.update(span)
                start, end = tokens[i][1], tokens[i + size - 1][2]
                found.append(Match(SERVICE, service, start, end, text[start:end], SCORE))
    return found
