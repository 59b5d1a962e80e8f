"""Places, services, weekdays and time words, typo-tolerant, from the knowledge base."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.entities import extract
from bot.kb import KnowledgeBase, load_knowledge_base
from bot.kb.models import Location, Text
from tests.conftest import KB_DIR

CASES = [
    ("er manger ope på onsdag", {("location", "manger"), ("weekday", "wednesday")}),
    ("opningstider frekhag", {("location", "frekhaug")}),
    ("knarvk", {("location", "knarvik")}),
    ("mangar", {("location", "manger")}),
    ("er det ope på knarvik senter no", {("location", "knarvik"), ("time_ref", "now")}),
    ("eg har avtale på rådhuset", {("service", "digitalt_kundemottak")}),
    ("kva er opningstida på radhuset", {("location", "radhuset")}),
    ("har dokke ope i morgon", {("time_ref", "tomorrow")}),
    ("åpent i dag?", {("time_ref", "today")}),
    ("på tysdagar då", {("weekday", "tuesday")}),
    ("tirsdag", {("weekday", "tuesday")}),
    ("korleis søkjer eg byggeløyve", {("service", "byggesak")}),
    ("min sida", {("service", "min_side")}),
    ("bestille time hos saksbehandler", {("service", "booking")}),
    # Ordinary words close to names must not become places.
    ("er det mange folk der", set()),
    ("kan eg sende brev", set()),
    ("", set()),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_extract(kb: KnowledgeBase, text: str, expected: set[tuple[str, str]]) -> None:
    assert {(m.entity, m.value) for m in extract(text, kb)} == expected


def test_spans_point_into_the_original_text(kb: KnowledgeBase) -> None:
    text = "Er Frekhaug ope på fredag?"
    for match in extract(text, kb):
        assert text[match.start : match.end] == match.text


def test_new_place_from_the_knowledge_base_needs_no_training(kb: KnowledgeBase) -> None:
    ostereidet = Location(
        id="ostereidet",
        name="Ostereidet",
        venue=Text("skulen", "skolen"),
        synonyms=("osterei",),
        opening_hours={},
    )
    extended = replace(kb, locations=(*kb.locations, ostereidet))
    assert {(m.entity, m.value) for m in extract("opningstider ostereide", extended)} == {
        ("location", "ostereidet")
    }


# Every word for the desk itself, in the forms citizens write, with every place.
_FIXTURE = load_knowledge_base(KB_DIR)
GENERIC_FORMS = sorted(
    {
        *_FIXTURE.generic_words,
        "servicetorget",
        "servicekontoret",
        "resepsjonen",
        "resepsjonane",
        "skranken",
        "ekspedisjonen",
        "kontoret",
        "kommunehuset",
        "innbyggerservicen",
        "publikumsmottaket",
        "servicetorgt",  # a typo must not reach a place either
    }
)
PLACES = [(loc.id, loc.name) for loc in _FIXTURE.locations]


@pytest.mark.parametrize("word", GENERIC_FORMS)
@pytest.mark.parametrize(("place", "name"), PLACES)
def test_a_generic_word_with_a_place_selects_that_place(
    kb: KnowledgeBase, word: str, place: str, name: str
) -> None:
    for text in (f"{word} på {name}", f"når har {name.lower()} {word} ope", f"{name} {word}"):
        locations = {m.value for m in extract(text, kb) if m.entity == "location"}
        assert locations == {place}, text


@pytest.mark.parametrize("word", GENERIC_FORMS)
def test_a_generic_word_alone_selects_no_place(kb: KnowledgeBase, word: str) -> None:
    for text in (word, f"når har {word} ope", f"kor er {word}"):
        assert [m for m in extract(text, kb) if m.entity == "location"] == [], text


def test_two_places_named_are_both_found(kb: KnowledgeBase) -> None:
    matches = extract("har servicekontora på Manger og Frekhaug ope i dag", kb)
    assert [m.value for m in matches if m.entity == "location"] == ["manger", "frekhaug"]


@pytest.mark.parametrize("word", GENERIC_FORMS)
def test_a_generic_word_alone_selects_no_service(kb: KnowledgeBase, word: str) -> None:
    for text in (word, f"når har {word} ope", f"kor er {word}"):
        assert [m for m in extract(text, kb) if m.entity == "service"] == [], text


@pytest.mark.parametrize(
    "text", ["korleis melder eg flytting", "hvordan melder jeg meg på kurs", "melde meg inn"]
)
def test_reporting_something_is_not_the_digital_reception(kb: KnowledgeBase, text: str) -> None:
    services = {m.value for m in extract(text, kb) if m.entity == "service"}
    assert "digitalt_kundemottak" not in services, text


@pytest.mark.parametrize(
    ("text", "booking"),
    [
        # a caseworker named alone is not a wish to book a meeting
        ("kven er saksbehandlaren min", False),
        ("hvem er saksbehandler på byggesaken min", False),
        ("kan eg få snakke med saksbehandlaren min", False),
        # a meeting with one is
        ("møte med saksbehandlar", True),
        ("jeg vil ha et møte med saksbehandleren", True),
        ("bestille time hos saksbehandler", True),
    ],
)
def test_a_caseworker_alone_is_no_booking(kb: KnowledgeBase, text: str, booking: bool) -> None:
    services = {m.value for m in extract(text, kb) if m.entity == "service"}
    assert ("booking" in services) is booking, text
