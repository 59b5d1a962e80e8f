"""The state machine: every (state, event) pair and the bot-may-speak rule."""

from __future__ import annotations

import itertools

import pytest

from bot.handoff import (
    TRANSITIONS,
    Event,
    HandoffError,
    HandoffState,
    InvalidTransition,
    allowed_events,
    bot_may_speak,
    next_state,
)

S = HandoffState
E = Event

# The specification, written out independently of the implementation.
EXPECTED: dict[tuple[HandoffState, Event], HandoffState] = {
    (S.BOT, E.REQUEST_HUMAN): S.WAITING,
    (S.WAITING, E.CLAIM): S.WITH_HUMAN,
    (S.WAITING, E.CANCEL): S.BOT,
    (S.WAITING, E.TIMEOUT): S.BOT,
    (S.WAITING, E.CLOSE): S.CLOSED,
    (S.WITH_HUMAN, E.HAND_BACK): S.BOT,
    (S.WITH_HUMAN, E.CLOSE): S.CLOSED,
    (S.CLOSED, E.REOPEN): S.BOT,
    # wp-console: transfer to a colleague, back to the queue
    (S.WITH_HUMAN, E.TRANSFER): S.WITH_HUMAN,
    (S.WITH_HUMAN, E.REQUEUE): S.WAITING,
}

ALL_PAIRS = list(itertools.product(HandoffState, Event))


def test_every_pair_is_covered_by_this_test_table() -> None:
    assert len(ALL_PAIRS) == len(HandoffState) * len(Event) == 36
    assert set(EXPECTED) <= set(ALL_PAIRS)


def test_transition_table_matches_specification_exactly() -> None:
    assert dict(TRANSITIONS) == EXPECTED


def test_transition_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        TRANSITIONS[(S.BOT, E.CLOSE)] = S.CLOSED  # type: ignore[index]
    assert (S.BOT, E.CLOSE) not in TRANSITIONS


@pytest.mark.parametrize(
    ("state", "event"), ALL_PAIRS, ids=[f"{s.value}-{e.value}" for s, e in ALL_PAIRS]
)
def test_next_state_for_every_pair(state: HandoffState, event: Event) -> None:
    if (state, event) in EXPECTED:
        assert next_state(state, event) is EXPECTED[(state, event)]
    else:
        with pytest.raises(InvalidTransition) as info:
            next_state(state, event)
        error = info.value
        assert error.state is state
        assert error.event is event
        message = str(error)
        assert f"'{state.value}'" in message
        assert f"'{event.value}'" in message
        expected_allowed = [e for (s, e) in EXPECTED if s is state]
        assert list(error.allowed) == [e for e in Event if e in expected_allowed]
        for allowed in expected_allowed:
            assert allowed.value in message


def test_invalid_transition_is_a_value_error_and_handoff_error() -> None:
    with pytest.raises(ValueError):
        next_state(S.BOT, E.CLAIM)
    with pytest.raises(HandoffError):
        next_state(S.BOT, E.CLAIM)


def test_next_state_accepts_string_values() -> None:
    assert next_state("bot", "request_human") is S.WAITING
    assert next_state("with_human", "hand_back") is S.BOT


@pytest.mark.parametrize(("state", "event"), [("nonsense", "claim"), ("waiting", "nonsense")])
def test_unknown_state_or_event_is_a_plain_value_error(state: str, event: str) -> None:
    with pytest.raises(ValueError, match="Unknown handoff") as info:
        next_state(state, event)
    assert not isinstance(info.value, InvalidTransition)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (S.BOT, (E.REQUEST_HUMAN,)),
        (S.WAITING, (E.CLAIM, E.CLOSE, E.CANCEL, E.TIMEOUT)),
        (S.WITH_HUMAN, (E.HAND_BACK, E.CLOSE, E.TRANSFER, E.REQUEUE)),
        (S.CLOSED, (E.REOPEN,)),
    ],
)
def test_allowed_events(state: HandoffState, expected: tuple[Event, ...]) -> None:
    assert allowed_events(state) == expected


@pytest.mark.parametrize(
    ("state", "may_speak"),
    [(S.BOT, True), (S.WAITING, False), (S.WITH_HUMAN, False), (S.CLOSED, False)],
)
def test_bot_may_speak_for_every_state(state: HandoffState, may_speak: bool) -> None:
    assert bot_may_speak(state) is may_speak
    assert bot_may_speak(state.value) is may_speak


def test_bot_may_speak_covers_all_states() -> None:
    assert [s for s in HandoffState if bot_may_speak(s)] == [S.BOT]


def test_bot_may_speak_rejects_unknown_state() -> None:
    with pytest.raises(ValueError, match="Unknown handoff state"):
        bot_may_speak("asleep")


def test_state_and_event_values_are_the_stored_strings() -> None:
    assert [s.value for s in HandoffState] == ["bot", "waiting", "with_human", "closed"]
    assert [e.value for e in Event] == [
        "request_human",
        "claim",
        "hand_back",
        "close",
        "cancel",
        "timeout",
        "reopen",
        "transfer",
        "requeue",
    ]
