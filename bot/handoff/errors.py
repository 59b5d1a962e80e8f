"""Exceptions raised by the handoff package.

All exceptions derive from :class:`HandoffError`, so a web layer can catch the
whole family in one place. Each one also derives from the closest built-in
exception (``ValueError`` for bad input, ``LookupError`` for unknown ids), so
generic handlers keep working. Messages say what went wrong and what to do.
"""

from __future__ import annotations

__all__ = [
    "ConcurrentUpdateError",
    "ConversationNotFound",
    "DuplicateUsername",
    "HandoffError",
    "InvalidContact",
    "MessageNotFound",
    "OfflineRequestNotFound",
    "PasswordPolicyError",
    "SchemaVersionError",
    "UserInactive",
    "UserNotFound",
]


class HandoffError(Exception):
    """Base class of every error raised on purpose by :mod:`bot.handoff`."""


class ConversationNotFound(HandoffError, LookupError):
    """No conversation with the given id exists (never created, or deleted)."""

    def __init__(self, conversation_id: str) -> None:
        self.conversation_id = conversation_id
        super().__init__(
            f"Conversation {conversation_id!r} does not exist (it may have been deleted "
            "or purged). Start a new conversation with create_conversation()."
        )


class MessageNotFound(HandoffError, LookupError):
    """No message with the given id exists in the given conversation."""

    def __init__(self, message_id: int, conversation_id: str) -> None:
        self.message_id = message_id
        self.conversation_id = conversation_id
        super().__init__(
            f"Message {message_id} does not exist in conversation {conversation_id!r}. "
            "Check that the message id was taken from this conversation's transcript."
        )


class OfflineRequestNotFound(HandoffError, LookupError):
    """No offline request with the given id exists."""

    def __init__(self, request_id: int) -> None:
        self.request_id = request_id
        super().__init__(
            f"Offline request {request_id} does not exist (it may have been deleted or "
            "purged). Reload the list with list_offline_requests()."
        )


class UserNotFound(HandoffError, LookupError):
    """No staff user matches the given id or username."""

    def __init__(self, user: int | str) -> None:
        self.user = user
        super().__init__(
            f"Staff user {user!r} does not exist. List users with list_users() "
            "(CLI: 'list-users') or create one with add_user() (CLI: 'add-user')."
        )


class UserInactive(HandoffError, PermissionError):
    """The staff user exists but is deactivated and may not act."""

    def __init__(self, username: str) -> None:
        self.username = username
        super().__init__(
            f"Staff user {username!r} is deactivated and cannot do this. An admin can "
            "reactivate the user (CLI: 'activate USERNAME')."
        )


class DuplicateUsername(HandoffError, ValueError):
    """A staff user with this username already exists."""

    def __init__(self, username: str) -> None:
        self.username = username
        super().__init__(
            f"A staff user named {username!r} already exists. Choose another username, "
            "or reactivate the existing user instead of creating a new one."
        )


class InvalidContact(HandoffError, ValueError):
    """The contact given for an offline request is neither e-mail nor phone."""


class PasswordPolicyError(HandoffError, ValueError):
    """A new password does not meet the password rules."""


class ConcurrentUpdateError(HandoffError):
    """A conversation kept changing under us; the update was not applied.

    This only happens under heavy contention for a single conversation. It is
    safe to read the conversation again and retry the action.
    """


class SchemaVersionError(HandoffError, RuntimeError):
    """The database schema does not match what this version of the bot can migrate."""
