"""TEMPORARY: the old flat ``HandoffStore`` method names, delegating to the repositories.

This module is removed when the web layer calls the repositories
(``store.conversations.create(...)`` instead of ``store.create_conversation(...)``).
Do not use these names in new code; each line below shows the new name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .conversations import ConversationRepository
    from .messages import MessageRepository
    from .notes import NoteRepository
    from .records import (
        Conversation,
        IncomingMessage,
        Message,
        Note,
        OfflineRequest,
        PurgeResult,
        QueueEntry,
        StaffUser,
        Transition,
    )
    from .requests import RequestRepository
    from .retention import RetentionRepository
    from .states import HandoffState
    from .users import UserRepository

__all__ = ["LEGACY_NAMES", "LegacyStoreMethods"]

LEGACY_NAMES: dict[str, str] = {
    "create_conversation": "conversations.create",
    "get_conversation": "conversations.get",
    "transition": "conversations.transition",
    "claim": "conversations.claim",
    "expire_waiting": "conversations.expire_waiting",
    "history": "conversations.history",
    "queue": "conversations.queue",
    "list_active_for_staff": "conversations.list_active_for_staff",
    "set_language": "conversations.set_language",
    "delete_conversation": "conversations.delete",
    "add_message": "messages.add",
    "receive_citizen_message": "messages.receive_citizen",
    "set_message_nlu": "messages.set_nlu",
    "messages_after": "messages.after",
    "set_feedback": "messages.set_feedback",
    "transcript": "messages.transcript",
    "add_note": "notes.add",
    "list_notes": "notes.list",
    "create_offline_request": "requests.create",
    "list_offline_requests": "requests.list",
    "mark_request_answered": "requests.mark_answered",
    "purge_older_than": "retention.purge_older_than",
    "add_user": "users.add",
    "authenticate": "users.authenticate",
    "set_password": "users.set_password",
    "get_user": "users.get",
    "get_user_by_username": "users.get_by_username",
    "list_users": "users.list",
    "set_active": "users.set_active",
}
"""Old method name -> new ``repository.method`` (the map for migrating call sites)."""


class LegacyStoreMethods:
    """TEMPORARY mixin of :class:`~bot.handoff.store.HandoffStore`: the old method names.

    Removed when the web layer calls the repositories. See :data:`LEGACY_NAMES`.
    """

    conversations: ConversationRepository
    messages: MessageRepository
    notes: NoteRepository
    requests: RequestRepository
    retention: RetentionRepository
    users: UserRepository

    # ----- conversations -------------------------------------------------
    def create_conversation(self, *args: Any, **kwargs: Any) -> Conversation:
        """Use ``conversations.create``."""
        return self.conversations.create(*args, **kwargs)

    def get_conversation(self, *args: Any, **kwargs: Any) -> Conversation | None:
        """Use ``conversations.get``."""
        return self.conversations.get(*args, **kwargs)

    def transition(self, *args: Any, **kwargs: Any) -> HandoffState:
        """Use ``conversations.transition``."""
        return self.conversations.transition(*args, **kwargs)

    def claim(self, *args: Any, **kwargs: Any) -> bool:
        """Use ``conversations.claim``."""
        return self.conversations.claim(*args, **kwargs)

    def expire_waiting(self, *args: Any, **kwargs: Any) -> list[str]:
        """Use ``conversations.expire_waiting``."""
        return self.conversations.expire_waiting(*args, **kwargs)

    def history(self, *args: Any, **kwargs: Any) -> list[Transition]:
        """Use ``conversations.history``."""
        return self.conversations.history(*args, **kwargs)

    def queue(self) -> list[QueueEntry]:
        """Use ``conversations.queue``."""
        return self.conversations.queue()

    def list_active_for_staff(self, *args: Any, **kwargs: Any) -> list[Conversation]:
        """Use ``conversations.list_active_for_staff``."""
        return self.conversations.list_active_for_staff(*args, **kwargs)

    def set_language(self, *args: Any, **kwargs: Any) -> Conversation:
        """Use ``conversations.set_language``."""
        return self.conversations.set_language(*args, **kwargs)

    def delete_conversation(self, *args: Any, **kwargs: Any) -> bool:
        """Use ``conversations.delete``."""
        return self.conversations.delete(*args, **kwargs)

    # ----- messages ------------------------------------------------------
    def add_message(self, *args: Any, **kwargs: Any) -> Message:
        """Use ``messages.add``."""
        return self.messages.add(*args, **kwargs)

    def receive_citizen_message(self, *args: Any, **kwargs: Any) -> IncomingMessage:
        """Use ``messages.receive_citizen``."""
        return self.messages.receive_citizen(*args, **kwargs)

    def set_message_nlu(self, *args: Any, **kwargs: Any) -> None:
        """Use ``messages.set_nlu``."""
        self.messages.set_nlu(*args, **kwargs)

    def messages_after(self, *args: Any, **kwargs: Any) -> list[Message]:
        """Use ``messages.after``."""
        return self.messages.after(*args, **kwargs)

    def set_feedback(self, *args: Any, **kwargs: Any) -> None:
        """Use ``messages.set_feedback``."""
        self.messages.set_feedback(*args, **kwargs)

    def transcript(self, *args: Any, **kwargs: Any) -> list[Message]:
        """Use ``messages.transcript``."""
        return self.messages.transcript(*args, **kwargs)

    # ----- notes, offline requests, retention ------------------------------
    def add_note(self, *args: Any, **kwargs: Any) -> Note:
        """Use ``notes.add``."""
        return self.notes.add(*args, **kwargs)

    def list_notes(self, *args: Any, **kwargs: Any) -> list[Note]:
        """Use ``notes.list``."""
        return self.notes.list(*args, **kwargs)

    def create_offline_request(self, *args: Any, **kwargs: Any) -> OfflineRequest:
        """Use ``requests.create``."""
        return self.requests.create(*args, **kwargs)

    def list_offline_requests(self, *args: Any, **kwargs: Any) -> list[OfflineRequest]:
        """Use ``requests.list``."""
        return self.requests.list(*args, **kwargs)

    def mark_request_answered(self, *args: Any, **kwargs: Any) -> bool:
        """Use ``requests.mark_answered``."""
        return self.requests.mark_answered(*args, **kwargs)

    def purge_older_than(self, *args: Any, **kwargs: Any) -> PurgeResult:
        """Use ``retention.purge_older_than``."""
        return self.retention.purge_older_than(*args, **kwargs)

    # ----- staff users ---------------------------------------------------
    def add_user(self, *args: Any, **kwargs: Any) -> StaffUser:
        """Use ``users.add``."""
        return self.users.add(*args, **kwargs)

    def authenticate(self, *args: Any, **kwargs: Any) -> StaffUser | None:
        """Use ``users.authenticate``."""
        return self.users.authenticate(*args, **kwargs)

    def set_password(self, *args: Any, **kwargs: Any) -> None:
        """Use ``users.set_password``."""
        self.users.set_password(*args, **kwargs)

    def get_user(self, *args: Any, **kwargs: Any) -> StaffUser | None:
        """Use ``users.get``."""
        return self.users.get(*args, **kwargs)

    def get_user_by_username(self, *args: Any, **kwargs: Any) -> StaffUser | None:
        """Use ``users.get_by_username``."""
        return self.users.get_by_username(*args, **kwargs)

    def list_users(self) -> list[StaffUser]:
        """Use ``users.list``."""
        return self.users.list()

    def set_active(self, *args: Any, **kwargs: Any) -> StaffUser:
        """Use ``users.set_active``."""
        return self.users.set_active(*args, **kwargs)
