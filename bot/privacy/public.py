"""The municipality's own public numbers and addresses, which masking leaves readable.

Everything in the knowledge base is public: the phone number (``56 37 50 00``), the
emergency numbers (``116 117``, ``113``, ``110``, ``112``) and any phone number or
e-mail address written in an answer, a note or a label. A citizen who repeats one of
them keeps it readable.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bot.kb.models import KnowledgeBase
from bot.privacy.masking import digits_of, find_emails, find_phone_numbers

__all__ = ["PublicData", "public_data"]


@dataclass(frozen=True)
class PublicData:
    """Public numbers (digits only) and e-mail addresses (lower case) of the municipality."""

    numbers: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a knowledge-base record (dataclasses, tuples, dicts)."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _strings(getattr(value, field.name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, tuple | list | set | frozenset):
        for item in value:
            yield from _strings(item)


_cache: list[tuple[KnowledgeBase, PublicData]] = []


def public_data(kb: KnowledgeBase) -> PublicData:
    """The public numbers and addresses of a knowledge base (cached for the last one).

    Args:
        kb: The current knowledge base.
    """
    if _cache and _cache[0][0] is kb:
        return _cache[0][1]
    numbers = {digits_of(kb.contact.phone)}
    numbers.update(digits_of(entry.number) for entry in kb.contact.emergency)
    emails = {kb.contact.email.lower()}
    for text in _strings(kb):
        numbers.update(find_phone_numbers(text))
        emails.update(find_emails(text))
    data = PublicData(frozenset(n for n in numbers if n), frozenset(emails))
    _cache[:] = [(kb, data)]
    return data
