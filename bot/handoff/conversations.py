"""Conversations: create, look up, change state, claim, expire, the queue, delete."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, update

from .common import (
    MAX_ATTEMPTS,
    MAX_REASON_LENGTH,
    check_language,
    check_text,
    check_timedelta,
    staff_actor,
    validate_actor,
)
from .database import Database
from .errors import ConcurrentUpdateError, ConversationNotFound
from .moves import current_state, to_conversation, to_transition, try_move
from .records import Conversation, Language, QueueEntry, Transition
from .retention import delete_conversations
from .schema import CONVERSATION_ID_MAX, ConversationRow, TransitionRow
from .states import Event, HandoffState, _as_event
from .users import UserRepository

__all__ = ["ConversationRepository"]


class ConversationRepository:
    """The ``conversations`` and ``transitions`` tables: state, queue and audit trail.

    Authorisation is *not* done here: the caller must check that the staff
    member may act (e.g. holds the conversation before closing it).
    """

    def __init__(self, db: Database, users: UserRepository) -> None:
        """Use the shared database ``db``; ``users`` checks that staff users are active."""
        self._db = db
        self._users = users

    def create(self, language: Language | str = Language.NN) -> Conversation:
        """Start a new conversation in state BOT.

        Args:
            language: ``nn``, ``nb`` or ``en`` (default ``nn``).

        Returns:
            The new conversation. Its ``id`` is random and unguessable; give it
            only to the citizen's browser.

        Raises:
            ValueError: If the language is unknown.
        """
        lang = check_language(language)
        now = self._db.now()
        row = ConversationRow(
            id=secrets.token_urlsafe(24),
            state=HandoffState.BOT.value,
            language=lang.value,
            created_at=now,
            updated_at=now,
            claimed_by=None,
            waiting_since=None,
        )
        with self._db.session() as session:
            session.add(row)
            session.flush()
            return to_conversation(row)

    def get(self, conversation_id: str) -> Conversation | None:
        """Look up a conversation.

        Args:
            conversation_id: The id from :meth:`create`. Any string is accepted
                (e.g. straight from a request); unknown ids give None.

        Returns:
            The conversation, or None if it does not exist.
        """
        if not isinstance(conversation_id, str) or len(conversation_id) > CONVERSATION_ID_MAX:
            return None
        with self._db.session() as session:
            row = session.get(ConversationRow, conversation_id)
            return to_conversation(row) if row is not None else None

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
                "Use store.conversations.claim(conversation_id, staff_user_id) to claim a "
                "conversation; transition() cannot record who claimed it."
            )
        validate_actor(actor)
        if reason is not None:
            check_text(reason, "Reason", MAX_REASON_LENGTH, allow_empty=True)
        for _ in range(MAX_ATTEMPTS):
            with self._db.session() as session:
                current = current_state(session, conversation_id)
                new = try_move(
                    session, conversation_id, current, happened, actor, reason, self._db.now()
                )
                if new is not None:
                    return new
        raise ConcurrentUpdateError(
            f"Conversation {conversation_id!r} changed {MAX_ATTEMPTS} times while applying "
            f"'{happened.value}'. Read its state again and retry."
        )

    def claim(self, conversation_id: str, staff_user_id: int) -> bool:
        """Let a staff member take a waiting conversation. Exactly one claimer wins.

        Implemented as a single conditional ``UPDATE ... WHERE state = 'waiting'``
        whose rowcount tells whether this call won.

        Returns:
            True if this call claimed it (state is now WITH_HUMAN). False if it
            was not waiting any more (another staff member was faster, or the
            citizen cancelled); read the conversation to see who has it.

        Raises:
            ConversationNotFound: If the conversation does not exist.
            UserNotFound: If the staff user does not exist.
            UserInactive: If the staff user is deactivated.
        """
        user = self._users.active(staff_user_id)
        with self._db.session() as session:
            new = try_move(
                session,
                conversation_id,
                HandoffState.WAITING,
                Event.CLAIM,
                staff_actor(user.username),
                None,
                self._db.now(),
                claimed_by=user.id,
            )
            if new is not None:
                return True
            current_state(session, conversation_id)  # raises if it does not exist
            return False

    def expire_waiting(self, older_than: timedelta) -> list[str]:
        """Send conversations nobody claimed in time back to the bot (TIMEOUT).

        Meant to be called periodically (e.g. every minute). Each move is logged
        with actor ``system``. Conversations claimed concurrently are skipped.

        Args:
            older_than: Conversations waiting at least this long are expired.

        Returns:
            Ids of the conversations moved from WAITING to BOT, oldest first.
            The caller should tell those citizens nobody was available and offer
            to leave an offline request.
        """
        check_timedelta(older_than, "older_than")
        now = self._db.now()
        cutoff = now - older_than
        with self._db.session() as session:
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
            with self._db.session() as session:
                new = try_move(
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
        with self._db.session() as session:
            current_state(session, conversation_id)
            rows = session.execute(
                select(TransitionRow)
                .where(TransitionRow.conversation_id == conversation_id)
                .order_by(TransitionRow.id)
            ).scalars()
            return [to_transition(row) for row in rows]

    def queue(self) -> list[QueueEntry]:
        """Return conversations waiting for a person, longest waiting first.

        Returns:
            One entry per WAITING conversation with its waiting time measured now.
        """
        now = self._db.now()
        with self._db.session() as session:
            rows = session.execute(
                select(ConversationRow)
                .where(ConversationRow.state == HandoffState.WAITING.value)
                .order_by(ConversationRow.waiting_since, ConversationRow.id)
            ).scalars()
            conversations = [to_conversation(row) for row in rows]
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
        with self._db.session() as session:
            return [to_conversation(row) for row in session.execute(query).scalars()]

    def set_language(self, conversation_id: str, language: Language | str) -> Conversation:
        """Change the language of a conversation (e.g. after the citizen switched).

        Returns:
            The updated conversation.

        Raises:
            ConversationNotFound: If the conversation does not exist.
            ValueError: If the language is unknown.
        """
        lang = check_language(language)
        with self._db.session() as session:
            result = session.execute(
                update(ConversationRow)
                .where(ConversationRow.id == conversation_id)
                .values(language=lang.value)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                raise ConversationNotFound(conversation_id)
            row = session.get(ConversationRow, conversation_id)
            return to_conversation(row)

    def delete(self, conversation_id: str) -> bool:
        """Delete a conversation and everything about it (e.g. on the citizen's request).

        Removes its messages, notes, transitions and linked offline requests.

        Returns:
            True if it existed and was deleted; False if there was nothing to delete.
        """
        with self._db.session() as session:
            deleted, _ = delete_conversations(session, [conversation_id])
            return deleted == 1
