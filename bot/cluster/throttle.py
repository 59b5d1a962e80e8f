"""A warning logged at most once per interval, for faults that repeat on every request."""

from __future__ import annotations

import logging
import time
from typing import Any

__all__ = ["ThrottledWarning"]


class ThrottledWarning:
    """Logs a warning on ``logger`` at most once every ``every`` seconds (monotonic clock)."""

    def __init__(self, logger: logging.Logger, every: float) -> None:
        """Sets up the throttle.

        Args:
            logger: Where the warning goes.
            every: Shortest time in seconds between two logged warnings.
        """
        self._logger = logger
        self._every = every
        self._last = -every

    def warn(self, message: str, *args: Any) -> None:
        """Logs ``message % args`` unless a warning was logged less than ``every`` s ago."""
        now = time.monotonic()
        if now - self._last >= self._every:
            self._last = now
            self._logger.warning(message, *args)
