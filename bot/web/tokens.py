"""Conversation tokens: an HMAC-SHA256 signature of the conversation id.

The token proves that the caller got the conversation id from this server. It
needs no storage: the server recomputes it from the id and the secret key and
compares in constant time. Changing ``BOT_SECRET_KEY`` invalidates all tokens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

__all__ = ["ConversationTokens"]

_PURPOSE = b"alver-conversation-v1:"


class ConversationTokens:
    """Issues and checks conversation tokens with one secret key."""

    def __init__(self, secret_key: bytes) -> None:
        """Create the token signer.

        Args:
            secret_key: The server's secret (``BOT_SECRET_KEY``).
        """
        if len(secret_key) < 16:
            raise ValueError("The secret key must be at least 16 bytes long.")
        self._key = secret_key

    def issue(self, conversation_id: str) -> str:
        """Return the token for a conversation id (URL-safe base64, no padding)."""
        digest = hmac.new(
            self._key, _PURPOSE + conversation_id.encode("utf-8"), hashlib.sha256
        ).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def verify(self, conversation_id: str, token: str | None) -> bool:
        """Tell whether ``token`` belongs to ``conversation_id`` (constant-time compare)."""
        if not token or not isinstance(token, str):
            return False
        expected = self.issue(conversation_id)
        return hmac.compare_digest(expected.encode("ascii"), token.encode("utf-8", "replace"))
