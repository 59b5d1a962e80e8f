"""Plain, immutable records returned by :class:`bot.handoff.store.HandoffStore`.

These are detached from the database: they hold no session and can be passed
to templates, cached, or turned into dicts with :func:`dataclasses.asdict` for
JSON (enums are ``str`` subclasses; datetimes need ``.isoformat()``).
All timestamps are timezone-aware UTC ``datetime`` objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from .states import Event, HandoffState, bot_may_speak

__all__ = [
    "Conversation",
    "IncomingMessage",
    "Language",
    "Message",
    "Note",
    "OfflineRequest",
    "PurgeResult",
    "QueueEntry",
    "Sender",
    "StaffRole",
    "StaffUser",
    "Transition",
]


class Language(str, Enum):
    """Language of a conversation. Nynorsk is Alver kommune's official form."""

    NN = "nn"
    NB = "nb"
    EN = "en"


class Sender(str, Enum):
    """Who wrote a message."""

    CITIZEN = "citizen"
    BOT = "bot"
    STAFF = "staff"
    SYSTEM = "system"


class StaffRole(str, Enum):
    """Role of a staff user. What each role may do is decided by the web layer."""

    STAFF = "staff"
    EDITOR = "editor"
    ADMIN = "admin"


@dataclass(frozen=True)
class Conversation:
    """One chat between a citizen and the bot and/or staff.

    Attributes:
        id: Random, unguessable id (``secrets.token_urlsafe(24)``). Treat it as a
            secret: whoever knows it can read and write the conversation.
        state: Current handoff state.
        language: Conversation language.
        created_at: When the conversation was created.
        updated_at: Last state change or message.
        claimed_by: Staff user id that has (or last had, if CLOSED) the
            conversation; None in BOT and WAITING.
        waiting_since: When the citizen asked for a person; set only in WAITING.
    """

    id: str
    state: HandoffState
    language: Language
    created_at: datetime
    updated_at: datetime
    claimed_by: int | None
    waiting_since: datetime | None

    @property
    def bot_may_speak(self) -> bool:
        """Whether the bot may answer now (delegates to :func:`states.bot_may_speak`)."""
        return bot_may_speak(self.state)


@dataclass(frozen=True)
class Transition:
    """One row of a conversation's audit trail: a single state change.

    Attributes:
        id: Row id (increasing in insertion order).
        conversation_id: The conversation that changed.
        from_state: State before the change.
        to_state: State after the change.
        event: The event that caused it.
        actor: Who caused it: ``citizen``, ``bot``, ``system`` or ``staff:<username>``.
        reason: Optional free-text reason.
        at: When it happened.
    """

    id: int
    conversation_id: str
    from_state: HandoffState
    to_state: HandoffState
    event: Event
    actor: str
    reason: str | None
    at: datetime


@dataclass(frozen=True)
class Message:
    """One message in a transcript.

    Attributes:
        id: Row id (increasing in insertion order; transcripts are sorted by it).
        conversation_id: The conversation it belongs to.
        sender: Who wrote it.
        staff_user_id: The staff author if ``sender`` is STAFF, else None.
        staff_first_name: First name of that staff user (for display), else None.
        text: The message text (may be empty if ``payload`` carries the content).
        payload: Decoded JSON payload (buttons, images, ...) or None.
        intent: NLU intent name, if known.
        confidence: NLU confidence 0..1, if known.
        feedback: Citizen feedback: +1, -1 or None.
        created_at: When it was stored.
    """

    id: int
    conversation_id: str
    sender: Sender
    staff_user_id: int | None
    staff_first_name: str | None
    text: str
    payload: Any | None
    intent: str | None
    confidence: float | None
    feedback: int | None
    created_at: datetime


@dataclass(frozen=True)
class IncomingMessage:
    """Result of storing a citizen message with ``receive_citizen_message``.

    Attributes:
        message: The stored message.
        state: The conversation state after storing it.
        reopened: True if the message reopened a CLOSED conversation.
        notices: System messages stored right after it (the personal-data warning).
    """

    message: Message
    state: HandoffState
    reopened: bool
    notices: tuple[Message, ...] = ()

    @property
    def bot_may_speak(self) -> bool:
        """Whether the message should be passed to the bot for an answer."""
        return bot_may_speak(self.state)


@dataclass(frozen=True)
class Note:
    """An internal staff note on a conversation (never shown to the citizen).

    Attributes:
        id: Row id.
        conversation_id: The conversation the note is about.
        author_id: Staff user id of the author.
        text: The note.
        created_at: When it was written.
    """

    id: int
    conversation_id: str
    author_id: int
    text: str
    created_at: datetime


@dataclass(frozen=True)
class StaffUser:
    """A staff member who can log in to the console. The password hash is never exposed.

    Attributes:
        id: Row id.
        username: Unique login name (lower-case).
        first_name: Shown to citizens next to staff messages.
        role: Access role.
        active: Inactive users cannot log in or claim conversations.
        created_at: When the user was created.
    """

    id: int
    username: str
    first_name: str
    role: StaffRole
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class OfflineRequest:
    """A question left by a citizen for staff to answer later by e-mail or phone.

    Attributes:
        id: Row id.
        conversation_id: Conversation it came from, if any.
        question: The citizen's question.
        contact: Normalised e-mail address or ``+47`` phone number.
        language: Language to answer in.
        created_at: When it was left.
        answered_at: When staff marked it answered, or None while open.
        answered_by: Staff user id that answered it, or None while open.
    """

    id: int
    conversation_id: str | None
    question: str
    contact: str
    language: Language
    created_at: datetime
    answered_at: datetime | None
    answered_by: int | None

    @property
    def is_open(self) -> bool:
        """True while nobody has answered the request."""
        return self.answered_at is None


@dataclass(frozen=True)
class QueueEntry:
    """A conversation waiting for a person, as shown in the staff queue.

    Attributes:
        conversation: The waiting conversation.
        waiting_since: When the citizen asked for a person.
        waiting_for: How long they have waited, measured when the queue was read.
    """

    conversation: Conversation
    waiting_since: datetime
    waiting_for: timedelta


@dataclass(frozen=True)
class PurgeResult:
    """How much :meth:`HandoffStore.purge_older_than` deleted.

    Attributes:
        conversations: Number of conversations deleted (with their messages,
            notes, transitions and linked offline requests).
        offline_requests: Number of offline requests deleted in total.
    """

    conversations: int
    offline_requests: int
