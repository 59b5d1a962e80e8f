"""States and allowed moves of a conversation in the human-handoff flow.

A conversation is always in exactly one :class:`HandoffState`. It moves between
states only through an :class:`Event`, and only if the pair ``(state, event)``
is listed in :data:`TRANSITIONS`. :func:`next_state` is the single function
that applies that table, and :func:`bot_may_speak` is the single function that
decides whether the bot may answer the citizen.

Allowed moves (everything else is refused)::

    BOT         --REQUEST_HUMAN-->  WAITING
    WAITING     --CLAIM---------->  WITH_HUMAN
    WAITING     --CANCEL--------->  BOT
    WAITING     --TIMEOUT-------->  BOT
    WAITING     --CLOSE---------->  CLOSED      (staff closes e.g. spam from the queue)
    WITH_HUMAN  --HAND_BACK------>  BOT
    WITH_HUMAN  --CLOSE---------->  CLOSED
    CLOSED      --REOPEN--------->  BOT
    WITH_HUMAN  --TRANSFER------->  WITH_HUMAN  (to a named colleague)
    WITH_HUMAN  --REQUEUE-------->  WAITING     (back to the queue)

Design decision: the bot is silent in WAITING as well as in WITH_HUMAN. While a
citizen waits for a person, answers from the bot would be confusing ("is this the
person now?") and could contradict what the staff member says a moment later.
The web layer should show a "waiting for a person" notice instead and may offer
to cancel (``CANCEL``) or to leave a request (``CANCEL`` + offline request).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType

from .errors import HandoffError

__all__ = [
    "TRANSITIONS",
    "Event",
    "HandoffState",
    "InvalidTransition",
    "allowed_events",
    "bot_may_speak",
    "next_state",
]


class HandoffState(str, Enum):
    """Who is responsible for answering the citizen right now.

    The values are the strings stored in the database.
    """

    BOT = "bot"
    """The bot answers."""

    WAITING = "waiting"
    """The citizen asked for a person and waits in the staff queue."""

    WITH_HUMAN = "with_human"
    """A staff member has claimed the conversation and answers."""

    CLOSED = "closed"
    """A staff member closed the conversation."""


class Event(str, Enum):
    """Something that happens to a conversation and may change its state.

    The values are the strings stored in the ``transitions`` table.
    """

    REQUEST_HUMAN = "request_human"
    """The citizen (or the bot on their behalf) asks for a person."""

    CLAIM = "claim"
    """A staff member takes a waiting conversation."""

    HAND_BACK = "hand_back"
    """The staff member gives the conversation back to the bot."""

    CLOSE = "close"
    """A staff member closes the conversation."""

    CANCEL = "cancel"
    """The citizen gives up waiting, or leaves an offline request instead."""

    TIMEOUT = "timeout"
    """Nobody claimed the waiting conversation in time."""

    REOPEN = "reopen"
    """The citizen writes again after the conversation was closed."""

    TRANSFER = "transfer"
    """The staff member passes the conversation to a named colleague."""

    REQUEUE = "requeue"
    """The staff member puts the conversation back in the queue for anyone to take."""


StateLike = HandoffState | str
EventLike = Event | str

_TABLE: dict[tuple[HandoffState, Event], HandoffState] = {
    (HandoffState.BOT, Event.REQUEST_HUMAN): HandoffState.WAITING,
    (HandoffState.WAITING, Event.CLAIM): HandoffState.WITH_HUMAN,
    (HandoffState.WAITING, Event.CANCEL): HandoffState.BOT,
    (HandoffState.WAITING, Event.TIMEOUT): HandoffState.BOT,
    (HandoffState.WAITING, Event.CLOSE): HandoffState.CLOSED,
    (HandoffState.WITH_HUMAN, Event.HAND_BACK): HandoffState.BOT,
    (HandoffState.WITH_HUMAN, Event.CLOSE): HandoffState.CLOSED,
    (HandoffState.CLOSED, Event.REOPEN): HandoffState.BOT,
    (HandoffState.WITH_HUMAN, Event.TRANSFER): HandoffState.WITH_HUMAN,
    (HandoffState.WITH_HUMAN, Event.REQUEUE): HandoffState.WAITING,
}

TRANSITIONS: Mapping[tuple[HandoffState, Event], HandoffState] = MappingProxyType(_TABLE)
"""The only table of allowed moves: ``(from_state, event) -> to_state``.

Every pair not listed here is refused by :func:`next_state`. Read-only.
"""


class InvalidTransition(HandoffError, ValueError):
    """Raised when an event is not allowed in the conversation's current state.

    Attributes:
        state: The state the conversation was in.
        event: The refused event.
        allowed: The events that would have been accepted in ``state``.
    """

    def __init__(self, state: HandoffState, event: Event) -> None:
        self.state = state
        self.event = event
        self.allowed = allowed_events(state)
        allowed_text = ", ".join(e.value for e in self.allowed) or "none"
        super().__init__(
            f"Event '{event.value}' is not allowed in state '{state.value}'. "
            f"Allowed events in state '{state.value}': {allowed_text}. "
            "Read the conversation's current state again and only offer actions "
            "that are allowed in it."
        )


def _as_state(state: StateLike) -> HandoffState:
    try:
        return HandoffState(state)
    except ValueError:
        valid = ", ".join(s.value for s in HandoffState)
        raise ValueError(
            f"Unknown handoff state {state!r}. Use a HandoffState member or one of: {valid}."
        ) from None


def _as_event(event: EventLike) -> Event:
    try:
        return Event(event)
    except ValueError:
        valid = ", ".join(e.value for e in Event)
        raise ValueError(
            f"Unknown handoff event {event!r}. Use an Event member or one of: {valid}."
        ) from None


def allowed_events(state: StateLike) -> tuple[Event, ...]:
    """List the events accepted in a state, in :class:`Event` declaration order.

    Args:
        state: A :class:`HandoffState` or its string value.

    Returns:
        The events for which :func:`next_state` would succeed.

    Raises:
        ValueError: If ``state`` is not a known state.
    """
    current = _as_state(state)
    return tuple(e for e in Event if (current, e) in TRANSITIONS)


def next_state(state: StateLike, event: EventLike) -> HandoffState:
    """Return the state a conversation moves to when ``event`` happens in ``state``.

    This is a pure function; it does not touch the database. Use
    :meth:`bot.handoff.store.HandoffStore.transition` to apply a move.

    Args:
        state: The current state (enum member or its string value).
        event: The event (enum member or its string value).

    Returns:
        The new state.

    Raises:
        InvalidTransition: If the table does not allow ``event`` in ``state``.
            The message names both and lists the allowed events.
        ValueError: If ``state`` or ``event`` is not a known value.
    """
    current = _as_state(state)
    happened = _as_event(event)
    try:
        return TRANSITIONS[(current, happened)]
    except KeyError:
        raise InvalidTransition(current, happened) from None


def bot_may_speak(state: StateLike) -> bool:
    """Decide whether the bot may answer the citizen. The only place deciding it.

    The bot answers only in :attr:`HandoffState.BOT`. It is silent while the
    citizen waits for a person (WAITING), while a staff member has the
    conversation (WITH_HUMAN) and after staff closed it (CLOSED). A citizen
    message in CLOSED first reopens the conversation (``REOPEN`` -> BOT), after
    which the bot may answer again; see
    :meth:`bot.handoff.store.HandoffStore.receive_citizen_message`.

    Args:
        state: The conversation's current state (enum member or string value).

    Returns:
        True if the bot may send an answer, otherwise False.

    Raises:
        ValueError: If ``state`` is not a known value.
    """
    return _as_state(state) is HandoffState.BOT
