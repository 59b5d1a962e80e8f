"""Start and stop of the chat web layer: shared state on ``app.ctx`` and background jobs.

Both channels (widget and console) call :func:`install` on their blueprint. The
``before_server_start`` listener creates one :class:`bot.web.state.WebState` on
``app.ctx.alver_web`` (the second channel finds it there and does nothing) and
starts the background jobs, stopped cleanly before the server stops:

* every ``expire_interval_seconds`` (10 s): send waiting conversations nobody
  claimed in time back to the bot and tell those citizens
  (:meth:`bot.handoff.service.HandoffService.expire`);
* every ``purge_interval_seconds`` (1 h): delete data past the retention period,
  orphaned presence flags and expired console sessions;
* every ``purge_interval_seconds``: drop Rasa's in-memory trackers past the
  retention period (:func:`bot.web.trackers.forget_stale`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sanic import Blueprint, Sanic

from bot.handoff.store import utc_now
from bot.rasa import speedups

from . import health, trackers
from .http import add_routes
from .settings import WebSettings
from .state import STATE_ATTR, WebState, create_state

__all__ = ["install", "start", "stop"]

logger = logging.getLogger(__name__)
# The citizen API (bot/channels/widget_channel.py) carries the health check.
HEALTH_BLUEPRINT = "alver_widget_api"


async def _periodic(
    name: str, interval: float, job: Callable[[], Awaitable[Any]], state: WebState
) -> None:
    while True:
        try:
            await job()
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a failing job must not stop the loop
            logger.exception("Background job %s failed; retrying in %s s", name, interval)
        else:
            state.notifier.notify()
        await asyncio.sleep(interval)


def _jobs(app: Sanic, state: WebState) -> dict[str, tuple[float, Callable[[], Awaitable[Any]]]]:
    settings = state.settings
    retention = timedelta(days=settings.retention_days)

    async def purge() -> None:
        await state.service.purge(retention)
        await state.run(state.presence.delete_orphans)
        await state.run(state.sessions.purge_expired)

    async def forget_trackers() -> None:
        # The agent is looked up at run time: Rasa loads it after the server starts.
        await state.run(
            trackers.forget_stale, getattr(app.ctx, "agent", None), retention, state.now()
        )

    return {
        "expire_waiting": (settings.expire_interval_seconds, state.service.expire),
        "purge": (settings.purge_interval_seconds, purge),
        "forget_trackers": (settings.purge_interval_seconds, forget_trackers),
    }


async def start(app: Sanic, _loop: Any = None) -> None:
    """Create the shared state and start the background jobs (once per app)."""
    if getattr(app.ctx, STATE_ATTR, None) is not None:
        return  # the other channel's listener already did it
    settings = getattr(app.ctx, "alver_settings", None) or WebSettings.from_env()
    clock = getattr(app.ctx, "alver_clock", None) or utc_now
    knowledge_base = getattr(app.ctx, "alver_knowledge_base", None)
    tracker = getattr(app.ctx, "alver_tracker", None) or trackers.RasaTrackers(
        lambda: getattr(app.ctx, "agent", None)
    )
    state = create_state(settings, clock, knowledge_base, tracker)
    setattr(app.ctx, STATE_ATTR, state)
    for name, (interval, job) in _jobs(app, state).items():
        state.tasks.append(asyncio.create_task(_periodic(name, interval, job, state)))
    logger.info("Alver chat web layer started (database %s)", state.store.engine.url)


async def stop(app: Sanic, _loop: Any = None) -> None:
    """Stop the background jobs and close the database."""
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
    await speedups.close_sessions()


def install(blueprint: Blueprint) -> None:
    """Attach the start/stop listeners to a channel's blueprint (safe to do twice per app).

    The citizen API's blueprint also gets the health check, ``GET /webhooks/alver/health``
    (:mod:`bot.web.health`).
    """
    blueprint.listener("before_server_start")(start)
    blueprint.listener("before_server_stop")(stop)
    if blueprint.name == HEALTH_BLUEPRINT:
        add_routes(blueprint, "/health", {"GET": health.health}, cors=True, name="alver_health")
