"""Every custom action, with a fixed clock, in both written standards (and English)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import KnowledgeBaseAction
from actions.contact import ActionContact, ActionEmergency, ActionPhone, ActionPost
from actions.fallback import ActionNotUnderstood
from actions.handoff import ActionDeclineHandoff, ActionHandOff, ActionOfferHandoff
from actions.opening_hours import ActionOpeningHours
from actions.services import ActionService
from bot.kb import KnowledgeBase
from bot.kb.hours import OSLO
from tests.conftest import THURSDAY_MORNING, texts

Build = Callable[..., Tracker]
Make = Callable[..., KnowledgeBaseAction]


@pytest.fixture
def make(kb: KnowledgeBase) -> Make:
    """Builds an action on the fixture knowledge base at a fixed moment (Thursday 10:00)."""

    def build(
        cls: type[KnowledgeBaseAction], moment: datetime = THURSDAY_MORNING
    ) -> KnowledgeBaseAction:
        return cls(clock=lambda: moment, knowledge_base=lambda: kb)

    return build


def run(
    action: Action, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
) -> dict[str, Any]:
    events = asyncio.run(action.run(dispatcher, tracker, domain))
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.fixture
def hours(
    make: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any], make_tracker: Build
):
    """Runs action_opening_hours (at ``moment``) and returns (text, slots)."""

    def ask(
        intent: str = "ask_opening_hours", moment: datetime = THURSDAY_MORNING, **kwargs: Any
    ) -> tuple[str, dict[str, Any]]:
        action = make(ActionOpeningHours, moment)
        slots = run(action, dispatcher, make_tracker(intent, **kwargs), domain)
        return texts(dispatcher), slots

    return ask


def test_all_desks(hours: Any) -> None:
    text, slots = hours()
    assert "Opningstider for innbyggjarservice" in text
    assert "Knarvik (Knarvik Senter): måndag–fredag kl. 09.00–15.00" in text
    assert "Manger (kommunehuset på Manger): måndag, tysdag og torsdag kl. 09.00–15.00" in text
    assert "Frekhaug (kommunehuset på Frekhaug): onsdag og fredag kl. 09.00–15.00" in text
    assert "56 37 50 00" in text
    assert slots["asked_location"] is None and "last_topic" not in slots


def test_one_place_in_bokmal(hours: Any) -> None:
    text, slots = hours(entities={"location": "manger"}, slots={"language": "nb"})
    assert text == (
        "Innbyggerservice på Manger (kommunehuset på Manger) har åpent mandag, tirsdag og torsdag "
        "kl. 09.00–15.00."
    )
    assert slots["asked_location"] == "manger"


@pytest.mark.parametrize(
    ("location", "weekday", "expected"),
    [
        (
            "manger",
            "wednesday",
            "Nei, innbyggjarservice på Manger har ikkje ope på onsdag. "
            "Der er det ope måndag, tysdag og torsdag kl. 09.00–15.00.",
        ),
        ("manger", "tuesday", "Ja, innbyggjarservice på Manger har ope på tysdag kl. 09.00–15.00."),
        (
            "frekhaug",
            "friday",
            "Ja, innbyggjarservice på Frekhaug har ope på fredag kl. 09.00–15.00.",
        ),
        ("knarvik", "saturday", "Nei, innbyggjarservice i Knarvik har ikkje ope på laurdag."),
    ],
)
def test_open_on_weekday(hours: Any, location: str, weekday: str, expected: str) -> None:
    text, _ = hours(entities={"location": location, "weekday": weekday})
    assert text.startswith(expected)


def test_which_desks_on_a_weekday(hours: Any) -> None:
    text, _ = hours(entities={"weekday": "wednesday"})
    assert (
        text == "På onsdag har innbyggjarservice ope i Knarvik kl. 09.00–15.00 "
        "og på Frekhaug kl. 09.00–15.00."
    )


def test_open_now_and_closed_now(hours: Any) -> None:
    text, _ = hours("ask_open_now", entities={"location": "knarvik"})
    assert text == "Ja, innbyggjarservice i Knarvik er open no, fram til kl. 15.00."


def test_closed_now_gives_next_opening(hours: Any) -> None:
    text, _ = hours("ask_open_now", entities={"location": "frekhaug"})
    assert (
        text
        == "Nei, innbyggjarservice på Frekhaug er stengd no. Neste opning er i morgon kl. 09.00."
    )


def test_closed_on_a_holiday_says_why(hours: Any) -> None:
    ascension_day = datetime(2026, 5, 14, 10, 0, tzinfo=OSLO)  # a Thursday
    text, _ = hours("ask_open_now", ascension_day, entities={"location": "knarvik"})
    assert "stengd no" in text and "Neste opning er i morgon kl. 09.00" in text
    assert "Kristi himmelfartsdag" in text


def test_today_after_closing(hours: Any) -> None:
    moment = datetime(2026, 11, 26, 16, 0, tzinfo=OSLO)
    text, _ = hours("ask_open_now", moment, entities={"location": "knarvik", "time_ref": "today"})
    assert "I dag har innbyggjarservice i Knarvik ope kl. 09.00–15.00." in text
    assert "stengd no" in text and "i morgon kl. 09.00" in text


def test_tomorrow_on_christmas_eve_exception(hours: Any) -> None:
    moment = datetime(2026, 12, 23, 12, 0, tzinfo=OSLO)
    entities = {"location": "knarvik", "time_ref": "tomorrow"}
    text, _ = hours("ask_open_now", moment, entities=entities)
    assert "I morgon er innbyggjarservice i Knarvik stengd" in text
    assert "julaftan" in text
    assert "måndag 28. desember kl. 10.00" in text  # romjul hours


def test_follow_up_keeps_the_question_and_changes_the_place(hours: Any) -> None:
    text, _ = hours(
        "inform",
        entities={"location": "knarvik"},
        slots={"asked_location": "manger", "asked_weekday": "wednesday"},
    )
    assert text.startswith("Ja, innbyggjarservice i Knarvik har ope på onsdag")


def test_follow_up_changes_the_day(hours: Any) -> None:
    text, _ = hours(
        "inform", entities={"weekday": "thursday"}, slots={"asked_location": "frekhaug"}
    )
    assert text.startswith("Nei, innbyggjarservice på Frekhaug har ikkje ope på torsdag.")


def test_town_hall_has_no_desk(hours: Any) -> None:
    text, _ = hours(entities={"location": "radhuset"})
    assert "digitalt kundemottak" in text
    assert "Innbyggjarservice har ikkje skranke på Alver rådhus." in text
    assert "Knarvik (Knarvik Senter)" in text


def test_english(hours: Any) -> None:
    text, _ = hours(entities={"location": "frekhaug"}, slots={"language": "en"})
    assert text == (
        "The service desk at Frekhaug (the municipal building at Frekhaug) is open Wednesday and "
        "Friday, 09.00–15.00."
    )


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 11, 26, 10, 0, tzinfo=OSLO), "Akkurat no er telefonen open."),
        (
            datetime(2026, 11, 27, 15, 30, tzinfo=OSLO),
            "Han opnar att måndag 30. november kl. 09.00.",
        ),
    ],
)
def test_phone(
    make: Make,
    dispatcher: CollectingDispatcher,
    domain: dict[str, Any],
    make_tracker: Build,
    moment: datetime,
    expected: str,
) -> None:
    run(make(ActionPhone, moment), dispatcher, make_tracker("ask_phone"), domain)
    text = texts(dispatcher)
    assert "56 37 50 00" in text and "måndag–fredag kl. 09.00–15.00" in text
    assert expected in text


def test_contact_post_emergency_bokmal(
    make: Make, domain: dict[str, Any], make_tracker: Build
) -> None:
    cases = [
        (
            make(ActionContact),
            [
                "post@alver.kommune.no",
                "https://www.alver.kommune.no",
                "56 37 50 00",
                "Slik kontakter du",
            ],
        ),
        (make(ActionPost), ["post@alver.kommune.no", "Postadressen er"]),
        (
            make(ActionEmergency),
            ["113", "110", "112", "Legevakten har telefon 116 117", "nødnummeret"],
        ),
    ]
    for action, expected in cases:
        dispatcher = CollectingDispatcher()
        run(action, dispatcher, make_tracker("x", slots={"language": "nb"}), domain)
        for fragment in expected:
            assert fragment in texts(dispatcher), (action.name(), fragment)


def test_service_by_entity(
    make: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any], make_tracker: Build
) -> None:
    slots = run(
        make(ActionService),
        dispatcher,
        make_tracker("ask_service", entities={"service": "min_side"}),
        domain,
    )
    assert "ID-porten" in texts(dispatcher) and "Les meir: https://" in texts(dispatcher)
    assert slots == {}


def test_service_falls_back_to_faq(
    make: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any], make_tracker: Build
) -> None:
    run(
        make(ActionService),
        dispatcher,
        make_tracker("ask_service", text="korleis søkjer eg om barnehageplass"),
        domain,
    )
    assert "barnehageplass" in texts(dispatcher)


def test_service_unknown_asks_which(
    make: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any], make_tracker: Build
) -> None:
    run(
        make(ActionService),
        dispatcher,
        make_tracker("ask_service", text="eg lurer på ei teneste"),
        domain,
    )
    assert dispatcher.messages[0]["text"].startswith("Kva teneste gjeld det?")
    assert len(dispatcher.messages[0]["buttons"]) == 5


def test_not_understood_answers_a_faq(
    make: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any], make_tracker: Build
) -> None:
    slots = run(
        make(ActionNotUnderstood),
        dispatcher,
        make_tracker("nlu_fallback", text="når forfell eigedomsskatten"),
        domain,
    )
    assert "eigedomsskatt" in texts(dispatcher)
    assert slots == {"missed_before": None}


def test_not_understood_first_time_asks_to_rephrase(
    make: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any], make_tracker: Build
) -> None:
    slots = run(
        make(ActionNotUnderstood),
        dispatcher,
        make_tracker("nlu_fallback", text="blåbærsyltetøy"),
        domain,
    )
    assert (
        texts(dispatcher)
        == "Eg er ikkje sikker på at eg forstod deg. Kan du seie det på ein annan måte?"
    )
    assert slots == {"missed_before": True}


def test_out_of_scope_never_states_an_unrelated_fact(
    make: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any], make_tracker: Build
) -> None:
    tracker = make_tracker(
        "out_of_scope", text="kva kostar pizza i knarvik", entities={"location": "knarvik"}
    )
    run(make(ActionNotUnderstood), dispatcher, tracker, domain)
    text = texts(dispatcher)
    assert text.startswith("Det kan eg diverre ikkje svare på.")
    assert "09.00" not in text and "56 37 50 00" not in text


def test_second_miss_offers_a_person(
    make: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any], make_tracker: Build
) -> None:
    tracker = make_tracker("nlu_fallback", text="qwerty", slots={"missed_before": True})
    slots = run(make(ActionNotUnderstood), dispatcher, tracker, domain)
    assert "set deg over til ein person" in texts(dispatcher)
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/affirm", "/deny"]
    assert slots == {"missed_before": None, "pending_question": "handoff_not_understood"}


def test_offer_then_accept_sends_the_handoff_payload(
    make: Make, domain: dict[str, Any], make_tracker: Build
) -> None:
    offer = CollectingDispatcher()
    slots = run(
        make(ActionOfferHandoff),
        offer,
        make_tracker("request_human", slots={"language": "nb"}),
        domain,
    )
    assert "Vil du at jeg setter deg over" in texts(offer)
    assert slots == {"pending_question": "handoff_requested"}

    accept = CollectingDispatcher()
    tracker = make_tracker("affirm", slots={"language": "nb", **slots})
    slots = run(make(ActionHandOff), accept, tracker, domain)
    assert accept.messages[0]["custom"] == {"handoff": {"reason": "requested", "language": "nb"}}
    assert "56 37 50 00" in texts(accept) and "åpen nå, frem til kl. 15.00" in texts(accept)
    assert slots == {"pending_question": "nothing"}


def test_accept_after_two_misses_gives_that_reason(
    make: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any], make_tracker: Build
) -> None:
    tracker = make_tracker("affirm", slots={"pending_question": "handoff_not_understood"})
    run(make(ActionHandOff), dispatcher, tracker, domain)
    assert dispatcher.messages[0]["custom"] == {
        "handoff": {"reason": "not_understood", "language": "nn"}
    }


def test_accept_outside_hours_gives_next_opening(
    make: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any], make_tracker: Build
) -> None:
    saturday = datetime(2026, 11, 28, 11, 0, tzinfo=OSLO)
    tracker = make_tracker("affirm", slots={"pending_question": "handoff_requested"})
    run(make(ActionHandOff, saturday), dispatcher, tracker, domain)
    assert "Telefonen 56 37 50 00 opnar att måndag 30. november kl. 09.00" in texts(dispatcher)


def test_decline(
    make: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any], make_tracker: Build
) -> None:
    tracker = make_tracker("deny", slots={"pending_question": "handoff_requested"})
    slots = run(make(ActionDeclineHandoff), dispatcher, tracker, domain)
    assert texts(dispatcher) == "Greitt! Spør meg gjerne om noko anna."
    assert not any("custom" in m and m["custom"] for m in dispatcher.messages)
    assert slots == {"pending_question": "nothing"}


def test_actions_work_with_their_defaults() -> None:
    """rasa_sdk creates actions without arguments: the live clock and knowledge base."""
    action = ActionPhone()
    assert action.clock().tzinfo is not None
    assert action.knowledge_base().contact.phone


def test_every_domain_action_is_implemented(domain: dict[str, Any]) -> None:
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    assert set(domain["actions"]) <= set(executor.actions)


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("kan eg sende brev på e-post", "email"),
        ("kvifor har innbyggjarservice kortare opningstid", "phone_hours"),
    ],
)
def test_faq_answers_state_facts_from_the_knowledge_base(
    make: Make,
    dispatcher: CollectingDispatcher,
    domain: dict[str, Any],
    make_tracker: Build,
    kb: KnowledgeBase,
    text: str,
    fact: str,
) -> None:
    run(make(ActionNotUnderstood), dispatcher, make_tracker("nlu_fallback", text=text), domain)
    answer = texts(dispatcher)
    expected = {"email": kb.contact.email, "phone_hours": "09.00–15.00"}[fact]
    assert expected in answer
    assert "{" not in answer and "}" not in answer


def test_two_places_named_get_both_answers(
    make: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any], make_tracker: Build
) -> None:
    tracker = make_tracker("ask_opening_hours", entities={"location": "manger"})
    tracker.latest_message["entities"].append(
        {"entity": "location", "value": "frekhaug", "start": 2, "end": 3}
    )
    run(make(ActionOpeningHours), dispatcher, tracker, domain)
    text = texts(dispatcher)
    assert text.index("på Manger") < text.index("på Frekhaug")
    assert "måndag, tysdag og torsdag" in text and "onsdag og fredag" in text
    assert "Knarvik" not in text


def _where(
    make: Make, domain: dict[str, Any], make_tracker: Build, language: str, *places: str
) -> str:
    from actions.location import ActionLocation

    tracker = make_tracker("ask_location", slots={"language": language})
    for place in places:
        tracker.latest_message["entities"].append(
            {"entity": "location", "value": place, "start": 0, "end": 1}
        )
    dispatcher = CollectingDispatcher()
    run(make(ActionLocation), dispatcher, tracker, domain)
    return texts(dispatcher)


@pytest.mark.parametrize(
    ("language", "place", "expected"),
    [
        (
            "nn",
            "knarvik",
            "Innbyggjarservice i Knarvik: Knarvik Senter, Knarvik. Ope måndag–fredag",
        ),
        (
            "nb",
            "manger",
            "Innbyggerservice på Manger: Kommunehuset på Manger. Åpent mandag, tirsdag",
        ),
        (
            "en",
            "frekhaug",
            "The service desk at Frekhaug: The municipal building at Frekhaug. Open",
        ),
        ("nn", "radhuset", "Alver rådhus: Alver rådhus, Knarvik. Her har ikkje innbyggjarservice"),
    ],
)
def test_where_is_one_place(
    make: Make,
    domain: dict[str, Any],
    make_tracker: Build,
    kb: KnowledgeBase,
    language: str,
    place: str,
    expected: str,
) -> None:
    text = _where(make, domain, make_tracker, language, place)
    location = kb.location(place)
    assert location is not None and location.address is not None
    assert text.startswith(expected)
    assert location.address.map_url in text
    others = [loc.address.map_url for loc in kb.locations if loc.id != place and loc.address]
    assert not [url for url in others if url in text]  # no other place is answered


def test_where_are_all_desks_and_the_town_hall(
    make: Make, domain: dict[str, Any], make_tracker: Build, kb: KnowledgeBase
) -> None:
    text = _where(make, domain, make_tracker, "nn")
    assert text.startswith("Her finn du innbyggjarservice:")
    for location in kb.locations:
        assert location.address is not None and location.address.map_url in text
    assert "• Manger: Kommunehuset på Manger, ope måndag, tysdag og torsdag" in text
    assert text.index("Frekhaug") < text.index("Alver rådhus")  # desks first


def test_where_are_two_places(make: Make, domain: dict[str, Any], make_tracker: Build) -> None:
    text = _where(make, domain, make_tracker, "nb", "frekhaug", "manger")
    assert text.index("på Frekhaug:") < text.index("på Manger:")
    assert "Knarvik" not in text


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (
            "nn",
            "korleis søkjer eg om startlån",
            "Det har eg diverre ikkje informasjon om. Prøv søket på nettsida til kommunen: "
            "https://www.alver.kommune.no/sok?q=startl%C3%A5n\nDu kan også ringje 56 37 50 00",
        ),
        (
            "nb",
            "når er neste kommunestyremøte",
            "Det har jeg dessverre ikke informasjon om. Prøv søket på kommunens nettside: "
            "https://www.alver.kommune.no/sok?q=neste+kommunestyrem%C3%B8te\nDu kan også ringe",
        ),
        ("en", "council meeting", "Sorry, I don't have information about that."),
    ],
)
def test_municipal_topic_not_covered_says_so_with_search_and_phone(
    make: Make,
    dispatcher: CollectingDispatcher,
    domain: dict[str, Any],
    make_tracker: Build,
    language: str,
    text: str,
    expected: str,
) -> None:
    from actions.fallback import ActionMunicipalTopic

    tracker = make_tracker("ask_municipal_topic", text=text, slots={"language": language})
    run(make(ActionMunicipalTopic), dispatcher, tracker, domain)
    answer = texts(dispatcher)
    assert answer.startswith(expected)
    assert "barnehage" not in answer and not any(m.get("buttons") for m in dispatcher.messages)


def test_municipal_topic_in_the_faq_is_answered(
    make: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any], make_tracker: Build
) -> None:
    from actions.fallback import ActionMunicipalTopic

    tracker = make_tracker("ask_municipal_topic", text="når kjem bossbilen til oss")
    run(make(ActionMunicipalTopic), dispatcher, tracker, domain)
    assert texts(dispatcher).startswith("Tømmeplan og svar om avfall")


def test_service_question_on_a_topic_the_kb_lacks_is_not_the_menu(
    make: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any], make_tracker: Build
) -> None:
    run(
        make(ActionService),
        dispatcher,
        make_tracker("ask_service", text="kommunestyremøte"),
        domain,
    )
    assert texts(dispatcher).startswith("Det har eg diverre ikkje informasjon om.")
    assert "kommunestyrem%C3%B8te" in texts(dispatcher)
    assert not dispatcher.messages[0].get("buttons")


def test_low_confidence_municipal_guess_is_honest_not_rephrase(
    make: Make, dispatcher: CollectingDispatcher, domain: dict[str, Any], make_tracker: Build
) -> None:
    tracker = make_tracker("nlu_fallback", text="reguleringsplanen for feltet")
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.3},
        {"name": "ask_municipal_topic", "confidence": 0.28},
        {"name": "out_of_scope", "confidence": 0.2},
    ]
    slots = run(make(ActionNotUnderstood), dispatcher, tracker, domain)
    assert "reguleringsplanen+feltet" in texts(dispatcher)
    assert slots == {"missed_before": True}
