"""Small, documented changes to Rasa 3.6.21 (the final release) that it offers no setting for.

Installed once when the Rasa server loads the widget channel (``install()``; idempotent):

* **Action server timeout.** Rasa waits up to 300 s for the action server
  (``DEFAULT_REQUEST_TIMEOUT`` in ``rasa.core.actions.action``, no setting). It is set
  from ``ACTION_TIMEOUT_SECONDS`` [4]. The widget channel also gives up on a whole turn
  after ``BOT_TURN_TIMEOUT_SECONDS`` (see :mod:`bot.web.settings`).
* **No personal data in logs.** When an action fails, Rasa logs the action server's error
  body (``ClientResponseError``: ``body='...'``, which can hold the whole tracker, i.e.
  everything the citizen wrote) in its message and in the chained traceback. A logging
  filter on Rasa's loggers and on the root handlers replaces everything from ``body=`` to
  the end of the line with ``body=<redacted>``.

* **No error reports to Rasa's Sentry.** With telemetry on (Rasa's default unless
  ``RASA_TELEMETRY_ENABLED=false``, which the Makefile and bin/run set), ``rasa`` starts
  Sentry error reporting with the key shipped in the package, so an uncaught exception's
  message could leave the municipality's servers. :func:`disable_error_reporting`
  replaces that client with one that has no DSN (nothing is sent), whatever the setting.

* **Speed** (:mod:`bot.rasa.speedups`, off with ``RASA_SPEEDUPS=0``): a validator for
  action server answers built once, and one keep-alive HTTP session for the action server;
  and (:func:`bot.rasa.tracker_cache.guard_failed_turns`) a failed turn drops the
  conversation's tracker kept in memory by the tracker store.

Also here, as it belongs with the timeouts: :func:`in_time`, the widget
channel's bounded wait for a whole turn.

The lock lifetime is Rasa's own setting, ``TICKET_LOCK_LIFETIME`` (bin/run sets it).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Awaitable
from typing import Any

from bot.rasa import speedups, tracker_cache

__all__ = [
    "RedactBodies",
    "action_timeout_seconds",
    "disable_error_reporting",
    "in_time",
    "install",
    "redact",
]

# From ``body=`` to the end of the line: the bodies are one-line JSON.
_BODY_RE = re.compile(r"body=[^\n]*")
_REDACTED = "body=<redacted>"
# Loggers whose records can carry an action server's error body.
_LOGGERS = (
    "rasa.core.processor",
    "rasa.core.actions.action",
    "rasa.core.agent",
    "rasa.core.channels.channel",
    "rasa.server",
    "bot.web.rasa_turn",
)
_installed = False
logger = logging.getLogger(__name__)


def redact(text: str) -> str:
    """Replace each ``body=...`` (an HTTP error body) up to the end of its line."""
    return _BODY_RE.sub(_REDACTED, text)


class RedactBodies(logging.Filter):
    """Removes HTTP error bodies from a record's message and traceback text."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drops it."""
        message = record.getMessage()
        if "body=" in message:
            record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and "body=" in record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def action_timeout_seconds(environ: dict[str, str] | None = None) -> int:
    """Read ``ACTION_TIMEOUT_SECONDS`` (default 4, from 1 to 300).

    Raises:
        ValueError: If the value is not a whole number from 1 to 300.
    """
    raw = (os.environ if environ is None else environ).get("ACTION_TIMEOUT_SECONDS", "").strip()
    if not raw:
        return 4
    if not raw.isdigit() or not 1 <= int(raw) <= 300:
        raise ValueError(
            f"ACTION_TIMEOUT_SECONDS={raw!r} must be a whole number of seconds from 1 to 300 "
            "(default 4)."
        )
    return int(raw)


def disable_error_reporting() -> None:
    """Stop Rasa's built-in Sentry error reporting: the client gets no DSN, so sends nothing."""
    import sentry_sdk

    sentry_sdk.init(dsn=None, default_integrations=False)


def install() -> None:
    """Apply the action timeout, the log redaction and no error reports (once per process)."""
    global _installed  # noqa: PLW0603 - a process-wide, idempotent install
    if _installed:
        return
    import rasa.core.actions.action as rasa_action

    rasa_action.DEFAULT_REQUEST_TIMEOUT = action_timeout_seconds()
    disable_error_reporting()
    if speedups.install():
        tracker_cache.guard_failed_turns()
    redactor = RedactBodies()
    for name in _LOGGERS:
        logging.getLogger(name).addFilter(redactor)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    _installed = True


async def in_time(turn: Awaitable[list[dict[str, Any]]], timeout_s: float) -> list[dict[str, Any]]:
    """Await a bot turn (:func:`bot.web.rasa_turn.ask_rasa`), but give up after ``timeout_s``.

    Giving up (the action server slow or hanging) cancels the turn, which releases Rasa's
    lock on the conversation, so the next message is not kept waiting; the empty answer
    makes the handoff service send the system message with the phone number.
    """
    try:
        return await asyncio.wait_for(turn, timeout_s)
    except asyncio.TimeoutError:
        logger.warning(
            "The bot did not answer within %s s (is the action server slow or stopped?); "
            "the citizen got the fallback message.",
            timeout_s,
        )
        return []
