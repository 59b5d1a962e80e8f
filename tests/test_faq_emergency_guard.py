"""An emergency answer needs emergency meaning; a yes/no yields to a word-for-word FAQ match.

Issue 7: digits (a case number, a phone number, a birth number) must never give the emergency
numbers. bot/nlu/emergency_guard.py decides on emergency meaning, bot/nlu/topic_guard.py moves
the message.
"""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.kb import KnowledgeBase
from bot.nlu.emergency_guard import has_emergency_meaning
from bot.nlu.faq_match import match_faq
from bot.nlu.topic_guard import TopicGuard, TopicVocabulary


@pytest.mark.parametrize(
    "text",
    [
        "det brenn i garasjen",
        "bilulykke på fv 57",  # a stem inside a compound
        "mannen min har falle og blør",
        "jeg får ikke puste",
        "amblanse",  # a typo
        "kva er nummeret til legevakta",
        "ring 113",
        "skal eg ringje 113 eller 116 117",
        "someone is badly hurt",
        "there is a fire in my building",
        "huset til naboen står i flammar",
        "naudnummer",
    ],
)
def test_emergencies_have_emergency_meaning(text: str) -> None:
    assert has_emergency_meaning(text)


@pytest.mark.parametrize(
    "text",
    [
        "har saksnummer 23/1234, når får jeg svar",  # a case number
        "sak 2026/113 kor langt har den kome",  # 113 inside a case number
        "saksnummer 23/1130",
        "ring meg på 93 44 55 66",  # a phone number
        "fnr 24068812345",  # a birth number
        "postnummer 5914",
        "eiendomsskatt 2026",
        "er dere åpne kl 15",
        "<p>1234</p>",
        "når får jeg svar på søknaden",
    ],
)
def test_numbers_and_ordinary_questions_have_no_emergency_meaning(text: str) -> None:
    assert not has_emergency_meaning(text)


class _Store:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def get(self) -> KnowledgeBase:
        return self.kb


def _parsed(text: str, ranking: list[tuple[str, float]]) -> Message:
    rows = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    return Message(data={"text": text, "intent": rows[0], "intent_ranking": rows, "entities": []})


@pytest.mark.parametrize(
    ("text", "ranking", "expected"),
    [
        # no emergency meaning, next intent confident enough: that intent
        ("sak 24/1187 når har de ope", [("ask_emergency", 0.6), ("ask_opening_hours", 0.35)],
         "ask_opening_hours"),
        # no emergency meaning, next intent weak: the honest not-understood
        ("har saksnummer 23/1234, når får jeg svar", [("ask_emergency", 0.66), ("ask_phone", 0.18)],
         "nlu_fallback"),
        ("12345678", [("ask_emergency", 0.99)], "nlu_fallback"),
        # real emergencies stay, whatever the confidence
        ("det brenn i huset", [("ask_emergency", 0.4), ("ask_opening_hours", 0.35)],
         "ask_emergency"),
        ("ring 113", [("ask_emergency", 0.9)], "ask_emergency"),
        # a yes/no yields to a word-for-word FAQ match only
        ("søplebil", [("affirm", 0.32), ("ask_municipal_topic", 0.17)], "ask_municipal_topic"),
        ("ja", [("affirm", 0.95)], "affirm"),
        ("nei takk", [("deny", 0.9)], "deny"),
    ],
)  # fmt: skip
def test_guard_moves_messages_without_emergency_meaning(
    kb: KnowledgeBase, text: str, ranking: list[tuple[str, float]], expected: str
) -> None:
    guard = TopicGuard({}, None, None, _Store(kb), TopicVocabulary({}))  # type: ignore[arg-type]
    message = _parsed(text, ranking)
    guard.guard(message)
    assert message.get("intent")["name"] == expected
    assert message.get("intent_ranking")[0]["name"] == expected
    if expected == ranking[0][0]:
        assert message.get("topic_guard") is None
    else:
        assert message.get("intent")["confidence"] == ranking[0][1]  # the old confidence kept


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # how often, how long, a property's numbers and the clock name no topic
        ("eg har gnr 12 bnr 34, kva er eigedomsskatten", "eigedomsskatt"),
        ("bosset har stått i 2 veker", "renovasjon"),
        ("har søppelbilen vore her 3 gonger i år", "renovasjon"),
        ("kvifor stengjer de så tidleg", "kortare_opningstid"),
        ("hvorfor stenger dere så tidlig på dagen", "kortare_opningstid"),
        # ... and an ordinary hours question still matches no FAQ entry
        ("når stenger dere klokka tre", None),
        ("opningstider klokka 8", None),
        ("har de ope i dag", None),
    ],
)
def test_words_of_time_and_count_are_not_topic_words(
    kb: KnowledgeBase, text: str, expected: str | None
) -> None:
    match = match_faq(text, kb)
    assert (match.entry.id if match else None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the desk word alone next to a topic of the question's own matches no FAQ entry
        ("nummer til servicetorget", None),
        ("adressa til servicekontoret", None),
        # ... but a question that is only about the desk may match on it
        ("hvor er resepsjonen deres", "kor_mange_innbyggjarservice"),
        ("how many service desks does the municipality have", "kor_mange_innbyggjarservice"),
        ("kor mange resepsjonar har kommunen", "kor_mange_innbyggjarservice"),
    ],
)
def test_the_desk_word_alone_does_not_carry_a_match(
    kb: KnowledgeBase, text: str, expected: str | None
) -> None:
    match = match_faq(text, kb)
    assert (match.entry.id if match else None) == expected
