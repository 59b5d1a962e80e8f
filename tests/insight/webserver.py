"""The web test server of tests/web/conftest.py with the insight channels added."""

from __future__ import annotations

import socket
import threading
import uuid
from typing import Any
from urllib.parse import urljoin

from sanic import Sanic

from bot.channels.console_channel import ConsoleChannel
from bot.channels.insight_channel import InsightChannel, RatingChannel
from bot.channels.texts_channel import TextsChannel
from bot.channels.widget_channel import WidgetChannel, WidgetStaticChannel
from bot.kb import KnowledgeBase
from bot.web.settings import WebSettings
from tests.web.conftest import FakeAgent, FakeClock, Server, make_bot


class InsightServer(Server):
    """Like :class:`tests.web.conftest.Server`, plus the insight page and the rating route."""

    def __init__(  # noqa: PLR0913 - mirrors Server
        self, settings: WebSettings, clock: FakeClock, kb: KnowledgeBase, writer: Any = None
    ) -> None:
        Sanic.test_mode = True
        self.clock = clock
        self.agent = FakeAgent()
        self.app = Sanic(f"alver_insight_{uuid.uuid4().hex[:8]}")
        self.app.ctx.alver_settings = settings
        self.app.ctx.alver_clock = clock
        self.app.ctx.alver_knowledge_base = lambda: kb
        self.app.ctx.agent = self.agent
        self.app.ctx.alver_faq_writer = writer
        channels: list[Any] = [
            WidgetChannel(),
            WidgetStaticChannel(),
            ConsoleChannel(),
            TextsChannel(knowledge_base=lambda: kb),
            InsightChannel(),
            RatingChannel(),
        ]
        bot = make_bot(self.agent)
        for channel in channels:
            prefix = urljoin("/webhooks/", channel.url_prefix())
            self.app.blueprint(channel.blueprint(bot), url_prefix=prefix)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self._ready = threading.Event()
        self._loop = None
        self._stop = None
        self._error = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._ready.wait(20):
            raise RuntimeError("test server did not start")
        if self._error is not None:
            raise self._error
