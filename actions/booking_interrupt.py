"""A question in the middle of the booking form: answer it, or take the text as the answer.

The form's slot mappings (domain.yml) leave out messages whose intent is a question the
bot answers (``not_intent``): then nothing is extracted, Rasa rejects the form, and a
rule in data/rules/booking.yml answers the question and returns to the form, which asks
again. NLU is not always sure, though: a name or a description can look like a
question to the classifier. :func:`is_interruption` decides, and the form's validation
action (``extract_<slot>`` in :mod:`actions.booking`) takes the text back as the answer
when the message is not a clear question:

* the intent's confidence must reach :data:`INTERRUPT_CONFIDENCE`;
* a message that looks like a question (a question mark, or a question word first)
  interrupts every step;
* the name step: a confident question intent interrupts (names rarely look like one);
* the description step: only a message that looks like a question ("opningstider for
  byggesak" describes the matter);
* topic, place, day and summary steps: only when the step cannot use the text as an
  answer ("rådhuset" is a place, even if it reads like a location question).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.booking_values import (
    asked_field,
    is_cancel,
    is_yes,
    parse_days,
    parse_place,
    parse_topic,
)
from actions.common import language_of, latest_entity
from bot.kb import KnowledgeBase
from bot.language import words

__all__ = [
    "INTERRUPT_CONFIDENCE",
    "QUESTION_WORDS",
    "InterruptionMixin",
    "is_interruption",
    "looks_like_question",
]

# A question intent below this confidence is not trusted to interrupt the form: the text
# is taken as the answer (and validated) instead.
INTERRUPT_CONFIDENCE = 0.8

# First words of a question in nn, nb and en (folded like bot.language.words: å→a, ø→o).
QUESTION_WORDS = frozenset(
    {
        # Nynorsk
        "kva",
        "kvar",
        "kor",
        "korleis",
        "kven",
        "kvifor",
        "nar",
        # Bokmål
        "hva",
        "hvor",
        "hvordan",
        "hvem",
        "hvorfor",
        "hvilke",
        "hvilken",
        # both: yes/no questions
        "er",
        "har",
        "kan",
        "finst",
        "fins",
        "finnes",
        "stenger",
        "stengjer",
        # English
        "what",
        "where",
        "when",
        "how",
        "who",
        "why",
        "is",
        "are",
        "can",
        "do",
        "does",
    }
)


def looks_like_question(text: str) -> bool:
    """Whether the text reads as a question: a question mark, or a question word first."""
    if "?" in text:
        return True
    tokens = words(text)
    return bool(tokens) and tokens[0] in QUESTION_WORDS


def is_interruption(
    slot: str,
    text: str,
    intent: dict[str, Any] | None,
    accepts: Callable[[str], bool],
) -> bool:
    """Whether a message the slot mapping left out is a question to answer first.

    Args:
        slot: The slot the form asks for.
        text: The message's text.
        intent: The message's intent (``{"name", "confidence"}``), as NLU gave it.
        accepts: Whether the step can use the text as its answer (topic, place, ...).
    """
    confidence = float((intent or {}).get("confidence") or 0.0)
    if confidence < INTERRUPT_CONFIDENCE:
        return False
    if looks_like_question(text):
        return True
    if slot == "booking_name":
        return True
    if slot == "booking_description":
        return False
    return not accepts(text)


class InterruptionMixin:
    """``extract_<slot>`` methods for the booking form's validation action.

    Needs ``knowledge_base`` and ``clock`` (callables) on the action, as
    :class:`actions.booking.ValidateBookingForm` has.
    """

    knowledge_base: Callable[[], KnowledgeBase]
    clock: Callable[[], datetime]

    def _accepts(self, slot: str, tracker: Tracker) -> Callable[[str], bool]:
        """Whether the step can use a text as its answer (for topic, place, day, summary)."""
        kb = self.knowledge_base()
        if slot == "booking_topic":
            return lambda text: parse_topic(text, kb) is not None
        if slot == "booking_place":
            return lambda text: parse_place(text, kb) is not None
        if slot == "booking_days":
            place, today = str(tracker.get_slot("booking_place")), self.clock().date()
            language = language_of(tracker)
            return lambda text: any(parse_days(text, kb, place, today, language))
        if slot == "booking_confirm":
            return lambda text: is_yes(text) or is_cancel(text) or asked_field(text) is not None
        return lambda text: False

    def _extract(self, slot: str, tracker: Tracker) -> dict[str, Any]:
        """The text as the answer when the mapping left a question intent out, but unsure.

        The slot mapping (domain.yml, ``not_intent``) skips messages with a question
        intent; unless :func:`is_interruption` finds a clear question, the text is the
        answer after all (and is validated as any answer). Otherwise nothing is
        extracted: Rasa rejects the form, a rule answers, and the form asks again.
        """
        if tracker.get_slot("requested_slot") != slot or slot in tracker.slots_to_validate():
            return {}
        text = str((tracker.latest_message or {}).get("text") or "")
        if not text.strip() or latest_entity(tracker, "booking_value") is not None:
            return {}
        intent = (tracker.latest_message or {}).get("intent")
        if is_interruption(slot, text, intent, self._accepts(slot, tracker)):
            return {}
        return {slot: text}

    async def extract_booking_topic(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """See :meth:`_extract`."""
        return self._extract("booking_topic", tracker)

    async def extract_booking_place(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """See :meth:`_extract`."""
        return self._extract("booking_place", tracker)

    async def extract_booking_days(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """See :meth:`_extract`."""
        return self._extract("booking_days", tracker)

    async def extract_booking_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """See :meth:`_extract`."""
        return self._extract("booking_name", tracker)

    async def extract_booking_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """See :meth:`_extract`."""
        return self._extract("booking_description", tracker)

    async def extract_booking_confirm(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """See :meth:`_extract`."""
        return self._extract("booking_confirm", tracker)
