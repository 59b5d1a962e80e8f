"""Rasa's own copy of widget conversations (its tracker store): pause, resume, retention.

:class:`RasaTrackers` is the Rasa side of :class:`bot.handoff.service.TrackerPort`: when a
person takes a conversation it appends Rasa's ``ConversationPaused`` event to the tracker,
and ``ConversationResumed`` when the bot gets it back. Rasa's processor predicts nothing
for a paused tracker, so no channel (not even the REST channel with a widget
conversation id as ``sender``) can make the bot speak while a person has the conversation.

The handoff store deletes conversations after ``RETENTION_DAYS``; Rasa keeps the dialogue in
its tracker store as well. This module deletes a deleted conversation's tracker, and the
trackers whose last event is older than the retention period, both from this bot's SQL
tracker store (:class:`bot.rasa.tracker_store.AlverTrackerStore`, the default) and from
Rasa's in-memory store, so personal data does not outlive the schedule.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from rasa.shared.core.events import ConversationPaused, ConversationResumed

from bot.rasa import speedups
from bot.rasa.tracker_store import AlverTrackerStore

__all__ = ["RasaTrackers", "deleting_store", "forget", "forget_stale", "in_memory_trackers"]

logger = logging.getLogger(__name__)


class RasaTrackers:
    """Pauses and resumes Rasa's trackers through the agent's tracker store.

    The change is made under the agent's lock store (the lock Rasa's processor holds
    while it handles a message of the conversation), plus a process-local lock, so a
    message being processed cannot overwrite the pause with its older copy.
    """

    def __init__(self, agent: Callable[[], Any]) -> None:
        """Create the adapter.

        Args:
            agent: Returns Rasa's agent (``app.ctx.agent``), or None before it is loaded.
        """
        self._agent = agent
        self._lock = asyncio.Lock()

    async def pause(self, conversation_id: str) -> None:
        """Append ``ConversationPaused`` unless the tracker is paused already."""
        await self._update(conversation_id, pause=True)

    async def resume(self, conversation_id: str) -> None:
        """Append ``ConversationResumed`` if the tracker is paused."""
        await self._update(conversation_id, pause=False)

    async def forget(self, conversation_id: str) -> None:
        """Delete the tracker of a deleted conversation (SQL rows or in-memory copy)."""
        await asyncio.to_thread(forget, self._agent(), conversation_id)

    async def _update(self, conversation_id: str, *, pause: bool) -> None:
        agent = self._agent()
        tracker_store = getattr(agent, "tracker_store", None)
        if tracker_store is None or not hasattr(tracker_store, "save"):
            return  # no agent (yet): nothing to tell
        lock_store = getattr(agent, "lock_store", None)
        try:
            async with self._lock:
                if lock_store is not None and hasattr(lock_store, "lock"):
                    async with lock_store.lock(conversation_id):
                        await self._apply(tracker_store, conversation_id, pause)
                else:
                    await self._apply(tracker_store, conversation_id, pause)
        except Exception:  # noqa: BLE001 - the handoff itself already happened
            logger.exception(
                "Could not %s Rasa's tracker of a conversation; the channel still keeps "
                "the bot silent while a person has it.",
                "pause" if pause else "resume",
            )

    @staticmethod
    async def _apply(tracker_store: Any, conversation_id: str, pause: bool) -> None:
        if pause:
            tracker = await tracker_store.retrieve(conversation_id)
            if tracker is None:
                tracker = await tracker_store.create_tracker(conversation_id)
            if tracker.is_paused():
                return
            tracker.update(ConversationPaused())
        else:
            tracker = await tracker_store.retrieve(conversation_id)
            if tracker is None or not tracker.is_paused():
                return
            tracker.update(ConversationResumed())
        await tracker_store.save(tracker)


def in_memory_trackers(agent: Any) -> dict[str, str] | None:
    """The ``{sender_id: serialised tracker}`` dict of an in-memory tracker store, if any.

    Rasa may wrap the store (e.g. ``FailSafeTrackerStore``), so wrappers are unwrapped.
    """
    tracker_store = getattr(agent, "tracker_store", None)
    for _ in range(4):
        store = getattr(tracker_store, "store", None)
        if isinstance(store, dict):
            return store
        tracker_store = getattr(tracker_store, "_tracker_store", None)
        if tracker_store is None:
            return None
    return None


def deleting_store(agent: Any) -> AlverTrackerStore | None:
    """The agent's :class:`AlverTrackerStore` (unwrapping Rasa's wrappers), if it uses one."""
    tracker_store = getattr(agent, "tracker_store", None)
    for _ in range(4):
        if isinstance(tracker_store, AlverTrackerStore):
            return tracker_store
        tracker_store = getattr(tracker_store, "_tracker_store", None)
        if tracker_store is None:
            return None
    return None


def forget(agent: Any, sender_id: str) -> None:
    """Deletes one conversation's tracker: SQL rows and any in-memory copy.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: If the SQL tracker store cannot delete (logged by
            the caller; the conversation's own data is deleted already).
    """
    speedups.forget_saved(sender_id)
    store = in_memory_trackers(agent)
    if store is not None:
        store.pop(sender_id, None)
    sql = deleting_store(agent)
    if sql is not None:
        sql.delete(sender_id)


def _last_event_time(serialised: str) -> float | None:
    try:
        events = json.loads(serialised).get("events") or []
    except (ValueError, AttributeError):
        return None
    times = [e.get("timestamp") for e in events if isinstance(e, dict)]
    numbers = [t for t in times if isinstance(t, int | float)]
    return max(numbers) if numbers else None


def forget_stale(agent: Any, older_than: timedelta, now: datetime) -> int:
    """Drops in-memory trackers whose last event is older than ``older_than``.

    Returns:
        How many trackers were dropped.
    """
    cutoff = now.timestamp() - older_than.total_seconds()
    sql = deleting_store(agent)
    if sql is not None:
        deleted = sql.delete_idle(cutoff)
        if deleted:
            logger.info("Deleted %d Rasa trackers past the retention period", deleted)
        return deleted
    store = in_memory_trackers(agent)
    if store is None:
        return 0
    stale = [
        sender_id
        for sender_id, serialised in list(store.items())
        if (last := _last_event_time(serialised)) is not None and last < cutoff
    ]
    for sender_id in stale:
        store.pop(sender_id, None)
    if stale:
        logger.info("Deleted %d Rasa trackers past the retention period", len(stale))
    return len(stale)
