"""Emergency precision and topics the knowledge base lacks (precision4, issue 7).

An emergency word in an everyday errand ("politiattest", "bot", "feiar", a name like
"Brannvoll") never gives the emergency numbers; an acute emergency the classifier missed
("mor mi har fått hjarteinfarkt") does; a topic the knowledge base lacks that looks like its
own ("septiktanken") gets no FAQ or service answer.
"""

from __future__ import annotations

from datetime import date

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.dates import find_dates
from bot.entities import Match
from bot.kb import KnowledgeBase
from bot.nlu.emergency_guard import has_emergency_meaning, is_acute_emergency
from bot.nlu.faq_match import lacking_topics, match_faq
from bot.nlu.kb_entity_extractor import _trusted
from bot.nlu.topic_guard import TopicGuard, TopicVocabulary


@pytest.mark.parametrize(
    "text",
    [
        "politiet har skrive ut ei bot til meg",
        "jeg fikk en parkeringsbot av politiet",
        "hvor søker jeg om politiattest",
        "the police gave me a parking ticket",
        "how do i get a police certificate",
        "eg heiter Kari Brannvoll, kva er telefonnummeret",
        "jeg heter ole brannstad og lurer på e-posten",
        "er det lov å brenne hageavfall",
        "is it allowed to burn leaves in the garden",
        "kan barnehagen besøke brannstasjonen",
        "når kjem branntilsynet",
        "kor mykje kostar ny røykvarslar",
        "kven eig brannhydranten",
        "eg vil byte fastlege",
        "jobbar som sjukepleiar, har de ledige stillingar",
        "jobber dere med ambulansetjenesten",
        "kvar kjøper eg brennevin",
        "vann brann kampen i går",
        "kan du skrive eit dikt om ein skogbrann",
        "kven har ansvar for trafikkulykker på fylkesvegen",
        "bilen vart skadd, korleis melder eg det til forsikringa",
        "finst det kurs i førstehjelp ved hjartestans",
    ],
)
def test_errands_near_the_emergency_services_have_no_emergency_meaning(text: str) -> None:
    assert not has_emergency_meaning(text)
    assert not is_acute_emergency(text)


@pytest.mark.parametrize(
    "text",
    [
        "mor mi har fått hjarteinfarkt",
        "nokon bryt seg inn hjå naboen",
        "det kjem røyk ut av straumskapet",
        "skogbrann ved vegen",
        "det brenner i søppelkassa",
        "kona mi får ikke puste",
        "det står en mann med kniv utenfor",
        "someone is having a stroke",
        "there was a car crash, people are hurt",
        "the house next door is on fire",
        "veslebror har drukke reinsemiddel",
        "det brenn i pipa",  # a chimney fire: the errand word does not calm an acute one
        "politiet må kome, nokon truga meg med kniv",
        "ring 113",
        "det er slåsskamp utanfor puben",
        "ho har hjartestans",
    ],
)
def test_acute_emergencies_are_recognised(text: str) -> None:
    assert has_emergency_meaning(text)
    assert is_acute_emergency(text)


@pytest.mark.parametrize(
    "text",
    [
        "kva er nummeret til legevakta",
        "eg er sjuk og fastlegen er stengd",
        "treng lege",
        "eg skal ta blodprøve hjå legen",  # "blod" with a long ending is no acute word
    ],
)
def test_emergency_meaning_that_is_not_acute(text: str) -> None:
    assert has_emergency_meaning(text)
    assert not is_acute_emergency(text)


class _Store:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def get(self) -> KnowledgeBase:
        return self.kb


def _guarded(kb: KnowledgeBase, text: str, ranking: list[tuple[str, float]]) -> str:
    rows = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    message = Message(data={"text": text, "intent": rows[0], "intent_ranking": rows})
    guard = TopicGuard({}, None, None, _Store(kb), TopicVocabulary({}))  # type: ignore[arg-type]
    guard.guard(message)
    return str(message.get("intent")["name"])


@pytest.mark.parametrize(
    ("text", "ranking", "expected"),
    [
        # an acute emergency the classifier did not recognise: the emergency answer
        ("mor mi har fått hjarteinfarkt", [("nlu_fallback", 0.5)], "ask_emergency"),
        ("skogbrann ved vegen til manger", [("ask_municipal_topic", 0.6)], "ask_emergency"),
        ("someone is having a stroke", [("nlu_fallback", 0.4)], "ask_emergency"),
        ("someone is having a stroke, what number", [("request_human", 0.6)], "ask_emergency"),
        ("can someone call me back", [("request_human", 0.6)], "request_human"),
        # ... but not from out_of_scope, where the classifier was sure of another topic
        ("skriv ein song om ein brann", [("out_of_scope", 0.7)], "out_of_scope"),
        # an errand stays where it was, and the emergency intent loses it
        ("politiet har gitt meg bot", [("ask_emergency", 0.8), ("ask_municipal_topic", 0.1)],
         "nlu_fallback"),
        ("kan vi besøke brannstasjonen", [("ask_municipal_topic", 0.7)], "ask_municipal_topic"),
        ("er det lov å brenne bål", [("out_of_scope", 0.7)], "out_of_scope"),
        # a topic the knowledge base lacks is no desk question
        ("når blir septiktanken tømd", [("ask_opening_hours", 0.6)], "ask_municipal_topic"),
    ],
)  # fmt: skip
def test_guard_on_acute_emergencies_and_errands(
    kb: KnowledgeBase, text: str, ranking: list[tuple[str, float]], expected: str
) -> None:
    assert _guarded(kb, text, ranking) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("når tømmes slamavskilleren", None),
        ("når blir septiktanken tømd", None),
        ("when is the septic tank emptied", None),
        ("når kjem barnetrygda", None),
        ("når kommer skatteoppgjøret", None),
        # the FAQ's own topics still match
        ("når blir bosset henta", "renovasjon"),
        ("tømmeplan for adressa mi", "renovasjon"),
        ("kan jeg sende skjemaer på mail", "sende_dokument_digitalt"),
        ("når må eg betale eigedomsskatt", "eigedomsskatt"),
    ],
)
def test_faq_never_answers_a_topic_the_knowledge_base_lacks(
    kb: KnowledgeBase, text: str, expected: str | None
) -> None:
    match = match_faq(text, kb)
    assert (match.entry.id if match else None) == expected


def test_lacking_topics_finds_stems_inside_compounds() -> None:
    assert lacking_topics("septiktanken vår") != []
    assert lacking_topics("når kjem bossbilen") == []


@pytest.mark.parametrize(
    ("text", "said", "score", "trusted"),
    [
        # a compound synonym's tail ("byggetillatelse") alone is another topic
        ("løyve og tillatelse til å selge øl", "tillatelse", 80.0, False),
        # a topic the knowledge base lacks that the service's words do not name
        ("skjema for å søkje om skjenkeløyve", "skjema", 100.0, False),
        # the service's own words
        ("må eg søkje byggeløyve for garasje", "garasje", 100.0, True),
        ("byggesøknad", "byggesøknad", 100.0, True),
    ],
)
def test_service_matches_need_the_services_own_topic(
    kb: KnowledgeBase, text: str, said: str, score: float, trusted: bool
) -> None:
    service = "byggesak" if said != "skjema" else "skjema"
    match = Match("service", service, 0, len(said), said, score)
    assert _trusted(match, text, kb) is trusted


@pytest.mark.parametrize(
    ("text", "meaning"),
    [
        # the police station's hours or address: an errand
        ("når har politiet åpent", False),
        ("kva er opningstidene til politiet i knarvik", False),
        ("kva er adressa til lensmannen", False),
        ("what are the opening hours of the police station", False),
        ("where is the police station located", False),
        # ... unless something is happening now, or no hours or address is asked for
        ("politiet må komme, det er innbrot no og døra er open", True),
        ("ring politiet", True),
        ("kor er politiet, eg treng hjelp", True),
        # the legevakt's hours keep the emergency answer, which gives its number
        ("når har legevakta ope", True),
    ],
)
def test_the_police_stations_hours_are_an_errand(text: str, meaning: bool) -> None:
    assert has_emergency_meaning(text) is meaning


def test_the_police_stations_hours_never_get_the_desks_hours(kb: KnowledgeBase) -> None:
    assert _guarded(kb, "når har politiet åpent", [("ask_opening_hours", 0.8)]) == (
        "ask_municipal_topic"
    )


@pytest.mark.parametrize("text", ["fyrste mai", "er de stengt første mai", "first of may"])
def test_first_of_may_in_words_is_labour_day(text: str) -> None:
    (ref,) = find_dates(text, date(2026, 11, 27))
    assert (ref.start, ref.name) == (date(2027, 5, 1), "labour_day")


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        # another place's hours or address is not the desk's, even with a desk's place named
        ("når har tannlegen på frekhaug ope", "ask_opening_hours", "ask_municipal_topic"),
        ("when does the pharmacy in knarvik close", "ask_opening_hours", "ask_municipal_topic"),
        ("is the church in manger open on christmas eve", "ask_opening_hours",
         "ask_municipal_topic"),
        ("kvar ligg nav-kontoret", "ask_location", "ask_municipal_topic"),
        # the desk itself, and the way to it, stay
        ("når har kontoret på frekhaug ope", "ask_opening_hours", "ask_opening_hours"),
        ("kan eg ta bussen til kontoret på manger", "ask_location", "ask_location"),
        ("kvar er innbyggjarservice i knarvik", "ask_location", "ask_location"),
    ],
)  # fmt: skip
def test_another_venue_never_gets_the_desks_hours(
    kb: KnowledgeBase, text: str, intent: str, expected: str
) -> None:
    assert _guarded(kb, text, [(intent, 0.8)]) == expected
