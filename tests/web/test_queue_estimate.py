"""The widget's expected waiting time: the median of recent queue-to-claim times."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.web import queue_estimate
from bot.web.queue_estimate import CACHE_SECONDS, MIN_SAMPLES, expected_wait_seconds, waits

from .conftest import Server, Staff

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # waiting → claimed after 90 s
        ([("a", "bot", "waiting", _at(0)), ("a", "waiting", "with_human", _at(90))], [90.0]),
        # cancelled waits do not count; the next wait starts afresh
        (
            [
                ("a", "bot", "waiting", _at(0)),
                ("a", "waiting", "bot", _at(50)),
                ("a", "bot", "waiting", _at(100)),
                ("a", "waiting", "with_human", _at(130)),
            ],
            [30.0],
        ),
        # a claim whose start of waiting is outside the rows is left out
        ([("b", "waiting", "with_human", _at(10))], []),
        # two conversations interleaved
        (
            [
                ("a", "bot", "waiting", _at(0)),
                ("b", "bot", "waiting", _at(10)),
                ("b", "waiting", "with_human", _at(40)),
                ("a", "waiting", "with_human", _at(200)),
            ],
            [30.0, 200.0],
        ),
    ],
)
def test_waits_pairs_each_claim_with_its_start_of_waiting(
    rows: list[tuple[str, str, str, datetime]], expected: list[float]
) -> None:
    assert [seconds for _, seconds in waits(rows)] == expected


def _wait_and_claim(server: Server, kari: Staff, seconds: float) -> None:
    kari.queue()  # present
    citizen = server.new_conversation()
    assert citizen.say("menneske")["state"] == "waiting"
    server.clock.advance(seconds)  # under the staff presence and claim timeouts
    answer = kari.call("POST", f"/conversations/{citizen.conversation_id}/claim")
    assert answer.status == 200, answer.text
    # Closed again, so Kari stays below her limit of concurrent chats and takes new ones.
    answer = kari.call("POST", f"/conversations/{citizen.conversation_id}/close")
    assert answer.status == 200, answer.text


def test_queue_payload_carries_the_median_of_recent_claims(server: Server) -> None:
    server.add_staff("kari", "Kari")
    kari = server.login("kari")
    engine = server.store.engine
    for index, seconds in enumerate((20, 55, 40)):
        _wait_and_claim(server, kari, seconds)
        server.clock.advance(31)  # past the cache
        wanted = None if index + 1 < MIN_SAMPLES else 40
        assert expected_wait_seconds(engine, server.clock()) == wanted
    kari.queue()
    waiting = server.new_conversation()
    data = waiting.say("menneske")
    assert data["queue"] == {"position": 1, "waiting_seconds": 0, "expected_wait_seconds": 40}
    assert waiting.events()["queue"]["expected_wait_seconds"] == 40


def test_expected_wait_is_cached_briefly(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([60, 90, 120])
    monkeypatch.setattr(queue_estimate, "_compute", lambda engine, now: next(answers))

    class FakeEngine:
        pass

    engine = FakeEngine()
    assert expected_wait_seconds(engine, T0) == 60  # type: ignore[arg-type]
    assert expected_wait_seconds(engine, _at(CACHE_SECONDS - 1)) == 60  # type: ignore[arg-type]
    assert expected_wait_seconds(engine, _at(CACHE_SECONDS)) == 90  # type: ignore[arg-type]
    assert expected_wait_seconds(engine, _at(CACHE_SECONDS), cached=False) == 120  # type: ignore[arg-type]
