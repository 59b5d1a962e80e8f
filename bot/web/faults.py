"""Answers and log lines for a database that cannot be used (unreachable, read-only, gone).

:func:`bot.web.http.add_routes` answers such a request with a JSON 503 ``unavailable``
(with ``Retry-After``) and logs :func:`bot.handoff.database.error_reason`, which never holds
the SQL or its parameters (they hold citizen text).
"""

from __future__ import annotations

from sqlalchemy import exc as sa_exc

from bot.handoff.database import DatabaseFileMissing

__all__ = ["DATABASE_DOWN", "RETRY_AFTER_SECONDS", "UNAVAILABLE_MESSAGE"]

DATABASE_DOWN = (
    sa_exc.OperationalError,  # unreachable; SQLite: read-only
    sa_exc.InterfaceError,
    sa_exc.InternalError,  # PostgreSQL: a read-only transaction
    DatabaseFileMissing,
)
"""Errors of a database that cannot be reached, is read-only or whose file is gone."""
RETRY_AFTER_SECONDS = 30
UNAVAILABLE_MESSAGE = (
    "The chat cannot store messages right now (database unavailable). Try again in a few "
    "minutes, or phone the municipality."
)
