"""The booking form: days offered only when the place is open, validation, stop, corrections."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.booking import (
    ActionAskConfirm,
    ActionAskDays,
    ActionAskTopic,
    ActionBookingFinish,
    ValidateBookingForm,
)
from actions.booking_values import open_days, parse_days, parse_name, parse_place, parse_topic
from bot.kb import KnowledgeBase
from bot.kb.hours import OSLO
from tests.conftest import texts

# Friday 18 December 2026, 10:00: Christmas is in the next ten open days.
NOW = datetime(2026, 12, 18, 10, 0, tzinfo=OSLO)
TODAY = NOW.date()

Make = Callable[..., Tracker]


def _run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


@pytest.fixture
def form(kb: KnowledgeBase) -> ValidateBookingForm:
    return ValidateBookingForm(clock=lambda: NOW, knowledge_base=lambda: kb)


@pytest.mark.parametrize(
    ("place", "weekdays"),
    [("knarvik", {0, 1, 2, 3, 4}), ("manger", {0, 1, 3}), ("frekhaug", {2, 4})],
)
def test_days_offered_only_on_the_desks_weekdays(
    kb: KnowledgeBase, place: str, weekdays: set[int]
) -> None:
    days = open_days(kb, place, TODAY)
    assert len(days) == 10
    assert {d.weekday() for d in days} <= weekdays
    assert all(d > TODAY for d in days)


@pytest.mark.parametrize(
    ("place", "holiday"),
    [
        ("knarvik", date(2026, 12, 25)),  # 1. juledag
        ("frekhaug", date(2027, 1, 1)),  # 1. nyttårsdag, a Friday
        ("radhuset", date(2026, 12, 25)),  # no desk: the meeting hours, holidays still apply
        ("digital", date(2026, 12, 25)),
    ],
)
def test_no_meeting_offered_on_a_public_holiday(
    kb: KnowledgeBase, place: str, holiday: date
) -> None:
    assert holiday not in open_days(kb, place, TODAY, count=30)


def test_town_hall_and_digital_use_the_meeting_hours(kb: KnowledgeBase) -> None:
    # Alver rådhus has no desk hours; services.yml `meetings.hours` gives Monday-Friday.
    assert date(2026, 12, 21) in open_days(kb, "radhuset", TODAY)
    assert date(2026, 12, 21) in open_days(kb, "digital", TODAY)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Byggesak og eigedom", "byggesak"),
        ("garasje", "byggesak"),
        ("skole", "barnehage_skule"),
        ("bygesak", "byggesak"),
        ("noe annet", "anna"),
        ("Health and care", "helse_omsorg"),
        ("kva kostar pizza", None),
    ],
)
def test_topic_from_the_knowledge_base(kb: KnowledgeBase, text: str, topic: str | None) -> None:
    assert parse_topic(text, kb) == topic


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Manger", "manger"),
        ("på frekhaug takk", "frekhaug"),
        ("rådhuset", "radhuset"),
        ("knarvk", "knarvik"),
        ("digitalt", "digital"),
        ("på video", "digital"),
        ("Bergen", None),
    ],
)
def test_place_from_the_knowledge_base(kb: KnowledgeBase, text: str, place: str | None) -> None:
    assert parse_place(text, kb) == place


@pytest.mark.parametrize(
    ("text", "opened", "closed"),
    [
        ("måndag 21. desember", [date(2026, 12, 21)], []),
        ("tysdag", [date(2026, 12, 22)], []),
        ("29.12", [date(2026, 12, 29)], []),
        ("2026-12-28", [date(2026, 12, 28)], []),
        ("onsdag", [], [date(2026, 12, 23)]),  # Manger has no desk on Wednesdays
        ("25.12", [], [date(2026, 12, 25)]),  # a public holiday
        ("i går", [], []),
        ("fredag", [], [date(2026, 12, 25)]),  # today is Friday: next Friday (a holiday)
    ],
)
def test_days_typed_as_text(
    kb: KnowledgeBase, text: str, opened: list[date], closed: list[date]
) -> None:
    assert parse_days(text, kb, "manger", TODAY, "nn") == (opened, closed)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Kari Nordmann", "Kari Nordmann"),
        ("  Ola-Per  O'Brien ", "Ola-Per O'Brien"),
        ("Åse Ødegård", "Åse Ødegård"),
        ("12345", None),
        ("[e-postadresse fjerna]", None),
        ("x" * 81, None),
    ],
)
def test_name_is_letters_only(text: str, name: str | None) -> None:
    assert parse_name(text) == name


def _validate(form: ValidateBookingForm, slot: str, tracker: Tracker) -> tuple[dict[str, Any], str]:
    dispatcher = CollectingDispatcher()
    method = getattr(form, f"validate_{slot}")
    result = _run(method(tracker.latest_message["text"], dispatcher, tracker, {}))
    return result, texts(dispatcher)


def test_topic_button_is_accepted(form: ValidateBookingForm, make_tracker: Make) -> None:
    tracker = make_tracker("inform", text="/inform", entities={"booking_value": "helse_omsorg"})
    result, _ = _validate(form, "booking_topic", tracker)
    assert result == {"booking_topic": "helse_omsorg"}


def test_unknown_topic_is_refused_with_a_reason(
    form: ValidateBookingForm, make_tracker: Make
) -> None:
    result, said = _validate(form, "booking_topic", make_tracker("nlu_fallback", text="pizza"))
    assert result == {"booking_topic": None}
    assert "kjenner eg ikkje" in said


def test_closed_day_is_refused_and_says_so(form: ValidateBookingForm, make_tracker: Make) -> None:
    tracker = make_tracker("inform", text="25.12", slots={"booking_place": "knarvik"})
    result, said = _validate(form, "booking_days", tracker)
    assert result == {"booking_days": None}
    assert "fredag 25. desember" in said and "Vel ein annan dag" in said


def test_open_day_button_is_accepted(form: ValidateBookingForm, make_tracker: Make) -> None:
    tracker = make_tracker(
        "inform",
        text="/inform",
        entities={"booking_value": "2026-12-21"},
        slots={"booking_place": "manger"},
    )
    assert _validate(form, "booking_days", tracker)[0] == {"booking_days": "2026-12-21"}


def test_a_forged_closed_day_button_is_refused(
    form: ValidateBookingForm, make_tracker: Make
) -> None:
    tracker = make_tracker(
        "inform",
        text="/inform",
        entities={"booking_value": "2026-12-23"},
        slots={"booking_place": "manger"},
    )
    assert _validate(form, "booking_days", tracker)[0] == {"booking_days": None}


@pytest.mark.parametrize(
    "text", ["avbryt", "Stopp", "glem det", "gløym det", "cancel", "nei, avbryt"]
)
@pytest.mark.parametrize(
    "slot", ["booking_topic", "booking_place", "booking_name", "booking_description"]
)
def test_the_citizen_can_stop_at_any_step(
    form: ValidateBookingForm, make_tracker: Make, slot: str, text: str
) -> None:
    result, _ = _validate(form, slot, make_tracker("nlu_fallback", text=text))
    assert result == {slot: None, "requested_slot": None, "booking_status": "cancelled"}


def test_a_description_mentioning_stopping_is_not_a_stop(
    form: ValidateBookingForm, make_tracker: Make
) -> None:
    text = "vil stoppe byggearbeidet til naboen"
    result, _ = _validate(form, "booking_description", make_tracker("nlu_fallback", text=text))
    assert result == {"booking_description": text}


def test_correcting_the_place_while_asked_for_the_day(
    form: ValidateBookingForm, make_tracker: Make
) -> None:
    tracker = make_tracker(
        "inform", text="nei, eg meinte Manger", slots={"booking_place": "knarvik"}
    )
    result, said = _validate(form, "booking_days", tracker)
    assert result == {"booking_days": None, "booking_place": "manger"}
    assert "endra" in said


@pytest.mark.parametrize(
    ("text", "cleared"),
    [
        ("endre staden", {"booking_place": None, "booking_days": None}),
        ("endre stedet", {"booking_place": None, "booking_days": None}),
        ("change the topic", {"booking_topic": None}),
        ("feil dag", {"booking_days": None}),
    ],
)
def test_change_an_earlier_answer_by_naming_it(
    form: ValidateBookingForm, make_tracker: Make, text: str, cleared: dict[str, Any]
) -> None:
    slots = {"booking_topic": "byggesak", "booking_place": "knarvik", "booking_days": "2026-12-21"}
    result, _ = _validate(form, "booking_name", make_tracker("inform", text=text, slots=slots))
    assert result == {"booking_name": None, **cleared}


def test_description_is_masked(form: ValidateBookingForm, make_tracker: Make) -> None:
    tracker = make_tracker("inform", text="fnr 15038510190, gjeld garasjen")
    result, _ = _validate(form, "booking_description", tracker)
    assert "15038510190" not in result["booking_description"]
    assert "garasjen" in result["booking_description"]


@pytest.mark.parametrize(
    ("entities", "text", "expected"),
    [
        (
            {"booking_value": "send"},
            "/inform",
            {"booking_confirm": "yes", "booking_status": "sent", "booking_editing": False},
        ),
        (
            {},
            "ja, det stemmer",
            {"booking_confirm": "yes", "booking_status": "sent", "booking_editing": False},
        ),
        (
            {"booking_value": "change"},
            "/inform",
            {"booking_confirm": None, "booking_editing": True},
        ),
        (
            {"booking_value": "field:booking_name"},
            "/inform",
            {"booking_confirm": None, "booking_editing": False, "booking_name": None},
        ),
        (
            {},
            "Frekhaug",
            {
                "booking_confirm": None,
                "booking_editing": False,
                "booking_place": "frekhaug",
                "booking_days": None,
            },
        ),
        (
            {"booking_value": "cancel"},
            "/inform",
            {"booking_confirm": None, "requested_slot": None, "booking_status": "cancelled"},
        ),
    ],
)
def test_summary_send_change_or_cancel(
    form: ValidateBookingForm,
    make_tracker: Make,
    entities: dict[str, str],
    text: str,
    expected: dict[str, Any],
) -> None:
    slots = {"booking_topic": "byggesak", "booking_place": "knarvik", "booking_days": "2026-12-21"}
    tracker = make_tracker("inform", text=text, entities=entities, slots=slots)
    assert _validate(form, "booking_confirm", tracker)[0] == expected


@pytest.mark.parametrize(
    ("language", "question", "first_day"),
    [
        ("nn", "Kva dag passar", "måndag 21. desember"),
        ("nb", "Hvilken dag passer", "mandag 21. desember"),
        ("en", "Which day", "Monday 21 December"),
    ],
)
def test_day_question_offers_ten_open_days_as_buttons(
    kb: KnowledgeBase, make_tracker: Make, language: str, question: str, first_day: str
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "inform", text="Manger", slots={"booking_place": "manger", "language": language}
    )
    _run(ActionAskDays(clock=lambda: NOW, knowledge_base=lambda: kb).run(dispatcher, tracker, {}))
    message = dispatcher.messages[0]
    assert message["text"].startswith(question)
    assert len(message["buttons"]) == 10
    assert message["buttons"][0] == {
        "title": first_day,
        "payload": '/inform{"booking_value": "2026-12-21"}',
    }


def test_topic_question_lists_the_knowledge_base_topics(
    kb: KnowledgeBase, make_tracker: Make
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("book_meeting", text="eg vil booke møte")
    _run(ActionAskTopic(clock=lambda: NOW, knowledge_base=lambda: kb).run(dispatcher, tracker, {}))
    titles = [b["title"] for b in dispatcher.messages[-1]["buttons"]]
    assert titles == [t.name.nn for t in kb.meetings.topics]
    assert "avbryt" in dispatcher.messages[0]["text"]


def test_summary_shows_every_answer(kb: KnowledgeBase, make_tracker: Make) -> None:
    slots = {
        "booking_topic": "byggesak",
        "booking_place": "digital",
        "booking_days": "2026-12-21,2026-12-22",
        "booking_name": "Kari Nordmann",
        "booking_description": "Garasje",
    }
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("inform", text="Garasje", slots={**slots, "language": "nb"})
    _run(
        ActionAskConfirm(clock=lambda: NOW, knowledge_base=lambda: kb).run(dispatcher, tracker, {})
    )
    text = dispatcher.messages[0]["text"]
    for part in (
        "Byggesak og eiendom",
        "Digitalt møte",
        "mandag 21. desember og tirsdag 22. desember",
        "Kari Nordmann",
        "Garasje",
    ):
        assert part in text
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == [
        "Send forespørselen",
        "Endre noe",
        "Avbryt",
    ]


@pytest.mark.parametrize(
    ("status", "stored", "said"), [("sent", 1, "Takk!"), ("cancelled", 0, "Ingenting er sendt")]
)
def test_finish_stores_only_a_sent_request(
    kb: KnowledgeBase, make_tracker: Make, status: str, stored: int, said: str
) -> None:
    calls: list[dict[str, Any]] = []
    slots = {
        "booking_topic": "byggesak",
        "booking_place": "manger",
        "booking_days": "2026-12-21",
        "booking_name": "Kari Nordmann",
        "booking_description": "Garasje",
        "booking_confirm": "yes" if status == "sent" else None,
        "booking_status": status,
    }
    finish = ActionBookingFinish(
        clock=lambda: NOW, knowledge_base=lambda: kb, submit=lambda **r: calls.append(r) or 7
    )
    dispatcher = CollectingDispatcher()
    events = _run(finish.run(dispatcher, make_tracker("inform", text="ja", slots=slots), {}))
    assert len(calls) == stored
    assert said in texts(dispatcher)
    assert {e["name"]: e["value"] for e in events}["booking_topic"] is None
    if stored:
        assert calls[0]["conversation_id"] == "test" and calls[0]["days"] == [date(2026, 12, 21)]
        assert dispatcher.messages[-1]["custom"] == {"booking": {"id": 7, "contact": "optional"}}


def test_finish_gives_the_phone_when_storing_fails(kb: KnowledgeBase, make_tracker: Make) -> None:
    def broken(**request: Any) -> int:
        raise RuntimeError("database down")

    slots = {"booking_confirm": "yes", "booking_status": "sent", "booking_days": "2026-12-21"}
    finish = ActionBookingFinish(clock=lambda: NOW, knowledge_base=lambda: kb, submit=broken)
    dispatcher = CollectingDispatcher()
    _run(finish.run(dispatcher, make_tracker("inform", text="ja", slots=slots), {}))
    assert "Ring oss på" in texts(dispatcher)
