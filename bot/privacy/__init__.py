"""Personal data in citizen text: masked before anything is stored, logged or sent to Rasa.

:func:`mask_citizen_text` is the one entry point the channels and the handoff service
use; see :mod:`bot.privacy.masking` for what is found and how it is checked.
"""

from __future__ import annotations

from functools import lru_cache

from bot.kb.models import KnowledgeBase
from bot.messages import render
from bot.privacy.masking import Kind, Masked, mask
from bot.privacy.public import PublicData, public_data

__all__ = [
    "WARNING_MESSAGE",
    "Kind",
    "Masked",
    "PublicData",
    "mask",
    "mask_citizen_text",
    "public_data",
    "warning_texts",
]

WARNING_MESSAGE = "chat_personal_data_removed"
"""The catalogue's system message that tells the citizen what was removed and why."""


def mask_citizen_text(text: str, language: str, kb: KnowledgeBase) -> Masked:
    """Mask personal data in a citizen's text, keeping the knowledge base's public numbers.

    Args:
        text: What the citizen wrote.
        language: The conversation's written standard (``nn``, ``nb`` or ``en``).
        kb: The current knowledge base (its numbers and addresses stay readable).
    """
    public = public_data(kb)
    return mask(text, language, public.numbers, public.emails)


@lru_cache(maxsize=1)
def warning_texts() -> frozenset[str]:
    """The warning in every written standard (to see whether a conversation has it)."""
    return frozenset(render(WARNING_MESSAGE, language) for language in ("nn", "nb", "en"))
