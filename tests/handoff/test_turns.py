"""store.turns: a citizen turn in two transactions, with the rules of the separate calls."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event as sa_event

from bot.handoff import HandoffState, HandoffStore, Sender, StaffUser
from bot.handoff.errors import ConversationNotFound, MessageNotFound
from bot.handoff.records import Conversation
from bot.handoff.states import Event
from bot.handoff.turns import NewMessage


@contextmanager
def transactions(store: HandoffStore) -> Iterator[list[int]]:
    """Count the connections taken from the pool (one per transaction) inside the block."""
    count = [0]

    def checkout(*_: Any) -> None:
        count[0] += 1

    sa_event.listen(store.engine, "checkout", checkout)
    try:
        yield count
    finally:
        sa_event.remove(store.engine, "checkout", checkout)


def _upper(language: str) -> tuple[str, str]:
    return f"HEI ({language})", language


def _replies(*texts: str) -> Callable[[Conversation], Sequence[NewMessage]]:
    return lambda conversation: [NewMessage(Sender.BOT, t, {"n": i}) for i, t in enumerate(texts)]


def _in_state(store: HandoffStore, staff: StaffUser, state: HandoffState) -> str:
    conversation = store.conversations.create("nb")
    if state is not HandoffState.BOT:
        store.conversations.transition(conversation.id, Event.REQUEST_HUMAN, "bot")
    if state in (HandoffState.WITH_HUMAN, HandoffState.CLOSED):
        assert store.conversations.claim(conversation.id, staff.id)
    if state is HandoffState.CLOSED:
        store.conversations.transition(conversation.id, Event.CLOSE, "staff:kari")
    return conversation.id


@pytest.mark.parametrize(
    ("state", "arrived_in", "reopened"),
    [
        (HandoffState.BOT, HandoffState.BOT, False),
        (HandoffState.WAITING, HandoffState.WAITING, False),
        (HandoffState.WITH_HUMAN, HandoffState.WITH_HUMAN, False),
        (HandoffState.CLOSED, HandoffState.BOT, True),
    ],
)
def test_receive_stores_the_prepared_text_in_one_transaction(
    store: HandoffStore,
    staff: StaffUser,
    state: HandoffState,
    arrived_in: HandoffState,
    reopened: bool,
) -> None:
    cid = _in_state(store, staff, state)
    with transactions(store) as count:
        incoming, language, extra = store.turns.receive(cid, _upper, payload={"button": "/x"})
    assert count[0] == 1
    assert (language, extra) == ("nb", "nb")  # prepare got the conversation's language
    assert (incoming.state, incoming.reopened) == (arrived_in, reopened)
    assert incoming.message.text == "HEI (nb)"
    assert incoming.message.payload == {"button": "/x"}
    assert store.messages.transcript(cid)[-1] == incoming.message
    assert store.conversations.get(cid).state is arrived_in  # type: ignore[union-attr]


def test_receive_in_an_unknown_conversation_stores_nothing(store: HandoffStore) -> None:
    with pytest.raises(ConversationNotFound):
        store.turns.receive("nope", _upper)


def test_bot_replies_record_nlu_language_and_replies_in_one_transaction(
    store: HandoffStore, staff: StaffUser
) -> None:
    cid = _in_state(store, staff, HandoffState.BOT)
    incoming, _, _ = store.turns.receive(cid, _upper)
    with transactions(store) as count:
        conversation, stored = store.turns.bot_replies(
            cid, incoming.message.id, _replies("Ein", "To"), nlu=("greet", 0.9), language="nn"
        )
    assert count[0] == 1
    assert conversation is not None and conversation.language.value == "nn"
    assert [(m.sender, m.text, m.payload) for m in stored] == [
        (Sender.BOT, "Ein", {"n": 0}),
        (Sender.BOT, "To", {"n": 1}),
    ]
    transcript = store.messages.transcript(cid)
    assert transcript[-2:] == stored
    assert (transcript[-3].intent, transcript[-3].confidence) == ("greet", 0.9)
    assert store.conversations.get(cid).language.value == "nn"  # type: ignore[union-attr]


@pytest.mark.parametrize("state", [HandoffState.WAITING, HandoffState.WITH_HUMAN])
def test_bot_replies_store_only_the_nlu_and_language_when_the_bot_may_not_speak(
    store: HandoffStore, staff: StaffUser, state: HandoffState
) -> None:
    cid = _in_state(store, staff, state)
    incoming, _, _ = store.turns.receive(cid, _upper)
    composed: list[Conversation] = []

    def compose(conversation: Conversation) -> list[NewMessage]:
        composed.append(conversation)
        return [NewMessage(Sender.BOT, "should not be stored")]

    conversation, stored = store.turns.bot_replies(
        cid, incoming.message.id, compose, nlu=("greet", 0.5), language="nn"
    )
    assert stored == [] and composed == []
    assert conversation is not None and conversation.state is state
    transcript = store.messages.transcript(cid)
    assert transcript[-1].id == incoming.message.id and transcript[-1].intent == "greet"
    assert store.conversations.get(cid).language.value == "nn"  # type: ignore[union-attr]


def test_bot_replies_for_an_unknown_message_store_nothing(
    store: HandoffStore, staff: StaffUser
) -> None:
    cid = _in_state(store, staff, HandoffState.BOT)
    before = store.messages.transcript(cid)
    with pytest.raises(MessageNotFound):
        store.turns.bot_replies(cid, 999_999, _replies("Hei"), nlu=("greet", 0.5), language="nn")
    assert store.messages.transcript(cid) == before
    assert store.conversations.get(cid).language.value == "nb"  # type: ignore[union-attr]


def test_bot_replies_in_a_deleted_conversation_store_nothing(store: HandoffStore) -> None:
    assert store.turns.bot_replies("gone", 1, _replies("Hei")) == (None, [])


def test_a_staff_member_who_takes_over_while_the_bot_composes_wins(
    store: HandoffStore, staff: StaffUser
) -> None:
    """The state gate is checked again when the replies are stored, not only when read."""
    cid = _in_state(store, staff, HandoffState.BOT)
    incoming, _, _ = store.turns.receive(cid, _upper)
    calls: list[HandoffState] = []

    def compose(conversation: Conversation) -> list[NewMessage]:
        calls.append(conversation.state)
        store.conversations.transition(cid, Event.REQUEST_HUMAN, "citizen")
        assert store.conversations.claim(cid, staff.id)
        return [NewMessage(Sender.BOT, "too late")]

    conversation, stored = store.turns.bot_replies(cid, incoming.message.id, compose)
    assert calls == [HandoffState.BOT]
    assert stored == []
    assert conversation is not None and conversation.state is HandoffState.WITH_HUMAN
    assert "too late" not in [m.text for m in store.messages.transcript(cid)]


@pytest.mark.parametrize(
    ("nlu", "language", "problem"),
    [
        (("x" * 201, 0.5), None, "Intent"),
        (("greet", 1.5), None, "onfidence"),
        (None, "de", "anguage"),
    ],
)
def test_bot_replies_refuse_bad_input_before_storing_anything(
    store: HandoffStore,
    staff: StaffUser,
    nlu: tuple[str | None, float | None] | None,
    language: str | None,
    problem: str,
) -> None:
    cid = _in_state(store, staff, HandoffState.BOT)
    incoming, _, _ = store.turns.receive(cid, _upper)
    with pytest.raises(ValueError, match=problem):
        store.turns.bot_replies(
            cid, incoming.message.id, _replies("Hei"), nlu=nlu, language=language
        )
    assert store.messages.transcript(cid)[-1] == incoming.message
