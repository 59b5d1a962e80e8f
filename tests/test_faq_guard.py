"""The topic guard, the fallback threshold override, the threshold sweep and the intent
confusion matrix: units, without a trained model."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.evaluate import confusion_matrix, top_confusions
from bot.evaluate_answers.references import Reply
from bot.evaluate_answers.scoring import Case, Scorer
from bot.evaluate_answers.threshold import Row, best, best_confidence, format_rows, sweep
from bot.kb import KnowledgeBase
from bot.nlu.fallback import THRESHOLD_ENV, TunableFallbackClassifier, threshold_override
from bot.nlu.topic_guard import TopicGuard, TopicVocabulary, vocabulary

EXAMPLES = {
    "ask_opening_hours": ["når har de ope i knarvik", "opningstider på manger", "er de opne i dag"],
    "ask_location": ["kor ligg kontoret", "besøksadressa til rådhuset"],
    "ask_service": ["bestille time", "min side"],
    "ask_municipal_topic": ["når har biblioteket ope", "startlån", "hver dag er det stengt"],
    "out_of_scope": ["kva kostar pizza", "eg bur i storgata 12"],
}


@pytest.fixture(scope="module")
def topics() -> TopicVocabulary:
    data = TrainingData(
        [
            Message(data={"text": text, "intent": intent})
            for intent, texts in EXAMPLES.items()
            for text in texts
        ]
    )
    return TopicVocabulary(vocabulary(data))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("når har biblioteket i knarvik ope", ("ask_municipal_topic", ["biblioteket"])),
        ("opningstider biblioteka", ("ask_municipal_topic", ["biblioteka"])),  # a form of it
        ("kva kostar ein pizza på manger", ("out_of_scope", ["kostar", "pizza"])),
        ("opningstider knarvik", None),  # the desk's own words
        ("er de opne hver dag", None),  # "hver" is in not_topic_words
        ("kor er storgata", None),  # learnt only from an example with digits
        ("kontoret i 5914 isdalstø", None),
    ],
)
def test_other_topic_words(
    topics: TopicVocabulary, text: str, expected: tuple[str, list[str]] | None
) -> None:
    assert topics.other_topic(text) == expected


def _message(text: str, intent: str, entities: list[dict[str, Any]] | None = None) -> Message:
    ranking = [{"name": intent, "confidence": 0.8}, {"name": "ask_phone", "confidence": 0.1}]
    return Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": 0.8},
            "intent_ranking": ranking,
            "entities": entities or [],
        }
    )


class _Store:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def get(self) -> KnowledgeBase:
        return self.kb


PLACE = {"entity": "location", "value": "manger"}
SERVICE = {"entity": "service", "value": "booking"}
TOPIC, HOURS = "ask_municipal_topic", "ask_opening_hours"


@pytest.mark.parametrize(
    ("text", "intent", "entities", "expected", "reason"),
    [
        # a strong FAQ match wins over a generic intent, also with a place named
        ("når tømmer dei bosspannet", "ask_opening_hours", [], TOPIC, "faq:renovasjon"),
        ("tømming av bosspann på manger", "ask_open_now", [PLACE], "ask_municipal_topic", "faq:"),
        ("kan eg sende vedlegg på epost", "ask_contact", [], "ask_municipal_topic", "faq:sende"),
        # ... never over a request for a person; over the postal address word for word only
        ("kan eg sende vedlegg på epost", "ask_post", [], TOPIC, "faq:sende"),
        ("kor sender eg brev", "ask_post", [], "ask_post", None),
        ("kan eg sende vedlegg på epost", "request_human", [], "request_human", None),
        # an emergency only for a word-for-word match
        ("det brenn i bosspannet", "ask_emergency", [], "ask_emergency", None),
        # a place alone with a desk word is a desk question
        ("kor er kontoret på manger", "ask_location", [PLACE], "ask_location", None),
        # another topic's word moves a desk question away from the desks' hours
        ("når har biblioteket ope", "ask_opening_hours", [], "ask_municipal_topic", "biblioteket"),
        ("kva kostar pizza på manger", "ask_location", [PLACE], "out_of_scope", "pizza"),
        ("opningstider for biblioteket", "ask_phone", [], "ask_phone", None),  # not a desk intent
        # a service named without a place is about the service
        ("kan eg bestille time tysdag", "ask_opening_hours", [SERVICE], "ask_service", "service"),
        ("bestille time på manger", HOURS, [SERVICE, PLACE], HOURS, None),
        ("opningstider manger", "ask_opening_hours", [PLACE], "ask_opening_hours", None),
        # the phone named without a place is about the phone's hours
        ("er sentralbordet ope no", "ask_open_now", [], "ask_phone", "phone named"),
        ("is the phone open now", "ask_open_now", [], "ask_phone", "phone named"),
        ("telefonen på manger, når er den open", HOURS, [PLACE], HOURS, None),
        ("er de opne no", "ask_open_now", [], "ask_open_now", None),
    ],
)  # fmt: skip
def test_guard_moves_only_what_belongs_elsewhere(
    kb: KnowledgeBase,
    topics: TopicVocabulary,
    text: str,
    intent: str,
    entities: list[dict[str, Any]],
    expected: str,
    reason: str | None,
) -> None:
    guard = TopicGuard({}, None, None, _Store(kb), topics)  # type: ignore[arg-type]
    message = _message(text, intent, entities)
    guard.guard(message)
    assert message.get("intent")["name"] == expected
    assert message.get("intent_ranking")[0]["name"] == expected
    if reason is None:
        assert message.get("topic_guard") is None
    else:
        assert reason in message.get("topic_guard")
        assert message.get("intent")["confidence"] == 0.8  # the old confidence is kept


@pytest.mark.parametrize(
    ("value", "expected"), [(None, None), ("", None), ("0", 0.0), ("0.45", 0.45), ("1", 1.0)]
)
def test_threshold_override(value: str | None, expected: float | None) -> None:
    environ = {} if value is None else {THRESHOLD_ENV: value}
    assert threshold_override(environ) == expected


@pytest.mark.parametrize("value", ["high", "1.5", "-0.1"])
def test_threshold_override_refuses_nonsense_with_a_reason(value: str) -> None:
    with pytest.raises(ValueError, match=THRESHOLD_ENV):
        threshold_override({THRESHOLD_ENV: value})


def test_classifier_uses_the_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(THRESHOLD_ENV, "0.55")
    assert TunableFallbackClassifier({"threshold": 0.3}).component_config["threshold"] == 0.55
    monkeypatch.delenv(THRESHOLD_ENV)
    assert TunableFallbackClassifier({"threshold": 0.3}).component_config["threshold"] == 0.3


def test_best_confidence_skips_the_fallback_entry() -> None:
    parsed = {
        "intent": {"name": "nlu_fallback", "confidence": 0.3},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.3},
            {"name": "ask_phone", "confidence": 0.21},
            {"name": "greet", "confidence": 0.2},
        ],
    }
    assert best_confidence(parsed) == 0.21


def test_sweep_takes_each_reply_from_the_right_run(kb: KnowledgeBase) -> None:
    cases = [
        Case("a#1", ["telefonnummer"], "nn", "contact", {"facts": ["phone"]}),
        Case("a#2", ["kva kostar pizza"], "nn", "kb_lacks", {"honest": True}),
    ]
    answer = Reply([f"Du når innbyggjarservice på telefon {kb.contact.phone}."])
    honest = Reply(["Eg er ikkje sikker på at eg forstod deg. Kan du seie det på ein annan måte?"])
    wrong = Reply([f"Du når innbyggjarservice på telefon {kb.contact.phone}."])
    keep = {"a#1": answer, "a#2": wrong}
    fallback = {"a#1": honest, "a#2": honest}
    confidence = {"telefonnummer": 0.9, "kva kostar pizza": 0.4}
    rows = sweep(cases, keep, fallback, confidence, [0.0, 0.5, 0.95], Scorer(kb))
    assert [(r.right, r.honest, r.fell_back) for r in rows] == [(1, 0, 0), (2, 0, 1), (1, 1, 2)]
    assert best(rows).threshold == 0.5
    assert "<- chosen" in format_rows(rows).splitlines()[2]


def test_best_prefers_fewer_wrong_facts_then_right_or_honest() -> None:
    rows = [
        Row(0.2, 10, 8, 0, 1, 0, 0, {}),
        Row(0.3, 10, 7, 1, 0, 0, 0, {}),
        Row(0.4, 10, 6, 2, 0, 0, 0, {}),
    ]
    assert best(rows).threshold == 0.3


def test_confusion_matrix_and_top_confusions() -> None:
    pairs = Counter(
        {("ask_post", "ask_post"): 8, ("ask_post", "ask_contact"): 2, ("greet", "thanks"): 1}
    )
    matrix = confusion_matrix(pairs)
    assert matrix == {"ask_post": {"ask_contact": 2, "ask_post": 8}, "greet": {"thanks": 1}}
    lines = top_confusions(matrix)
    assert len(lines) == 2
    assert "ask_post -> ask_contact" in lines[0] and "2 of 10" in lines[0]


@pytest.mark.parametrize(
    ("first", "second", "ambiguous"),
    [("ask_location", "ask_opening_hours", False), ("ask_location", "ask_phone", True)],
)
def test_interchangeable_intents_are_not_an_ambiguity(
    first: str, second: str, ambiguous: bool
) -> None:
    classifier = TunableFallbackClassifier(
        {"threshold": 0.3, "ambiguity_threshold": 0.05,
         "interchangeable": ["ask_location", "ask_opening_hours"]}
    )  # fmt: skip
    message = Message(
        data={
            "text": "when does the office in knarvik close",
            "intent": {"name": first, "confidence": 0.48},
            "intent_ranking": [
                {"name": first, "confidence": 0.48},
                {"name": second, "confidence": 0.44},
            ],
        }
    )
    classifier.process([message])
    assert (message.get("intent")["name"] == "nlu_fallback") is ambiguous
