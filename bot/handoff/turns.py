"""One citizen turn in as few transactions as its semantics allow: ``store.turns``.

A citizen message through the widget used to cost five or more short transactions
(look up the conversation, store the message, record the NLU result, look up the
conversation again, store each bot reply). :class:`TurnRepository` does the same work
in two: :meth:`TurnRepository.receive` (read the state and language, mask, store) and
:meth:`TurnRepository.bot_replies` (record the NLU result and the language, check the
state gate, store the replies). The rules are those of
:meth:`bot.handoff.messages.MessageRepository.receive_citizen` and of the separate calls
:class:`bot.handoff.service.HandoffService` made before; concurrency is still handled
with conditional ``UPDATE ... WHERE state = ...`` statements (see :mod:`bot.handoff.moves`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sqlalchemy import select, update

from .common import MAX_ATTEMPTS, check_confidence, check_language, check_text
from .database import Database
from .errors import ConcurrentUpdateError, ConversationNotFound, MessageNotFound
from .messages import _message, _new_row, store_citizen_row
from .moves import to_conversation
from .records import Conversation, IncomingMessage, Language, Message, Sender
from .schema import ConversationRow, MessageRow
from .states import HandoffState

__all__ = ["NewMessage", "TurnRepository"]

T = TypeVar("T")


@dataclass(frozen=True)
class NewMessage:
    """A bot or system message to store in a turn (see :meth:`TurnRepository.bot_replies`)."""

    sender: Sender
    text: str
    payload: Any | None = None


class TurnRepository:
    """The citizen's turn: store the message, then the bot's answer (two transactions)."""

    def __init__(self, db: Database) -> None:
        """Use the shared database ``db``."""
        self._db = db

    def receive(
        self,
        conversation_id: str,
        prepare: Callable[[str], tuple[str, T]],
        *,
        payload: Any | None = None,
    ) -> tuple[IncomingMessage, str, T]:
        """Store a citizen message; reopen the conversation if it was CLOSED. One transaction.

        Like ``store.conversations.get`` followed by ``store.messages.receive_citizen``:
        ``prepare(language)`` turns the citizen's text into the text to store (masking
        needs the conversation's language) and something for the caller.

        Returns:
            ``(incoming, language, extra)``: the stored message and the state it arrived
            in, the conversation's language, and the second value of ``prepare``.

        Raises:
            ConversationNotFound: If the conversation does not exist.
            ConcurrentUpdateError: If the conversation kept changing meanwhile; retry.
            ValueError: For an invalid text or payload.
        """
        for _ in range(MAX_ATTEMPTS):
            now = self._db.now()
            with self._db.session() as session:
                found = session.execute(
                    select(ConversationRow.state, ConversationRow.language).where(
                        ConversationRow.id == conversation_id
                    )
                ).one_or_none()
                if found is None:
                    raise ConversationNotFound(conversation_id)
                language = str(found.language)
                text, extra = prepare(language)
                row = _new_row(
                    conversation_id, Sender.CITIZEN, text, None, payload, None, None, now
                )
                incoming = store_citizen_row(
                    session, conversation_id, HandoffState(found.state), row, now
                )
                if incoming is not None:
                    return incoming, language, extra
        raise ConcurrentUpdateError(
            f"Conversation {conversation_id!r} kept changing while storing a citizen "
            "message. Retry."
        )

    def bot_replies(
        self,
        conversation_id: str,
        citizen_message_id: int,
        compose: Callable[[Conversation], Sequence[NewMessage]],
        *,
        nlu: tuple[str | None, float | None] | None = None,
        language: str | None = None,
    ) -> tuple[Conversation | None, list[Message]]:
        """Record the NLU result and the language, and store the bot's answer. One transaction.

        Like ``store.messages.set_nlu``, ``store.conversations.get``,
        ``store.conversations.set_language`` (if the language changed) and one
        ``store.messages.add`` per message, with the state gate in between: the messages
        of ``compose(conversation)`` are stored only if the bot may speak, and only if the
        conversation is still in the state they were composed for (a staff member who
        takes over meanwhile wins; the gate is read again).

        Args:
            conversation_id: The conversation.
            citizen_message_id: The citizen message the bot answered.
            compose: Returns the messages to store for the conversation as it is now
                (called only when the bot may speak; may be called again after a race).
            nlu: ``(intent, confidence)`` of the citizen message, if known.
            language: The language the bot detected, if any.

        Returns:
            The conversation (None if it does not exist) and the stored messages (empty
            if the bot may not speak).

        Raises:
            MessageNotFound: If ``nlu`` is given and the citizen message does not exist in
                that conversation; nothing is stored.
            ConcurrentUpdateError: If the conversation kept changing meanwhile.
            ValueError: For an invalid intent, confidence, language or message.
        """
        if nlu is not None:
            intent, confidence = nlu
            if intent is not None:
                check_text(intent, "Intent", 200)
            nlu = (intent, check_confidence(confidence))
        lang = check_language(language) if language is not None else None
        with self._db.session() as session:
            for _ in range(MAX_ATTEMPTS):
                row = session.execute(
                    select(ConversationRow.__table__).where(ConversationRow.id == conversation_id)
                ).one_or_none()
                if row is None:  # deleted (its messages with it)
                    self._set_nlu(session, conversation_id, citizen_message_id, nlu)
                    return None, []
                stored = self._write(
                    session, to_conversation(row), citizen_message_id, nlu, lang, compose
                )
                if stored is not None:
                    return stored
        raise ConcurrentUpdateError(
            f"Conversation {conversation_id!r} kept changing while storing the bot's "
            "answer. Retry."
        )

    def _write(
        self,
        session: Any,
        read: Conversation,
        citizen_message_id: int,
        nlu: tuple[str | None, float | None] | None,
        language: Language | None,
        compose: Callable[[Conversation], Sequence[NewMessage]],
    ) -> tuple[Conversation, list[Message]] | None:
        """Write the turn if the conversation is still as ``read``; None if it changed.

        Everything is prepared first and written in a row (on SQLite the write lock is
        held from the first UPDATE to the commit, so that stretch is kept short).
        """
        conversation = read
        if language is not None and language is not read.language:
            conversation = replace(read, language=language)
        messages = compose(conversation) if conversation.bot_may_speak else ()
        now = self._db.now()
        rows = [
            _new_row(read.id, m.sender, m.text, None, m.payload, None, None, now) for m in messages
        ]
        values: dict[str, Any] = {}
        if conversation.language is not read.language:
            values["language"] = conversation.language.value
        if rows:
            values["updated_at"] = now
        if values:
            result = session.execute(
                update(ConversationRow)
                .where(ConversationRow.id == read.id, ConversationRow.state == read.state.value)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                return None  # changed (or deleted) since read: read again
        self._set_nlu(session, read.id, citizen_message_id, nlu)
        session.add_all(rows)
        session.flush()
        return conversation, [_message(row, None) for row in rows]

    @staticmethod
    def _set_nlu(
        session: Any,
        conversation_id: str,
        message_id: int,
        nlu: tuple[str | None, float | None] | None,
    ) -> None:
        if nlu is None:
            return
        result = session.execute(
            update(MessageRow)
            .where(MessageRow.id == message_id, MessageRow.conversation_id == conversation_id)
            .values(intent=nlu[0], confidence=nlu[1])
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise MessageNotFound(message_id, conversation_id)
