"""End to end: start the bot with the README's command (`make run`) and chat over HTTP.

The servers bind to 127.0.0.1 on free ports and are stopped at the end.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.server import STARTUP_LIMIT_S, make_run


class Bot:
    def __init__(self, url: str, ready_after_s: float) -> None:
        self.url = url
        self.ready_after_s = ready_after_s

    def say(self, sender: str, message: str) -> list[dict[str, Any]]:
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(
            f"{self.url}/webhooks/rest/webhook",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            answer: list[dict[str, Any]] = json.load(response)
        return answer

    def text(self, sender: str, message: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(sender, message))


@pytest.fixture(scope="module")
def bot() -> Iterator[Bot]:
    with make_run() as running:
        yield Bot(running.url, running.ready_after_s)


def test_ready_in_reasonable_time(bot: Bot) -> None:
    print(f"make run ready after {bot.ready_after_s:.1f} s")
    assert bot.ready_after_s < STARTUP_LIMIT_S


def test_nynorsk_conversation_with_follow_up(bot: Bot) -> None:
    assert "Eg er chatboten" in bot.text("nn-1", "hei")
    first = bot.text("nn-1", "opningstider på manger?")
    assert "Innbyggjarservice på Manger" in first and "måndag, tysdag og torsdag" in first
    follow_up = bot.text("nn-1", "kva med frekhaug?")
    assert "Frekhaug" in follow_up and "onsdag og fredag kl. 09.00–15.00" in follow_up


def test_bokmal_conversation(bot: Bot) -> None:
    answer = bot.text("nb-1", "når har dere åpent i knarvik")
    assert "Innbyggerservice i Knarvik" in answer and "mandag–fredag" in answer
    assert "Legevakten har telefon 116 117" in bot.text("nb-1", "hva er nummeret til legevakten")


def test_english_core_topics(bot: Bot) -> None:
    answer = bot.text("en-1", "what is your phone number")
    assert "56 37 50 00" in answer and "The phone is answered" in answer


def test_unrelated_question_gets_no_unrelated_fact(bot: Bot) -> None:
    answer = bot.text("nn-2", "kva kostar pizza i knarvik")
    assert "09.00" not in answer and "Det kan eg diverre ikkje svare på" in answer


def test_handoff_contract(bot: Bot) -> None:
    offer = bot.say("nn-3", "eg vil snakke med eit menneske")
    assert [b["payload"] for b in offer[0]["buttons"]] == ["/affirm", "/deny"]
    accepted = bot.say("nn-3", "/affirm")
    custom = [m["custom"] for m in accepted if "custom" in m]
    assert custom == [{"handoff": {"reason": "requested", "language": "nn"}}]
    assert any("56 37 50 00" in m.get("text", "") for m in accepted)
