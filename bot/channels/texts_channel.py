"""Serves the labels of the widget, the console and the staff pages from the one catalogue.

``GET /texts/widget.json?lang=nn`` and ``GET /texts/console.json?lang=nb`` answer::

    {"language": "nn",
     "texts": {"title": "Chat med Alver kommune", ...},
     "municipality": {"name": "Alver kommune", "privacy_url": "...", "brand_colour": "#0b4f6c",
                      "logo_url": "/widget/logo-sample.svg"}}

``logo_url`` may be a path on the bot's own server; the widget resolves it against
the bot's address. The embedding page may override name, logo and colour with
``data-`` attributes on the script tag (see widget.js).

The texts are the ``widget``, ``console``, ``editor`` (editor and admin pages) or
``insight`` section of bot/messages.yml, with the
knowledge-base placeholders ({municipality}, ...) filled; the browser fills the others
({n}, {name}, ...). The origins the widget may be embedded on may read them (the
widget's CORS policy, ``WIDGET_ALLOWED_ORIGINS``), and browsers may cache them for a minute.

Register in ``credentials.yml``::

    bot.channels.texts_channel.TextsChannel: {}
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.kb import KnowledgeBase, default_store
from bot.language import DEFAULT_LANGUAGE
from bot.messages import ui_texts
from bot.web.cors import install_cors
from bot.web.http import add_routes

from .widget_static import cors_policy

__all__ = ["CACHE_SECONDS", "TextsChannel", "texts_payload"]

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
CACHE_SECONDS = 60
LANGUAGES = ("nn", "nb", "en")
PAGES = ("widget", "console", "editor", "insight")


def texts_payload(page: str, language: str, kb: KnowledgeBase) -> dict[str, Any]:
    """The JSON body for one page (one of ``PAGES``) in ``language``."""
    return {
        "language": language,
        "texts": ui_texts(page, language, kb),
        "municipality": {
            "name": kb.municipality.name.get(language),
            "privacy_url": kb.municipality.privacy_url,
            "brand_colour": kb.municipality.brand_colour,
            "logo_url": kb.municipality.logo_url,
        },
    }


def _live_knowledge_base() -> KnowledgeBase:
    return default_store().get()


class TextsChannel(InputChannel):
    """``/texts/<page>.json``: the labels of the widget and staff pages (no messages go here).

    Args:
        knowledge_base: Returns the knowledge base (tests pass the fixture's).
    """

    def __init__(self, knowledge_base: Callable[[], KnowledgeBase] = _live_knowledge_base) -> None:
        self.knowledge_base = knowledge_base

    @classmethod
    def name(cls) -> str:
        """Channel name."""
        return "alver_texts"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """No settings."""
        return cls()

    def url_prefix(self) -> str:
        """Absolute prefix ``/texts``."""
        return "/texts"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Build the blueprint."""
        bp = Blueprint("alver_texts")
        headers = {
            "Cache-Control": f"public, max-age={CACHE_SECONDS}",
            "X-Content-Type-Options": "nosniff",
        }

        async def texts(request: Request, name: str) -> HTTPResponse:
            page = name.removesuffix(".json")
            if not name.endswith(".json") or page not in PAGES:
                return response.json(
                    {
                        "error": "not_found",
                        "message": f"No texts named '{name}'; use one of "
                        + ", ".join(f"{p}.json" for p in PAGES)
                        + ".",
                    },
                    status=404,
                    headers=headers,
                )
            language = request.args.get("lang", DEFAULT_LANGUAGE)
            if language not in LANGUAGES:
                language = DEFAULT_LANGUAGE
            body = texts_payload(page, language, self.knowledge_base())
            return response.json(body, headers=headers, ensure_ascii=False)

        # JSON 405 for other methods, and a preflight answer, like every API route.
        add_routes(bp, "/<name:str>", {"GET": texts}, cors=True, name="alver_texts_page")
        # The widget reads these from the municipality's pages: the widget's CORS policy.
        install_cors(bp, cors_policy)
        return bp
