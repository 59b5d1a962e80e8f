"""HTTP helpers shared by the widget and console channels.

* :class:`ApiError` - raise it anywhere in a handler to answer ``4xx`` JSON
  ``{"error": code, "message": text}``.
* :func:`add_routes` - registers one path for *every* method and dispatches by
  method, so an unsupported method gets a JSON ``405`` (Sanic's own 405 would be
  HTML or plain text), and wraps each handler so no exception escapes as a stack
  trace.
* :func:`long_poll` - the one long-poll loop of both channels.
* Body and query parsing that turns bad input into :class:`ApiError`.
* :func:`map_exception` - the one error mapping: handoff exceptions to JSON 4xx; a
  database that cannot be used (unreachable, read-only, file gone) is a logged 503.
"""

from __future__ import annotations

import asyncio
import json
import logging
import mimetypes
import re
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.handoff.database import error_reason
from bot.handoff.errors import (
    ConcurrentUpdateError,
    ConversationNotFound,
    InvalidContact,
    MessageNotFound,
    OfflineRequestNotFound,
    UserInactive,
)
from bot.handoff.service import Refused
from bot.handoff.states import InvalidTransition

from .faults import DATABASE_DOWN, RETRY_AFTER_SECONDS, UNAVAILABLE_MESSAGE
from .proxy import resolve_client_ip

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_ID",
    "MAX_JSON_DEPTH",
    "ApiError",
    "Handler",
    "add_routes",
    "check_length",
    "clean_json",
    "client_ip",
    "error_response",
    "long_poll",
    "map_exception",
    "optional_str",
    "parse_json_object",
    "query_int",
    "required_id",
    "required_str",
    "serve_static",
]

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
"""Largest accepted JSON body."""
MAX_JSON_DEPTH = 20
"""Deepest accepted nesting of a JSON body (no route needs more than 3)."""
MAX_ID = 2**62
"""Largest id accepted from a client (databases store ids as signed 64-bit integers)."""

Handler = Callable[..., Awaitable[HTTPResponse]]
T = TypeVar("T")
POLL_STEP_SECONDS = 1.0
"""A long-poll re-reads the database at least this often (changes by other instances)."""
_REFUSED_STATUS = {"not_waiting": 409, "already_claimed": 409, "not_claimed_by_you": 403}
ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class ApiError(Exception):
    """A client error answered as JSON ``{"error": code, "message": message, ...extra}``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        """Create the error.

        Args:
            status: HTTP status (4xx).
            code: Machine-readable code, e.g. ``not_found``.
            message: Human-readable English explanation.
            headers: Extra response headers (e.g. ``Retry-After``).
            **extra: Extra JSON fields (e.g. ``retry_after``, ``field``).
        """
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.extra = extra


def error_response(error: ApiError) -> HTTPResponse:
    """Turn an :class:`ApiError` into its JSON response."""
    body = {"error": error.code, "message": error.message, **error.extra}
    return response.json(body, status=error.status, headers=error.headers)


def map_exception(exc: Exception) -> ApiError | None:
    """Translate handoff exceptions into client errors (None: not a client error)."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, Refused):
        extra: dict[str, Any] = {"state": exc.state.value} if exc.state is not None else {}
        return ApiError(_REFUSED_STATUS.get(exc.code, 409), exc.code, exc.message, **extra)
    if isinstance(exc, ConversationNotFound):
        return ApiError(404, "not_found", "This conversation does not exist (any more).")
    if isinstance(exc, MessageNotFound):
        return ApiError(404, "not_found", "No such message in this conversation.")
    if isinstance(exc, OfflineRequestNotFound):
        return ApiError(404, "not_found", "No such offline request.")
    if isinstance(exc, InvalidContact):
        return ApiError(
            422,
            "invalid_contact",
            "Give an e-mail address (like ola@example.no) or a Norwegian phone number "
            "of 8 digits (like 912 34 567).",
            field="contact",
        )
    if isinstance(exc, InvalidTransition):
        return ApiError(
            409,
            "invalid_state",
            f"Not possible while the conversation is '{exc.state.value}'.",
            state=exc.state.value,
        )
    if isinstance(exc, UserInactive):
        return ApiError(403, "forbidden", "Your user is deactivated.")
    if isinstance(exc, ConcurrentUpdateError):
        return ApiError(409, "conflict", "The conversation changed at the same time; try again.")
    return None


def _check_path_ids(params: Mapping[str, Any]) -> None:
    """Refuse (404) an integer path parameter no database row can have."""
    for value in params.values():
        if isinstance(value, int) and not 0 <= value <= MAX_ID:
            raise ApiError(404, "not_found", "No such address.")


def _wrap(handler: Handler) -> Handler:
    async def wrapped(request: Request, **params: Any) -> HTTPResponse:
        try:
            _check_path_ids(params)
            return await handler(request, **params)
        except Exception as exc:  # noqa: BLE001 - the API never shows a stack trace
            mapped = map_exception(exc)
            if mapped is not None:
                return error_response(mapped)
            if isinstance(exc, DATABASE_DOWN):
                logger.error(
                    "Database unavailable in %s %s: %s (%s); answered 503",
                    request.method,
                    request.path,
                    error_reason(exc),
                    exc.__class__.__name__,
                )
                retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
                unavailable = ApiError(503, "unavailable", UNAVAILABLE_MESSAGE, headers=retry)
                return error_response(unavailable)
            logger.exception("Unexpected error in %s %s", request.method, request.path)
            return error_response(
                ApiError(500, "internal_error", "Something went wrong on the server. Try again.")
            )

    return wrapped


def add_routes(
    blueprint: Blueprint,
    path: str,
    handlers: Mapping[str, Handler],
    *,
    cors: bool = False,
    name: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Register ``path`` for all methods; unsupported methods answer JSON 405.

    Args:
        blueprint: The blueprint to add the route to.
        path: Sanic route path, e.g. ``/conversations/<conversation_id>``.
        handlers: Handler per method (``GET``, ``POST``, ``DELETE`` ...). An empty
            mapping makes a catch-all that answers 404 for every method.
        cors: Answer preflight ``OPTIONS`` requests (``204``). The CORS headers
            themselves are set by :func:`bot.web.cors.install_cors` on the blueprint.
        name: Route name (default: derived from the path).
        headers: Headers added to every response of the route, errors included
            (e.g. ``Cache-Control: no-store`` on the console API).
    """
    wrapped = {method.upper(): _wrap(handler) for method, handler in handlers.items()}
    allowed = ", ".join(sorted(wrapped))

    async def dispatch(request: Request, **params: Any) -> HTTPResponse:
        method = request.method.upper()
        if method == "OPTIONS" and cors:
            result = response.empty(status=204, headers={"Allow": allowed})
        elif method in wrapped:
            result = await wrapped[method](request, **params)
        elif not wrapped:
            result = error_response(ApiError(404, "not_found", "No such address."))
        else:
            result = error_response(
                ApiError(
                    405,
                    "method_not_allowed",
                    f"{method} is not supported here; use {allowed}.",
                    headers={"Allow": allowed},
                )
            )
        for key, value in (headers or {}).items():
            result.headers[key] = value
        if "x-content-type-options" not in result.headers:  # a .txt or .csv is never HTML
            result.headers["X-Content-Type-Options"] = "nosniff"
        return result

    route_name = name or (
        blueprint.name + "_" + (re.sub(r"[^a-zA-Z0-9]+", "_", path).strip("_") or "root")
    )
    blueprint.add_route(dispatch, path, methods=list(ALL_METHODS), name=route_name)


class _Notifier(Protocol):
    def token(self) -> asyncio.Event: ...

    async def wait(self, token: asyncio.Event, timeout: float) -> None: ...


async def long_poll(
    notifier: _Notifier,
    wait_seconds: float,
    snapshot: Callable[[], Awaitable[T]],
    ready: Callable[[T], bool],
    *,
    every_step: Callable[[], Awaitable[None]] | None = None,
) -> T:
    """Read ``snapshot`` until ``ready`` says it is worth answering, or the wait is over.

    Woken at once by the notifier (changes in this process) and re-reads at least every
    :data:`POLL_STEP_SECONDS` (changes by other instances).

    Args:
        notifier: The app's change notifier.
        wait_seconds: Longest wait.
        snapshot: Reads the current view (may raise ApiError, e.g. 404).
        ready: True when the view should be returned before the wait is over.
        every_step: Called between reads (e.g. to refresh staff presence).

    Returns:
        The last snapshot.
    """
    loop_time = asyncio.get_running_loop().time
    deadline = loop_time() + wait_seconds
    while True:
        token = notifier.token()
        result = await snapshot()
        remaining = deadline - loop_time()
        if ready(result) or remaining <= 0:
            return result
        if every_step is not None:
            await every_step()
        await notifier.wait(token, min(POLL_STEP_SECONDS, remaining))


def check_length(text: str, limit: int, field: str | None = None, what: str = "text") -> None:
    """Raise ``413 message_too_long`` (with ``max_chars``) if ``text`` is over ``limit``."""
    if len(text) > limit:
        extra: dict[str, Any] = {"field": field} if field else {}
        raise ApiError(
            413,
            "message_too_long",
            f"The {what} is longer than {limit} characters.",
            max_chars=limit,
            **extra,
        )


def parse_json_object(request: Request, *, allow_empty: bool = False) -> dict[str, Any]:
    """Parse the request body as a JSON object.

    Args:
        request: The request.
        allow_empty: Treat an empty body as ``{}``.

    Returns:
        The decoded object.

    Strings (values and keys) are cleaned by :func:`clean_json`: NUL characters are
    removed and a lone surrogate is refused.

    Raises:
        ApiError: 413 for a body over :data:`MAX_BODY_BYTES`, 400 ``bad_json`` if it
            is not valid JSON, not an object or nested deeper than
            :data:`MAX_JSON_DEPTH`, 400 ``invalid_text`` for a lone surrogate.
    """
    body = request.body or b""
    if len(body) > MAX_BODY_BYTES:
        raise ApiError(
            413, "request_too_large", f"The request body is larger than {MAX_BODY_BYTES} bytes."
        )
    if not body.strip():
        if allow_empty:
            return {}
        raise ApiError(400, "bad_json", "The request body must be a JSON object.")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "bad_json", "The request body is not valid JSON.") from None
    except RecursionError:
        raise _too_deep() from None
    if not isinstance(data, dict):
        raise ApiError(400, "bad_json", "The request body must be a JSON object.")
    cleaned: dict[str, Any] = clean_json(data)
    return cleaned


def _too_deep() -> ApiError:
    return ApiError(
        400,
        "bad_json",
        f"The request body is nested deeper than {MAX_JSON_DEPTH} levels; send a flat object.",
    )


def _clean_text(text: str) -> str:
    text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(
            400,
            "invalid_text",
            "The request contains invalid Unicode (a lone surrogate such as \\ud800); "
            "send UTF-8 text.",
        ) from None
    return text


def clean_json(value: Any, depth: int = 0) -> Any:
    """Return decoded JSON with NUL characters removed from every string (and key).

    PostgreSQL cannot store NUL in text, and no citizen or staff member means one.

    Args:
        value: Decoded JSON.
        depth: Nesting level of ``value`` (0 for the body itself).

    Raises:
        ApiError: 400 ``invalid_text`` for a string with a lone surrogate (it cannot be
            stored or encoded as UTF-8), 400 ``bad_json`` if nested deeper than
            :data:`MAX_JSON_DEPTH`.
    """
    if depth > MAX_JSON_DEPTH:
        raise _too_deep()
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, dict):
        return {_clean_text(k): clean_json(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_json(v, depth + 1) for v in value]
    return value


def required_id(body: Mapping[str, Any], field: str) -> int:
    """Return a required id field: a whole number from 1 to :data:`MAX_ID`.

    Raises:
        ApiError: 400 ``missing_field`` or ``invalid_field``.
    """
    value = body.get(field)
    if value is None:
        raise ApiError(400, "missing_field", f"The field '{field}' is required.", field=field)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise ApiError(400, "invalid_field", f"'{field}' must be a positive integer.", field=field)
    return value


def required_str(body: Mapping[str, Any], field: str) -> str:
    """Return a required, non-blank string field.

    Raises:
        ApiError: 400 ``missing_field`` or ``invalid_field``.
    """
    if field not in body or body[field] is None:
        raise ApiError(400, "missing_field", f"The field '{field}' is required.", field=field)
    value = body[field]
    if not isinstance(value, str):
        raise ApiError(400, "invalid_field", f"The field '{field}' must be a string.", field=field)
    if not value.strip():
        raise ApiError(400, "invalid_field", f"The field '{field}' is empty.", field=field)
    return value


def optional_str(body: Mapping[str, Any], field: str) -> str | None:
    """Return an optional string field (None if absent or null).

    Raises:
        ApiError: 400 ``invalid_field`` if present but not a string.
    """
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError(400, "invalid_field", f"The field '{field}' must be a string.", field=field)
    return value


def query_int(request: Request, name: str, default: int, minimum: int, maximum: int) -> int:
    """Read an integer query parameter, clamped to ``maximum``.

    Raises:
        ApiError: 400 ``invalid_field`` if it is not a whole number or below ``minimum``.
    """
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(
            400,
            "invalid_field",
            f"The query parameter '{name}' must be a whole number.",
            field=name,
        ) from None
    if value < minimum:
        raise ApiError(
            400,
            "invalid_field",
            f"The query parameter '{name}' must be at least {minimum}.",
            field=name,
        )
    return min(value, maximum)


def client_ip(request: Request) -> str:
    """The client's address (see :func:`bot.web.proxy.resolve_client_ip`).

    Behind a reverse proxy, set ``TRUSTED_PROXIES`` (:mod:`bot.web.settings`) to the
    proxy's address: otherwise every citizen shares the proxy's address and its limits.
    """
    state = getattr(request.app.ctx, "alver_web", None)  # bot.web.state.STATE_ATTR
    settings = getattr(state, "settings", None)
    trusted = tuple(getattr(settings, "trusted_proxies", ()))
    peer = str(request.ip or "unknown")
    return resolve_client_ip(peer, request.headers.getall("x-forwarded-for", []), trusted)


_STATIC_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,100}")


async def serve_static(
    directory: Path, name: str, *, extra_headers: Mapping[str, str] | None = None
) -> HTTPResponse:
    """Serve one file from ``directory`` (no sub-folders, no hidden files).

    Raises:
        ApiError: 404 if the name is not a plain file name or the file does not exist.
    """
    if not _STATIC_NAME_RE.fullmatch(name) or ".." in name:
        raise ApiError(404, "not_found", "No such file.")
    path = directory / name
    if not path.is_file():
        raise ApiError(404, "not_found", "No such file.")
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if mime.startswith("text/") or mime in ("application/javascript", "application/json"):
        mime += "; charset=utf-8"
    headers = {
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        **(extra_headers or {}),
    }
    return await response.file(path, mime_type=mime, headers=headers)
