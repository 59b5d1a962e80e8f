"""Shared objects of the web layer, created once per Sanic app, and background jobs.

Both channels (widget and console) call :func:`install` on their blueprint. The
``before_server_start`` listener creates one :class:`WebState` on
``app.ctx.alver_web``; the second channel finds it there and does nothing. The
listener also starts two background jobs, stopped cleanly before the server
stops:

* every ``expire_interval_seconds`` (10 s): send waiting conversations nobody
  claimed in time back to the bot and tell those citizens (see
  :func:`bot.web.service.expire_waiting_once`);
* every ``purge_interval_seconds`` (1 h): delete data past the retention period.

Tests and demos can inject, before the server starts:

* ``app.ctx.alver_settings``: a :class:`WebSettings` (default ``WebSettings.from_env()``);
* ``app.ctx.alver_clock``: a function returning the aware UTC "now" (default real time);
* ``app.ctx.alver_knowledge_base``: a function returning the knowledge base.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sanic import Blueprint, Sanic

from bot.handoff.store import HandoffStore, utc_now
from bot.kb import KnowledgeBase, default_store

from .presence import Presence
from .ratelimit import SlidingWindowLimiter
from .sessions import ConsoleSessions
from .settings import WebSettings
from .tokens import ConversationTokens

__all__ = ["ChangeNotifier", "WebState", "get_state", "install"]

logger = logging.getLogger(__name__)

STATE_ATTR = "alver_web"
LOGIN_ATTEMPTS_PER_MIN = 10

T = TypeVar("T")


class ChangeNotifier:
    """Wakes long-poll requests of this process early when something changed.

    Long-polls also re-read the database about once a second, so changes made by
    another bot instance are seen too; this only makes same-process changes instant.
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
        """Wake everybody waiting."""
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


@dataclass
class WebState:
    """Everything the channels share, on ``app.ctx.alver_web``."""

    settings: WebSettings
    store: HandoffStore
    presence: Presence
    sessions: ConsoleSessions
    tokens: ConversationTokens
    conversation_limiter: SlidingWindowLimiter
    ip_limiter: SlidingWindowLimiter
    login_limiter: SlidingWindowLimiter
    notifier: ChangeNotifier
    clock: Callable[[], datetime]
    knowledge_base: Callable[[], KnowledgeBase]
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
) -> WebState:
    """Build the shared objects (opens the database and creates missing tables)."""
    store = HandoffStore(settings.database_url, clock=lambda: clock())
    kb_getter = knowledge_base or (lambda: default_store().get())
    return WebState(
        settings=settings,
        store=store,
        presence=Presence(store.engine, clock),
        sessions=ConsoleSessions(store.engine, clock),
        tokens=ConversationTokens(settings.secret_key),
        conversation_limiter=SlidingWindowLimiter(settings.rate_limit_conversation_per_min),
        ip_limiter=SlidingWindowLimiter(settings.rate_limit_ip_per_min),
        login_limiter=SlidingWindowLimiter(LOGIN_ATTEMPTS_PER_MIN),
        notifier=ChangeNotifier(),
        clock=clock,
        knowledge_base=kb_getter,
    )


def get_state(app: Sanic) -> WebState:
    """Return the app's :class:`WebState` (created at server start)."""
    state = getattr(app.ctx, STATE_ATTR, None)
    if not isinstance(state, WebState):
        raise RuntimeError(
            "The Alver web state is missing: the channel's before_server_start listener "
            "did not run. Register the channel blueprint before starting the server."
        )
    return state


async def _periodic(name: str, interval: float, job: Callable[[], Any], state: WebState) -> None:
    while True:
        try:
            await state.run(job)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a failing job must not stop the loop
            logger.exception("Background job %s failed; retrying in %s s", name, interval)
        else:
            state.notifier.notify()
        await asyncio.sleep(interval)


async def _start(app: Sanic, _loop: Any) -> None:
    if getattr(app.ctx, STATE_ATTR, None) is not None:
        return  # the other channel's listener already did it
    settings = getattr(app.ctx, "alver_settings", None) or WebSettings.from_env()
    clock = getattr(app.ctx, "alver_clock", None) or utc_now
    knowledge_base = getattr(app.ctx, "alver_knowledge_base", None)
    state = create_state(settings, clock, knowledge_base)
    setattr(app.ctx, STATE_ATTR, state)

    from . import service, trackers  # here, because service imports this module

    state.tasks.append(
        asyncio.create_task(
            _periodic(
                "expire_waiting",
                settings.expire_interval_seconds,
                functools.partial(service.expire_waiting_once, state),
                state,
            )
        )
    )
    state.tasks.append(
        asyncio.create_task(
            _periodic(
                "purge",
                settings.purge_interval_seconds,
                functools.partial(service.purge_once, state),
                state,
            )
        )
    )
    state.tasks.append(
        asyncio.create_task(
            _periodic(
                "forget_trackers",
                settings.purge_interval_seconds,
                # The agent is looked up at run time: Rasa loads it after this listener.
                lambda: trackers.forget_stale(
                    getattr(app.ctx, "agent", None),
                    timedelta(days=settings.retention_days),
                    clock(),
                ),
                state,
            )
        )
    )
    logger.info("Alver chat web layer started (database %s)", state.store.engine.url)


async def _stop(app: Sanic, _loop: Any) -> None:
    state = getattr(app.ctx, STATE_ATTR, None)
    if not isinstance(state, WebState):
        return
    setattr(app.ctx, STATE_ATTR, None)
    for task in state.tasks:
        task.cancel()
    for task in state.tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    state.notifier.notify()
    state.store.close()


def install(blueprint: Blueprint) -> None:
    """Attach the start/stop listeners to a channel's blueprint (safe to do twice per app)."""
    blueprint.listener("before_server_start")(_start)
    blueprint.listener("before_server_stop")(_stop)
