"""The button check reads a bounded number of messages (MessageRepository.latest)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.handoff import HandoffStore
from bot.handoff.errors import ConversationNotFound
from bot.handoff.messages import LATEST_LIMIT
from bot.web.buttons import offered_payload
from bot.web.http import ApiError

YES_NO = {"buttons": [{"title": "Ja", "payload": "/affirm"}, {"title": "Nei", "payload": "/deny"}]}
OLD = {"buttons": [{"title": "Bibliotek", "payload": "/ask_library"}]}


def _long_conversation(store: HandoffStore, turns: int) -> str:
    conversation = store.conversations.create("nn")
    for n in range(turns):
        store.messages.add(conversation.id, "citizen", f"spørsmål {n}")
        store.messages.add(conversation.id, "bot", f"svar {n}", payload=OLD if n == 0 else None)
    store.messages.add(conversation.id, "citizen", "Kan eg snakke med nokon?")
    store.messages.add(conversation.id, "bot", "Vil du at eg finn ein person?", payload=YES_NO)
    return conversation.id


def test_latest_returns_the_last_messages_oldest_first(tmp_path: Path) -> None:
    with HandoffStore(f"sqlite:///{tmp_path}/h.sqlite3") as store:
        conversation_id = _long_conversation(store, 300)
        latest = store.messages.latest(conversation_id)
        everything = store.messages.after(conversation_id, 0)
    assert len(everything) == 602
    assert len(latest) == LATEST_LIMIT
    assert [m.id for m in latest] == [m.id for m in everything[-LATEST_LIMIT:]]


@pytest.mark.parametrize(
    ("text", "payload", "accepted"),
    [
        ("Ja", "/affirm", True),
        ("Nei", "/deny", True),
        ("Ja", "/deny", False),  # the title of another button
        ("Bibliotek", "/ask_library", False),  # offered, but before the citizen's last message
    ],
)
def test_a_button_press_in_message_600_is_checked_against_the_last_turn_after_a_restart(
    tmp_path: Path, text: str, payload: str, accepted: bool
) -> None:
    url = f"sqlite:///{tmp_path}/h.sqlite3"
    with HandoffStore(url) as store:
        conversation_id = _long_conversation(store, 300)
    with HandoffStore(url) as restarted:
        recent = restarted.messages.latest(conversation_id)
    if accepted:
        assert offered_payload(recent, text, payload) == payload
    else:
        with pytest.raises(ApiError) as raised:
            offered_payload(recent, text, payload)
        assert (raised.value.status, raised.value.extra) == (400, {"field": "payload"})


def test_latest_refuses_an_unknown_conversation_and_a_bad_limit(tmp_path: Path) -> None:
    with HandoffStore(f"sqlite:///{tmp_path}/h.sqlite3") as store:
        with pytest.raises(ConversationNotFound):
            store.messages.latest("no-such-conversation")
        conversation_id = store.conversations.create("nb").id
        with pytest.raises(ValueError, match="at least 1"):
            store.messages.latest(conversation_id, 0)
