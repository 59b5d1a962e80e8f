"""A test server with the booking channel next to the chat channels (tests/web/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.channels.booking_channel import BookingChannel, BookingCitizenChannel
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
    """:class:`tests.web.conftest.Server` with the booking channels registered too."""

    def __init__(
        self, web_settings: WebSettings, fake_clock: FakeClock, knowledge: KnowledgeBase
    ) -> None:
        super().__init__(
            web_settings,
            fake_clock,
            knowledge,
            extra_channels=[BookingChannel(), BookingCitizenChannel()],
        )


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
