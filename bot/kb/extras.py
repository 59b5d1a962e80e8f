"""Knowledge-base fields added for issue 7: generic desk words, FAQ synonyms, addresses.

Kept apart from :mod:`bot.kb.loader` (which calls these) so that each file stays small.
The loader's checker is passed in; its problems name file, line, entry and field.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from bot.kb.models import Address, KnowledgeBase, Location, Text


class Checker(Protocol):
    """What these readers use of the loader's per-file checker."""

    def fail(self, entry: str, field: str, message: str) -> None: ...

    def words(self, value: Any, entry: str, field: str) -> tuple[str, ...]: ...

    def mapping(self, value: Any, entry: str, field: str) -> dict[str, Any]: ...

    def string(self, value: Any, entry: str, field: str, required: bool = True) -> str: ...

    def text(self, value: Any, entry: str, field: str) -> Text: ...

    def flag(self, value: Any, entry: str, field: str) -> bool: ...

    def sequence(self, value: Any, entry: str, field: str) -> list[Any]: ...


def address(value: Any, c: Checker, entry: str) -> Address | None:
    """A location's ``address``: ``text`` (nn, nb, en) and ``map_url`` (https://...)."""
    if value is None:
        return None
    data = c.mapping(value, entry, "address")
    map_url = c.string(data.get("map_url"), entry, "address.map_url")
    if map_url and not map_url.startswith(("https://", "http://")):
        c.fail(entry, "address.map_url", f"'{map_url}' is not a web address starting with https://")
    return Address(
        text=c.text(data.get("text"), entry, "address.text"),
        map_url=map_url,
        sample=c.flag(data.get("sample"), entry, "address.sample"),
    )


def generic_words(
    data: dict[str, Any], c: Checker, locations: tuple[Location, ...]
) -> tuple[str, ...]:
    """service_desks.yml ``generic_words``: words for the desk that never select a place.

    A word that is also a place's name or synonym is refused, since it could not be both.
    """
    words = c.words(data.get("generic_words"), "", "generic_words")
    names = {p.lower(): loc.id for loc in locations for p in (loc.name, loc.id, *loc.synonyms)}
    for index, word in enumerate(words):
        if word.lower() in names:
            c.fail(
                "",
                f"generic_words[{index}]",
                f"'{word}' is also a name of the place '{names[word.lower()]}'; remove one",
            )
    return words


def faq_synonyms(data: dict[str, Any], c: Checker) -> tuple[tuple[str, ...], ...]:
    """faq.yml ``synonyms``: groups of at least two words that FAQ matching treats alike."""
    groups = []
    for index, raw in enumerate(c.sequence(data.get("synonyms"), "", "synonyms")):
        group = c.words(raw, "", f"synonyms[{index}]")
        if len(group) < 2:
            c.fail(
                "", f"synonyms[{index}]", "a group needs at least two words, like [boss, avfall]"
            )
        groups.append(group)
    return tuple(groups)


def logo_url(data: dict[str, Any], c: Checker) -> str:
    """The widget's logo: an https address or a path on the bot's own server (issue 10)."""
    url = c.string(data.get("logo_url"), "", "logo_url", required=False)
    if url and not re.match(r"^(https?://\S+|/[\w./-]+)$", url):
        c.fail("", "logo_url", f"'{url}' is not a web address (https://…) or a path (/…)")
    return url


def sample_entries(kb: KnowledgeBase) -> tuple[str, ...]:
    """Where the knowledge base still holds sample content for editors to verify."""
    marked = [f"service_desks.yml: {loc.id}" for loc in kb.locations if loc.sample]
    marked += [
        f"service_desks.yml: {loc.id}.address"
        for loc in kb.locations
        if loc.address and loc.address.sample
    ]
    marked += [
        f"closures.yml: {e.start}" + (f"..{e.end}" if e.end != e.start else "")
        for e in kb.exceptions
        if e.sample
    ]
    if kb.contact.postal_address_sample:
        marked.append("contact.yml: post.address")
    marked += [f"services.yml: {s.id}" for s in kb.services if s.sample]
    marked += ["services.yml: meetings"] if kb.meetings.sample else []
    marked += [f"faq.yml: {f.id}" for f in kb.faq if f.sample]
    marked += [f"municipality.yml: {key}" for key in kb.municipality.sample]
    return tuple(marked)
