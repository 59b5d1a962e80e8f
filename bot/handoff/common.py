"""Helpers shared by the handoff repositories: settings, the clock, actors, input checks."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import TypeVar

from .records import Language, Sender, StaffRole

__all__ = [
    "DATABASE_URL_ENV",
    "DEFAULT_DATABASE_URL",
    "MAX_ATTEMPTS",
    "MAX_MESSAGE_LENGTH",
    "MAX_NOTE_LENGTH",
    "MAX_QUESTION_LENGTH",
    "MAX_REASON_LENGTH",
    "chunks",
    "check_confidence",
    "check_language",
    "check_role",
    "check_sender",
    "check_text",
    "check_timedelta",
    "database_url_from_env",
    "normalize_username",
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

MAX_ATTEMPTS = 5
"""How often a state change is retried when another request changed the same
conversation between our read and our conditional update."""

_USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
_ACTOR_RE = re.compile(r"(?:citizen|bot|system|staff:[a-z0-9][a-z0-9._-]{0,63})")


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
        The actor string to pass to ``store.conversations.transition``.
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


_E = TypeVar("_E", bound=Enum)


def _member(kind: type[_E], value: _E | str, what: str) -> _E:
    """Parse ``value`` as a member of the enum ``kind``, naming the valid values if not."""
    try:
        return kind(value)
    except ValueError:
        valid = ", ".join(str(member.value) for member in kind)
        raise ValueError(f"Unknown {what} {value!r}. Use one of: {valid}.") from None


def check_language(language: Language | str) -> Language:
    """Parse a language code (``nn``, ``nb``, ``en``); ValueError names the valid ones."""
    return _member(Language, language, "language")


def check_role(role: StaffRole | str) -> StaffRole:
    """Parse a staff role; ValueError names the valid ones."""
    return _member(StaffRole, role, "role")


def check_sender(sender: Sender | str) -> Sender:
    """Parse a message sender; ValueError names the valid ones."""
    return _member(Sender, sender, "sender")


def check_text(value: str, what: str, max_length: int, *, allow_empty: bool = False) -> str:
    """Check that ``value`` is a string of at most ``max_length`` characters (and not blank).

    Raises:
        ValueError: Naming ``what`` and the problem.
    """
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


def check_confidence(confidence: float | None) -> float | None:
    """Check an NLU confidence (a number between 0 and 1, or None) and return it as float."""
    if confidence is None:
        return None
    if not (isinstance(confidence, int | float) and 0.0 <= float(confidence) <= 1.0):
        raise ValueError(f"Confidence must be a number between 0 and 1, got {confidence!r}.")
    return float(confidence)


def check_timedelta(value: timedelta, what: str) -> timedelta:
    """Check that ``value`` is a non-negative :class:`~datetime.timedelta`."""
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise ValueError(f"{what} must be a non-negative datetime.timedelta, got {value!r}.")
    return value


def normalize_username(username: str) -> str:
    """Trim and lower-case a username and check its form.

    Raises:
        ValueError: If it is not 2-64 characters of a-z, 0-9, '.', '_' and '-'.
    """
    if not isinstance(username, str):
        raise ValueError(f"Username must be a string, got {type(username).__name__}.")
    name = username.strip().lower()
    if not _USERNAME_RE.fullmatch(name):
        raise ValueError(
            f"Invalid username {username!r}. Use 2-64 characters: letters a-z, digits, "
            "'.', '_' or '-', starting with a letter or digit."
        )
    return name


def chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    """Yield consecutive slices of ``items`` of at most ``size`` elements."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
