"""The widget's static files at ``/widget/<file>`` (widget.js, widget.css, demo pages).

Registered in ``credentials.yml`` as ``bot.channels.widget_channel.WidgetStaticChannel``
(re-exported there). The files carry the same CORS answer as the citizen API.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.web.cors import CorsPolicy, install_cors
from bot.web.http import add_routes, serve_static
from bot.web.state import STATE_ATTR, WebState

__all__ = ["WidgetStaticChannel", "cors_policy"]

STATIC_DIR = Path(__file__).resolve().parents[1] / "web" / "static" / "widget"


def cors_policy(request: Request) -> CorsPolicy:
    """The CORS policy of the widget's routes, from ``WIDGET_ALLOWED_ORIGINS``."""
    state = getattr(request.app.ctx, STATE_ATTR, None)
    origins = state.settings.widget_allowed_origins if isinstance(state, WebState) else ()
    return CorsPolicy(origins)


class WidgetStaticChannel(InputChannel):
    """Serves the widget's files at ``/widget/<file>`` (widget.js, widget.css, demo pages)."""

    @classmethod
    def name(cls) -> str:
        """Channel name (no messages go through this channel)."""
        return "alver_widget_static"

    def url_prefix(self) -> str:
        """Absolute prefix ``/widget``."""
        return "/widget"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Build the static-files blueprint."""
        bp = Blueprint("alver_widget_static")
        install_cors(bp, cors_policy)
        directory = STATIC_DIR

        async def static_file(request: Request, name: str) -> HTTPResponse:
            return await serve_static(directory, name)

        add_routes(bp, "/<name:str>", {"GET": static_file}, name="alver_widget_file")
        return bp
