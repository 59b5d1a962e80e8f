"""The expected waiting time in the queue: the median of recent queue-to-claim times.

Read-only, from the ``transitions`` table (the audit trail of every state change): for
each recent ``claim`` (waiting → with_human) the time since the conversation last
entered ``waiting``. The median of the last :data:`SAMPLES` claims within
:data:`WINDOW` is the estimate; with fewer than :data:`MIN_SAMPLES` there is none (the
widget then shows only the place in the queue). The result is cached for
:data:`CACHE_SECONDS`, since every waiting citizen's long-poll asks for it.
"""

from __future__ import annotations

import statistics
import threading
import weakref
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.handoff.schema import TransitionRow
from bot.handoff.states import HandoffState

__all__ = ["CACHE_SECONDS", "MIN_SAMPLES", "SAMPLES", "WINDOW", "expected_wait_seconds", "waits"]

SAMPLES = 20
MIN_SAMPLES = 3
WINDOW = timedelta(days=14)
CACHE_SECONDS = 30.0

_WAITING = HandoffState.WAITING.value
_WITH_HUMAN = HandoffState.WITH_HUMAN.value
_lock = threading.Lock()
_cache: weakref.WeakKeyDictionary[Engine, tuple[datetime, int | None]] = weakref.WeakKeyDictionary()


def waits(rows: Iterable[tuple[str, str, str, datetime]]) -> list[tuple[datetime, float]]:
    """Queue-to-claim waits from transitions ``(conversation, from, to, at)`` in time order.

    Returns:
        ``(claimed at, seconds waited)`` per claim whose start of waiting is known.
    """
    waiting_since: dict[str, datetime] = {}
    found: list[tuple[datetime, float]] = []
    for conversation_id, from_state, to_state, at in rows:
        if to_state == _WAITING:
            waiting_since[conversation_id] = at
        elif from_state == _WAITING and to_state == _WITH_HUMAN:
            since = waiting_since.pop(conversation_id, None)
            if since is not None:
                found.append((at, max((at - since).total_seconds(), 0.0)))
        elif from_state == _WAITING:
            waiting_since.pop(conversation_id, None)  # cancelled, expired, closed
    return found


def _compute(engine: Engine, now: datetime) -> int | None:
    since = now - WINDOW
    query = (
        select(
            TransitionRow.conversation_id,
            TransitionRow.from_state,
            TransitionRow.to_state,
            TransitionRow.at,
        )
        .where(TransitionRow.at >= since)
        .where((TransitionRow.to_state == _WAITING) | (TransitionRow.from_state == _WAITING))
        .order_by(TransitionRow.at, TransitionRow.id)
    )
    with engine.connect() as connection:
        rows = [(str(r[0]), str(r[1]), str(r[2]), r[3]) for r in connection.execute(query)]
    recent = [seconds for _, seconds in waits(rows)][-SAMPLES:]
    if len(recent) < MIN_SAMPLES:
        return None
    return round(statistics.median(recent))


def expected_wait_seconds(engine: Engine, now: datetime, *, cached: bool = True) -> int | None:
    """The median wait of the last :data:`SAMPLES` claims, in seconds (None: too few).

    Args:
        engine: The handoff store's engine.
        now: The current moment (the store's clock).
        cached: Reuse an answer younger than :data:`CACHE_SECONDS` for this engine.
    """
    with _lock:
        hit = _cache.get(engine)
    if cached and hit is not None and 0 <= (now - hit[0]).total_seconds() < CACHE_SECONDS:
        return hit[1]
    value = _compute(engine, now)
    with _lock:
        _cache[engine] = (now, value)
    return value
