"""The widget embedded on a page of another origin (the municipality's website) can chat.

The page is served by a plain ``http.server`` on a second 127.0.0.1 port; it loads
``/widget/widget.js`` from the bot started by `make run`. Every API call is therefore
cross-origin and needs the CORS answers of ``bot/web/cors.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import Bot, last_message, open_chat, send

PAGE = """<!doctype html>
<html lang="nn">
<head><meta charset="utf-8"><title>Alver kommune (test page on another origin)</title></head>
<body>
<main><h1>Alver kommune</h1><p>A page of the municipality's website.</p></main>
<script src="{bot}/widget/widget.js" defer></script>
</body>
</html>
"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        return


@pytest.fixture(scope="module")
def site(bot: Bot, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second origin (another port on 127.0.0.1) serving a page that embeds the widget."""
    folder: Path = tmp_path_factory.mktemp("site")
    (folder / "index.html").write_text(PAGE.format(bot=bot.url), encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def test_widget_on_another_origin_chats(bot: Bot, site: str, context: BrowserContext) -> None:
    assert not site.startswith(bot.url)  # really another origin
    page = context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    open_chat(page, site)
    send(page, "opningstider på manger?")
    expect(last_message(page, "bot")).to_contain_text("måndag, tysdag og torsdag")
    expect(page.get_by_text("Chatten er ikkje tilgjengeleg")).to_have_count(0)
    assert not [url for url in failed if "/webhooks/alver/" in url and "/events" not in url]
