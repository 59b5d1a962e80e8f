"""No silent fall-back to memory when Rasa's SQL tracker store fails (issue 11).

Rasa wraps every tracker store in :class:`rasa.core.tracker_store.FailSafeTrackerStore`. When
the database fails, that wrapper logs the error (with the SQL parameters, which hold citizen
text), answers ``retrieve`` with "no tracker" (so the dialogue context is silently lost) and
saves into a new in-memory store (lost at the next restart, and invisible to other
instances). For a store that sets ``strict_failures = True`` (our
:class:`bot.rasa.tracker_store.AlverTrackerStore`) :func:`install` makes the wrapper log one
clear line without any conversation text and raise :class:`TrackerStoreUnavailable`
instead. The turn then fails, and the chat channel answers the citizen with the message that
gives the phone number (:func:`bot.web.rasa_turn.ask_rasa`). Other stores keep Rasa's
behaviour.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.tracker_store import FailSafeTrackerStore

from bot.handoff.database import error_reason

__all__ = ["TrackerStoreUnavailable", "install"]

logger = logging.getLogger(__name__)
_installed = False


class TrackerStoreUnavailable(RuntimeError):
    """Rasa's tracker store cannot be used (database unreachable, read-only or file gone)."""


def _strict(wrapper: FailSafeTrackerStore, error: Exception, doing: str) -> None:
    store = wrapper._tracker_store  # noqa: SLF001 - Rasa's wrapper keeps it there
    reason = error_reason(error)
    logger.error(
        "Rasa's tracker store %s could not %s: %s (%s). The turn fails and the citizen gets "
        "the message with the phone number; nothing is kept in memory instead.",
        store.__class__.__name__,
        doing,
        reason,
        error.__class__.__name__,
    )
    raise TrackerStoreUnavailable(
        f"Rasa's tracker store {store.__class__.__name__} could not {doing}: {reason}. "
        "Check the database in RASA_TRACKER_STORE_URL (or the handoff database's folder)."
    ) from None  # the cause's text holds the SQL parameters, i.e. conversation text


def install() -> None:
    """Make Rasa's wrapper raise for stores with ``strict_failures`` (idempotent)."""
    global _installed  # noqa: PLW0603 - a process-wide, idempotent install
    if _installed:
        return
    on_save_error = FailSafeTrackerStore.on_tracker_store_error
    on_retrieve_error = FailSafeTrackerStore.on_tracker_store_retrieve_error

    def on_tracker_store_error(self: FailSafeTrackerStore, error: Exception) -> None:
        if getattr(self._tracker_store, "strict_failures", False):  # noqa: SLF001
            _strict(self, error, "save or list conversations")
        on_save_error(self, error)

    def on_tracker_store_retrieve_error(self: FailSafeTrackerStore, error: Exception) -> None:
        if getattr(self._tracker_store, "strict_failures", False):  # noqa: SLF001
            _strict(self, error, "read a conversation")
        on_retrieve_error(self, error)

    patched: Any = FailSafeTrackerStore
    patched.on_tracker_store_error = on_tracker_store_error
    patched.on_tracker_store_retrieve_error = on_tracker_store_retrieve_error
    _installed = True
