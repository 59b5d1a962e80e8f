"""Every reply in the citizen's written standard: the conversation's standard, the word
lists, and the catalogue and knowledge-base texts in nn, nb and en."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message
from rasa_sdk import Tracker

from actions.common import language_of
from bot.evaluate_answers.scoring import Scorer, check_references, load_cases, reply_language
from bot.kb import KnowledgeBase
from bot.language import WEAK, answer_language, detect, word_lists
from bot.messages import render, section
from bot.nlg import CatalogueNLG, catalogue_name
from bot.nlu.language_detector import LanguageDetector

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = Domain.load(str(ROOT / "domain.yml"))

# (message, the conversation's standard so far (None: a new conversation), the standard
# of the answer). An ambiguous message keeps the conversation's standard; a clear one
# switches; a weak one ("søppel") decides only in a new conversation.
TABLE = [
    ("når stenger de i dag", "nn", "nn"),
    ("når stenger de i dag", "nb", "nb"),
    ("når stenger de i dag", None, "nn"),
    ("ja", "nb", "nb"),
    ("takk", "en", "en"),
    ("hei", None, "nn"),
    ("knarvik", "nb", "nb"),
    ("søppel", None, "nb"),
    ("søppel", "nn", "nn"),
    ("skolerute", None, "nb"),
    ("skolerute", "nn", "nn"),
    ("finnes det parkering", "nn", "nb"),
    ("finst det parkering", "nb", "nn"),
    ("hvor er dere", None, "nb"),
    ("kvar er de", "nb", "nn"),
    ("er det åpent nå", "nn", "nb"),
    ("frå kommunen", "nb", "nn"),
    ("kor tid kjem bossbilen", "nb", "nn"),
    ("sjukeheimen", None, "nn"),
    ("tjenestetorget", None, "nb"),
    ("har du e-post", "nb", "nb"),
    ("ring meg på [telefonnummer fjerna]", "nb", "nb"),
    ("kan jeg få [telefonnummer fjerna]", "nn", "nb"),
    ("thanks", "nn", "en"),
    ("bye", "nb", "en"),
    ("ok thanks bye", "nn", "en"),
    ("opening hours?", "nn", "en"),
    ("frekhaug opening times", "nb", "en"),
    ("have a nice day", "nn", "en"),
    ("no thanks", "nb", "en"),
    ("logg ut", None, "nn"),  # lingua's low-accuracy mode called this English
    ("min side", "nb", "nb"),
    ("chat med oss", "nb", "nb"),  # an everyday Norwegian word: lingua is not asked
    ("har du email", None, "nn"),
    ("I lost my wallet", "nn", "en"),
    ("bus to bergen", "nb", "en"),
]


def _entities(text: str, hint: str | None = None) -> list[dict[str, Any]]:
    message = Message(data={"text": text, "metadata": {"language": hint} if hint else None})
    LanguageDetector().process([message])
    return list(message.get("entities", []))


@pytest.mark.parametrize(("text", "previous", "expected"), TABLE)
def test_answer_standard_from_message_and_conversation(
    text: str, previous: str | None, expected: str
) -> None:
    assert answer_language(_entities(text), previous) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("søppel", (None, WEAK)), ("finnes det", ("nb", None)), ("hei", None)],
)
def test_weak_signals_do_not_fill_the_language_slot(
    text: str, expected: tuple[str | None, str | None] | None
) -> None:
    """A weak entity carries the role ``weak``, which the slot's mapping (no role) skips."""
    found = [(e["value"], e.get("role")) for e in _entities(text)]
    if expected is None:
        assert found == []
    else:
        assert found == [("nb", expected[1])]
    mappings = DOMAIN.slots[[s.name for s in DOMAIN.slots].index("language")].mappings
    assert all("role" not in m for m in mappings)


@pytest.mark.parametrize(("text", "hint", "expected"), [("søppel", "nn", "nn"), ("ja", "nb", "nb")])
def test_a_channels_hint_beats_a_weak_signal(text: str, hint: str, expected: str) -> None:
    assert answer_language(_entities(text, hint), None) == expected


def test_new_conversations_have_no_standard_yet() -> None:
    """The slot starts empty, so a weak first message decides; answers default to nn."""
    slot = next(s for s in DOMAIN.slots if s.name == "language")
    assert slot.initial_value is None
    assert answer_language([], slot.initial_value) == "nn"


def _tracker(text: str, previous: str | None) -> DialogueStateTracker:
    tracker = DialogueStateTracker("test", DOMAIN.slots)
    if previous:
        tracker._set_slot("language", previous)  # noqa: SLF001 - a slot, as Rasa sets it
    intent = {"name": "thanks", "confidence": 1.0}
    tracker.update(UserUttered(text, intent=intent, entities=_entities(text)))
    return tracker


@pytest.mark.parametrize(
    ("earlier", "latest", "expected"),
    [
        (["søppel"], "takk", "nb"),  # a weak start is remembered
        (["søppel", "ja"], "ok", "nb"),
        (["hei"], "takk", "nn"),
        ([], "takk", "nn"),
        (["søppel"], "takk for hjelpa", "nn"),  # a clear signal switches
    ],
)
def test_a_conversation_started_by_a_weak_signal_keeps_it(
    earlier: list[str], latest: str, expected: str
) -> None:
    previous = [_entities(text) for text in reversed(earlier)]
    assert answer_language(_entities(latest), None, previous) == expected


def test_nlg_remembers_a_weak_start(kb: KnowledgeBase) -> None:
    nlg = CatalogueNLG(None, DOMAIN, knowledge_base=lambda: kb)
    tracker = DialogueStateTracker("test", DOMAIN.slots)
    for text in ("søppel", "takk"):
        intent = {"name": "thanks", "confidence": 1.0}
        tracker.update(UserUttered(text, intent=intent, entities=_entities(text)))
    reply = asyncio.run(nlg.generate("utter_you_are_welcome", tracker, "rest"))
    assert reply is not None
    assert reply["text"] == render("you_are_welcome", "nb", kb=kb)


def test_actions_remember_a_weak_start() -> None:
    events = [
        {"event": "user", "text": t, "parse_data": {"entities": _entities(t)}}
        for t in ("søppel", "takk")
    ]
    tracker = Tracker(
        "test", {"language": None}, events[-1]["parse_data"], events, False, None, {}, ""
    )
    assert language_of(tracker) == "nb"


@pytest.mark.parametrize(
    ("text", "previous", "expected"),
    [("takk", "nb", "nb"), ("thanks", "nb", "en"), ("søppel takk", None, "nb")],
)
def test_nlg_answers_in_the_table_standard(
    kb: KnowledgeBase, text: str, previous: str | None, expected: str
) -> None:
    nlg = CatalogueNLG(None, DOMAIN, knowledge_base=lambda: kb)
    reply = asyncio.run(nlg.generate("utter_you_are_welcome", _tracker(text, previous), "rest"))
    assert reply is not None
    assert reply["text"] == render("you_are_welcome", expected, kb=kb)


# ------------------------------------------------------------------ texts in three standards

# Catalogue messages without an English text, and why. Empty today: every text the bot
# says has nn, nb and en.
NO_ENGLISH: dict[str, str] = {}
# Catalogue messages the written-standard check cannot judge, and why.
NOT_JUDGED = {
    "chat_transcript_title": "a title of two words and placeholders ('Chat med …')",
}
_PLACEHOLDER = re.compile(r"\{[^}]*\}")


def _messages() -> dict[str, dict[str, str]]:
    return section("messages")


@pytest.mark.parametrize("name", sorted(_messages()))
def test_every_message_has_nn_nb_and_en(name: str) -> None:
    variants = _messages()[name]
    expected = {"nn", "nb"} if name in NO_ENGLISH else {"nn", "nb", "en"}
    assert (
        {k for k, v in variants.items() if str(v).strip()} >= expected
    ), f"bot/messages.yml: '{name}' needs {sorted(expected)} (or a reason in NO_ENGLISH)"


@pytest.mark.parametrize("name", sorted(set(_messages()) - set(NOT_JUDGED)))
def test_every_message_is_written_in_its_own_standard(name: str) -> None:
    """The scorer's judge of a reply's standard places each text where it belongs
    (or cannot place it), so a Nynorsk word in a Bokmål text is caught."""
    for language, text in _messages()[name].items():
        judged = reply_language(_PLACEHOLDER.sub("", str(text)))
        assert judged in (None, language), f"{name}.{language} reads as {judged}: {text!r}"


@pytest.mark.parametrize("response", sorted(DOMAIN.responses))
def test_every_domain_response_has_a_catalogue_text_in_nn_nb_and_en(response: str) -> None:
    name = catalogue_name(response)
    assert name is not None, f"domain.yml: {response} has no text in bot/messages.yml"
    assert {"nn", "nb", "en"} <= set(_messages()[name])


def _kb_answers() -> list[tuple[str, str, dict[str, str]]]:
    found = []
    for file, key in (("faq.yml", "faq"), ("services.yml", "services")):
        path = ROOT / "tests" / "fixtures" / "knowledge_base" / file
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))[key]:
            found.append((file, entry["id"], entry["answer"]))
    return found


@pytest.mark.parametrize(("file", "entry", "answer"), _kb_answers())
def test_faq_and_service_answers_have_three_standards(
    file: str, entry: str, answer: dict[str, str]
) -> None:
    assert {"nn", "nb", "en"} <= set(answer), f"{file}: '{entry}' needs an answer in nn, nb, en"
    for language, text in answer.items():
        judged = reply_language(_PLACEHOLDER.sub("", text))
        assert judged in (None, language), f"{file}: {entry}.{language} reads as {judged}"


# ------------------------------------------------------------------ the word lists


def test_no_word_is_a_signal_for_both_standards() -> None:
    lists = word_lists()
    both = (lists.nynorsk & lists.bokmal) - {"de", "fra"}  # listed both ways on purpose
    assert both == set()
    assert lists.nynorsk_exact.isdisjoint(lists.bokmal_exact)
    assert set(lists.nynorsk_stems).isdisjoint(lists.bokmal_stems)


def test_weights_name_listed_words() -> None:
    lists = word_lists()
    listed = lists.nynorsk | lists.bokmal | lists.english
    assert set(lists.weights) - listed == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("søppel", ("nb", False)), ("finnes det", ("nb", True)), ("hei", (None, False))],
)
def test_detect_says_whether_the_signal_is_clear(
    text: str, expected: tuple[str | None, bool]
) -> None:
    assert detect(text) == expected


# ------------------------------------------------------------------ the development set


def test_the_standard_dev_set_is_well_formed_and_resolves(kb: KnowledgeBase) -> None:
    """tests/answer_dev/standard.yml: ≥ 150 cases in nn, nb and en, every reference known."""
    cases = load_cases(ROOT / "tests" / "answer_dev" / "standard.yml")
    assert len(cases) >= 150
    assert {case.language for case in cases} == {"nn", "nb", "en"}
    assert check_references(cases, Scorer(kb).resolve) == []
