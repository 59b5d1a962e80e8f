"""``GET /webhooks/alver/health``: is every part the citizen's answer needs working?

Checks, each with a short time limit:

* ``database``: ``SELECT 1`` on the handoff database (for SQLite also: the file is still
  the one opened at start, looked at now, see :func:`bot.handoff.database.check_sqlite_file`),
  then a write that changes no row, rolled back (``"read-only"`` if the database refuses
  writes);
* ``tracker_store``: the same on Rasa's SQL tracker store
  (:class:`bot.rasa.tracker_store.AlverTrackerStore`), ``"loading"`` until Rasa has
  loaded its model;
* ``action_server``: ``GET /health`` of the action server Rasa calls;
* ``redis``: only with ``REDIS_URL`` (several instances): ``PING`` on the Redis that holds
  Rasa's conversation locks. Without it no citizen message can be answered, so it fails
  the check like the others.

``200 {"status": "ok", "checks": {...}}`` when all work; ``503 {"status": "failing",
"failing": [names], "checks": {...}}`` naming the failing parts otherwise (and while
Rasa is still loading). Reasons are short words (``"unreachable"``, ``"read-only"``,
``"file missing"``), never connection strings.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from rasa.core.lock_store import RedisLockStore
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import text
from sqlalchemy.exc import InternalError, OperationalError

from bot.handoff.database import DatabaseFileMissing, check_sqlite_file

from .state import get_state
from .trackers import deleting_store

__all__ = ["CHECK_TIMEOUT_SECONDS", "action_server_health_url", "health"]

logger = logging.getLogger(__name__)
CHECK_TIMEOUT_SECONDS = 2.0
OK = "ok"


def action_server_health_url(webhook_url: str) -> str:
    """``http://host:5055/webhook`` → ``http://host:5055/health`` (rasa_sdk's health route)."""
    parts = urlsplit(webhook_url)
    return urlunsplit((parts.scheme, parts.netloc, "/health", "", ""))


class ReadOnly(RuntimeError):
    """The database answers reads but refuses writes."""


_WRITE_PROBE = text("UPDATE alembic_version SET version_num = version_num WHERE 1 = 0")
"""A write that changes no row: refused by a read-only database (file, mode or server)."""


def _reason(exc: BaseException) -> str:
    if isinstance(exc, DatabaseFileMissing):
        return "file missing"
    if isinstance(exc, ReadOnly):
        return "read-only"
    if isinstance(exc, asyncio.TimeoutError):
        return "timeout"
    return "unreachable"


async def _database(request: Request) -> str:
    state = get_state(request.app)

    def select_one() -> None:
        check_sqlite_file(state.store.engine)  # now, not throttled like each checkout
        with state.store.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        with state.store.engine.connect() as connection:
            transaction = connection.begin()
            try:
                connection.execute(_WRITE_PROBE)
            except OperationalError as error:
                if "read" in str(getattr(error, "orig", "")).lower():  # read-only, readonly
                    raise ReadOnly("the database refuses writes") from None
                raise
            except InternalError as error:  # PostgreSQL: a read-only transaction
                raise ReadOnly("the database refuses writes") from error
            finally:
                transaction.rollback()

    await asyncio.wait_for(state.run(select_one), CHECK_TIMEOUT_SECONDS)
    return OK


async def _tracker_store(request: Request) -> str:
    agent = getattr(request.app.ctx, "agent", None)
    if agent is None:
        return "loading"
    store = deleting_store(agent)
    if store is None:
        return OK  # Rasa's in-memory store (tests, `rasa shell`): nothing to reach
    await asyncio.wait_for(asyncio.to_thread(store.check), CHECK_TIMEOUT_SECONDS)
    return OK


async def _action_server(request: Request) -> str:
    agent = getattr(request.app.ctx, "agent", None)
    endpoint = getattr(agent, "action_endpoint", None)
    url = getattr(endpoint, "url", None)
    if agent is None:
        return "loading"
    if not url:
        return OK  # no action server configured
    timeout = aiohttp.ClientTimeout(total=CHECK_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.get(action_server_health_url(str(url))) as answer:
            return OK if answer.status == 200 else f"HTTP {answer.status}"


def _redis_client(request: Request) -> Any | None:
    """The Redis client of Rasa's lock store, or None when the locks are in memory."""
    agent = getattr(request.app.ctx, "agent", None)
    store = getattr(agent, "lock_store", None)
    inner = getattr(store, "inner", store)  # bot.cluster.lock_store.AlverLockStore delegates
    return inner.red if isinstance(inner, RedisLockStore) else None


async def _redis(client: Any) -> str:
    await asyncio.wait_for(asyncio.to_thread(client.ping), CHECK_TIMEOUT_SECONDS)
    return OK


async def health(request: Request) -> HTTPResponse:
    """``GET /webhooks/alver/health``: 200 if all parts work, else 503 naming the failing."""
    names: tuple[str, ...] = ("database", "tracker_store", "action_server")
    checks_to_run = [_database(request), _tracker_store(request), _action_server(request)]
    client = _redis_client(request)
    if client is not None:
        names += ("redis",)
        checks_to_run.append(_redis(client))
    outcomes: list[Any] = await asyncio.gather(*checks_to_run, return_exceptions=True)
    checks: dict[str, str] = {}
    for name, outcome in zip(names, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            logger.warning("Health check %s failed: %s", name, type(outcome).__name__)
            checks[name] = _reason(outcome)
        else:
            checks[name] = str(outcome)
    failing = [name for name in names if checks[name] != OK]
    if failing:
        return response.json(
            {"status": "failing", "failing": failing, "checks": checks}, status=503
        )
    return response.json({"status": "ok", "checks": checks})
