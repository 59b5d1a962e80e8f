"""Rate limits counted in Redis, so every instance spends from the same budget.

:class:`RedisSlidingWindowLimiter` has the interface and the sliding-window rule of
:class:`bot.web.ratelimit.SlidingWindowLimiter` (at most ``limit`` events per key within
any ``window`` seconds), kept as one sorted set per key and changed by one Lua script, so
concurrent hits on several instances count exactly. Timestamps are the instances' wall
clocks (keep them in sync with NTP).

The call is synchronous (the channels call ``hit`` inline) with a short socket timeout:
one round trip to Redis on the local network takes well under a millisecond. If Redis
cannot be reached, the limiter counts in this process instead (logged at most once a
minute) rather than refusing every citizen.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from collections.abc import Callable
from typing import Any

import redis  # type: ignore[import-untyped]

from bot.cluster.throttle import ThrottledWarning
from bot.web.ratelimit import SlidingWindowLimiter

__all__ = ["KEY_PREFIX", "RedisSlidingWindowLimiter"]

logger = logging.getLogger(__name__)
KEY_PREFIX = "alver:ratelimit:"
SOCKET_TIMEOUT_SECONDS = 0.5
WARN_EVERY_SECONDS = 60.0

# KEYS[1]: the key; ARGV: now, window (s), limit, a unique member. Returns "0" when the
# event is allowed (and counted), else the seconds until the oldest event leaves the window.
_HIT = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tostring(tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
return '0'
"""


class RedisSlidingWindowLimiter:
    """Allows at most ``limit`` events per key within any ``window`` s, on all instances."""

    def __init__(
        self,
        url: str,
        name: str,
        limit: int,
        window: float = 60.0,
        *,
        clock: Callable[[], float] = time.time,
        client: Any = None,
    ) -> None:
        """Create a limiter (the connection is made at the first hit).

        Args:
            url: The Redis URL (``REDIS_URL``).
            name: Which budget this is (``ip``, ``conversation``, ``login``); part of the key.
            limit: Events allowed per key in one window.
            window: Window length in seconds.
            clock: Wall clock in seconds, the same on every instance (tests inject one).
            client: A ready ``redis.Redis`` client (tests); default one made from ``url``.
        """
        if limit < 1 or window <= 0:
            raise ValueError("limit must be at least 1 and window positive.")
        if client is None:
            client = redis.Redis.from_url(
                url,
                socket_timeout=SOCKET_TIMEOUT_SECONDS,
                socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
            )
        self.limit = limit
        self.window = window
        self.prefix = f"{KEY_PREFIX}{name}:"
        self._clock = clock
        self._client = client
        self._script = client.register_script(_HIT)
        self._fallback = SlidingWindowLimiter(limit, window, clock=clock)
        self._warning = ThrottledWarning(logger, WARN_EVERY_SECONDS)

    def hit(self, key: str) -> float:
        """Count one event for ``key`` if allowed.

        Args:
            key: What is limited, e.g. ``ip:1.2.3.4`` or ``conv:<id>``.

        Returns:
            0 if the event is allowed (and counted); otherwise the whole number of
            seconds (at least 1) until the next event would be allowed.
        """
        now = self._clock()
        try:
            raw = self._script(
                keys=[self.prefix + key],
                args=[repr(now), repr(float(self.window)), self.limit, uuid.uuid4().hex],
            )
        except redis.RedisError as exc:
            self._warn(exc)
            return self._fallback.hit(key)
        text = raw.decode("ascii") if isinstance(raw, bytes) else str(raw)
        if text == "0":
            return 0.0
        return float(max(1, math.ceil(float(text))))

    def reset(self) -> None:
        """Forget all counters of this limiter (on every instance)."""
        keys = list(self._client.scan_iter(match=self.prefix + "*", count=500))
        if keys:
            self._client.delete(*keys)
        self._fallback.reset()

    def _warn(self, exc: Exception) -> None:
        self._warning.warn(
            "Rate limits cannot reach Redis (%s: %s); counting in this process until it "
            "is back. Check REDIS_URL and that Redis runs.",
            type(exc).__name__,
            exc,
        )
