"""Which written standard a citizen used."""

from __future__ import annotations

import pytest

from bot.language import detect_language, fold

CASES = [
    ("ka tid stenge dokke", "nn"),
    ("opningstider", "nn"),
    ("kva er opningstidene på manger", "nn"),
    ("kan eg snakke med eit menneske", "nn"),
    ("korleis søkjer eg byggeløyve", "nn"),
    ("er det ope no", "nn"),
    ("takk for hjelpa", "nn"),
    ("åpningstider", "nb"),
    ("apningstider knarvik", "nb"),
    ("når stenger dere", "nb"),
    ("kan jeg snakke med en person", "nb"),
    ("hvordan søker jeg byggetillatelse", "nb"),
    ("er det åpent nå", "nb"),
    ("what are your opening hours", "en"),
    ("can i talk to a human", "en"),
    ("phone number", "en"),
    ("hello", "en"),
    ("hei", None),
    ("ja", None),
    ("ok", None),
    ("", None),
    ("knarvik", None),
]


@pytest.mark.parametrize(("text", "language"), CASES)
def test_detect_language(text: str, language: str | None) -> None:
    assert detect_language(text) == language


def test_fold() -> None:
    assert fold("Åpent på Kommunehuset, Ærlig") == "apent pa kommunehuset, aerlig"


@pytest.mark.parametrize(
    ("text", "metadata", "expected"),
    [
        ("hei", {"language": "nb"}, "nb"),  # no signal: the channel's hint
        ("hei", None, None),  # no signal, no hint: the slot keeps its value
        ("kva er opningstidene", {"language": "nb"}, "nn"),  # the text wins over the hint
        ("hei", {"language": "xx"}, None),  # invalid hints are ignored
    ],
)
def test_language_detector_component(
    text: str, metadata: dict[str, str] | None, expected: str | None
) -> None:
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.language_detector import LanguageDetector

    message = Message(data={"text": text, "metadata": metadata})
    LanguageDetector().process([message])
    found = [e["value"] for e in message.get("entities", []) if e["entity"] == "language"]
    assert found == ([expected] if expected else [])
