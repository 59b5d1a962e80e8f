"""Where the shared Redis is: the ``REDIS_URL`` environment variable.

``REDIS_URL`` (e.g. ``redis://redis.internal:6379/0``, ``rediss://`` for TLS, a password
as ``redis://:PASSWORD@host:6379/0``) switches on the shared wake-ups, the shared rate
limits and Rasa's Redis lock store. Unset or empty: all three stay in-process, which is
right for one instance (the embedded default).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from urllib.parse import urlsplit

__all__ = ["ENV_VAR", "ClusterConfigError", "check_cluster_settings", "redis_url"]

logger = logging.getLogger(__name__)
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


def check_cluster_settings(environ: Mapping[str, str] | None = None) -> None:
    """Refuse settings that cannot work on several instances (when ``REDIS_URL`` is set).

    Every instance must sign and check citizens' conversation tokens with the same key, so
    ``BOT_SECRET_KEY`` must be set (otherwise each machine makes its own ``var/secret.key``
    and a citizen's next request on another instance gets 401). A SQLite handoff database
    is only logged: it works for instances on one machine, never across machines.

    Raises:
        ClusterConfigError: If ``REDIS_URL`` is set and ``BOT_SECRET_KEY`` is not.
    """
    env = os.environ if environ is None else environ
    if redis_url(env) is None:
        return
    if not env.get("BOT_SECRET_KEY", "").strip():
        raise ClusterConfigError(
            f"{ENV_VAR} is set (several instances) but BOT_SECRET_KEY is not: each machine "
            "would make its own key and citizens' tokens would fail on the other instances. "
            "Set the same BOT_SECRET_KEY (at least 32 random characters) on every instance."
        )
    database = env.get("HANDOFF_DATABASE_URL", "").strip()
    if not database or database.startswith("sqlite"):
        logger.warning(
            "%s is set but the handoff database is SQLite: instances on other machines "
            "cannot share it. Use PostgreSQL in HANDOFF_DATABASE_URL for several machines.",
            ENV_VAR,
        )
