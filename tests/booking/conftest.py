"""A test server with the booking channel next to the chat channels (tests/web/conftest.py)."""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import pytest
from sanic import Sanic

from bot.channels.booking_channel import BookingChannel, BookingCitizenChannel
from bot.channels.console_channel import ConsoleChannel
from bot.channels.texts_channel import TextsChannel
from bot.channels.widget_channel import WidgetChannel, WidgetStaticChannel
from bot.kb import KnowledgeBase
from bot.web.settings import WebSettings
from tests.web.conftest import (  # noqa: F401 - fixtures used by the booking tests
    FakeAgent,
    FakeClock,
    Server,
    clock,
    database_url,
    kb,
    make_bot,
    settings,
)


class BookingServer(Server):
    """:class:`tests.web.conftest.Server` with :class:`BookingChannel` registered too."""

    def __init__(
        self, web_settings: WebSettings, fake_clock: FakeClock, knowledge: KnowledgeBase
    ) -> None:
        Sanic.test_mode = True
        self.clock = fake_clock
        self.agent = FakeAgent()
        self.app = Sanic(f"alver_booking_test_{uuid.uuid4().hex[:8]}")
        self.app.ctx.alver_settings = web_settings
        self.app.ctx.alver_clock = fake_clock
        self.app.ctx.alver_knowledge_base = lambda: knowledge
        self.app.ctx.agent = self.agent
        channels: list[Any] = [
            WidgetChannel(),
            WidgetStaticChannel(),
            ConsoleChannel(),
            TextsChannel(knowledge_base=lambda: knowledge),
            BookingChannel(),
            BookingCitizenChannel(),
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
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._ready.wait(20):
            raise RuntimeError("test server did not start")
        if self._error is not None:
            raise self._error


@pytest.fixture
def booking_server(
    settings: WebSettings,  # noqa: F811 - the fixture imported above
    clock: FakeClock,  # noqa: F811
    kb: KnowledgeBase,  # noqa: F811
) -> Iterator[BookingServer]:
    running = BookingServer(settings, clock, kb)
    try:
        yield running
    finally:
        running.stop()
