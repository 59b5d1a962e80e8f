"""Booking a meeting with a saksbehandlar from the chat: the form ``booking_form``.

The form (domain.yml, data/rules/booking.yml) asks, in this order: what the meeting is
about (a topic from the knowledge base's ``meetings``), where (a location or a digital
meeting), which day (only days the place is open, holidays and closures included),
the citizen's name and a short description, then shows a summary to send, change or
cancel. Every answer is validated by ``validate_booking_form``; at any step the citizen
can stop ("avbryt", "stopp", "glem det") or correct an earlier answer ("nei, eg meinte
Manger", "endre staden"). ``action_booking_finish`` stores a sent request
(bot/handoff/booking_service.py) or says that nothing was sent.

Buttons carry ``/inform{"booking_value": ...}`` (a topic id, a place id, an ISO date,
``send``/``change``/``cancel`` or ``field:<slot>``); typed text is parsed instead.
The contact (e-mail or phone) is not asked in the chat: the channel masks e-mail
addresses and phone numbers before Rasa sees them. The "sent" message carries the
request's id, and the widget offers a field of its own for it. Staff answer in the
conversation. A clear question in the middle of the form is answered first
(actions/booking_interrupt.py, data/rules/booking.yml).
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.booking_interrupt import InterruptionMixin, looks_like_question
from actions.booking_values import (
    FIELDS,
    MAX_DESCRIPTION_LENGTH,
    asked_field,
    decode_days,
    encode_days,
    is_cancel,
    is_correction,
    is_yes,
    open_days,
    parse_days,
    parse_name,
    parse_place,
    parse_topic,
    place_label,
    places,
)
from actions.common import current_knowledge_base, language_of, latest_entity, say
from bot.kb import KnowledgeBase
from bot.kb.hours import now_oslo
from bot.messages import date_label, join_words, render
from bot.privacy import mask_citizen_text

logger = logging.getLogger(__name__)

VALUE = "booking_value"
SENT = "sent"
CANCELLED = "cancelled"
STATUS = "booking_status"
EDITING = "booking_editing"
CONFIRM = "booking_confirm"
_CORRECTION_MAX_WORDS = 6

Clock = Callable[[], datetime]
KbSource = Callable[[], KnowledgeBase]


def _button(title: str, value: str) -> dict[str, str]:
    return {"title": title, "payload": f'/inform{{"{VALUE}": "{value}"}}'}


def _text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


def _chosen(tracker: Tracker) -> str | None:
    """The value of the button the citizen pressed, if the message was a button."""
    return latest_entity(tracker, VALUE)


def cleared(slot: str) -> dict[str, Any]:
    """Slot values that clear ``slot`` (and the day with the place: days depend on it)."""
    values: dict[str, Any] = {slot: None}
    if slot == "booking_place":
        values["booking_days"] = None
    return values


def summary(tracker: Tracker, kb: KnowledgeBase, language: str) -> str:
    """The summary of the citizen's answers, for the confirm step and the stored request."""
    topic = next(
        (
            t.name.get(language)
            for t in kb.meetings.topics
            if t.id == tracker.get_slot("booking_topic")
        ),
        str(tracker.get_slot("booking_topic")),
    )
    days = decode_days(tracker.get_slot("booking_days"))
    return render(
        "booking_summary",
        language,
        topic=topic,
        place=place_label(kb, str(tracker.get_slot("booking_place")), language),
        days=join_words([date_label(d, language) for d in days], language),
        name=tracker.get_slot("booking_name"),
        description=tracker.get_slot("booking_description"),
    )


class _BookingAction(Action, ABC):
    """An action of the booking form, with the clock and the knowledge base injected."""

    def __init__(self, clock: Clock = now_oslo, knowledge_base: KbSource = current_knowledge_base):
        self.clock = clock
        self.knowledge_base = knowledge_base

    @abstractmethod
    def name(self) -> str:
        """The action's name in domain.yml."""

    def today(self) -> date:
        return self.clock().date()


class ActionAskTopic(_BookingAction):
    """Asks what the meeting is about, with the knowledge base's topics as buttons."""

    def name(self) -> str:
        return "action_ask_booking_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language, kb = language_of(tracker), self.knowledge_base()
        if tracker.get_slot("requested_slot") is None:
            say(dispatcher, "booking_start", language)
        buttons = [_button(t.name.get(language), t.id) for t in kb.meetings.topics]
        dispatcher.utter_message(text=render("booking_ask_topic", language), buttons=buttons)
        return []


class ActionAskPlace(_BookingAction):
    """Asks where, with the places (and a digital meeting) as buttons."""

    def name(self) -> str:
        return "action_ask_booking_place"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language, kb = language_of(tracker), self.knowledge_base()
        buttons = [_button(p.label, p.id) for p in places(kb, language)]
        dispatcher.utter_message(text=render("booking_ask_place", language), buttons=buttons)
        return []


class ActionAskDays(_BookingAction):
    """Asks for a day, offering the next open days at the chosen place as buttons."""

    def name(self) -> str:
        return "action_ask_booking_days"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language, kb = language_of(tracker), self.knowledge_base()
        place = str(tracker.get_slot("booking_place"))
        days = open_days(kb, place, self.today())
        buttons = [_button(date_label(d, language), d.isoformat()) for d in days]
        text = render("booking_ask_days", language, place=place_label(kb, place, language))
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


class ActionAskName(_BookingAction):
    """Asks for the citizen's name."""

    def name(self) -> str:
        return "action_ask_booking_name"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say(dispatcher, "booking_ask_name", language_of(tracker))
        return []


class ActionAskDescription(_BookingAction):
    """Asks for a short description (masked like all citizen text)."""

    def name(self) -> str:
        return "action_ask_booking_description"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say(dispatcher, "booking_ask_description", language_of(tracker))
        return []


class ActionAskConfirm(_BookingAction):
    """Shows the summary with send / change / cancel, or asks which answer to change."""

    def name(self) -> str:
        return "action_ask_booking_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language, kb = language_of(tracker), self.knowledge_base()
        if tracker.get_slot(EDITING):
            buttons = [
                _button(
                    render(f"booking_field_{slot.removeprefix('booking_')}", language),
                    f"field:{slot}",
                )
                for slot in FIELDS
            ]
            dispatcher.utter_message(text=render("booking_ask_which", language), buttons=buttons)
            return []
        buttons = [
            _button(render("booking_button_send", language), "send"),
            _button(render("booking_button_change", language), "change"),
            _button(render("booking_button_cancel", language), "cancel"),
        ]
        dispatcher.utter_message(text=summary(tracker, kb, language), buttons=buttons)
        return []


class ValidateBookingForm(InterruptionMixin, FormValidationAction):
    """Validates every answer of ``booking_form``; handles stop and corrections."""

    def __init__(self, clock: Clock = now_oslo, knowledge_base: KbSource = current_knowledge_base):
        self.clock = clock
        self.knowledge_base = knowledge_base

    def name(self) -> str:
        return "validate_booking_form"

    # ----- shared steps

    @staticmethod
    def _cancel(slot: str) -> dict[str, Any]:
        return {slot: None, "requested_slot": None, STATUS: CANCELLED}

    def _stop_or_correct(
        self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any] | None:
        """Stop, or correct an earlier answer; None when the message is an ordinary answer."""
        text, chosen = _text(tracker), _chosen(tracker)
        if chosen == "cancel" or (chosen is None and is_cancel(text)):
            return self._cancel(slot)
        if chosen is not None or len(text.split()) > _CORRECTION_MAX_WORDS:
            return None
        if not is_correction(text):
            return None
        kb, language = self.knowledge_base(), language_of(tracker)
        field = asked_field(text)
        if field is not None and field != slot and tracker.get_slot(field) is not None:
            return {slot: None, **cleared(field)}
        place = parse_place(text, kb)
        if slot != "booking_place" and place and place != tracker.get_slot("booking_place"):
            say(dispatcher, "booking_changed", language)
            return {slot: None, "booking_place": place, "booking_days": None}
        topic = parse_topic(text, kb)
        if slot != "booking_topic" and topic and topic != tracker.get_slot("booking_topic"):
            say(dispatcher, "booking_changed", language)
            return {slot: None, "booking_topic": topic}
        return None

    # ----- one method per slot

    async def validate_booking_topic(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A topic from the knowledge base, by button or by name."""
        stop = self._stop_or_correct("booking_topic", dispatcher, tracker)
        if stop is not None:
            return stop
        kb = self.knowledge_base()
        chosen = _chosen(tracker)
        topic = chosen if chosen in {t.id for t in kb.meetings.topics} else None
        topic = topic or parse_topic(_text(tracker), kb)
        if topic is None:
            say(dispatcher, "booking_topic_unknown", language_of(tracker))
        return {"booking_topic": topic}

    async def validate_booking_place(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A place: a location in the knowledge base, or ``digital``."""
        stop = self._stop_or_correct("booking_place", dispatcher, tracker)
        if stop is not None:
            return stop
        kb, language = self.knowledge_base(), language_of(tracker)
        chosen = _chosen(tracker)
        known = {p.id for p in places(kb, language)}
        place = chosen if chosen in known else parse_place(_text(tracker), kb)
        if place is None:
            say(dispatcher, "booking_place_unknown", language)
        return {"booking_place": place, "booking_days": None}

    async def validate_booking_days(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """One or more days on which the place is open (holidays and closures count)."""
        stop = self._stop_or_correct("booking_days", dispatcher, tracker)
        if stop is not None:
            return stop
        kb, language = self.knowledge_base(), language_of(tracker)
        place = str(tracker.get_slot("booking_place"))
        today = self.clock().date()
        chosen = _chosen(tracker)
        opened = [d for d in decode_days(chosen) if d in open_days(kb, place, today)]
        closed: list[date] = []
        if not opened:
            opened, closed = parse_days(_text(tracker), kb, place, today, language)
        if opened:
            return {"booking_days": encode_days(opened)}
        if closed:
            days = join_words([date_label(d, language) for d in closed[:3]], language)
            label = place_label(kb, place, language)
            say(dispatcher, "booking_days_closed", language, place=label, days=days)
        else:
            say(dispatcher, "booking_days_unknown", language)
        return {"booking_days": None}

    async def validate_booking_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A name in letters (no digits, no masked data)."""
        stop = self._stop_or_correct("booking_name", dispatcher, tracker)
        if stop is not None:
            return stop
        name = parse_name(_text(tracker))
        if name is None:
            unsure_question = looks_like_question(_text(tracker))
            key = "booking_name_question" if unsure_question else "booking_name_invalid"
            say(dispatcher, key, language_of(tracker))
        return {"booking_name": name}

    async def validate_booking_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A short description, masked again here (the channel masked it already)."""
        stop = self._stop_or_correct("booking_description", dispatcher, tracker)
        if stop is not None:
            return stop
        language, kb = language_of(tracker), self.knowledge_base()
        text = " ".join(_text(tracker).split())
        if not text or len(text) > MAX_DESCRIPTION_LENGTH or text.startswith("/"):
            say(dispatcher, "booking_description_invalid", language)
            return {"booking_description": None}
        return {"booking_description": mask_citizen_text(text, language, kb).text}

    async def validate_booking_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Send, change (which answer?) or cancel."""
        text, chosen = _text(tracker), _chosen(tracker)
        if chosen == "cancel" or (chosen is None and is_cancel(text)):
            return self._cancel(CONFIRM)
        if chosen == "send" or (chosen is None and not tracker.get_slot(EDITING) and is_yes(text)):
            return {CONFIRM: "yes", STATUS: SENT, EDITING: False}
        field = chosen.removeprefix("field:") if chosen and chosen.startswith("field:") else None
        field = field if field in FIELDS else asked_field(text)
        if field is not None:
            return {CONFIRM: None, EDITING: False, **cleared(field)}
        if chosen is None and len(text.split()) <= _CORRECTION_MAX_WORDS:
            kb = self.knowledge_base()
            place, topic = parse_place(text, kb), parse_topic(text, kb)
            if place and place != tracker.get_slot("booking_place"):
                say(dispatcher, "booking_changed", language_of(tracker))
                return {CONFIRM: None, EDITING: False, "booking_place": place, "booking_days": None}
            if topic and topic != tracker.get_slot("booking_topic"):
                say(dispatcher, "booking_changed", language_of(tracker))
                return {CONFIRM: None, EDITING: False, "booking_topic": topic}
        # "Endre noko", "nei", or anything else: ask which answer to change.
        return {CONFIRM: None, EDITING: True}


class ActionBookingFinish(_BookingAction):
    """After the form: store a sent request, or say that nothing was sent; reset the form."""

    def __init__(
        self,
        clock: Clock = now_oslo,
        knowledge_base: KbSource = current_knowledge_base,
        submit: Callable[..., int] | None = None,
    ):
        super().__init__(clock, knowledge_base)
        self._submit = submit

    def name(self) -> str:
        return "action_booking_finish"

    def submit(self, **request: Any) -> int:
        """Stores the request through the handoff store (same DATABASE_URL as the bot)."""
        if self._submit is not None:
            return self._submit(**request)
        from bot.handoff.booking_service import submit_from_action_server

        return submit_from_action_server(**request)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language, kb = language_of(tracker), self.knowledge_base()
        if tracker.get_slot(STATUS) == SENT and tracker.get_slot(CONFIRM) == "yes":
            try:
                booking_id = self.submit(
                    conversation_id=tracker.sender_id,
                    topic=str(tracker.get_slot("booking_topic")),
                    place=str(tracker.get_slot("booking_place")),
                    days=decode_days(tracker.get_slot("booking_days")),
                    name=str(tracker.get_slot("booking_name")),
                    description=str(tracker.get_slot("booking_description")),
                    language=language,
                )
            except Exception:  # noqa: BLE001 - the citizen must get an answer either way
                logger.exception("Storing the booking request failed.")
                say(dispatcher, "booking_store_failed", language, kb=kb)
            else:
                # The widget may offer a field for an e-mail or phone for this request
                # (POST .../bookings/<id>/contact): the chat text itself is masked.
                dispatcher.utter_message(
                    text=render("booking_sent", language, kb=kb),
                    json_message={"booking": {"id": booking_id, "contact": "optional"}},
                )
        else:
            say(dispatcher, "booking_cancelled", language)
        return [SlotSet(slot, None) for slot in (*FIELDS, CONFIRM, STATUS)] + [
            SlotSet(EDITING, False)
        ]
