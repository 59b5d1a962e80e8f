"""The editors' pages (``/console/editor/``, ``/console/admin/``) and their API.

Routing only: the handlers are in :mod:`bot.editor` (views, tools_views, texts,
users_views). Every API route needs a console session with the role editor or admin
(``/console/api/admin/...``: admin); a staff account gets 403 on each of them.

Register in ``credentials.yml`` (next to the console)::

    bot.channels.editor_channel.EditorChannel: {}
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.console_channel import CONSOLE_CSP
from bot.editor import texts, tools_views, users_views
from bot.editor import views as ev
from bot.handoff.kb_changes import KbChangeRepository
from bot.kb.changelog import configure_change_log
from bot.web.app import install
from bot.web.cors import strip_cors
from bot.web.http import add_routes, serve_static
from bot.web.state import get_state

__all__ = ["STATIC_DIR", "EditorChannel"]

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
STATIC_DIR = Path(__file__).resolve().parents[1] / "web" / "static" / "editor"
_PAGE_HEADERS = {"X-Frame-Options": "DENY", "Content-Security-Policy": CONSOLE_CSP}
_API_HEADERS = {"Cache-Control": "no-store"}
PAGES = {"editor": "index.html", "admin": "admin.html"}


async def _page(request: Request, page: str) -> HTTPResponse:
    if not request.path.endswith("/"):
        return response.redirect(request.path + "/", status=308)
    return await serve_static(STATIC_DIR, PAGES[page], extra_headers=_PAGE_HEADERS)


async def editor_page(request: Request) -> HTTPResponse:
    """``GET /console/editor/``."""
    return await _page(request, "editor")


async def admin_page(request: Request) -> HTTPResponse:
    """``GET /console/admin/``."""
    return await _page(request, "admin")


async def static_file(request: Request, name: str) -> HTTPResponse:
    """``GET /console/editor/<file>`` (the pages' scripts and style sheet)."""
    if not name:
        return await _page(request, "editor")
    return await serve_static(STATIC_DIR, name, extra_headers=_PAGE_HEADERS)


async def _use_sql_change_log(app: Sanic, _loop: Any = None) -> None:
    """The history goes to the handoff database's ``kb_changes`` table."""
    configure_change_log(KbChangeRepository(get_state(app).store.engine))


API = "/api/editor"
ADMIN = "/api/admin"
ROUTES: list[tuple[str, dict[str, Any]]] = [
    (API + "/faq", {"GET": ev.faq_list, "POST": ev.faq_create}),
    (API + "/faq.csv", {"GET": tools_views.faq_export}),
    (API + "/faq/import", {"POST": tools_views.faq_import}),
    (API + "/faq/<ident:str>", {"GET": ev.faq_get, "PUT": ev.faq_update}),
    (API + "/faq/<ident:str>/phrasings", {"POST": ev.faq_add_phrasing}),
    (API + "/faq/<ident:str>/retire", {"POST": ev.faq_retire}),
    (API + "/desks", {"GET": ev.desks}),
    (API + "/desks/<ident:str>", {"PUT": ev.desk_update}),
    (API + "/closures", {"GET": ev.closures, "POST": ev.closure_add}),
    (API + "/closures/<index:int>/remove", {"POST": ev.closure_remove}),
    (API + "/contact", {"GET": ev.contact, "PUT": ev.contact_update}),
    (API + "/municipality", {"PUT": ev.municipality_update}),
    (API + "/texts", {"GET": texts.texts_list}),
    (API + "/texts/<name:str>/<key:str>", {"PUT": texts.texts_update}),
    (API + "/history", {"GET": ev.history}),
    (API + "/history/<change_id:int>", {"GET": ev.history_entry}),
    (API + "/history/<change_id:int>/undo", {"POST": ev.history_undo}),
    (API + "/preview", {"POST": tools_views.preview_answers}),
    (ADMIN + "/users", {"GET": users_views.users_list, "POST": users_views.user_create}),
    (ADMIN + "/users/<user_id:int>/active", {"POST": users_views.user_set_active}),
    (ADMIN + "/users/<user_id:int>/password", {"POST": users_views.user_password}),
    (ADMIN + "/users/<user_id:int>/role", {"POST": users_views.user_role}),
]
"""Every API route of the editor and admin pages (the role tests walk this table)."""


class EditorChannel(InputChannel):
    """The editor and admin pages and API under ``/console``."""

    @classmethod
    def name(cls) -> str:
        """Channel name (no messages go to Rasa through this channel)."""
        return "editor"

    def url_prefix(self) -> str:
        """Absolute prefix, like the console's."""
        return "/console"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Build the blueprint."""
        bp = Blueprint("alver_editor")
        install(bp)
        bp.listener("after_server_start")(_use_sql_change_log)
        strip_cors(bp)  # same-origin only
        add_routes(bp, "/editor/", {"GET": editor_page}, name="alver_editor_page")
        add_routes(bp, "/admin/", {"GET": admin_page}, name="alver_admin_page")
        add_routes(bp, "/editor/<name:str>", {"GET": static_file}, name="alver_editor_file")
        for path, handlers in ROUTES:
            add_routes(bp, path, handlers, headers=_API_HEADERS)
        return bp
