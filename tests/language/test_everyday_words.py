"""Citizens' everyday words (standard3, issue 7): FAQ synonyms, service words, emergencies.

The FAQ matches new phrasings through knowledge_base/faq.yml's synonyms (closing words,
deadlines, inflected forms, English); bot/nlu/service_words.yml names a service in
English or everyday words; bot/nlu/emergency_words.yml gives a burglary emergency meaning.
Each table has cases that must NOT match: a wrong fact is worse than no answer.
"""

from __future__ import annotations

import pytest
import yaml

from actions.faq import match_faq
from bot.kb import KnowledgeBase
from bot.nlu.emergency_guard import has_emergency_meaning
from bot.nlu.service_words import SERVICE_WORDS, extra_service_matches

FAQ_CASES = [
    ("when will they empty our bin", "renovasjon"),
    ("what is the deadline for the kindergarten", "barnehageplass"),
    ("søknadsfristen for barnehagen", "barnehageplass"),
    ("ungen vår skal begynne i barnehage til hausten", "barnehageplass"),
    ("hvor mye er eiendomsskatten på hytta", "eigedomsskatt"),
    ("kvifor stenger de så tidleg", "kortare_opningstid"),
    ("why do you shut so early", "kortare_opningstid"),
    ("kan eg levere dokumenta på e-post", "sende_dokument_digitalt"),
    # Never an unrelated FAQ: "tomt" (a plot) is not "tømt", opening is not closing.
    ("har kommunen ledige tomter", None),
    ("kjøpe tomt på frekhaug", None),
    ("når er det ope i dag", None),
    ("når stenger dere", None),
    ("er vegen stengd", None),
    ("når er fristen for å klage på skatten", None),
]


@pytest.mark.parametrize(("text", "expected"), FAQ_CASES)
def test_faq_matches_everyday_words(kb: KnowledgeBase, text: str, expected: str | None) -> None:
    found = match_faq(text, kb)
    assert (found.entry.id if found else None) == expected


SERVICE_CASES = [
    ("where can I download the forms", ["skjema"]),
    ("how do I apply for a building permit", ["byggesak"]),
    ("how do i log in", ["min_side"]),
    ("hvor ser jeg sakene mine", ["min_side"]),
    ("korleis sjekkar eg inn på rådhuset", ["digitalt_kundemottak"]),
    ("can I book an appointment", ["booking"]),
    ("when is the office open", []),
    ("kva tid opnar kontoret", []),
    ("formannskapet", []),
]


@pytest.mark.parametrize(("text", "expected"), SERVICE_CASES)
def test_everyday_words_name_a_service(kb: KnowledgeBase, text: str, expected: list[str]) -> None:
    found = extra_service_matches(text, {service.id for service in kb.services})
    assert [match.value for match in found] == expected
    for match in found:
        assert text[match.start : match.end] == match.text


def test_service_words_name_only_services_of_the_knowledge_base(kb: KnowledgeBase) -> None:
    listed = yaml.safe_load(SERVICE_WORDS.read_text(encoding="utf-8"))["services"]
    assert set(listed) <= {service.id for service in kb.services}


def test_service_words_ignore_a_service_the_knowledge_base_lacks() -> None:
    assert extra_service_matches("where are the forms", {"byggesak"}) == []


@pytest.mark.parametrize(
    ("text", "meaning"),
    [
        ("noen har brutt seg inn i huset", True),
        ("nokon stjal bilen min no", True),
        ("we were robbed", True),
        ("saksnummer 2026/1234", False),
        ("når er kontoret ope", False),
    ],
)
def test_burglary_has_emergency_meaning(text: str, meaning: bool) -> None:
    assert has_emergency_meaning(text) is meaning


class _Store:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def get(self) -> KnowledgeBase:
        return self.kb


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # how to use a service at a place: the service, not the place's address
        ("hvordan registrerer jeg meg når jeg kommer til rådhuset", "ask_service"),
        ("where do I check in at the town hall", "ask_service"),
        # a word for the desk that is also a service synonym still asks where
        ("hvor er skranke på manger", "ask_location"),
        ("kor er kontoret i knarvik", "ask_location"),
    ],
)
def test_a_service_named_at_a_place_is_a_service_question(
    kb: KnowledgeBase, text: str, expected: str
) -> None:
    from rasa.shared.nlu.training_data.message import Message

    from bot.entities import extract
    from bot.nlu.topic_guard import TopicGuard, TopicVocabulary

    found = extract(text, kb) + extra_service_matches(text, {s.id for s in kb.services})
    entities = [
        {"entity": m.entity, "value": m.value, "start": m.start, "end": m.end} for m in found
    ]
    ranking = [
        {"name": "ask_location", "confidence": 0.7},
        {"name": "ask_service", "confidence": 0.2},
    ]
    message = Message(
        data={"text": text, "intent": ranking[0], "intent_ranking": ranking, "entities": entities}
    )
    guard = TopicGuard({}, None, None, _Store(kb), TopicVocabulary({}))  # type: ignore[arg-type]
    guard.guard(message)
    assert message.get("intent")["name"] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("når tømmer de bospannet", None),  # "tømmer" is Nynorsk too: no signal
        ("plass i sfo til høsten", "nb"),
        ("plass i sfo til hausten", "nn"),
        ("postadressen til kommunen", "nb"),
        ("postadressa til kommunen", "nn"),
        ("sakspapirer til formannskapet", "nb"),
    ],
)
def test_forms_of_one_standard_in_compounds_and_seasons(text: str, expected: str | None) -> None:
    from bot.language import detect

    assert detect(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("openign hours knarvik", "en"),
        ("whre is the ofice", "en"),
        ("adress of the office", "en"),
        # Norwegian typos stay Norwegian; a Norwegian word is no English typo
        ("hvrodan kan jeg", "nb"),
        ("opnigstider knarvik", "nn"),
        ("opning knarvik", None),
        ("telefonumer til komunen", None),
    ],
)
def test_typos_of_long_english_words_count_for_english(text: str, expected: str | None) -> None:
    from bot.language import detect

    assert detect(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a price asked: only an FAQ entry about money answers it
        ("what does the kindergarten cost", None),
        ("kva kostar barnehageplass", None),
        ("hvor mye koster eiendomsskatten", "eigedomsskatt"),
        ("når må jeg betale eiendomsskatt", "eigedomsskatt"),
        ("søke barnehageplass", "barnehageplass"),
    ],
)
def test_a_price_question_gets_only_an_faq_about_money(
    kb: KnowledgeBase, text: str, expected: str | None
) -> None:
    found = match_faq(text, kb)
    assert (found.entry.id if found else None) == expected


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        ("kva kostar ein byggesøknad", "nettsida til kommunen", "Byggesøknader kan du sende"),
        ("korleis sender eg ein byggesøknad", "Byggesøknader kan du sende", "diverre"),
    ],
)
def test_service_answer_is_not_given_for_a_price(
    kb: KnowledgeBase, make_tracker: object, text: str, expected: str, absent: str
) -> None:
    import asyncio
    from datetime import datetime

    from rasa_sdk.executor import CollectingDispatcher

    from actions.services import ActionService

    action = ActionService(clock=lambda: datetime(2026, 11, 26, 10), knowledge_base=lambda: kb)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("ask_service", text=text, entities={"service": "byggesak"})  # type: ignore[operator]
    asyncio.run(action.run(dispatcher, tracker, {}))
    said = " ".join(str(m.get("text") or "") for m in dispatcher.messages)
    assert expected in said
    assert absent not in said
