"""The web test server of tests/web/conftest.py with the insight channels added."""

from __future__ import annotations

from typing import Any

from bot.channels.insight_channel import InsightChannel, RatingChannel
from bot.kb import KnowledgeBase
from bot.web.settings import WebSettings
from tests.web.conftest import FakeClock, Server


class InsightServer(Server):
    """Like :class:`tests.web.conftest.Server`, plus the insight page and the rating route."""

    def __init__(
        self, settings: WebSettings, clock: FakeClock, kb: KnowledgeBase, writer: Any = None
    ) -> None:
        super().__init__(
            settings,
            clock,
            kb,
            extra_channels=[InsightChannel(), RatingChannel()],
            ctx={"alver_faq_writer": writer},
        )
