"""Long-poll wake-ups: in one process, or across instances through Redis pub/sub.

A long-poll (the citizen's events, the console's queue and conversation) takes a token,
reads the database, and waits on the token until something changes. :class:`ChangeNotifier`
wakes the waiters of its own process at once. :class:`RedisChangeNotifier` also publishes
each change on a Redis channel and wakes its own waiters when another instance publishes,
so a staff reply on instance A reaches a citizen long-polling on instance B at once. If
Redis is unreachable, it logs a warning and retries; long-polls still re-read the database
every second (``bot.web.http.POLL_STEP_SECONDS``), so nothing is lost, only slower.

Redis pub/sub rather than PostgreSQL LISTEN/NOTIFY: the cluster needs Redis anyway (Rasa's
lock store, the shared rate limits), it works with any handoff database, and a publish
costs no database connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any

from bot.cluster.throttle import ThrottledWarning

__all__ = ["CHANNEL", "ChangeNotifier", "RedisChangeNotifier"]

logger = logging.getLogger(__name__)
CHANNEL = "alver:changes"
RETRY_SECONDS = 1.0
WARN_EVERY_SECONDS = 60.0


class ChangeNotifier:
    """Wakes the long-poll requests of this process early when something changed.

    Long-polls also re-read the database about once a second, so without a shared
    notifier the changes made by another bot instance are seen within that second.
    """

    def __init__(self) -> None:
        """Create the notifier."""
        self._event: asyncio.Event | None = None

    def token(self) -> asyncio.Event:
        """Take this before reading the state; pass it to :meth:`wait` afterwards."""
        if self._event is None:
            self._event = asyncio.Event()
        return self._event

    def notify(self) -> None:
        """Wake everybody waiting in this process."""
        self._wake()

    def _wake(self) -> None:
        event, self._event = self._event, asyncio.Event()
        if event is not None:
            event.set()

    @staticmethod
    async def wait(token: asyncio.Event, timeout: float) -> None:
        """Wait until notified after ``token`` was taken, or ``timeout`` seconds."""
        if timeout <= 0:
            return
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(token.wait(), timeout)

    def start(self) -> asyncio.Task[None] | None:
        """Start background work (none in one process); returns the task to cancel at stop."""
        return None


class RedisChangeNotifier(ChangeNotifier):
    """A :class:`ChangeNotifier` whose changes reach every instance through Redis pub/sub.

    Each :meth:`notify` wakes this process at once and publishes one message (several
    calls in a row are coalesced). Messages from other instances wake this process; its
    own are ignored. :meth:`start` runs the subscriber and publisher in one task; cancel
    it to stop (the server's stop does, through ``WebState.tasks``).
    """

    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        """Create the notifier (connects in :meth:`start`).

        Args:
            url: The Redis URL (``REDIS_URL``).
            channel: The pub/sub channel; all instances of one bot must use the same.
        """
        super().__init__()
        self.url = url
        self.channel = channel
        self.instance = uuid.uuid4().hex
        self._pending: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()
        self._warning = ThrottledWarning(logger, WARN_EVERY_SECONDS)
        self.published = 0
        self.received = 0

    def notify(self) -> None:
        """Wake this process's waiters and publish the change to the other instances."""
        self._wake()
        if self._pending is not None:
            self._pending.set()

    def start(self) -> asyncio.Task[None]:
        """Start subscribing and publishing (call on the server's event loop, once)."""
        if self._task is None:
            self._pending = asyncio.Event()
            self._task = asyncio.create_task(self._run(), name="alver-redis-notifier")
        return self._task

    @property
    def connected(self) -> bool:
        """True while the subscription to the other instances' changes is active."""
        return self._subscribed.is_set()

    async def subscribed(self, timeout: float = 5.0) -> None:
        """Wait until the subscription is active (tests and start-up checks)."""
        await asyncio.wait_for(self._subscribed.wait(), timeout)

    async def _run(self) -> None:
        from redis import asyncio as aioredis  # type: ignore[import-untyped]

        while True:
            client = aioredis.Redis.from_url(self.url, socket_connect_timeout=2)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    self._subscribed.set()
                    logger.info("Long-poll wake-ups shared through Redis (%s)", self.channel)
                    publisher = asyncio.create_task(self._publish_loop(client))
                    try:
                        await self._listen(pubsub)
                    finally:
                        publisher.cancel()
                        with contextlib.suppress(asyncio.CancelledError, Exception):
                            await publisher
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis down: retry, polls still work
                self._subscribed.clear()
                self._warn(f"Redis wake-ups unavailable ({type(exc).__name__}: {exc})")
                await asyncio.sleep(RETRY_SECONDS)
            finally:
                with contextlib.suppress(Exception):
                    await client.close(close_connection_pool=True)

    async def _listen(self, pubsub: Any) -> None:
        async for message in pubsub.listen():
            if message.get("type") != "message":
                continue
            data = message.get("data")
            sender = data.decode("ascii", "replace") if isinstance(data, bytes) else str(data)
            if sender != self.instance:
                self.received += 1
                self._wake()
        raise ConnectionError("the Redis subscription ended")

    async def _publish_loop(self, client: Any) -> None:
        assert self._pending is not None
        while True:
            await self._pending.wait()
            self._pending.clear()
            try:
                await client.publish(self.channel, self.instance)
                self.published += 1
            except Exception as exc:  # noqa: BLE001 - other instances re-read within 1 s
                self._warn(f"Redis publish failed ({type(exc).__name__}: {exc})")
                await asyncio.sleep(RETRY_SECONDS)

    def _warn(self, what: str) -> None:
        self._warning.warn(
            "%s; other instances see changes within about 1 s instead of at once. "
            "Check REDIS_URL and that Redis runs.",
            what,
        )
