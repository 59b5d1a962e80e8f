"""Fills the placeholders in knowledge-base answers with the facts they stand for.

An FAQ or service answer may say ``Ring oss på {phone}`` or ``Knarvik har ope
{hours:knarvik}``; :func:`render_answer` replaces each placeholder when the answer is
read, so a change to contact.yml or service_desks.yml changes every answer at once.
The loader has already rejected unknown placeholders (:mod:`bot.kb.placeholders`).
"""

from __future__ import annotations

import re

from bot.kb.models import LANGUAGES, KnowledgeBase, Text
from bot.kb.placeholders import PLACEHOLDER
from bot.messages import kb_values, schedule_label

__all__ = ["render_answer"]


def _values(kb: KnowledgeBase, language: str) -> dict[str, str]:
    return {
        **kb_values(kb, language),  # the facts every catalogue text may name
        "post": kb.contact.postal_address,
        "phone_hours": schedule_label(kb.contact.phone_hours, language),
    }


def render_answer(kb: KnowledgeBase, text: Text | str, language: str) -> str:
    """Returns the answer in ``language`` with its placeholders filled from ``kb``.

    Args:
        kb: The knowledge base the answer belongs to.
        text: An answer (``FaqEntry.answer``, ``Service.answer``) or one language's text.
        language: ``nn``, ``nb`` or ``en``. An answer without English is given in Bokmål,
            and its placeholders are then filled in Bokmål too.

    Returns:
        The text a citizen reads. A placeholder the loader would reject is left as written.
    """
    if language not in LANGUAGES:
        language = "nn"
    if isinstance(text, Text):
        if language == "en" and not text.en:
            language = "nb"
        text = text.get(language)
    values = _values(kb, language)

    def fill(match: re.Match[str]) -> str:
        name, _, argument = match.group(1).partition(":")
        if name == "hours":
            location = kb.location(argument)
            if location is not None and location.has_desk:
                return schedule_label(location.opening_hours, language)
        elif name in values and not argument:
            return values[name]
        return match.group(0)

    return PLACEHOLDER.sub(fill, text)
