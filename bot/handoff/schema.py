# SQLAlchemy 1.4 ships without type hints, so its base classes are 'Any' to mypy.
# mypy: disallow-subclassing-any=False
"""The handoff database schema: every table on one :data:`metadata`.

The handoff tables (conversations, transitions, messages, notes, offline
requests, staff users) are ORM models; the web layer's tables (staff presence,
conversation flags, console sessions) are plain :class:`~sqlalchemy.Table`
objects used by :mod:`bot.web.presence` and :mod:`bot.web.sessions`.

This module describes the schema as the code expects it. The database itself is
built and changed only by the Alembic migrations in :mod:`bot.handoff.migrations`;
a test checks that the migrated database equals this metadata.

Portability rules:

* Only portable column types; enums are stored as short strings guarded by
  ``CHECK`` constraints, not as database enum types.
* Timestamps are timezone-aware UTC in Python. PostgreSQL stores them as
  ``timestamp with time zone``; other databases store naive UTC values, which
  are turned back into aware UTC on reading (see :class:`UTCDateTime`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
)
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.orm import declarative_base
from sqlalchemy.types import TypeDecorator

from .records import Language, Sender, StaffRole
from .states import HandoffState

__all__ = [
    "BOOKING_STATUSES",
    "CONVERSATION_ID_MAX",
    "BookingRequestRow",
    "EDITOR_TABLES",
    "CONSOLE_TABLES",
    "STAFF_STATUSES",
    "canned_replies_table",
    "conversation_context_table",
    "staff_status_table",
    "HANDOFF_TABLES",
    "INBOX_DECISIONS",
    "INSIGHT_TABLES",
    "MAX_FIRST_NAME_LENGTH",
    "RATING_VALUES",
    "WEB_TABLES",
    "Base",
    "ConversationRow",
    "MessageRow",
    "NoteRow",
    "OfflineRequestRow",
    "StaffUserRow",
    "TransitionRow",
    "UTCDateTime",
    "console_sessions_table",
    "conversation_ratings_table",
    "conversation_stats_table",
    "conversation_flags_table",
    "inbox_marks_table",
    "metadata",
    "staff_presence_table",
]

CONVERSATION_ID_MAX = 64
"""Longest conversation id the ``conversations.id`` column holds."""

MAX_FIRST_NAME_LENGTH = 100
"""Longest staff first name the ``staff_users.first_name`` column holds."""


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetime column that behaves the same on every database.

    Accepts only aware datetimes (naive ones are refused, because their time
    zone is unknown). PostgreSQL stores ``timestamptz``; other databases get
    naive UTC values. Values read back are always aware UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert an aware datetime to what the database stores."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"Naive datetime {value!r} cannot be stored; use an aware UTC datetime "
                "such as datetime.now(timezone.utc)."
            )
        value = value.astimezone(timezone.utc)
        if dialect.name != "postgresql":
            value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert a stored value back to an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def _in_values(column: str, values: Iterable[str]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


Base: Any = declarative_base()

metadata = Base.metadata
"""SQLAlchemy metadata of every table in the handoff database."""


class StaffUserRow(Base):
    """ORM model of table ``staff_users``."""

    __tablename__ = "staff_users"
    __table_args__ = (
        CheckConstraint(
            _in_values("role", (r.value for r in StaffRole)), name="ck_staff_users_role"
        ),
    )

    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(64), nullable=False, unique=True)
    first_name = Column(String(MAX_FIRST_NAME_LENGTH), nullable=False)
    password_hash = Column(String(255), nullable=False)
    role = Column(String(10), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False)


class ConversationRow(Base):
    """ORM model of table ``conversations``."""

    __tablename__ = "conversations"
    __table_args__ = (
        CheckConstraint(
            _in_values("state", (s.value for s in HandoffState)), name="ck_conversations_state"
        ),
        CheckConstraint(
            _in_values("language", (lang.value for lang in Language)),
            name="ck_conversations_language",
        ),
        Index("ix_conversations_state_waiting_since", "state", "waiting_since"),
        Index("ix_conversations_updated_at", "updated_at"),
    )

    id = Column(String(CONVERSATION_ID_MAX), primary_key=True)
    state = Column(String(20), nullable=False)
    language = Column(String(5), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)
    claimed_by = Column(Integer, ForeignKey("staff_users.id"), nullable=True)
    waiting_since = Column(UTCDateTime, nullable=True)


class TransitionRow(Base):
    """ORM model of table ``transitions`` (audit trail of state changes)."""

    __tablename__ = "transitions"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(
        String(CONVERSATION_ID_MAX), ForeignKey("conversations.id"), nullable=False, index=True
    )
    from_state = Column(String(20), nullable=False)
    to_state = Column(String(20), nullable=False)
    event = Column(String(20), nullable=False)
    actor = Column(String(80), nullable=False)
    reason = Column(Text, nullable=True)
    at = Column(UTCDateTime, nullable=False)


class MessageRow(Base):
    """ORM model of table ``messages`` (the transcript)."""

    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint(_in_values("sender", (s.value for s in Sender)), name="ck_messages_sender"),
        CheckConstraint("feedback IS NULL OR feedback IN (1, -1)", name="ck_messages_feedback"),
    )

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(
        String(CONVERSATION_ID_MAX), ForeignKey("conversations.id"), nullable=False, index=True
    )
    sender = Column(String(10), nullable=False)
    staff_user_id = Column(Integer, ForeignKey("staff_users.id"), nullable=True)
    text = Column(Text, nullable=False)
    payload = Column(Text, nullable=True)
    intent = Column(String(200), nullable=True)
    confidence = Column(Float, nullable=True)
    feedback = Column(SmallInteger, nullable=True)
    created_at = Column(UTCDateTime, nullable=False)


class NoteRow(Base):
    """ORM model of table ``notes`` (internal staff notes)."""

    __tablename__ = "notes"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(
        String(CONVERSATION_ID_MAX), ForeignKey("conversations.id"), nullable=False, index=True
    )
    author_id = Column(Integer, ForeignKey("staff_users.id"), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(UTCDateTime, nullable=False)


class OfflineRequestRow(Base):
    """ORM model of table ``offline_requests``."""

    __tablename__ = "offline_requests"
    __table_args__ = (
        CheckConstraint(
            _in_values("language", (lang.value for lang in Language)),
            name="ck_offline_requests_language",
        ),
        Index("ix_offline_requests_created_at", "created_at"),
    )

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(
        String(CONVERSATION_ID_MAX), ForeignKey("conversations.id"), nullable=True, index=True
    )
    question = Column(Text, nullable=False)
    contact = Column(String(254), nullable=False)
    language = Column(String(5), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    answered_at = Column(UTCDateTime, nullable=True)
    answered_by = Column(Integer, ForeignKey("staff_users.id"), nullable=True)


# ----- booking package (issue 10): meetings requested from the chat ---------------

BOOKING_STATUSES = ("open", "booked", "answered")
"""A booking request is open until staff book a meeting or answer it another way."""


class BookingRequestRow(Base):
    """ORM model of table ``booking_requests`` (bot.handoff.bookings).

    Deleted with its conversation (``ON DELETE CASCADE``): by "Slett samtalen" and by
    the retention job, which delete conversations.
    """

    __tablename__ = "booking_requests"
    __table_args__ = (
        CheckConstraint(
            _in_values("language", (lang.value for lang in Language)),
            name="ck_booking_requests_language",
        ),
        CheckConstraint(_in_values("status", BOOKING_STATUSES), name="ck_booking_requests_status"),
        Index("ix_booking_requests_status_created_at", "status", "created_at"),
    )

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(
        String(CONVERSATION_ID_MAX),
        ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    topic = Column(String(64), nullable=False)
    place = Column(String(64), nullable=False)
    days = Column(Text, nullable=False)
    name = Column(String(80), nullable=False)
    description = Column(Text, nullable=False)
    contact = Column(String(254), nullable=True)
    language = Column(String(5), nullable=False)
    status = Column(String(10), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    meeting_at = Column(UTCDateTime, nullable=True)
    handled_at = Column(UTCDateTime, nullable=True)
    handled_by = Column(Integer, ForeignKey("staff_users.id"), nullable=True)
    staff_note = Column(Text, nullable=True)


# ----- the web layer's tables (bot.web.presence, bot.web.sessions) -----------

staff_presence_table = Table(
    "web_staff_presence",
    metadata,
    Column("staff_user_id", Integer, primary_key=True, autoincrement=False),
    Column("last_seen", UTCDateTime, nullable=False),
)
"""When each staff member last polled the console."""

conversation_flags_table = Table(
    "web_conversation_flags",
    metadata,
    Column("conversation_id", String(64), primary_key=True),
    Column("citizen_typing_at", UTCDateTime, nullable=True),
    Column("staff_typing_at", UTCDateTime, nullable=True),
    Column("offline_offer", Boolean, nullable=False, default=False),
)
"""Per conversation: when the citizen and the staff member last typed; the offline offer."""

console_sessions_table = Table(
    "web_console_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False, index=True),
)
"""Server-side console sessions (the SHA-256 hash of the cookie token, CSRF token, expiry)."""

HANDOFF_TABLES = (
    "staff_users",
    "conversations",
    "transitions",
    "messages",
    "notes",
    "offline_requests",
)
"""Tables the old ``HandoffStore`` created with ``create_all`` when it opened."""

WEB_TABLES = ("web_staff_presence", "web_conversation_flags", "web_console_sessions")
"""Tables the old web layer created with ``create_all`` when it started."""

# ----- insight (issue 9): ratings, inbox decisions, aggregated statistics -----------

RATING_VALUES = ("yes", "partly", "no")
"""The citizen's answer to "Fekk du svar på det du lurte på?"."""

INBOX_DECISIONS = ("faq_phrasing", "faq_entry", "not_for_bot")
"""What an editor did with a message of the unanswered inbox."""

conversation_ratings_table = Table(
    "insight_ratings",
    metadata,
    Column(
        "conversation_id",
        String(CONVERSATION_ID_MAX),
        ForeignKey("conversations.id"),
        primary_key=True,
    ),
    Column("value", String(10), nullable=False),
    Column("comment", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint(_in_values("value", RATING_VALUES), name="ck_insight_ratings_value"),
)
"""One end-of-conversation rating per conversation (the comment is masked citizen text)."""

inbox_marks_table = Table(
    "insight_inbox_marks",
    metadata,
    Column("message_id", Integer, ForeignKey("messages.id"), primary_key=True),
    Column(
        "conversation_id",
        String(CONVERSATION_ID_MAX),
        ForeignKey("conversations.id"),
        nullable=False,
        index=True,
    ),
    Column("decision", String(20), nullable=False),
    Column("faq_id", String(100), nullable=True),
    Column("account", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint(
        _in_values("decision", INBOX_DECISIONS), name="ck_insight_inbox_marks_decision"
    ),
)
"""Inbox messages an editor has dealt with (deleted with their conversation)."""

conversation_stats_table = Table(
    "insight_conversation_stats",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_on", String(10), nullable=False, index=True),
    Column("started_hour", SmallInteger, nullable=False),
    Column("weekday", SmallInteger, nullable=False),
    Column("language", String(5), nullable=False),
    Column("topics", Text, nullable=False),
    Column("citizen_messages", Integer, nullable=False),
    Column("bot_messages", Integer, nullable=False),
    Column("staff_messages", Integer, nullable=False),
    Column("fallbacks", Integer, nullable=False),
    Column("resolved_by_bot", Boolean, nullable=False),
    Column("handoff", Boolean, nullable=False),
    Column("queue_wait_s", Float, nullable=True),
    Column("handling_s", Float, nullable=True),
    Column("offline_request", Boolean, nullable=False),
    Column("offline_answer_s", Float, nullable=True),
    Column("rating", String(10), nullable=True),
    Column("outside_hours", Boolean, nullable=True),
)
"""Aggregated facts of deleted conversations: no text, no conversation id, no exact time.

``started_on`` is the local (Europe/Oslo) date, ``started_hour`` the local hour,
``weekday`` 0 = Monday; ``topics`` is JSON ``[{"topic", "up", "down"}]`` with intent
names and FAQ ids only. Kept beyond ``RETENTION_DAYS`` (issue 9).
"""

INSIGHT_TABLES = ("insight_ratings", "insight_inbox_marks", "insight_conversation_stats")
"""Tables of the insight package (migration ``0002_insight``)."""
# ----- editor (issue 8): the history of knowledge-base and staff-account changes -----

kb_changes_table = Table(
    "kb_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("account", String(64), nullable=False),
    Column("file", String(100), nullable=False),
    Column("entry", String(200), nullable=False),
    Column("summary", Text, nullable=False),
    Column("diff", Text, nullable=False),
    Column("previous", Text, nullable=False),
    Column("content", Text, nullable=False),
    Column("undoes", Integer, nullable=True),
)
"""Every saved change to the knowledge base (and to staff accounts): who, when, what, the
diff and the previous text for undo (bot.kb.writer). Holds no citizen data."""

EDITOR_TABLES = ("kb_changes",)
"""Tables added by migration 0004_editor."""
# ----- console (wp-console): staff status, citizen context, own canned replies ------

STAFF_STATUSES = ("available", "break", "busy")
"""What a staff member can set themselves to; only ``available`` gets chats."""

staff_status_table = Table(
    "console_staff_status",
    metadata,
    Column(
        "staff_user_id",
        Integer,
        ForeignKey("staff_users.id"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("status", String(10), nullable=False),
    Column("max_chats", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint(_in_values("status", STAFF_STATUSES), name="ck_console_staff_status_status"),
)
"""Each staff member's status and limit of concurrent chats (no row: available, default)."""

conversation_context_table = Table(
    "console_conversation_context",
    metadata,
    Column("conversation_id", String(64), primary_key=True),
    Column("page", String(200), nullable=True),
    Column("citizen_seen_at", UTCDateTime, nullable=True),
    Column("citizen_left_at", UTCDateTime, nullable=True),
)
"""Per conversation: the page (path only) the citizen started on, when they last polled
and when they left (tab closed). Removed with the conversation (bot.web.presence)."""

canned_replies_table = Table(
    "console_canned_replies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("owner_id", Integer, ForeignKey("staff_users.id"), nullable=True, index=True),
    Column("title", String(100), nullable=False),
    Column("text", Text, nullable=False),
    Column("language", String(5), nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)
"""Canned replies written by staff: personal (``owner_id``) or the team's (NULL)."""

CONSOLE_TABLES = (
    "console_staff_status",
    "console_conversation_context",
    "console_canned_replies",
)
"""Tables added by migration 0005_console."""
