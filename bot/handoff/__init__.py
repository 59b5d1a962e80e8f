"""Human handoff core: a citizen's chat moves from the bot to a staff member and back.

This package has no web code. It provides:

* :mod:`bot.handoff.states` - the state machine (:class:`HandoffState`,
  :class:`Event`, :data:`TRANSITIONS`, :func:`next_state`) and
  :func:`bot_may_speak`, the single rule for when the bot may answer
  (only in BOT; silent in WAITING, WITH_HUMAN and CLOSED).
* :mod:`bot.handoff.store` - :class:`HandoffStore`, the database layer: one
  repository per concern (``conversations``, ``messages``, ``notes``,
  ``requests``, ``users``, ``retention``) over one engine and one clock.
* :mod:`bot.handoff.schema` - every table of the handoff database on one
  ``MetaData``; :mod:`bot.handoff.migrate` and ``bot/handoff/migrations/`` -
  the Alembic migrations the store runs when it opens.
* :mod:`bot.handoff.passwords` - scrypt password hashing.
* :mod:`bot.handoff.contact` - validation of e-mail / phone contacts.
* :mod:`bot.handoff.cli` - ``python -m bot.handoff.cli`` to manage staff users.

Typical flow in the web layer::

    store = HandoffStore()              # $HANDOFF_DATABASE_URL or SQLite file; migrates
    conv = store.conversations.create("nn")
    incoming = store.messages.receive_citizen(conv.id, "Eg vil snakke med eit menneske")
    if incoming.bot_may_speak:
        ...  # ask the bot, then store.messages.add(conv.id, "bot", answer)
    store.conversations.transition(conv.id, Event.REQUEST_HUMAN, actor="citizen")
    store.conversations.claim(conv.id, staff_user_id)   # True for exactly one staff member
    store.messages.add(conv.id, "staff", "Hei, eg heiter Kari.", staff_user_id=staff_user_id)
    store.conversations.transition(conv.id, Event.CLOSE, actor=staff_actor("kari"))
"""

from .contact import is_valid_contact, normalize_contact
from .errors import (
    ConcurrentUpdateError,
    ConversationNotFound,
    DuplicateUsername,
    HandoffError,
    InvalidContact,
    MessageNotFound,
    OfflineRequestNotFound,
    PasswordPolicyError,
    SchemaVersionError,
    UserInactive,
    UserNotFound,
)
from .passwords import MIN_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password
from .records import (
    Conversation,
    IncomingMessage,
    Language,
    Message,
    Note,
    OfflineRequest,
    PurgeResult,
    QueueEntry,
    Sender,
    StaffRole,
    StaffUser,
    Transition,
)
from .states import (
    TRANSITIONS,
    Event,
    HandoffState,
    InvalidTransition,
    allowed_events,
    bot_may_speak,
    next_state,
)
from .store import (
    DATABASE_URL_ENV,
    DEFAULT_DATABASE_URL,
    HandoffStore,
    database_url_from_env,
    staff_actor,
    utc_now,
)

__all__ = [
    "DATABASE_URL_ENV",
    "DEFAULT_DATABASE_URL",
    "MIN_PASSWORD_LENGTH",
    "TRANSITIONS",
    "ConcurrentUpdateError",
    "Conversation",
    "ConversationNotFound",
    "DuplicateUsername",
    "Event",
    "HandoffError",
    "HandoffState",
    "HandoffStore",
    "IncomingMessage",
    "InvalidContact",
    "InvalidTransition",
    "Language",
    "Message",
    "MessageNotFound",
    "Note",
    "OfflineRequest",
    "OfflineRequestNotFound",
    "PasswordPolicyError",
    "PurgeResult",
    "SchemaVersionError",
    "QueueEntry",
    "Sender",
    "StaffRole",
    "StaffUser",
    "Transition",
    "UserInactive",
    "UserNotFound",
    "allowed_events",
    "bot_may_speak",
    "database_url_from_env",
    "hash_password",
    "is_valid_contact",
    "needs_rehash",
    "next_state",
    "normalize_contact",
    "staff_actor",
    "utc_now",
    "verify_password",
]
