"""CORS for the citizen API: the widget runs on the municipality's own website.

The citizen API (``/webhooks/alver/...``) uses a bearer token and never cookies
(docs/chat-api.md), so any origin may call it by default (``*``). The setting
``WIDGET_ALLOWED_ORIGINS`` narrows that to a list of origins: the matching
``Origin`` is echoed with ``Vary: Origin``, other origins get no CORS header.

Why a response middleware and not only the route: ``rasa run`` installs its own
CORS layer (sanic-cors, configured by ``--cors``) on the whole app. Its request
middleware answers every preflight ``OPTIONS`` before our route runs (``200``,
and without ``--cors`` no ``Access-Control-Allow-Origin``), and its response
middleware adds a second ``Access-Control-Allow-Origin`` when ``--cors`` is
given. A blueprint's response middleware runs after the app's, so
:func:`install_cors` strips whatever CORS headers came before and sets exactly
one set: every response of the blueprint leaves with our policy, whichever
layer built it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

__all__ = [
    "ALLOWED_HEADERS",
    "ALLOWED_METHODS",
    "CorsPolicy",
    "install_cors",
    "parse_origins",
    "strip_cors",
]

ALLOWED_METHODS = "GET, POST, DELETE, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type"
EXPOSED_HEADERS = "Content-Disposition, Retry-After"
MAX_AGE_SECONDS = "600"


def parse_origins(raw: str) -> tuple[str, ...]:
    """Split a comma-separated origin list into normalised origins.

    Args:
        raw: E.g. ``"https://www.alver.kommune.no, https://alver.kommune.no"``.

    Returns:
        The origins, lower case, without a trailing slash; empty for "any origin".

    Raises:
        ValueError: If an entry is not ``http(s)://host[:port]``.
    """
    origins: list[str] = []
    for part in raw.split(","):
        origin = part.strip().rstrip("/").lower()
        if not origin:
            continue
        scheme, sep, host = origin.partition("://")
        if scheme not in ("http", "https") or not sep or not host or "/" in host:
            raise ValueError(
                f"{part.strip()!r} is not an origin; write scheme and host only, "
                "e.g. https://www.alver.kommune.no (no path)."
            )
        if origin not in origins:
            origins.append(origin)
    return tuple(origins)


@dataclass(frozen=True)
class CorsPolicy:
    """Which origins may call the citizen API.

    Attributes:
        allowed_origins: Origins allowed; empty means any origin (``*``).
    """

    allowed_origins: tuple[str, ...] = ()

    def allow_origin(self, origin: str | None) -> str | None:
        """The ``Access-Control-Allow-Origin`` value for a request, or None for no header."""
        if not self.allowed_origins:
            return "*"
        if origin and origin.rstrip("/").lower() in self.allowed_origins:
            return origin
        return None

    def headers(self, origin: str | None, *, preflight: bool) -> dict[str, str]:
        """The CORS headers for a response to a request from ``origin``."""
        allowed = self.allow_origin(origin)
        headers: dict[str, str] = {}
        if self.allowed_origins:
            headers["Vary"] = "Origin"
        if allowed is None:
            return headers
        headers["Access-Control-Allow-Origin"] = allowed
        if preflight:
            headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            headers["Access-Control-Max-Age"] = MAX_AGE_SECONDS
        else:
            headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        return headers


def _strip_cors(response: HTTPResponse) -> None:
    names: Iterable[str] = list(response.headers.keys())
    for name in {n.lower() for n in names}:
        if name.startswith("access-control-"):
            del response.headers[name]
    vary = [v for v in response.headers.getall("vary", []) if v.strip().lower() != "origin"]
    if "vary" in response.headers:
        del response.headers["vary"]
    for value in vary:
        response.headers.add("Vary", value)


def install_cors(blueprint: Blueprint, policy: Callable[[Request], CorsPolicy]) -> None:
    """Give every response of ``blueprint`` exactly one set of CORS headers.

    A preflight (``OPTIONS`` with ``Access-Control-Request-Method``) is answered
    ``204`` with the allowed methods and headers, also when another layer (Rasa's
    sanic-cors) answered it before the route.

    Args:
        blueprint: The blueprint (citizen API or the widget's files).
        policy: Returns the policy for a request (read from the app's settings).
    """

    async def cors_headers(request: Request, response: HTTPResponse) -> None:
        if response is None:
            return
        preflight = request.method == "OPTIONS"
        _strip_cors(response)
        if preflight:
            response.status = 204
            response.body = b""
        for name, value in (
            policy(request).headers(request.headers.get("origin"), preflight=preflight).items()
        ):
            if name == "Vary":
                response.headers.add(name, value)
            else:
                response.headers[name] = value

    blueprint.middleware(cors_headers, "response")


def strip_cors(blueprint: Blueprint) -> None:
    """Remove any CORS header other layers add (``rasa run --cors``) from ``blueprint``.

    For the staff console: it is same-origin only, and sanic-cors with ``--cors "*"``
    would echo any origin together with ``Access-Control-Allow-Credentials: true``.
    """

    async def no_cors(request: Request, response: HTTPResponse) -> None:
        if response is not None:
            _strip_cors(response)

    blueprint.middleware(no_cors, "response")
