"""Shared objects of the web layer, created once per Sanic app (see :mod:`bot.web.app`).

Tests and demos can inject, before the server starts:

* ``app.ctx.alver_settings``: a :class:`WebSettings` (default ``WebSettings.from_env()``);
* ``app.ctx.alver_clock``: a function returning the aware UTC "now" (default real time);
* ``app.ctx.alver_knowledge_base``: a function returning the knowledge base;
* ``app.ctx.alver_tracker``: a :class:`bot.handoff.service.TrackerPort` (default: Rasa's
  agent on ``app.ctx.agent``, see :class:`bot.web.trackers.RasaTrackers`).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sanic import Sanic

from bot.cluster.config import check_cluster_settings, redis_url
from bot.cluster.notify import ChangeNotifier, RedisChangeNotifier
from bot.cluster.ratelimit import RedisSlidingWindowLimiter
from bot.handoff.service import HandoffService, TrackerPort
from bot.handoff.store import HandoffStore, utc_now
from bot.kb import KnowledgeBase, default_store

from .presence import Presence
from .ratelimit import SlidingWindowLimiter
from .sessions import ConsoleSessions
from .settings import WebSettings
from .tokens import ConversationTokens

__all__ = ["STATE_ATTR", "ChangeNotifier", "WebState", "create_state", "get_state"]

STATE_ATTR = "alver_web"
LOGIN_ATTEMPTS_PER_MIN = 10

T = TypeVar("T")
Limiter = SlidingWindowLimiter | RedisSlidingWindowLimiter


@dataclass
class WebState:
    """Everything the channels share, on ``app.ctx.alver_web``."""

    settings: WebSettings
    store: HandoffStore
    presence: Presence
    sessions: ConsoleSessions
    tokens: ConversationTokens
    conversation_limiter: Limiter
    ip_limiter: Limiter
    login_limiter: Limiter
    notifier: ChangeNotifier
    clock: Callable[[], datetime]
    knowledge_base: Callable[[], KnowledgeBase]
    service: HandoffService
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def now(self) -> datetime:
        """The current aware UTC time (from the injectable clock)."""
        return self.clock()

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking code (database, password hashing) in a worker thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, functools.partial(function, *args, **kwargs))


def create_state(
    settings: WebSettings,
    clock: Callable[[], datetime] = utc_now,
    knowledge_base: Callable[[], KnowledgeBase] | None = None,
    tracker: TrackerPort | None = None,
    shared_url: str | None = None,
) -> WebState:
    """Build the shared objects (opens the database and creates missing tables).

    With a Redis URL (``shared_url``, default ``REDIS_URL``), long-poll wake-ups and rate
    limits are shared with the other instances (:mod:`bot.cluster`); without, they stay in
    this process. Called on the server's event loop, the Redis subscriber starts at once
    (its task is in ``tasks``, cancelled at stop).

    Raises:
        bot.cluster.config.ClusterConfigError: ``REDIS_URL`` is bad, or set without
            ``BOT_SECRET_KEY`` (only checked when ``shared_url`` is not given).
    """
    if shared_url is None:
        check_cluster_settings()
    url = shared_url if shared_url is not None else redis_url()
    store = HandoffStore(settings.database_url, clock=lambda: clock())
    kb_getter = knowledge_base or (lambda: default_store().get())
    presence = Presence(store.engine, clock)
    notifier = RedisChangeNotifier(url) if url else ChangeNotifier()

    def limiter(name: str, limit: int) -> Limiter:
        if url:
            return RedisSlidingWindowLimiter(url, name, limit)
        return SlidingWindowLimiter(limit)

    holder: list[WebState] = []
    service = HandoffService(
        store,
        presence,
        notifier,
        clock,
        kb_getter,
        # Read at each use: tests and demos may replace state.settings.
        lambda: holder[0].settings if holder else settings,
        tracker,
    )
    state = WebState(
        settings=settings,
        store=store,
        presence=presence,
        sessions=ConsoleSessions(store.engine, clock),
        tokens=ConversationTokens(settings.secret_key),
        conversation_limiter=limiter("conversation", settings.rate_limit_conversation_per_min),
        ip_limiter=limiter("ip", settings.rate_limit_ip_per_min),
        login_limiter=limiter("login", LOGIN_ATTEMPTS_PER_MIN),
        notifier=notifier,
        clock=clock,
        knowledge_base=kb_getter,
        service=service,
    )
    holder.append(state)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass  # built outside a server (tools, tests): nothing to start
    else:
        task = notifier.start()
        if task is not None:
            state.tasks.append(task)
    return state


def get_state(app: Sanic) -> WebState:
    """Return the app's :class:`WebState` (created at server start)."""
    state = getattr(app.ctx, STATE_ATTR, None)
    if not isinstance(state, WebState):
        raise RuntimeError(
            "The Alver web state is missing: the channel's before_server_start listener "
            "did not run. Register the channel blueprint before starting the server."
        )
    return state
