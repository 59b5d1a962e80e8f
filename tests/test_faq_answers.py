"""What is answered, through the trained model and the actions (issue 7).

- digits in ten kinds of non-emergency messages never lead to the emergency numbers, and
  the rest of the question still gets its answer;
- municipal topics the knowledge base lacks get the honest decline with a search link for
  the citizen's own words and the phone number, never a desk's hours or an unrelated FAQ;
- FAQ paraphrases (boss/søppel/avfall, barnehage/bhg) reach the FAQ entry, also when the
  sentence looks like an opening-hours or contact question.

Needs the model from `make train` (like tests/test_dialogue.py). The sentences are new,
written for these tests, not copied from data/nlu/ or the answer sets.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionMunicipalTopic, ActionNotUnderstood
from actions.faq import match_faq
from bot.kb import KnowledgeBase
from bot.privacy import mask_citizen_text
from tests.conftest import THURSDAY_MORNING, texts

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "alver.tar.gz"
EMERGENCY_NUMBERS = ("113", "110", "112")
Parse = Callable[[str], dict[str, Any]]


@pytest.fixture(scope="module")
def parse(kb: KnowledgeBase) -> Parse:
    """Parses a message as the channels pass it to Rasa (personal data masked first)."""
    if not MODEL.is_file():
        pytest.fail(f"No trained model at {MODEL}: run `make train` (or `make test`) first.")
    from rasa.core.agent import Agent

    logging.getLogger("rasa").setLevel(logging.WARNING)
    agent = Agent.load(str(MODEL))

    def run(text: str) -> dict[str, Any]:
        masked = mask_citizen_text(text, "nn", kb).text
        result: dict[str, Any] = asyncio.run(agent.parse_message(masked))
        return result

    return run


# (kind, message, the intents that answer the rest of the question)
HOURS = {"ask_opening_hours", "ask_open_now", "inform"}
HONEST = {"out_of_scope", "nlu_fallback", "ask_municipal_topic"}
DIGITS = [
    ("phone to call back", "kan de ringje meg på 47 11 22 33 i morgon", {"request_human"}),
    ("case number", "gjeld sak 2026/4411, kan eg snakke med nokon om ho", {"request_human"}),
    ("11-digit number", "fnr 02029912345 skal eg sende søknaden digitalt", None),
    ("postcode", "5918 frekhaug, når er kontoret der ope", HOURS),
    ("year", "byggesøknad frå 2021, korleis søkjer eg", {"ask_service", "ask_municipal_topic"}),
    ("time of day", "er manger ope kl 14.30", HOURS),
    ("price", "eg betalte 1200 kr i gebyr, kven kan eg snakke med", HONEST | {"request_human"}),
    ("html", "<b>telefonnummeret</b> til kommunen", {"ask_phone", "ask_contact"}),
    ("date", "har knarvik ope 27.12", HOURS),
    ("amount", "vi har 2 born i barnehagen og treng ein plass til", {"ask_municipal_topic"}),
    ("bare digits", "77 88 99", None),
]


@pytest.mark.parametrize(("kind", "text", "answers"), DIGITS, ids=[k for k, _, _ in DIGITS])
def test_digits_never_give_the_emergency_answer(
    parse: Parse, kind: str, text: str, answers: set[str] | None
) -> None:
    intent = parse(text)["intent"]["name"]
    assert intent != "ask_emergency", f"{kind}: {text!r} -> {intent}"
    if answers is not None:
        assert intent in answers, f"{kind}: {text!r} -> {intent}, expected one of {answers}"


@pytest.mark.parametrize(
    "text",
    ["det brenn i løa til naboen", "kva er 113 for noko", "mor har falle og slått seg"],
)
def test_real_emergencies_still_get_the_emergency_answer(parse: Parse, text: str) -> None:
    assert parse(text)["intent"]["name"] == "ask_emergency"


# Municipal topics the fixture knowledge base has no answer for (none is an FAQ entry).
KB_LACKS = [
    ("kva må eg gjere for å få startlån", "startlån"),
    ("jeg lurer på sosialhjelp", "sosialhjelp"),
    ("sakliste for kommunestyremøtet i desember", "kommunestyremøtet"),
    ("når har biblioteket på knarvik ope", "biblioteket"),
    ("kor parkerer eg om eg skal til rådhuset", "parkerer"),
    ("har vi krav på skuleskyss", "skuleskyss"),
]


@pytest.mark.parametrize(("text", "word"), KB_LACKS)
def test_kb_lacks_gets_the_honest_decline_with_a_search_link(
    parse: Parse,
    kb: KnowledgeBase,
    make_tracker: Any,
    domain: dict[str, Any],
    text: str,
    word: str,
) -> None:
    parsed = parse(text)
    assert parsed["intent"]["name"] == "ask_municipal_topic", parsed["intent"]
    dispatcher = CollectingDispatcher()
    action = ActionMunicipalTopic(clock=lambda: THURSDAY_MORNING, knowledge_base=lambda: kb)
    asyncio.run(action.run(dispatcher, make_tracker("ask_municipal_topic", text=text), domain))
    reply = texts(dispatcher)
    assert "ikkje informasjon" in reply
    assert kb.municipality.search_url.split("{")[0] in reply
    assert quote_plus(word) in reply  # the citizen's own word in the search
    assert kb.contact.phone in reply
    assert "Knarvik Senter" not in reply and "Opningstider" not in reply  # no desk's hours
    assert "set deg over" not in reply  # no person offered for it
    assert not any(f" {n}" in reply for n in EMERGENCY_NUMBERS)


@pytest.mark.parametrize(
    "text",
    ["kva kostar ein kebab på frekhaug", "blir det snø til helga", "når går ferja til fedje"],
)
def test_outside_the_municipality_is_declined_without_offering_a_person(
    parse: Parse, kb: KnowledgeBase, make_tracker: Any, domain: dict[str, Any], text: str
) -> None:
    intent = parse(text)["intent"]["name"]
    assert intent in ("out_of_scope", "nlu_fallback"), intent
    dispatcher = CollectingDispatcher()
    action = ActionNotUnderstood(clock=lambda: THURSDAY_MORNING, knowledge_base=lambda: kb)
    asyncio.run(action.run(dispatcher, make_tracker(intent, text=text), domain))
    reply = texts(dispatcher)
    assert "Knarvik Senter" not in reply and "set deg over" not in reply
    assert not dispatcher.messages[0].get("buttons")


# FAQ paraphrases that look like hours, contact or small-talk questions to the classifier.
FAQ_PARAPHRASES = [
    ("når tømmer dei bosset i gata vår", "renovasjon"),
    ("kva dag kjem søppelbilen til oss", "renovasjon"),
    ("når blir avfallet henta på frekhaug", "renovasjon"),  # a place, but not the desk's
    ("henting av avfall", "renovasjon"),
    ("eg treng bhg-plass frå august", "barnehageplass"),
    ("jeg trenger plass i barnehage til sønnen min", "barnehageplass"),
    ("when is the garbage collected", "renovasjon"),
]


# The intents whose actions answer from the FAQ first (data/rules: action_municipal_topic,
# action_not_understood).
FAQ_FIRST = {"ask_municipal_topic", "nlu_fallback", "out_of_scope"}


@pytest.mark.parametrize(("text", "faq"), FAQ_PARAPHRASES)
def test_faq_paraphrases_reach_the_faq_entry(
    parse: Parse, kb: KnowledgeBase, text: str, faq: str
) -> None:
    parsed = parse(text)
    assert parsed["intent"]["name"] in FAQ_FIRST, parsed["intent"]
    match = match_faq(mask_citizen_text(text, "nn", kb).text, kb)
    assert match is not None and match.entry.id == faq, match
