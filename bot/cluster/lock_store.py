"""Rasa's per-conversation lock store: Redis when ``REDIS_URL`` is set, else in memory.

Configured in ``endpoints.yml`` as ``lock_store: type: bot.cluster.lock_store.AlverLockStore``.
Rasa's lock makes the messages of one conversation run one after the other. With several
instances the lock must be shared, or two instances could run one conversation's turns at
once: then it is Rasa's own :class:`~rasa.core.lock_store.RedisLockStore` on ``REDIS_URL``.
Without ``REDIS_URL`` it is Rasa's default :class:`~rasa.core.lock_store.InMemoryLockStore`.
(Rasa's ``${VAR}`` substitution in ``endpoints.yml`` fails on an unset variable, so the
choice is made here and the file needs no variable.)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore

from .config import redis_url

__all__ = ["AlverLockStore", "redis_lock_store"]

logger = logging.getLogger(__name__)
# Rasa's Redis lock store calls Redis synchronously on the event loop: an unreachable Redis
# must fail fast (Rasa's default is 10 s per call and no connect timeout at all).
SOCKET_TIMEOUT_SECONDS = 2.0


def redis_lock_store(url: str) -> RedisLockStore:
    """Rasa's Redis lock store for a Redis URL (``redis://[:password@]host[:port][/db]``)."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise ValueError(
            "Rasa's lock store needs a redis:// or rediss:// URL with a host in REDIS_URL "
            f"(got scheme {parts.scheme!r})."
        )
    db = parts.path.strip("/")
    store = RedisLockStore(
        host=parts.hostname,
        port=parts.port or 6379,
        db=int(db) if db else 0,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_ssl=parts.scheme == "rediss",
        key_prefix="alver",
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
    )
    store.red.connection_pool.connection_kwargs["socket_connect_timeout"] = SOCKET_TIMEOUT_SECONDS
    return store


class AlverLockStore(LockStore):
    """Delegates to Rasa's Redis lock store (``REDIS_URL`` set) or its in-memory one."""

    def __init__(
        self, endpoint_config: Any = None, environ: Mapping[str, str] | None = None
    ) -> None:
        """Choose the lock store from the environment.

        Args:
            endpoint_config: Rasa's ``lock_store`` entry of ``endpoints.yml`` (unused).
            environ: Variables to read (default ``os.environ``).
        """
        url = redis_url(environ)
        self.inner: LockStore = redis_lock_store(url) if url else InMemoryLockStore()
        logger.info("Rasa's conversation locks: %s", type(self.inner).__name__)
        super().__init__()

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """The conversation's lock, if any."""
        return self.inner.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        """Delete the conversation's lock."""
        self.inner.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        """Store a lock."""
        self.inner.save_lock(lock)
