"""Sliding-window rate limiter, in the memory of one server process.

This is the limiter of a single instance (no ``REDIS_URL``). With ``REDIS_URL`` set,
:func:`bot.web.state.create_state` uses :class:`bot.cluster.ratelimit.RedisSlidingWindowLimiter`
instead: the same rule and interface, counted in Redis, so a budget spent on one instance
counts on all. All handoff state, presence and sessions are in the database, never only here.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["SlidingWindowLimiter"]


class SlidingWindowLimiter:
    """Allows at most ``limit`` events per key within any ``window`` seconds."""

    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        """Create a limiter.

        Args:
            limit: Events allowed per key in one window.
            window: Window length in seconds.
            clock: Monotonic clock in seconds (tests inject a fake one).
            max_keys: Keys kept at most; the oldest idle keys are dropped first.
        """
        if limit < 1 or window <= 0:
            raise ValueError("limit must be at least 1 and window positive.")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_keys = max_keys
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float:
        """Count one event for ``key`` if allowed.

        Args:
            key: What is limited, e.g. ``ip:1.2.3.4`` or ``conv:<id>``.

        Returns:
            0 if the event is allowed (and counted); otherwise the whole number of
            seconds (at least 1) until the next event would be allowed.
        """
        now = self._clock()
        with self._lock:
            events = self._events.get(key)
            if events is None:
                if len(self._events) >= self._max_keys:
                    self._evict(now)
                events = self._events[key] = deque()
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return float(max(1, math.ceil(events[0] + self.window - now)))
            events.append(now)
            # Keep insertion order roughly "least recently used" for eviction.
            self._events[key] = self._events.pop(key)
            return 0.0

    def _evict(self, now: float) -> None:
        for key in [k for k, v in self._events.items() if not v or v[-1] <= now - self.window]:
            del self._events[key]
        while len(self._events) >= self._max_keys:
            del self._events[next(iter(self._events))]

    def reset(self) -> None:
        """Forget all counters."""
        with self._lock:
            self._events.clear()
