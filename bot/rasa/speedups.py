"""Speed patches for Rasa 3.6.21, measured with ``make bench`` (``RASA_SPEEDUPS=0`` turns them off).

Rasa 3.6.21 is the final release, so these small changes live here instead of a fork.
Each one keeps Rasa's behaviour and only removes repeated work:

* **Cached action-response validator.** ``RemoteAction._validate_action_result`` calls
  ``jsonschema.validate`` for every action server answer, which first checks the schema
  itself against its meta-schema and builds a new validator each time. The patch builds
  the validator once and validates with it; invalid answers raise the same
  ``ValidationError`` with the same message.
* **One HTTP session with keep-alive for the action server.** ``EndpointConfig.request``
  opens and closes an ``aiohttp.ClientSession`` (and so a TCP connection) per call. The
  patch keeps one session per endpoint and event loop, with idle connections kept for
  :data:`KEEPALIVE_SECONDS` (less than the action server's 5 s keep-alive, so a connection
  the server is about to close is not reused). Status, errors and JSON handling are
  Rasa's.
* **The tracker Rasa just saved, without reading it back.** After a message, the widget
  channel needs the intent and two slots from the tracker; reading it back from the
  tracker store deserialises the whole conversation again. The patch on
  ``MessageProcessor.save_tracker`` keeps the tracker it saved until the channel takes it
  (:func:`take_saved`; at most :data:`MAX_SAVED` conversations, oldest dropped first,
  and dropped on deletion by :func:`forget_saved`).
* **NLU parse cache.** Many citizens ask the same short questions ("opningstider"). The
  patch on ``MessageProcessor._parse_message_with_graph`` keeps the NLU result of a text
  (with the channel's language hint) for :data:`PARSE_TTL_SECONDS`, for texts of at most
  :data:`PARSE_MAX_CHARS` characters, at most :data:`PARSE_MAX_ENTRIES` of them. An entry
  is used only while the knowledge base (which the entity extractor reads) is the same
  object, so a hot reload of ``knowledge_base/`` is seen at once. Button payloads
  (``/intent``) are not cached (Rasa parses them without the model). The texts are the
  masked ones, not linked to any conversation, and gone after the TTL.
* **Incremental dialogue states.** ``Domain.states_for_tracker_history`` (called by the
  policies before every prediction) replays the whole conversation each time; the patch
  continues from its last call on the same tracker (:mod:`bot.rasa.states`).

:func:`install` applies them once per process (the widget channel calls it through
:func:`bot.rasa_patches.install`).
"""

from __future__ import annotations

import asyncio
import copy
import logging
import os
import ssl
import time
import weakref
from collections import OrderedDict
from typing import Any

import aiohttp

__all__ = [
    "KEEPALIVE_SECONDS",
    "MAX_SAVED",
    "enabled",
    "forget_saved",
    "install",
    "shared_session",
    "take_saved",
    "validate_action_result",
]

logger = logging.getLogger(__name__)
KEEPALIVE_SECONDS = 4.0
_installed = False
_validator: Any = None
MAX_SAVED = 1000
PARSE_TTL_SECONDS = 600.0
PARSE_MAX_CHARS = 80
PARSE_MAX_ENTRIES = 2048
# (text, language hint, only_output_properties) -> (expires, knowledge base, parse data)
_parses: OrderedDict[tuple[str, str, bool], tuple[float, Any, dict[str, Any]]] = OrderedDict()
_saved: OrderedDict[str, Any] = OrderedDict()
_SessionKey = tuple[tuple[tuple[str, str], ...], str, str]
# event loop -> {(headers, user, password): session}; dropped with the loop.
_sessions: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[_SessionKey, aiohttp.ClientSession]
] = weakref.WeakKeyDictionary()


def enabled(environ: dict[str, str] | None = None) -> bool:
    """Whether the patches are on: ``RASA_SPEEDUPS`` [1]; 0 turns them off (benchmarks).

    Raises:
        ValueError: If the value is not 0 or 1.
    """
    raw = (os.environ if environ is None else environ).get("RASA_SPEEDUPS", "").strip()
    if raw not in ("", "0", "1"):
        raise ValueError(f"RASA_SPEEDUPS={raw!r} must be 1 (on, the default) or 0 (off).")
    return raw != "0"


def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """``RemoteAction._validate_action_result`` with a validator built once."""
    global _validator  # noqa: PLW0603 - built once per process
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import DOCS_BASE_URL

    if _validator is None:
        schema = self.action_response_format_spec()
        cls = validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema)
    error = best_match(_validator.iter_errors(result))
    if error is None:
        return True
    if not isinstance(error, ValidationError):  # pragma: no cover - jsonschema's own type
        raise error
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def shared_session(config: Any) -> aiohttp.ClientSession:
    """The endpoint's HTTP session on the running event loop, created on first use."""
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT

    loop = asyncio.get_running_loop()
    per_loop = _sessions.setdefault(loop, {})
    basic = config.basic_auth or {}
    user, password = str(basic.get("username", "")), str(basic.get("password", ""))
    headers = tuple(sorted((str(k), str(v)) for k, v in (config.headers or {}).items()))
    key = (headers, user, password)
    session = per_loop.get(key)
    if session is None or session.closed:
        auth = aiohttp.BasicAuth(user, password) if basic else None
        session = aiohttp.ClientSession(
            headers=config.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
        )
        per_loop[key] = session
    return session


async def request(
    self: Any,
    method: str = "post",
    subpath: str | None = None,
    content_type: str | None = "application/json",
    compress: bool = False,
    **kwargs: Any,
) -> Any:
    """``EndpointConfig.request`` on the shared session (same arguments and results)."""
    from aiohttp import ContentTypeError
    from rasa.shared.exceptions import FileNotFoundException
    from rasa.utils.endpoints import ClientResponseError, concat_url

    headers: dict[str, str] = {}
    if content_type:
        headers["Content-Type"] = content_type
    headers.update(kwargs.pop("headers", None) or {})
    headers.update(self.headers or {})
    sslcontext = None
    if self.cafile:
        try:
            sslcontext = ssl.create_default_context(cafile=self.cafile)
        except FileNotFoundError as exc:
            raise FileNotFoundException(
                f"Failed to find certificate file, '{os.path.abspath(self.cafile)}' does not exist."
            ) from exc
    params = self.combine_parameters(kwargs)
    session = shared_session(self)
    async with session.request(
        method,
        concat_url(self.url, subpath),
        headers=headers,
        params=params,
        compress=compress,
        ssl=sslcontext,
        **kwargs,
    ) as response:
        if response.status >= 400:
            raise ClientResponseError(
                response.status, response.reason, await response.content.read()
            )
        try:
            return await response.json()
        except ContentTypeError:
            return None


async def close_sessions() -> None:
    """Close the shared sessions of the running event loop (server shutdown)."""
    loop = asyncio.get_running_loop()
    for session in _sessions.pop(loop, {}).values():
        await session.close()


def take_saved(sender_id: str) -> Any:
    """The tracker Rasa saved last for ``sender_id`` since the last call, or None."""
    return _saved.pop(sender_id, None)


def forget_saved(sender_id: str) -> None:
    """Drop the kept tracker of a deleted conversation."""
    _saved.pop(sender_id, None)


def _keeping_save_tracker(original: Any) -> Any:
    async def save_tracker(self: Any, tracker: Any) -> None:
        await original(self, tracker)
        _saved[tracker.sender_id] = tracker
        _saved.move_to_end(tracker.sender_id)
        while len(_saved) > MAX_SAVED:
            _saved.popitem(last=False)

    save_tracker.__doc__ = original.__doc__
    return save_tracker


def _current_kb() -> Any:
    from bot.kb import default_store

    try:
        return default_store().get()
    except Exception:  # noqa: BLE001 - no knowledge base: no caching, Rasa decides
        return None


def _caching_parse(original: Any) -> Any:
    def parse(self: Any, message: Any, tracker: Any, only_output_properties: bool = True) -> Any:
        text = message.text if isinstance(message.text, str) else ""
        metadata = message.metadata if isinstance(message.metadata, dict) else {}
        if not text or text.startswith("/") or len(text) > PARSE_MAX_CHARS:
            return original(self, message, tracker, only_output_properties)
        kb = _current_kb()
        key = (text, str(metadata.get("language", "")), bool(only_output_properties))
        now = time.monotonic()
        hit = _parses.get(key)
        if hit is not None and hit[0] > now and hit[1] is kb and kb is not None:
            _parses.move_to_end(key)
            return copy.deepcopy(hit[2])
        parsed = original(self, message, tracker, only_output_properties)
        if kb is not None:
            _parses[key] = (now + PARSE_TTL_SECONDS, kb, copy.deepcopy(parsed))
            _parses.move_to_end(key)
            while len(_parses) > PARSE_MAX_ENTRIES:
                _parses.popitem(last=False)
        return parsed

    parse.__doc__ = original.__doc__
    return parse


def install(environ: dict[str, str] | None = None) -> bool:
    """Apply the patches once per process, unless ``RASA_SPEEDUPS=0``.

    Returns:
        Whether the patches are installed.
    """
    global _installed  # noqa: PLW0603 - a process-wide, idempotent install
    if _installed:
        return True
    if not enabled(environ):
        logger.info("RASA_SPEEDUPS=0: Rasa's speed patches are off")
        return False
    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.domain import Domain
    from rasa.utils.endpoints import EndpointConfig

    from bot.rasa import states

    RemoteAction._validate_action_result = validate_action_result
    EndpointConfig.request = request
    MessageProcessor.save_tracker = _keeping_save_tracker(MessageProcessor.save_tracker)
    MessageProcessor._parse_message_with_graph = _caching_parse(
        MessageProcessor._parse_message_with_graph
    )
    states.original = Domain.states_for_tracker_history
    Domain.states_for_tracker_history = states.states_for_tracker_history
    _installed = True
    return True
