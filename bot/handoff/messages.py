"""The transcript: store messages, receive citizen messages, NLU results, feedback, read."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .common import (
    MAX_ATTEMPTS,
    MAX_MESSAGE_LENGTH,
    check_confidence,
    check_sender,
    check_text,
)
from .database import Database
from .errors import ConcurrentUpdateError, ConversationNotFound, MessageNotFound
from .moves import current_state, try_move
from .records import IncomingMessage, Message, Sender
from .schema import ConversationRow, MessageRow, StaffUserRow
from .states import Event, HandoffState
from .users import UserRepository

__all__ = ["MessageRepository", "store_citizen_row"]


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


def _new_row(
    conversation_id: str,
    sender: Sender | str,
    text: str,
    staff_user_id: int | None,
    payload: Any | None,
    intent: str | None,
    confidence: float | None,
    now: datetime,
) -> MessageRow:
    who = check_sender(sender)
    check_text(text, "Message text", MAX_MESSAGE_LENGTH, allow_empty=payload is not None)
    if who is Sender.STAFF and staff_user_id is None:
        raise ValueError("Staff messages need staff_user_id (the author).")
    if who is not Sender.STAFF and staff_user_id is not None:
        raise ValueError(f"staff_user_id is only allowed for sender 'staff', not {who.value!r}.")
    score = check_confidence(confidence)
    if intent is not None:
        check_text(intent, "Intent", 200)
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
        confidence=score,
        feedback=None,
        created_at=now,
    )


def store_citizen_row(
    session: Session,
    conversation_id: str,
    state: HandoffState,
    row: MessageRow,
    now: datetime,
) -> IncomingMessage | None:
    """Store a citizen message row in a conversation read in ``state``; reopen if CLOSED.

    Returns:
        The stored message and the state it arrived in, or None if the conversation
        is no longer in ``state`` (changed under us: read it again and retry).
    """
    reopened = False
    if state is HandoffState.CLOSED:
        new = try_move(
            session,
            conversation_id,
            state,
            Event.REOPEN,
            "citizen",
            "citizen wrote after the conversation was closed",
            now,
        )
        if new is None:
            return None
        state, reopened = new, True
    else:
        # Conditional touch: fails if the state changed since we read it,
        # so the returned state is the one the message arrived in.
        result = session.execute(
            update(ConversationRow)
            .where(ConversationRow.id == conversation_id, ConversationRow.state == state.value)
            .values(updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return None
    session.add(row)
    session.flush()
    return IncomingMessage(message=_message(row, None), state=state, reopened=reopened)


LATEST_LIMIT = 50
"""Messages :meth:`MessageRepository.latest` returns by default."""


class MessageRepository:
    """The ``messages`` table (the transcript of each conversation)."""

    def __init__(self, db: Database, users: UserRepository) -> None:
        """Use the shared database ``db``; ``users`` checks that staff authors are active."""
        self._db = db
        self._users = users

    def add(
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
        citizen messages prefer :meth:`receive_citizen`, which also reopens
        closed conversations.

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
        now = self._db.now()
        row = _new_row(
            conversation_id, sender, text, staff_user_id, payload, intent, confidence, now
        )
        first_name = (
            self._users.active(staff_user_id).first_name if staff_user_id is not None else None
        )
        with self._db.session() as session:
            result = session.execute(
                update(ConversationRow)
                .where(ConversationRow.id == conversation_id)
                .values(updated_at=now)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                raise ConversationNotFound(conversation_id)
            session.add(row)
            session.flush()
            return _message(row, first_name)

    def receive_citizen(
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
        for _ in range(MAX_ATTEMPTS):
            now = self._db.now()
            row = _new_row(
                conversation_id, Sender.CITIZEN, text, None, payload, intent, confidence, now
            )
            with self._db.session() as session:
                state = current_state(session, conversation_id)
                incoming = store_citizen_row(session, conversation_id, state, row, now)
                if incoming is not None:
                    return incoming
        raise ConcurrentUpdateError(
            f"Conversation {conversation_id!r} kept changing while storing a citizen "
            "message. Retry."
        )

    def set_nlu(
        self,
        message_id: int,
        conversation_id: str,
        intent: str | None,
        confidence: float | None,
    ) -> None:
        """Record the NLU result of a citizen message after the bot has processed it.

        Raises:
            MessageNotFound: If the message does not exist in that conversation.
            ValueError: For an invalid intent or confidence.
        """
        if intent is not None:
            check_text(intent, "Intent", 200)
        score = check_confidence(confidence)
        with self._db.session() as session:
            result = session.execute(
                update(MessageRow)
                .where(MessageRow.id == message_id, MessageRow.conversation_id == conversation_id)
                .values(intent=intent, confidence=score)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                raise MessageNotFound(message_id, conversation_id)

    def after(self, conversation_id: str, after_id: int = 0) -> list[Message]:
        """Return the messages of a conversation with an id greater than ``after_id``.

        Raises:
            ConversationNotFound: If the conversation does not exist.
        """
        with self._db.session() as session:
            current_state(session, conversation_id)
            rows = session.execute(
                select(MessageRow, StaffUserRow.first_name)
                .outerjoin(StaffUserRow, StaffUserRow.id == MessageRow.staff_user_id)
                .where(MessageRow.conversation_id == conversation_id, MessageRow.id > after_id)
                .order_by(MessageRow.id)
            ).all()
            return [_message(row, first_name) for row, first_name in rows]

    def latest(self, conversation_id: str, limit: int = LATEST_LIMIT) -> list[Message]:
        """Return the last ``limit`` messages of a conversation, oldest first.

        Reads at most ``limit`` rows whatever the conversation's length (the button check
        of :mod:`bot.web.buttons` needs only the messages since the citizen's last one:
        the bot's last turn, and any staff or system messages after it).

        Raises:
            ConversationNotFound: If the conversation does not exist.
            ValueError: If ``limit`` is less than 1.
        """
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}.")
        with self._db.session() as session:
            current_state(session, conversation_id)
            rows = session.execute(
                select(MessageRow, StaffUserRow.first_name)
                .outerjoin(StaffUserRow, StaffUserRow.id == MessageRow.staff_user_id)
                .where(MessageRow.conversation_id == conversation_id)
                .order_by(MessageRow.id.desc())
                .limit(limit)
            ).all()
            return [_message(row, first_name) for row, first_name in reversed(rows)]

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
        with self._db.session() as session:
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
        return self.after(conversation_id, after_id=-1)
