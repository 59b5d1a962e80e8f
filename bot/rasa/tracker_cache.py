"""The in-process copy of recent trackers that keeps the cost per message flat.

Rasa's SQL tracker store reads every event of a conversation and replays them into a new
tracker for every message, so message 400 cost twenty times message 1. The
:class:`~bot.rasa.tracker_store.AlverTrackerStore` keeps the tracker it last loaded or
saved per conversation in a :class:`TrackerCache` and hands that same object out again
when the database still holds exactly what it was built from:

* The **signature** of a conversation's rows, ``(count, max id, max timestamp)``, is read
  with one aggregate query on the indexed ``sender_id`` column before the cached copy is
  used. Another instance (behind a load balancer, on the same PostgreSQL) that wrote or
  deleted events changes it, so a stale copy is never used.
* The **length** of the tracker's event list when it matched the rows. A turn that
  changed the tracker and then failed (so nothing was saved) leaves it longer, and the
  copy is dropped; a failed turn also drops it explicitly
  (:func:`bot.rasa.speedups` wraps ``MessageProcessor.handle_message``).
* Deletion ("Slett samtalen", retention) drops the copy; at most ``size`` conversations
  are kept, least recently used dropped first.

``RASA_TRACKER_CACHE_SIZE`` sets the size [1000]; 0, or ``RASA_SPEEDUPS=0``, turns the
cache off (Rasa's own read and write, for benchmarks).
"""

from __future__ import annotations

import os
import threading
import weakref
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULT_SIZE", "Cached", "Signature", "TrackerCache", "cache_size", "invalidate"]

DEFAULT_SIZE = 1000
# (number of rows, max id, max timestamp) of one conversation's rows in the events table.
Signature = tuple[int, int | None, float | None]
_caches: weakref.WeakSet[TrackerCache] = weakref.WeakSet()


def cache_size(environ: Mapping[str, str] | None = None) -> int:
    """How many trackers to keep: ``RASA_TRACKER_CACHE_SIZE`` [1000], 0 with ``RASA_SPEEDUPS=0``.

    Raises:
        ValueError: If the value is not a whole number from 0 to 1,000,000.
    """
    from bot.rasa import speedups

    env = os.environ if environ is None else environ
    if not speedups.enabled(dict(env)):
        return 0
    raw = env.get("RASA_TRACKER_CACHE_SIZE", "").strip()
    if not raw:
        return DEFAULT_SIZE
    if not raw.isdigit() or int(raw) > 1_000_000:
        raise ValueError(
            f"RASA_TRACKER_CACHE_SIZE={raw!r} must be a whole number from 0 (off) to "
            f"1000000 (trackers kept in memory; default {DEFAULT_SIZE})."
        )
    return int(raw)


@dataclass(frozen=True)
class Cached:
    """One kept tracker.

    Attributes:
        tracker: Rasa's tracker (the object handed out).
        length: ``len(tracker.events)`` when it matched the stored rows.
        signature: The rows' :data:`Signature` at that time.
        domain: The domain it was built with (a new model's domain starts over).
    """

    tracker: Any
    length: int
    signature: Signature
    domain: Any = None

    def clean(self) -> bool:
        """Whether the tracker has not been changed since it matched the rows."""
        return len(self.tracker.events) == self.length


class TrackerCache:
    """A thread-safe LRU map ``sender_id -> Cached``, with counters for tests and benchmarks.

    Counters (``stats``): ``hits``, ``loads`` (full reads), ``events_loaded`` (events
    deserialised by full reads), ``events_written``.
    """

    def __init__(self, size: int) -> None:
        """Create an empty cache of at most ``size`` trackers (0: keeps nothing)."""
        self.size = size
        self.stats: Counter[str] = Counter()
        self._entries: OrderedDict[str, Cached] = OrderedDict()
        self._lock = threading.Lock()
        _caches.add(self)

    def __len__(self) -> int:
        """Number of kept trackers."""
        return len(self._entries)

    def get(self, sender_id: str) -> Cached | None:
        """The kept entry of a conversation, or None."""
        with self._lock:
            entry = self._entries.get(sender_id)
            if entry is not None:
                self._entries.move_to_end(sender_id)
            return entry

    def put(self, sender_id: str, entry: Cached) -> None:
        """Keep ``entry`` (drops the least recently used beyond the size)."""
        if self.size <= 0:
            return
        with self._lock:
            self._entries[sender_id] = entry
            self._entries.move_to_end(sender_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def drop(self, sender_ids: Iterable[str]) -> None:
        """Forget the given conversations."""
        with self._lock:
            for sender_id in sender_ids:
                self._entries.pop(sender_id, None)


def invalidate(sender_id: str) -> None:
    """Drop a conversation from every tracker cache of this process (a failed turn)."""
    for cache in list(_caches):
        cache.drop([sender_id])


_guarded = False


def guard_failed_turns() -> None:
    """Make a failed or cancelled turn drop the conversation's kept tracker (once per process).

    Wraps ``MessageProcessor.handle_message``: if it raises (or is cancelled, e.g. by the
    widget channel's turn timeout), the tracker it was changing may hold events that were
    never saved, so :func:`invalidate` drops it and the next message reads the database.
    """
    global _guarded  # noqa: PLW0603 - a process-wide, idempotent patch
    if _guarded:
        return
    from rasa.core.processor import MessageProcessor

    original = MessageProcessor.handle_message

    async def handle_message(self: Any, message: Any) -> Any:
        try:
            return await original(self, message)
        except BaseException:
            invalidate(str(message.sender_id))
            raise

    handle_message.__doc__ = original.__doc__
    MessageProcessor.handle_message = handle_message
    _guarded = True
