# SQLAlchemy 1.4 ships without type hints, so its base classes are 'Any' to mypy.
# mypy: disallow-subclassing-any=False
"""Database storage for human handoff: conversations, transcripts, queue, staff users.

:class:`HandoffStore` is the only entry point. It is created from a SQLAlchemy
database URL (SQLite file by default, PostgreSQL works the same way), is safe
to share between threads, and returns plain frozen dataclasses from
:mod:`bot.handoff.records`, never ORM objects bound to a session.

Portability rules followed here:

* Only portable column types; enums are stored as short strings guarded by
  ``CHECK`` constraints, not as database enum types.
* Timestamps are timezone-aware UTC in Python. PostgreSQL stores them as
  ``timestamp with time zone``; other databases store naive UTC values, which
  are turned back into aware UTC on reading (see :class:`UTCDateTime`).
* Concurrency is handled with conditional ``UPDATE ... WHERE state = ...``
  statements and a rowcount check (optimistic concurrency), never with
  read-then-write or database-specific locking.

The schema is created with ``create_all`` when the store is opened (it only
creates missing tables). Later schema changes need a migration tool.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

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
    Text,
    create_engine,
    delete,
    select,
    update,
)
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, declarative_base, sessionmaker
from sqlalchemy.types import TypeDecorator

from .contact import normalize_contact
from .errors import (
    ConcurrentUpdateError,
    ConversationNotFound,
    DuplicateUsername,
    MessageNotFound,
    OfflineRequestNotFound,
    UserInactive,
    UserNotFound,
)
from .passwords import (
    check_password_policy,
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)
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
from .states import Event, HandoffState, _as_event, next_state

__all__ = [
    "DATABASE_URL_ENV",
    "DEFAULT_DATABASE_URL",
    "MAX_MESSAGE_LENGTH",
    "MAX_NOTE_LENGTH",
    "MAX_QUESTION_LENGTH",
    "HandoffStore",
    "UTCDateTime",
    "database_url_from_env",
    "metadata",
    "staff_actor",
    "utc_now",
    "validate_actor",
]

DEFAULT_DATABASE_URL = "sqlite:///var/handoff.sqlite3"
"""Used when neither an explicit URL nor :data:`DATABASE_URL_ENV` is given."""

DATABASE_URL_ENV = "HANDOFF_DATABASE_URL"
"""Environment variable holding the database URL."""

MAX_MESSAGE_LENGTH = 10_000
MAX_NOTE_LENGTH = 10_000
MAX_QUESTION_LENGTH = 5_000
MAX_REASON_LENGTH = 1_000
MAX_FIRST_NAME_LENGTH = 100

_CONVERSATION_ID_MAX = 64
_USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
_ACTOR_RE = re.compile(r"(?:citizen|bot|system|staff:[a-z0-9][a-z0-9._-]{0,63})")
# How often a state change is retried when another request changed the same
# conversation between our read and our conditional update.
_MAX_ATTEMPTS = 5
# Size of id batches for bulk deletes (keeps IN lists well below driver limits).
_DELETE_BATCH = 500


def utc_now() -> datetime:
    """Return the current time as a timezone-aware UTC datetime."""
    return datetime.now(timezone.utc)


def database_url_from_env() -> str:
    """Return ``$HANDOFF_DATABASE_URL`` if set and non-empty, else the default URL."""
    return os.environ.get(DATABASE_URL_ENV, "").strip() or DEFAULT_DATABASE_URL


def staff_actor(username: str) -> str:
    """Build the actor string for a staff user, e.g. ``staff:kari``.

    Args:
        username: The staff user's username.

    Returns:
        The actor string to pass to :meth:`HandoffStore.transition`.
    """
    return f"staff:{username}"


def validate_actor(actor: str) -> str:
    """Check an actor string for the transitions audit trail.

    Args:
        actor: ``citizen``, ``bot``, ``system`` or ``staff:<username>``.

    Returns:
        The actor unchanged.

    Raises:
        ValueError: If the actor has another form.
    """
    if not isinstance(actor, str) or not _ACTOR_RE.fullmatch(actor):
        raise ValueError(
            f"Invalid actor {actor!r}. Use 'citizen', 'bot', 'system' or "
            "'staff:<username>' (see staff_actor())."
        )
    return actor


# --------------------------------------------------------------------------
# Column type and ORM models
# --------------------------------------------------------------------------


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

    id = Column(String(_CONVERSATION_ID_MAX), primary_key=True)
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
        String(_CONVERSATION_ID_MAX), ForeignKey("conversations.id"), nullable=False, index=True
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
        String(_CONVERSATION_ID_MAX), ForeignKey("conversations.id"), nullable=False, index=True
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
        String(_CONVERSATION_ID_MAX), ForeignKey("conversations.id"), nullable=False, index=True
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
        String(_CONVERSATION_ID_MAX), ForeignKey("conversations.id"), nullable=True, index=True
    )
    question = Column(Text, nullable=False)
    contact = Column(String(254), nullable=False)
    language = Column(String(5), nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
    answered_at = Column(UTCDateTime, nullable=True)
    answered_by = Column(Integer, ForeignKey("staff_users.id"), nullable=True)


metadata = Base.metadata
"""SQLAlchemy metadata of all handoff tables (for migrations or inspection)."""


# --------------------------------------------------------------------------
# Row -> record conversion and input validation helpers
# --------------------------------------------------------------------------


def _conversation(row: Any) -> Conversation:
    return Conversation(
        id=row.id,
        state=HandoffState(row.state),
        language=Language(row.language),
        created_at=row.created_at,
        updated_at=row.updated_at,
        claimed_by=row.claimed_by,
        waiting_since=row.waiting_since,
    )


def _transition(row: Any) -> Transition:
    return Transition(
        id=row.id,
        conversation_id=row.conversation_id,
        from_state=HandoffState(row.from_state),
        to_state=HandoffState(row.to_state),
        event=Event(row.event),
        actor=row.actor,
        reason=row.reason,
        at=row.at,
    )


def _message(row: Any, staff_first_name: str | None) -> Message:
    return Message(
        id=row.id,
        conversation_id=row.conversation_id,
        sender=Sender(row.sender),
        staff_user_id=row.staff_user_id,
        staff_first_name=staff_first_name,
        text=row.text,
        payload=json.loads(row.payload) if row.payload is not None else None,
        intent=row.intent,
        confidence=row.confidence,
        feedback=row.feedback,
        created_at=row.created_at,
    )


def _note(row: Any) -> Note:
    return Note(
        id=row.id,
        conversation_id=row.conversation_id,
        author_id=row.author_id,
        text=row.text,
        created_at=row.created_at,
    )


def _staff_user(row: Any) -> StaffUser:
    return StaffUser(
        id=row.id,
        username=row.username,
        first_name=row.first_name,
        role=StaffRole(row.role),
        active=bool(row.active),
        created_at=row.created_at,
    )


def _offline_request(row: Any) -> OfflineRequest:
    return OfflineRequest(
        id=row.id,
        conversation_id=row.conversation_id,
        question=row.question,
        contact=row.contact,
        language=Language(row.language),
        created_at=row.created_at,
        answered_at=row.answered_at,
        answered_by=row.answered_by,
    )


_E = TypeVar("_E", bound=Enum)


def _member(kind: type[_E], value: _E | str, what: str) -> _E:
    """Parses ``value`` as a member of the enum ``kind``, naming the valid values if not."""
    try:
        return kind(value)
    except ValueError:
        valid = ", ".join(str(member.value) for member in kind)
        raise ValueError(f"Unknown {what} {value!r}. Use one of: {valid}.") from None


def _language(language: Language | str) -> Language:
    return _member(Language, language, "language")


def _role(role: StaffRole | str) -> StaffRole:
    return _member(StaffRole, role, "role")


def _sender(sender: Sender | str) -> Sender:
    return _member(Sender, sender, "sender")


def _text(value: str, what: str, max_length: int, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a string, got {type(value).__name__}.")
    if not allow_empty and not value.strip():
        raise ValueError(f"{what} is empty. Provide some text.")
    if len(value) > max_length:
        raise ValueError(
            f"{what} is too long ({len(value)} characters, at most {max_length}). "
            "Shorten it or split it up."
        )
    return value


def _timedelta(value: timedelta, what: str) -> timedelta:
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise ValueError(f"{what} must be a non-negative datetime.timedelta, got {value!r}.")
    return value


def _normalize_username(username: str) -> str:
    if not isinstance(username, str):
        raise ValueError(f"Username must be a string, got {type(username).__name__}.")
    name = username.strip().lower()
    if not _USERNAME_RE.fullmatch(name):
        raise ValueError(
            f"Invalid username {username!r}. Use 2-64 characters: letters a-z, digits, "
            "'.', '_' or '-', starting with a letter or digit."
        )
    return name


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Unset:
    """Marker for 'leave this column unchanged'."""


_UNSET = _Unset()


# --------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------


class HandoffStore:
    """Persistent state of the human-handoff feature.

    Every public method runs in its own short database transaction and is safe
    to call from several threads or processes at once. Methods return frozen
    dataclasses from :mod:`bot.handoff.records`.

    Authorisation is *not* done here: the web layer must check that the caller
    may act (e.g. that only the claiming staff member writes in a WITH_HUMAN
    conversation, and that only admins manage users).

    Example::

        store = HandoffStore("sqlite:///var/handoff.sqlite3")
        conv = store.create_conversation("nn")
        store.transition(conv.id, Event.REQUEST_HUMAN, actor="citizen")  # -> WAITING
    """

    def __init__(
        self,
        database_url: str | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        create_schema: bool = True,
        echo: bool = False,
    ) -> None:
        """Open (and by default create) the handoff database.

        Args:
            database_url: SQLAlchemy URL, e.g. ``sqlite:///var/handoff.sqlite3`` or
                ``postgresql+psycopg2://user:pw@host/db``. Defaults to
                :func:`database_url_from_env`. For a SQLite file the parent folder
                is created if missing. In-memory SQLite is not supported (each
                connection would see its own empty database).
            clock: Function returning the current aware UTC time (tests inject a
                fake clock here).
            create_schema: Create missing tables on open.
            echo: Log all SQL statements (debugging).

        Raises:
            ValueError: If the URL is in-memory SQLite or cannot be parsed.
        """
        url = make_url(database_url or database_url_from_env())
        if url.get_backend_name() == "sqlite":
            if url.database in (None, "", ":memory:"):
                raise ValueError(
                    "In-memory SQLite is not supported by HandoffStore because every "
                    "connection would get its own empty database. Use a file URL like "
                    "sqlite:///var/handoff.sqlite3 (a temporary file in tests)."
                )
            Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self._clock = clock
        self._engine: Engine = create_engine(url, future=True, echo=echo, pool_pre_ping=True)
        if url.get_backend_name() == "sqlite":
            sa_event.listen(self._engine, "connect", _enable_sqlite_foreign_keys)
        self._sessions = sessionmaker(bind=self._engine, future=True, expire_on_commit=False)
        if create_schema:
            metadata.create_all(self._engine)

    # ----- lifecycle ---------------------------------------------------

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for health checks or migrations)."""
        return self._engine

    def close(self) -> None:
        """Release all database connections. The store must not be used afterwards."""
        self._engine.dispose()

    def __enter__(self) -> HandoffStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        """One transaction: commit on success, roll back on any exception."""
        with self._sessions() as session, session.begin():
            yield session

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError(
                "The store's clock returned a naive datetime; it must return an aware "
                "UTC datetime such as datetime.now(timezone.utc)."
            )
        return now.astimezone(timezone.utc)

    # ----- conversations and state --------------------------------------

    def create_conversation(self, language: Language | str = Language.NN) -> Conversation:
        """Start a new conversation in state BOT.

        Args:
            language: ``nn``, ``nb`` or ``en`` (default ``nn``).

        Returns:
            The new conversation. Its ``id`` is random and unguessable; give it
            only to the citizen's browser.

        Raises:
            ValueError: If the language is unknown.
        """
        lang = _language(language)
        now = self._now()
        row = ConversationRow(
            id=secrets.token_urlsafe(24),
            state=HandoffState.BOT.value,
            language=lang.value,
            created_at=now,
            updated_at=now,
            claimed_by=None,
            waiting_since=None,
        )
        with self._session() as session:
            session.add(row)
            session.flush()
            return _conversation(row)

    def get_conversation(self, conversation_id: str) -> Conversation | None:
        """Look up a conversation.

        Args:
            conversation_id: The id from :meth:`create_conversation`. Any string is
                accepted (e.g. straight from a request); unknown ids give None.

        Returns:
            The conversation, or None if it does not exist.
        """
        if not isinstance(conversation_id, str) or len(conversation_id) > _CONVERSATION_ID_MAX:
            return None
        with self._session() as session:
            row = session.get(ConversationRow, conversation_id)
            return _conversation(row) if row is not None else None

    def _try_move(
        self,
        session: Session,
        conversation_id: str,
        from_state: HandoffState,
        event_: Event,
        actor: str,
        reason: str | None,
        now: datetime,
        claimed_by: int | None | _Unset = _UNSET,
        extra_where: Sequence[Any] = (),
    ) -> HandoffState | None:
        """Apply one move with a conditional UPDATE and log it.

        Returns the new state, or None if the conversation was no longer in
        ``from_state`` (someone else changed it first). Raises InvalidTransition
        if the table refuses the move.
        """
        to_state = next_state(from_state, event_)
        values: dict[str, Any] = {"state": to_state.value, "updated_at": now}
        if to_state is HandoffState.WAITING:
            values.update(waiting_since=now, claimed_by=None)
        elif to_state is HandoffState.BOT:
            values.update(waiting_since=None, claimed_by=None)
        else:  # WITH_HUMAN or CLOSED: no longer waiting; CLOSED keeps claimed_by
            values.update(waiting_since=None)
        if not isinstance(claimed_by, _Unset):
            values["claimed_by"] = claimed_by
        result = session.execute(
            update(ConversationRow)
            .where(
                ConversationRow.id == conversation_id,
                ConversationRow.state == from_state.value,
                *extra_where,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return None
        session.add(
            TransitionRow(
                conversation_id=conversation_id,
                from_state=from_state.value,
                to_state=to_state.value,
                event=event_.value,
                actor=actor,
                reason=reason,
                at=now,
            )
        )
        return to_state

    def _current_state(self, session: Session, conversation_id: str) -> HandoffState:
        state = session.execute(
            select(ConversationRow.state).where(ConversationRow.id == conversation_id)
        ).scalar_one_or_none()
        if state is None:
            raise ConversationNotFound(conversation_id)
        return HandoffState(state)

    def transition(
        self,
        conversation_id: str,
        event: Event | str,
        actor: str,
        reason: str | None = None,
    ) -> HandoffState:
        """Move a conversation to its next state and log the move. Atomic.

        Use :meth:`claim` for ``Event.CLAIM`` (it needs a staff user and must
        resolve races between staff members).

        Args:
            conversation_id: The conversation.
            event: The event (enum member or string value).
            actor: ``citizen``, ``bot``, ``system`` or ``staff:<username>``.
            reason: Optional free text stored in the audit trail.

        Returns:
            The new state.

        Raises:
            InvalidTransition: If the event is not allowed in the current state;
                nothing is changed.
            ConversationNotFound: If the conversation does not exist.
            ValueError: For ``Event.CLAIM``, an unknown event or a malformed actor.
            ConcurrentUpdateError: If other requests kept changing the same
                conversation; read it again and retry.
        """
        happened = _as_event(event)
        if happened is Event.CLAIM:
            raise ValueError(
                "Use HandoffStore.claim(conversation_id, staff_user_id) to claim a "
                "conversation; transition() cannot record who claimed it."
            )
        validate_actor(actor)
        if reason is not None:
            _text(reason, "Reason", MAX_REASON_LENGTH, allow_empty=True)
        for _ in range(_MAX_ATTEMPTS):
            with self._session() as session:
                current = self._current_state(session, conversation_id)
                new = self._try_move(
                    session, conversation_id, current, happened, actor, reason, self._now()
                )
                if new is not None:
                    return new
        raise ConcurrentUpdateError(
            f"Conversation {conversation_id!r} changed {_MAX_ATTEMPTS} times while applying "
            f"'{happened.value}'. Read its state again and retry."
        )

    def claim(self, conversation_id: str, staff_user_id: int) -> bool:
        """Let a staff member take a waiting conversation. Exactly one claimer wins.

        Implemented as a single conditional ``UPDATE ... WHERE state = 'waiting'``
        whose rowcount tells whether this call won.

        Args:
            conversation_id: The waiting conversation.
            staff_user_id: The staff user taking it.

        Returns:
            True if this call claimed it (state is now WITH_HUMAN). False if it
            was not waiting any more (another staff member was faster, or the
            citizen cancelled); read the conversation to see who has it.

        Raises:
            ConversationNotFound: If the conversation does not exist.
            UserNotFound: If the staff user does not exist.
            UserInactive: If the staff user is deactivated.
        """
        user = self._active_user(staff_user_id)
        with self._session() as session:
            new = self._try_move(
                session,
                conversation_id,
                HandoffState.WAITING,
                Event.CLAIM,
                staff_actor(user.username),
                None,
                self._now(),
                claimed_by=user.id,
            )
            if new is not None:
                return True
            self._current_state(session, conversation_id)  # raises if it does not exist
            return False

    def expire_waiting(self, older_than: timedelta) -> list[str]:
        """Send conversations nobody claimed in time back to the bot (TIMEOUT).

        Meant to be called periodically (e.g. every minute). Each move is logged
        with actor ``system``. Conversations claimed concurrently are skipped.

        Args:
            older_than: Conversations waiting at least this long are expired.

        Returns:
            Ids of the conversations moved from WAITING to BOT, oldest first.
            The web layer should tell those citizens nobody was available and
            offer to leave an offline request.
        """
        _timedelta(older_than, "older_than")
        now = self._now()
        cutoff = now - older_than
        with self._session() as session:
            ids = list(
                session.execute(
                    select(ConversationRow.id)
                    .where(
                        ConversationRow.state == HandoffState.WAITING.value,
                        ConversationRow.waiting_since <= cutoff,
                    )
                    .order_by(ConversationRow.waiting_since, ConversationRow.id)
                ).scalars()
            )
        moved: list[str] = []
        reason = f"nobody claimed the conversation within {older_than}"
        for conversation_id in ids:
            with self._session() as session:
                new = self._try_move(
                    session,
                    conversation_id,
                    HandoffState.WAITING,
                    Event.TIMEOUT,
                    "system",
                    reason,
                    now,
                    extra_where=(ConversationRow.waiting_since <= cutoff,),
                )
                if new is not None:
                    moved.append(conversation_id)
        return moved

    def history(self, conversation_id: str) -> list[Transition]:
        """Return the audit trail of state changes, oldest first.

        Raises:
            ConversationNotFound: If the conversation does not exist.
        """
        with self._session() as session:
            self._current_state(session, conversation_id)
            rows = session.execute(
                select(TransitionRow)
                .where(TransitionRow.conversation_id == conversation_id)
                .order_by(TransitionRow.id)
            ).scalars()
            return [_transition(row) for row in rows]

    # ----- staff views -------------------------------------------------

    def queue(self) -> list[QueueEntry]:
        """Return conversations waiting for a person, longest waiting first.

        Returns:
            One entry per WAITING conversation with its waiting time measured now.
        """
        now = self._now()
        with self._session() as session:
            rows = session.execute(
                select(ConversationRow)
                .where(ConversationRow.state == HandoffState.WAITING.value)
                .order_by(ConversationRow.waiting_since, ConversationRow.id)
            ).scalars()
            conversations = [_conversation(row) for row in rows]
        entries = []
        for conv in conversations:
            since = conv.waiting_since or conv.updated_at
            entries.append(
                QueueEntry(
                    conversation=conv,
                    waiting_since=since,
                    waiting_for=max(now - since, timedelta(0)),
                )
            )
        return entries

    def list_active_for_staff(self, staff_user_id: int | None = None) -> list[Conversation]:
        """Return conversations a staff member is handling (state WITH_HUMAN).

        Args:
            staff_user_id: Only those claimed by this user; None for all staff.

        Returns:
            The conversations, most recently active first.
        """
        query = select(ConversationRow).where(
            ConversationRow.state == HandoffState.WITH_HUMAN.value
        )
        if staff_user_id is not None:
            query = query.where(ConversationRow.claimed_by == staff_user_id)
        query = query.order_by(ConversationRow.updated_at.desc(), ConversationRow.id)
        with self._session() as session:
            return [_conversation(row) for row in session.execute(query).scalars()]

    # ----- messages ----------------------------------------------------

    def _touch(self, session: Session, conversation_id: str, now: datetime) -> None:
        result = session.execute(
            update(ConversationRow)
            .where(ConversationRow.id == conversation_id)
            .values(updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise ConversationNotFound(conversation_id)

    def _new_message_row(
        self,
        conversation_id: str,
        sender: Sender | str,
        text: str,
        staff_user_id: int | None,
        payload: Any | None,
        intent: str | None,
        confidence: float | None,
        now: datetime,
    ) -> MessageRow:
        who = _sender(sender)
        _text(text, "Message text", MAX_MESSAGE_LENGTH, allow_empty=payload is not None)
        if who is Sender.STAFF and staff_user_id is None:
            raise ValueError("Staff messages need staff_user_id (the author).")
        if who is not Sender.STAFF and staff_user_id is not None:
            raise ValueError(
                f"staff_user_id is only allowed for sender 'staff', not {who.value!r}."
            )
        if confidence is not None and not (
            isinstance(confidence, int | float) and 0.0 <= float(confidence) <= 1.0
        ):
            raise ValueError(f"Confidence must be a number between 0 and 1, got {confidence!r}.")
        if intent is not None:
            _text(intent, "Intent", 200)
        payload_json: str | None = None
        if payload is not None:
            try:
                payload_json = json.dumps(payload, ensure_ascii=False)
            except (TypeError, ValueError) as exc:
                raise ValueError(
                    f"Message payload must be JSON-serialisable (dicts, lists, strings, "
                    f"numbers, booleans, None): {exc}"
                ) from None
        return MessageRow(
            conversation_id=conversation_id,
            sender=who.value,
            staff_user_id=staff_user_id,
            text=text,
            payload=payload_json,
            intent=intent,
            confidence=float(confidence) if confidence is not None else None,
            feedback=None,
            created_at=now,
        )

    def add_message(
        self,
        conversation_id: str,
        sender: Sender | str,
        text: str,
        *,
        staff_user_id: int | None = None,
        payload: Any | None = None,
        intent: str | None = None,
        confidence: float | None = None,
    ) -> Message:
        """Append a message to the transcript. Allowed in every state.

        The store records whatever it is given; whether the bot may answer is
        decided by :func:`bot.handoff.states.bot_may_speak` in the caller. For
        citizen messages prefer :meth:`receive_citizen_message`, which also
        reopens closed conversations.

        Args:
            conversation_id: The conversation.
            sender: ``citizen``, ``bot``, ``staff`` or ``system``.
            text: Message text; may be empty only if ``payload`` is given.
            staff_user_id: Required for (and only allowed with) sender ``staff``.
            payload: JSON-serialisable extra content (buttons, images, ...).
            intent: NLU intent, if known.
            confidence: NLU confidence between 0 and 1, if known.

        Returns:
            The stored message.

        Raises:
            ConversationNotFound: If the conversation does not exist.
            UserNotFound: If ``staff_user_id`` is unknown.
            UserInactive: If that staff user is deactivated.
            ValueError: For invalid sender, text, payload or confidence.
        """
        now = self._now()
        row = self._new_message_row(
            conversation_id, sender, text, staff_user_id, payload, intent, confidence, now
        )
        first_name = (
            self._active_user(staff_user_id).first_name if staff_user_id is not None else None
        )
        with self._session() as session:
            self._touch(session, conversation_id, now)
            session.add(row)
            session.flush()
            return _message(row, first_name)

    def receive_citizen_message(
        self,
        conversation_id: str,
        text: str,
        *,
        payload: Any | None = None,
        intent: str | None = None,
        confidence: float | None = None,
    ) -> IncomingMessage:
        """Store a message from the citizen; reopen the conversation if it was CLOSED.

        This is the recommended entry point for every citizen message. After it,
        pass the text to the bot only if ``result.bot_may_speak`` is True; in
        WAITING and WITH_HUMAN the message is only shown to staff.

        Args:
            conversation_id: The conversation.
            text: What the citizen wrote.
            payload: JSON-serialisable extra content (e.g. a pressed button).
            intent: NLU intent, if already known.
            confidence: NLU confidence, if already known.

        Returns:
            The stored message, the state after storing it and whether it
            reopened the conversation (``REOPEN`` logged with actor ``citizen``).

        Raises:
            ConversationNotFound: If the conversation does not exist.
            ValueError: For invalid text, payload or confidence.
        """
        for _ in range(_MAX_ATTEMPTS):
            now = self._now()
            row = self._new_message_row(
                conversation_id, Sender.CITIZEN, text, None, payload, intent, confidence, now
            )
            with self._session() as session:
                state = self._current_state(session, conversation_id)
                reopened = False
                if state is HandoffState.CLOSED:
                    new = self._try_move(
                        session,
                        conversation_id,
                        state,
                        Event.REOPEN,
                        "citizen",
                        "citizen wrote after the conversation was closed",
                        now,
                    )
                    if new is None:
                        continue  # changed under us; read again
                    state, reopened = new, True
                else:
                    # Conditional touch: fails if the state changed since we read it,
                    # so the returned state is the one the message arrived in.
                    result = session.execute(
                        update(ConversationRow)
                        .where(
                            ConversationRow.id == conversation_id,
                            ConversationRow.state == state.value,
                        )
                        .values(updated_at=now)
                        .execution_options(synchronize_session=False)
                    )
                    if result.rowcount != 1:
                        continue
                session.add(row)
                session.flush()
                return IncomingMessage(message=_message(row, None), state=state, reopened=reopened)
        raise ConcurrentUpdateError(
            f"Conversation {conversation_id!r} kept changing while storing a citizen "
            "message. Retry."
        )

    def set_message_nlu(
        self,
        message_id: int,
        conversation_id: str,
        intent: str | None,
        confidence: float | None,
    ) -> None:
        """Record the NLU result of a citizen message after the bot has processed it.

        Args:
            message_id: The citizen message.
            conversation_id: The conversation it must belong to.
            intent: Detected intent name, or None.
            confidence: Confidence between 0 and 1, or None.

        Raises:
            MessageNotFound: If the message does not exist in that conversation.
            ValueError: For an invalid intent or confidence.
        """
        if intent is not None:
            _text(intent, "Intent", 200)
        if confidence is not None and not (
            isinstance(confidence, int | float) and 0.0 <= float(confidence) <= 1.0
        ):
            raise ValueError(f"Confidence must be a number between 0 and 1, got {confidence!r}.")
        with self._session() as session:
            result = session.execute(
                update(MessageRow)
                .where(MessageRow.id == message_id, MessageRow.conversation_id == conversation_id)
                .values(
                    intent=intent,
                    confidence=float(confidence) if confidence is not None else None,
                )
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                raise MessageNotFound(message_id, conversation_id)

    def set_language(self, conversation_id: str, language: Language | str) -> Conversation:
        """Change the language of a conversation (e.g. after the citizen switched).

        Returns:
            The updated conversation.

        Raises:
            ConversationNotFound: If the conversation does not exist.
            ValueError: If the language is unknown.
        """
        lang = _language(language)
        with self._session() as session:
            result = session.execute(
                update(ConversationRow)
                .where(ConversationRow.id == conversation_id)
                .values(language=lang.value)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                raise ConversationNotFound(conversation_id)
            row = session.get(ConversationRow, conversation_id)
            return _conversation(row)

    def messages_after(self, conversation_id: str, after_id: int = 0) -> list[Message]:
        """Return the messages of a conversation with an id greater than ``after_id``.

        Raises:
            ConversationNotFound: If the conversation does not exist.
        """
        with self._session() as session:
            self._current_state(session, conversation_id)
            rows = session.execute(
                select(MessageRow, StaffUserRow.first_name)
                .outerjoin(StaffUserRow, StaffUserRow.id == MessageRow.staff_user_id)
                .where(MessageRow.conversation_id == conversation_id, MessageRow.id > after_id)
                .order_by(MessageRow.id)
            ).all()
            return [_message(row, first_name) for row, first_name in rows]

    def set_feedback(self, message_id: int, conversation_id: str, value: int | None) -> None:
        """Store the citizen's thumbs up/down on a bot or staff message.

        The conversation id is required so a citizen can only rate messages in
        their own conversation.

        Args:
            message_id: The rated message.
            conversation_id: The conversation it must belong to.
            value: ``1`` (helpful), ``-1`` (not helpful) or None to clear.

        Raises:
            ValueError: If ``value`` is not 1, -1 or None, or the message was
                written by the citizen or the system.
            MessageNotFound: If the message does not exist in that conversation.
        """
        if value is not None and (isinstance(value, bool) or value not in (1, -1)):
            raise ValueError(f"Feedback must be 1, -1 or None, got {value!r}.")
        with self._session() as session:
            result = session.execute(
                update(MessageRow)
                .where(
                    MessageRow.id == message_id,
                    MessageRow.conversation_id == conversation_id,
                    MessageRow.sender.in_([Sender.BOT.value, Sender.STAFF.value]),
                )
                .values(feedback=value)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:
                return
            sender = session.execute(
                select(MessageRow.sender).where(
                    MessageRow.id == message_id, MessageRow.conversation_id == conversation_id
                )
            ).scalar_one_or_none()
        if sender is None:
            raise MessageNotFound(message_id, conversation_id)
        raise ValueError(
            f"Message {message_id} was written by {sender!r}; feedback can only be given "
            "on bot or staff messages."
        )

    def transcript(self, conversation_id: str) -> list[Message]:
        """Return all messages of a conversation in the order they were stored.

        Raises:
            ConversationNotFound: If the conversation does not exist.
        """
        with self._session() as session:
            self._current_state(session, conversation_id)
            rows = session.execute(
                select(MessageRow, StaffUserRow.first_name)
                .outerjoin(StaffUserRow, StaffUserRow.id == MessageRow.staff_user_id)
                .where(MessageRow.conversation_id == conversation_id)
                .order_by(MessageRow.id)
            ).all()
            return [_message(row, first_name) for row, first_name in rows]

    # ----- notes -------------------------------------------------------

    def add_note(self, conversation_id: str, staff_user_id: int, text: str) -> Note:
        """Add an internal staff note to a conversation (never shown to the citizen).

        Raises:
            ConversationNotFound: If the conversation does not exist.
            UserNotFound: If the staff user does not exist.
            UserInactive: If the staff user is deactivated.
            ValueError: If the text is empty or too long.
        """
        _text(text, "Note text", MAX_NOTE_LENGTH)
        self._active_user(staff_user_id)
        now = self._now()
        row = NoteRow(
            conversation_id=conversation_id, author_id=staff_user_id, text=text, created_at=now
        )
        with self._session() as session:
            self._current_state(session, conversation_id)
            session.add(row)
            session.flush()
            return _note(row)

    def list_notes(self, conversation_id: str) -> list[Note]:
        """Return the staff notes of a conversation, oldest first.

        Raises:
            ConversationNotFound: If the conversation does not exist.
        """
        with self._session() as session:
            self._current_state(session, conversation_id)
            rows = session.execute(
                select(NoteRow)
                .where(NoteRow.conversation_id == conversation_id)
                .order_by(NoteRow.id)
            ).scalars()
            return [_note(row) for row in rows]

    # ----- offline requests -------------------------------------------

    def create_offline_request(
        self,
        question: str,
        contact: str,
        language: Language | str = Language.NN,
        conversation_id: str | None = None,
    ) -> OfflineRequest:
        """Store a question for staff to answer later by e-mail or phone.

        This does not change the conversation's state; if the citizen was
        waiting, also call ``transition(conversation_id, Event.CANCEL, "citizen")``.

        Args:
            question: The citizen's question.
            contact: E-mail address or Norwegian 8-digit phone number (optional
                ``+47``, spaces allowed). Stored normalised.
            language: Language to answer in.
            conversation_id: The conversation it came from, if any.

        Returns:
            The stored request.

        Raises:
            InvalidContact: If the contact is neither e-mail nor phone number.
            ConversationNotFound: If ``conversation_id`` is given but unknown.
            ValueError: If the question is empty or too long or the language unknown.
        """
        _text(question, "Question", MAX_QUESTION_LENGTH)
        normalized = normalize_contact(contact)
        lang = _language(language)
        row = OfflineRequestRow(
            conversation_id=conversation_id,
            question=question,
            contact=normalized,
            language=lang.value,
            created_at=self._now(),
            answered_at=None,
            answered_by=None,
        )
        with self._session() as session:
            if conversation_id is not None:
                self._current_state(session, conversation_id)
            session.add(row)
            session.flush()
            return _offline_request(row)

    def list_offline_requests(self, open_only: bool = True) -> list[OfflineRequest]:
        """Return offline requests, oldest first.

        Args:
            open_only: Only those nobody has answered yet.
        """
        query = select(OfflineRequestRow)
        if open_only:
            query = query.where(OfflineRequestRow.answered_at.is_(None))
        query = query.order_by(OfflineRequestRow.created_at, OfflineRequestRow.id)
        with self._session() as session:
            return [_offline_request(row) for row in session.execute(query).scalars()]

    def mark_request_answered(self, request_id: int, staff_user_id: int) -> bool:
        """Mark an offline request as answered. Exactly one staff member wins.

        Args:
            request_id: The request.
            staff_user_id: The staff member who answered it.

        Returns:
            True if this call marked it; False if it was already answered.

        Raises:
            OfflineRequestNotFound: If the request does not exist.
            UserNotFound: If the staff user does not exist.
            UserInactive: If the staff user is deactivated.
        """
        self._active_user(staff_user_id)
        with self._session() as session:
            result = session.execute(
                update(OfflineRequestRow)
                .where(OfflineRequestRow.id == request_id, OfflineRequestRow.answered_at.is_(None))
                .values(answered_at=self._now(), answered_by=staff_user_id)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:
                return True
            exists = session.execute(
                select(OfflineRequestRow.id).where(OfflineRequestRow.id == request_id)
            ).scalar_one_or_none()
        if exists is None:
            raise OfflineRequestNotFound(request_id)
        return False

    # ----- deletion and retention ---------------------------------------

    def _delete_conversations(self, session: Session, ids: Sequence[str]) -> tuple[int, int]:
        """Delete conversations and everything linked to them. Returns (convs, requests)."""
        conversations = requests = 0
        for batch in _chunks(ids, _DELETE_BATCH):
            for model in (MessageRow, NoteRow, TransitionRow):
                session.execute(
                    delete(model)
                    .where(model.conversation_id.in_(batch))
                    .execution_options(synchronize_session=False)
                )
            requests += session.execute(
                delete(OfflineRequestRow)
                .where(OfflineRequestRow.conversation_id.in_(batch))
                .execution_options(synchronize_session=False)
            ).rowcount
            conversations += session.execute(
                delete(ConversationRow)
                .where(ConversationRow.id.in_(batch))
                .execution_options(synchronize_session=False)
            ).rowcount
        return conversations, requests

    def delete_conversation(self, conversation_id: str) -> bool:
        """Delete a conversation and everything about it (e.g. on the citizen's request).

        Removes its messages, notes, transitions and linked offline requests.

        Args:
            conversation_id: The conversation.

        Returns:
            True if it existed and was deleted; False if there was nothing to delete.
        """
        with self._session() as session:
            deleted, _ = self._delete_conversations(session, [conversation_id])
            return deleted == 1

    def purge_older_than(self, age: timedelta) -> PurgeResult:
        """Delete data past the retention period.

        Deletes every conversation (in any state) whose last activity
        (``updated_at``) is older than ``age``, with its messages, notes,
        transitions and linked offline requests, plus every offline request
        created more than ``age`` ago (answered or not).

        Args:
            age: Retention period, e.g. ``timedelta(days=30)``.

        Returns:
            How many conversations and offline requests were deleted.
        """
        _timedelta(age, "age")
        cutoff = self._now() - age
        with self._session() as session:
            ids = list(
                session.execute(
                    select(ConversationRow.id).where(ConversationRow.updated_at < cutoff)
                ).scalars()
            )
            conversations, requests = self._delete_conversations(session, ids)
            requests += session.execute(
                delete(OfflineRequestRow)
                .where(OfflineRequestRow.created_at < cutoff)
                .execution_options(synchronize_session=False)
            ).rowcount
        return PurgeResult(conversations=conversations, offline_requests=requests)

    # ----- staff users -------------------------------------------------

    def _active_user(self, user_id: int) -> StaffUser:
        user = self.get_user(user_id)
        if user is None:
            raise UserNotFound(user_id)
        if not user.active:
            raise UserInactive(user.username)
        return user

    def add_user(
        self,
        username: str,
        first_name: str,
        password: str,
        role: StaffRole | str = StaffRole.STAFF,
    ) -> StaffUser:
        """Create a staff user.

        Args:
            username: Login name; stored trimmed and lower-case. 2-64 characters
                of a-z, 0-9, '.', '_' and '-'.
            first_name: Shown to citizens next to the user's messages.
            password: At least 10 characters; stored as a scrypt hash.
            role: ``staff``, ``editor`` or ``admin``.

        Returns:
            The new (active) user.

        Raises:
            DuplicateUsername: If the username is taken.
            PasswordPolicyError: If the password is too short or too long.
            ValueError: For an invalid username, first name or role.
        """
        name = _normalize_username(username)
        first = _text(first_name, "First name", MAX_FIRST_NAME_LENGTH).strip()
        user_role = _role(role)
        check_password_policy(password)
        row = StaffUserRow(
            username=name,
            first_name=first,
            password_hash=hash_password(password),
            role=user_role.value,
            active=True,
            created_at=self._now(),
        )
        try:
            with self._session() as session:
                session.add(row)
                session.flush()
                return _staff_user(row)
        except IntegrityError:
            if self.get_user_by_username(name) is not None:
                raise DuplicateUsername(name) from None
            raise

    def authenticate(self, username: str, password: str) -> StaffUser | None:
        """Check a login. Takes about the same time whether or not the user exists.

        Args:
            username: Login name (case-insensitive).
            password: Plain-text password.

        Returns:
            The user if the password is right and the user is active, else None.
        """
        try:
            name = _normalize_username(username)
        except ValueError:
            name = None
        row_data: tuple[int, str, bool] | None = None
        if name is not None:
            with self._session() as session:
                row = session.execute(
                    select(StaffUserRow.id, StaffUserRow.password_hash, StaffUserRow.active).where(
                        StaffUserRow.username == name
                    )
                ).one_or_none()
                if row is not None:
                    row_data = (row[0], row[1], bool(row[2]))
        if row_data is None:
            verify_password(password, dummy_hash())  # same cost as a real check
            return None
        user_id, stored_hash, active = row_data
        if not verify_password(password, stored_hash) or not active:
            return None
        if needs_rehash(stored_hash):
            self._store_password_hash(user_id, hash_password(password))
        return self.get_user(user_id)

    def _store_password_hash(self, user_id: int, password_hash: str) -> None:
        with self._session() as session:
            result = session.execute(
                update(StaffUserRow)
                .where(StaffUserRow.id == user_id)
                .values(password_hash=password_hash)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                raise UserNotFound(user_id)

    def set_password(self, user_id: int, password: str) -> None:
        """Replace a staff user's password.

        Raises:
            PasswordPolicyError: If the password is too short or too long.
            UserNotFound: If the user does not exist.
        """
        self._store_password_hash(user_id, hash_password(password))

    def get_user(self, user_id: int) -> StaffUser | None:
        """Return the staff user with this id, or None."""
        with self._session() as session:
            row = session.get(StaffUserRow, user_id)
            return _staff_user(row) if row is not None else None

    def get_user_by_username(self, username: str) -> StaffUser | None:
        """Return the staff user with this username (case-insensitive), or None."""
        try:
            name = _normalize_username(username)
        except ValueError:
            return None
        with self._session() as session:
            row = session.execute(
                select(StaffUserRow).where(StaffUserRow.username == name)
            ).scalar_one_or_none()
            return _staff_user(row) if row is not None else None

    def list_users(self) -> list[StaffUser]:
        """Return all staff users (active and inactive), sorted by username."""
        with self._session() as session:
            rows = session.execute(select(StaffUserRow).order_by(StaffUserRow.username)).scalars()
            return [_staff_user(row) for row in rows]

    def set_active(self, user_id: int, active: bool) -> StaffUser:
        """Activate or deactivate a staff user. Deactivated users cannot log in.

        Conversations the user has claimed stay WITH_HUMAN; hand them back or
        close them from the console if needed.

        Returns:
            The updated user.

        Raises:
            UserNotFound: If the user does not exist.
        """
        with self._session() as session:
            result = session.execute(
                update(StaffUserRow)
                .where(StaffUserRow.id == user_id)
                .values(active=bool(active))
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                raise UserNotFound(user_id)
        user = self.get_user(user_id)
        if user is None:  # deleted in between; practically impossible
            raise UserNotFound(user_id)
        return user


def _enable_sqlite_foreign_keys(dbapi_connection: Any, connection_record: Any) -> None:
    """Make SQLite enforce foreign keys like PostgreSQL does."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()
