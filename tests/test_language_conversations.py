"""A conversation's written standard as a channel keeps it (ConversationStandards, REST channel)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from bot.channels.rest_channel import LocalRestInput
from bot.language import ConversationStandards


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        (["hei"], "nn"),  # no signal, no conversation yet: the default
        (["hvor ligger kontoret", "ring meg på 91234567"], "nb"),  # no signal keeps it
        (["kor ligg kontoret", "ring meg"], "nn"),
        (["søppel"], "nb"),  # a weak signal starts a conversation
        (["kva er opningstida", "søppel"], "nn"),  # ... but does not switch one
        (["kva er opningstida", "hvordan søker jeg"], "nb"),  # a clear signal switches
        (["hvordn"], "nb"),  # a typo is a weak signal
        (["what are the opening hours", "ok"], "en"),
    ],
)
def test_conversation_standard_follows_the_bots_rule(messages: list[str], expected: str) -> None:
    standards = ConversationStandards()
    found = [standards.observe("c1", text) for text in messages]
    assert found[-1] == expected


def test_conversations_are_kept_apart_and_the_oldest_is_forgotten() -> None:
    standards = ConversationStandards(capacity=2)
    assert standards.observe("a", "hvor ligger kontoret") == "nb"
    assert standards.observe("b", "what is the phone number") == "en"
    assert standards.observe("a", "ok") == "nb"
    assert standards.observe("c", "kor ligg kontoret") == "nn"  # forgets "b", the oldest
    assert standards.observe("b", "ok") == "nn"
    assert standards.observe("a", "ok") == "nb"


def _request(sender: str, message: str) -> Any:
    return SimpleNamespace(
        ip="127.0.0.1", headers={}, method="POST", json={"sender": sender, "message": message}
    )


@pytest.mark.parametrize(
    ("first", "second", "placeholder"),
    [
        ("hvor ligger kontoret i knarvik", "ring meg på 91234567", "fjernet"),
        ("kor ligg kontoret i knarvik", "ring meg på 91234567", "fjerna"),
    ],
)
def test_rest_channel_masks_in_the_conversations_standard(
    first: str, second: str, placeholder: str
) -> None:
    channel = LocalRestInput()
    assert channel.refusal(_request("s1", first)) is None
    request = _request("s1", second)
    assert channel.refusal(request) is None
    masked = request.json["message"]
    assert "91234567" not in masked
    assert placeholder in masked
