"""Server-side console sessions, stored in the handoff database.

Why server-side and not a signed cookie: a logout (or an admin deactivating a
user) must end the session at once, on every bot instance. The cookie holds only
a random 256-bit token; the database stores its SHA-256 hash (a leaked database
does not give working cookies), the user id, the CSRF token and the expiry.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from bot.handoff.schema import console_sessions_table

__all__ = ["ConsoleSession", "ConsoleSessions"]


@dataclass(frozen=True)
class ConsoleSession:
    """A signed-in console session."""

    user_id: int
    csrf_token: str
    expires_at: datetime

    def csrf_ok(self, token: str | None) -> bool:
        """Check a CSRF token from a request header (constant-time)."""
        if not token:
            return False
        return hmac.compare_digest(self.csrf_token.encode(), token.encode("utf-8", "replace"))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class ConsoleSessions:
    """Creates, looks up and ends console sessions."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        """Use the handoff database (its tables come from the migrations in bot/handoff/).

        Args:
            engine: The handoff database engine.
            clock: Returns the current aware UTC time.
        """
        self._engine = engine
        self._clock = clock

    def create(self, user_id: int, lifetime: timedelta) -> tuple[str, ConsoleSession]:
        """Start a session.

        Returns:
            The cookie token and the session (with its CSRF token).
        """
        token = secrets.token_urlsafe(32)
        now = self._clock()
        session = ConsoleSession(
            user_id=user_id, csrf_token=secrets.token_urlsafe(32), expires_at=now + lifetime
        )
        with self._engine.begin() as conn:
            conn.execute(
                console_sessions_table.insert().values(
                    token_hash=_hash(token),
                    user_id=user_id,
                    csrf_token=session.csrf_token,
                    created_at=now,
                    expires_at=session.expires_at,
                )
            )
        return token, session

    def get(self, token: str | None) -> ConsoleSession | None:
        """Return the live session for a cookie token, or None (unknown or expired)."""
        if not token or len(token) > 200:
            return None
        table = console_sessions_table
        with self._engine.connect() as conn:
            row = conn.execute(select(table).where(table.c.token_hash == _hash(token))).first()
        if row is None or row.expires_at <= self._clock():
            return None
        return ConsoleSession(
            user_id=row.user_id, csrf_token=row.csrf_token, expires_at=row.expires_at
        )

    def delete(self, token: str) -> None:
        """End a session (logout)."""
        with self._engine.begin() as conn:
            conn.execute(
                delete(console_sessions_table).where(
                    console_sessions_table.c.token_hash == _hash(token)
                )
            )

    def purge_expired(self) -> int:
        """Delete expired sessions. Returns how many."""
        with self._engine.begin() as conn:
            result = conn.execute(
                delete(console_sessions_table).where(
                    console_sessions_table.c.expires_at <= self._clock()
                )
            )
            return int(result.rowcount or 0)
