"""A question in the middle of the booking form is answered, not taken as the answer.

The slot mappings in domain.yml leave question intents out (``not_intent``); the form's
validation action takes the text back when NLU is unsure or the step can use it
(actions/booking_interrupt.py). An empty answer from the validation action is what makes
Rasa reject the form, so that data/rules/booking.yml answers the question (the rules
are checked by the stories in tests/booking/stories.yml).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.booking import ValidateBookingForm
from actions.booking_interrupt import INTERRUPT_CONFIDENCE, is_interruption, looks_like_question
from bot.kb import KnowledgeBase
from bot.kb.hours import OSLO

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "alver.tar.gz"
NOW = datetime(2026, 12, 18, 10, 0, tzinfo=OSLO)
DOMAIN: dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))
INTERRUPTS = "interrupts"


@pytest.fixture
def form(kb: KnowledgeBase) -> ValidateBookingForm:
    return ValidateBookingForm(clock=lambda: NOW, knowledge_base=lambda: kb)


def _skipped_by_mapping(slot: str, intent: str) -> bool:
    """Whether domain.yml's mapping leaves the message out (``not_intent``)."""
    mapping = DOMAIN["slots"][slot]["mappings"][0]
    return intent in mapping.get("not_intent", [])


def _tracker(
    slot: str, text: str, intent: str, confidence: float, slots: dict[str, Any] | None = None
) -> Tracker:
    """The tracker the form's validation action gets (rasa/core/actions/forms.py)."""
    filled = not _skipped_by_mapping(slot, intent)
    latest = {"intent": {"name": intent, "confidence": confidence}, "entities": [], "text": text}
    events: list[dict[str, Any]] = [
        {"event": "user", "text": text, "parse_data": latest},
        {"event": "slot", "name": "requested_slot", "value": slot},
        {"event": "action", "name": "booking_form"},
    ]
    if filled:
        events.append({"event": "slot", "name": slot, "value": text})
    values = {"requested_slot": slot, **(slots or {}), slot: text if filled else None}
    return Tracker(
        "test", values, latest, events, False, None, {"name": "booking_form"}, "booking_form"
    )


def _validate(form: ValidateBookingForm, tracker: Tracker) -> dict[str, Any]:
    events = asyncio.run(form.run(CollectingDispatcher(), tracker, DOMAIN))
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("kva er opningstidene?", True),
        ("Kva er opningstidene", True),
        ("hvor ligger rådhuset", True),
        ("Når stengjer de", True),
        ("er Manger ope på måndag", True),
        ("Kari Nordmann", False),
        ("opningstider for byggesak", False),
        ("Erling Braut", False),  # starts like "er", but is a name
    ],
)
def test_looks_like_question(text: str, question: bool) -> None:
    assert looks_like_question(text) is question


@pytest.mark.parametrize(
    ("slot", "text", "confidence", "accepts", "interrupts"),
    [
        # A question intent NLU is unsure of never interrupts.
        ("booking_name", "kva er opningstidene?", INTERRUPT_CONFIDENCE - 0.01, False, False),
        ("booking_name", "kva er opningstidene?", INTERRUPT_CONFIDENCE, False, True),
        # The name step: a confident question intent is enough.
        ("booking_name", "opningstider", 0.95, True, True),
        # The description step: only what reads as a question.
        ("booking_description", "opningstider for byggesak", 0.95, False, False),
        ("booking_description", "kva er telefonnummeret", 0.95, False, True),
        # Topic, place, day, summary: what the step can use is an answer.
        ("booking_place", "rådhuset", 0.95, True, False),
        ("booking_place", "adressa til kommunen", 0.95, False, True),
        ("booking_place", "kvar ligg rådhuset?", 0.95, True, True),
    ],
)
def test_is_interruption_table(
    slot: str, text: str, confidence: float, accepts: bool, interrupts: bool
) -> None:
    intent = {"name": "ask_location", "confidence": confidence}
    assert is_interruption(slot, text, intent, lambda _: accepts) is interrupts


@pytest.mark.parametrize(
    ("slot", "intent", "mapped"),
    [
        ("booking_name", "ask_opening_hours", False),
        ("booking_name", "ask_service", False),
        ("booking_name", "nlu_fallback", True),
        ("booking_name", "deny", True),  # "avbryt" stops the form, it is no question
        ("booking_topic", "ask_service", True),  # "byggesak" is a topic
        ("booking_description", "ask_municipal_topic", True),  # the matter itself
        ("booking_confirm", "affirm", True),
        ("booking_name", "request_human", False),  # stops the form, offers a person
        ("booking_description", "request_human", True),  # "snakke med saksbehandlaren om ..."
    ],
)
def test_domain_mappings_leave_question_intents_out(slot: str, intent: str, mapped: bool) -> None:
    assert _skipped_by_mapping(slot, intent) is not mapped


def test_a_confident_question_extracts_nothing_so_rasa_rejects_the_form(
    form: ValidateBookingForm,
) -> None:
    tracker = _tracker("booking_name", "kva er opningstidene?", "ask_opening_hours", 0.97)
    assert _validate(form, tracker) == {}


def test_an_unsure_question_intent_is_taken_as_the_answer_and_validated(
    form: ValidateBookingForm,
) -> None:
    tracker = _tracker("booking_name", "Anne Manger", "ask_opening_hours", 0.6)
    assert _validate(form, tracker) == {"booking_name": "Anne Manger"}


def test_a_place_that_reads_like_a_location_question_is_the_place(
    form: ValidateBookingForm,
) -> None:
    tracker = _tracker("booking_place", "rådhuset", "ask_location", 0.95)
    assert _validate(form, tracker) == {"booking_place": "radhuset", "booking_days": None}


# ----- on the trained model: real NLU output, nn and nb


@pytest.fixture(scope="module")
def parse() -> Iterator[Any]:
    if not MODEL.is_file():
        pytest.fail(f"No trained model at {MODEL}: run `make train` (or `make test`) first.")
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))

    def run(text: str) -> dict[str, Any]:
        return dict(asyncio.run(agent.parse_message(text))["intent"])

    yield run


@pytest.mark.parametrize(
    ("slot", "text", "expected"),
    [
        # nn
        ("booking_name", "kva er opningstidene?", INTERRUPTS),
        ("booking_name", "kva er telefonnummeret?", INTERRUPTS),
        ("booking_name", "Kari Nordmann", "Kari Nordmann"),
        ("booking_name", "Per Olav Bakke", "Per Olav Bakke"),
        ("booking_name", "Bjørn Knarvik", "Bjørn Knarvik"),
        ("booking_name", "Ola", "Ola"),
        ("booking_description", "søknad om byggeløyve", "søknad om byggeløyve"),
        ("booking_description", "Garasjen min", "Garasjen min"),
        ("booking_place", "Manger", "manger"),
        ("booking_topic", "kva er telefonnummeret?", INTERRUPTS),
        ("booking_place", "eg vil heller snakke med eit menneske", INTERRUPTS),
        ("booking_name", "kan eg snakke med eit menneske?", INTERRUPTS),
        (
            "booking_description",
            "Eg vil snakke med saksbehandlaren om garasjen",
            "Eg vil snakke med saksbehandlaren om garasjen",
        ),
        # nb
        ("booking_name", "hva er åpningstidene?", INTERRUPTS),
        ("booking_name", "hvem er du?", INTERRUPTS),
        ("booking_name", "Silje Haugland", "Silje Haugland"),
        ("booking_description", "når er dere åpne i dag?", INTERRUPTS),
        ("booking_place", "Frekhaug", "frekhaug"),
    ],
)
def test_questions_and_answers_through_the_trained_model(
    form: ValidateBookingForm, parse: Any, slot: str, text: str, expected: str
) -> None:
    intent = parse(text)
    tracker = _tracker(slot, text, intent["name"], intent["confidence"])
    result = _validate(form, tracker)
    if expected == INTERRUPTS:
        assert result == {}, (intent, result)
    else:
        assert result.get(slot) == expected, (intent, result)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("kor lang tid tek det?", "Det ser ut som eit spørsmål, ikkje eit namn."),
        ("Kari 2", "Skriv namnet ditt med bokstavar"),
    ],
)
def test_an_unsure_question_for_the_name_is_no_name_and_the_bot_says_why(
    form: ValidateBookingForm, text: str, said: str
) -> None:
    # NLU gives nlu_fallback: the mapping fills the slot, the validation refuses it.
    tracker = _tracker("booking_name", text, "nlu_fallback", 0.5)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(form.run(dispatcher, tracker, DOMAIN))
    assert {e["name"]: e["value"] for e in events} == {"booking_name": None}
    assert said in " ".join(str(m.get("text")) for m in dispatcher.messages)
