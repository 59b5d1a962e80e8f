"""Regression tests for the 5xx answers the fuzz test (test_fuzz.py) found, one per finding."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.kb import KnowledgeBase
from bot.web.settings import WebSettings

from .conftest import FakeClock
from .fullapp import FullServer, full_server

REST = "/webhooks/rest/webhook"


@pytest.fixture
def full(
    settings: WebSettings, clock: FakeClock, kb: KnowledgeBase, tmp_path: Path
) -> Iterator[FullServer]:
    yield from full_server(settings, clock, kb, tmp_path)


@pytest.mark.parametrize(
    ("raw", "status", "error"),
    [
        # found by the fuzz test: a lone surrogate in the message gave Sanic's 500
        (b'{"sender": "a", "message": "\\udfff hei"}', 400, "invalid_text"),
        (b'{"sender": "\\ud800", "message": "hei"}', 400, "invalid_text"),
        # a message or sender that is not a string crashed the bot's turn (logged with the text)
        (b'{"sender": "a", "message": 1}', 400, "invalid_body"),
        (b'{"sender": "a", "message": {"text": "hei"}}', 400, "invalid_body"),
        (b'{"sender": false, "message": "hei"}', 400, "invalid_body"),
        (b'{"sender": ["a"], "message": "hei"}', 400, "invalid_body"),
    ],
)
def test_rest_channel_refuses_bad_text_with_a_400_not_a_500(
    full: FullServer, raw: bytes, status: int, error: str
) -> None:
    resp = full.request("POST", REST, raw=raw)
    assert resp.status == status, resp.body
    assert resp.json["error"] == error
    assert resp.json["message"]
    assert full.agent.received == []


def test_rest_channel_strips_nul_and_still_answers(full: FullServer) -> None:
    resp = full.request("POST", REST, {"sender": "nul-1", "message": "h\x00ei"})
    assert resp.status == 200, resp.body
    assert [m.text for m in full.agent.received] == ["hei"]
    assert resp.json == [{"recipient_id": "nul-1", "text": "Bot: hei"}]
