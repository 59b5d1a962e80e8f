"""What of a citizen message Rasa may see: only buttons the bot offered, never typed commands.

Rasa reads a message that starts with ``/`` as an intent with entities (``/restart``,
``/session_start``, ``/greet{"language": {"a": 1}}``), so a citizen (or anyone calling the
API) could reset a conversation, run an action with forged slots, or make the bot run one
thing while staff read another. Two rules close this:

* :func:`offered_payload` - a button payload is accepted only if the bot offered exactly that
  button (title and payload) in its messages since the citizen's last message, and only
  together with the button's title as the message text. Staff see the title; the bot runs
  the payload that belongs to it.
* :func:`typed_text` - free text is never read as a command: leading slashes are removed.

The widget channel passes only the conversation's last messages
(``MessageRepository.latest``, 50 by default), not the whole history, so a button press
costs the same in message 5 and message 500; they come from the database, so the check
holds after a restart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.handoff.records import Message, Sender

from .http import ApiError

__all__ = ["offered_buttons", "offered_payload", "typed_text"]

_COMMAND_PREFIX_RE = re.compile(r"^[\s/]+")
NOT_OFFERED = (
    "The field 'payload' must be the payload of a button the bot offered in its last "
    "message, sent with that button's title as 'text'."
)


def offered_buttons(messages: Sequence[Message]) -> list[tuple[str, str]]:
    """The ``(title, payload)`` buttons of the bot's messages since the citizen's last one.

    Args:
        messages: The conversation's messages, oldest first.
    """
    offered: list[tuple[str, str]] = []
    for message in reversed(messages):
        if message.sender is Sender.CITIZEN:
            break
        if message.sender is not Sender.BOT or not isinstance(message.payload, dict):
            continue
        buttons: Any = message.payload.get("buttons")
        for button in buttons if isinstance(buttons, list) else []:
            if isinstance(button, dict) and isinstance(button.get("payload"), str):
                payload = button["payload"]
                offered.append((str(button.get("title") or payload), payload))
    return offered


def offered_payload(messages: Sequence[Message], text: str, payload: str) -> str:
    """Return ``payload`` if the bot offered a button with this payload and title ``text``.

    Args:
        messages: The conversation's messages, oldest first.
        text: The message text (the button's title, as the widget sends it).
        payload: The button payload sent with it.

    Raises:
        ApiError: 400 ``invalid_field`` (field ``payload``) for any other payload.
    """
    title = text.strip()
    for offered_title, offered in offered_buttons(messages):
        if offered == payload and offered_title.strip() == title:
            return payload
    raise ApiError(400, "invalid_field", NOT_OFFERED, field="payload")


def typed_text(text: str) -> str:
    """Free text as Rasa may see it: without leading slashes, so never an intent command.

    ``"/restart"`` becomes ``"restart"``; a text of only slashes becomes ``"?"`` (Rasa
    needs some text, and a question mark means nothing to it).
    """
    return _COMMAND_PREFIX_RE.sub("", text) or "?"
