"""Numbers in a message never make it an emergency; emergency meaning still does.

Parsed by the trained model (`make train`), like tests/test_dialogue.py. The tokenizer's
part is tested without a model.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.nlu.tokenizer import lemma_of

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "alver.tar.gz"

# (kind, message): ordinary messages with numbers in them, none about an emergency.
NOT_EMERGENCY = [
    ("phone number", "de kan nå meg på 47 11 22 33"),
    ("phone number, one run", "mobilen min er 93456781"),
    ("date", "har de ope 23. desember"),
    ("date, numeric", "kan eg kome innom 2.1.2027"),
    ("date with named day", "er det stengt 1. mai"),
    ("case number", "eg lurer på sak 2025/8812"),
    ("case number, dashes", "referansenummer 24-00713"),
    ("11-digit number", "31129956715"),
    ("11-digit number in a sentence", "fødselsnummer 01020312345 er det trygt å skrive her"),
    ("address with house number", "eg bur i skulevegen 17 på manger"),
    ("price", "kor mykje kostar det, 450 kroner?"),
    ("time", "har dokke ope til 15.30"),
    ("time, clock", "kan eg kome kl 11"),
    ("HTML with numbers", '<img src="bilde123.png" width="640">'),
    ("HTML table", "<tr><td>2026</td><td>44</td></tr>"),
    ("order number", "bestilling nr 772341"),
    ("postcode", "5915 hjelmås"),
    ("invoice", "faktura 4400129 er feil"),
    ("year", "kva skjedde i 2019"),
    ("bare number", "42"),
]
# Real emergencies, with and without numbers.
EMERGENCY = [
    "113",
    "ring 113",
    "kva er nummeret til legevakta",
    "det brenn i naboens hus",
    "det har skjedd ei ulykke på vegen",
    "jeg må ha ambulanse",
    "ring politiet",
    "eg har skada meg",
]


@pytest.fixture(scope="module")
def parse() -> Any:
    if not MODEL.is_file():
        pytest.fail(f"No trained model at {MODEL}: run `make train` (or `make test`) first.")
    from rasa.core.agent import Agent

    logging.getLogger("rasa").setLevel(logging.WARNING)
    agent = Agent.load(str(MODEL))

    def run(text: str) -> dict[str, Any]:
        result: dict[str, Any] = asyncio.run(agent.parse_message(text))
        return result

    return run


@pytest.mark.parametrize(("kind", "text"), NOT_EMERGENCY, ids=[k for k, _ in NOT_EMERGENCY])
def test_numbers_are_not_an_emergency(parse: Any, kind: str, text: str) -> None:
    intent = parse(text)["intent"]
    assert intent["name"] != "ask_emergency", f"{kind}: {text!r} -> {intent}"


@pytest.mark.parametrize("text", EMERGENCY)
def test_emergencies_still_are(parse: Any, text: str) -> None:
    assert parse(text)["intent"]["name"] == "ask_emergency"


@pytest.mark.parametrize(
    ("token", "lemma"),
    [
        ("24.", "0."),
        ("2026/1234", "0/0"),
        ("91234567", "0"),
        ("14.30", "0.0"),
        ("12b", "0b"),
        ("Åpent", "apent"),
        ("113", "naud_113"),
        ("116117", "naud_116117"),
        ("1130", "0"),
    ],
)
def test_lemma_hides_digits_except_emergency_numbers(token: str, lemma: str) -> None:
    assert lemma_of(token) == lemma
