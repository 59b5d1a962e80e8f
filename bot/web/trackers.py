"""Retention for Rasa's own copy of widget conversations (its in-memory tracker store).

The handoff store deletes conversations after ``RETENTION_DAYS``; Rasa keeps the dialogue in
its tracker store as well. For the default in-memory store this module drops trackers whose
last event is older than the retention period, so personal data does not outlive the
schedule (and memory does not grow without bound). SQL or Redis tracker stores keep their
own retention settings (see the README).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

logger = logging.getLogger(__name__)


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


def forget(agent: Any, sender_id: str) -> None:
    """Drops one conversation's in-memory tracker (best effort)."""
    store = in_memory_trackers(agent)
    if store is not None:
        store.pop(sender_id, None)


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
    store = in_memory_trackers(agent)
    if store is None:
        return 0
    cutoff = now.timestamp() - older_than.total_seconds()
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
