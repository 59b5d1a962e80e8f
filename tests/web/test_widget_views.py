"""What the citizen API delivers to the widget: rating requests and normal messages."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from bot.handoff.records import Message, Sender
from bot.web.rasa_turn import translate_replies
from bot.web.views import message_json, rating_request, shown_to_citizen, visible_to_citizen

AT = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)


def _message(sender: Sender, text: str, payload: dict[str, Any] | None) -> Message:
    return Message(
        id=7,
        conversation_id="c",
        sender=sender,
        staff_user_id=None,
        staff_first_name=None,
        text=text,
        payload=payload,
        intent=None,
        confidence=None,
        feedback=None,
        created_at=AT,
    )


@pytest.mark.parametrize(
    ("sender", "text", "payload", "shown", "asks"),
    [
        (Sender.BOT, "", {"custom": {"rating_request": True}}, True, True),
        (Sender.BOT, "Ha det!", {"custom": {"rating_request": True}}, True, True),
        (Sender.BOT, "", {"custom": {"rating_request": "yes"}}, False, False),
        (Sender.BOT, "", {"custom": {"handoff": {"reason": "requested"}}}, False, False),
        (Sender.BOT, "Hei", None, True, False),
        (Sender.SYSTEM, "", {"custom": {"rating_request": True}}, False, True),
    ],
)
def test_rating_request_is_delivered_only_from_the_bot(
    sender: Sender, text: str, payload: dict[str, Any] | None, shown: bool, asks: bool
) -> None:
    message = _message(sender, text, payload)
    assert rating_request(message) is asks
    assert shown_to_citizen(message) is shown
    data = message_json(message)
    assert data.get("rating_request", False) is asks
    assert "custom" not in data  # the citizen never sees other custom payloads


def test_rasa_reply_with_a_rating_request_survives_translation() -> None:
    replies, handoff = translate_replies(
        [{"text": "Ha det bra!"}, {"custom": {"rating_request": True}}]
    )
    assert handoff is False
    stored = [_message(Sender.BOT, r.text, r.payload) for r in replies]
    assert [shown_to_citizen(m) for m in stored] == [True, True]
    assert [visible_to_citizen(m) for m in stored] == [True, False]  # not in the transcript
    assert message_json(stored[1])["rating_request"] is True
