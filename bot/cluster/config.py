"""Where the shared Redis is: the ``REDIS_URL`` environment variable.

``REDIS_URL`` (e.g. ``redis://redis.internal:6379/0``, ``rediss://`` for TLS, a password
as ``redis://:PASSWORD@host:6379/0``) switches on the shared wake-ups, the shared rate
limits and Rasa's Redis lock store. Unset or empty: all three stay in-process, which is
right for one instance (the embedded default).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit

__all__ = ["ENV_VAR", "ClusterConfigError", "redis_url"]

ENV_VAR = "REDIS_URL"
_SCHEMES = ("redis", "rediss", "unix")


class ClusterConfigError(ValueError):
    """``REDIS_URL`` has a value that cannot be used."""


def redis_url(environ: Mapping[str, str] | None = None) -> str | None:
    """The shared Redis URL, or None when the bot runs on its own.

    Args:
        environ: Variables to read (default ``os.environ``).

    Returns:
        The URL from ``REDIS_URL``, or None if it is unset or empty.

    Raises:
        ClusterConfigError: If the value is not a redis://, rediss:// or unix:// URL.
    """
    env = os.environ if environ is None else environ
    raw = env.get(ENV_VAR, "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    where = parts.path if parts.scheme == "unix" else parts.hostname
    if parts.scheme not in _SCHEMES or not where:
        raise ClusterConfigError(
            f"{ENV_VAR} (scheme {parts.scheme!r}) is not a Redis URL; use e.g. "
            "redis://127.0.0.1:6379/0 "
            "(rediss:// for TLS), or leave it unset to keep everything in one process."
        )
    return raw
