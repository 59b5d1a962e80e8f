"""Shared wake-ups and rate limits through a real Redis (bot.cluster), and REDIS_URL.

Two notifier or limiter objects on one Redis stand for two bot instances.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.cluster.config import ClusterConfigError, check_cluster_settings, redis_url
from bot.cluster.notify import ChangeNotifier, RedisChangeNotifier
from bot.cluster.ratelimit import RedisSlidingWindowLimiter
from bot.web.http import POLL_STEP_SECONDS, long_poll
from bot.web.ratelimit import SlidingWindowLimiter
from bot.web.settings import WebSettings
from bot.web.state import WebState, create_state
from tests.cluster.servers import REDIS_BIN, free_port, redis_server

WAKE_LIMIT_S = 0.3  # well under the long-poll's 1 s re-read


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("  ", None),
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("rediss://:pw@cache.internal:6380/2", "rediss://:pw@cache.internal:6380/2"),
        ("unix:///run/redis/redis.sock", "unix:///run/redis/redis.sock"),
    ],
)
def test_redis_url_is_read_from_the_environment(value: str | None, expected: str | None) -> None:
    env = {} if value is None else {"REDIS_URL": value}
    assert redis_url(env) == expected


@pytest.mark.parametrize(
    "value", ["localhost:6379", "http://127.0.0.1:6379", "redis:///0", "unix://"]
)
def test_bad_redis_url_names_the_variable_and_hides_the_value(value: str) -> None:
    with pytest.raises(ClusterConfigError, match=r"REDIS_URL .*redis://127\.0\.0\.1") as info:
        redis_url({"REDIS_URL": value + "secretpw"})
    assert "secretpw" not in str(info.value)


def _channel() -> str:
    return f"alver:test:{uuid.uuid4().hex}"


async def _pair(url: str) -> tuple[RedisChangeNotifier, RedisChangeNotifier]:
    channel = _channel()
    a, b = RedisChangeNotifier(url, channel), RedisChangeNotifier(url, channel)
    a.start()
    b.start()
    await a.subscribed()
    await b.subscribed()
    return a, b


async def _stop(*notifiers: RedisChangeNotifier) -> None:
    for notifier in notifiers:
        task = notifier.start()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


def test_a_change_on_one_instance_wakes_the_other_at_once(redis_url: str) -> None:
    async def scenario() -> float:
        a, b = await _pair(redis_url)
        loop = asyncio.get_running_loop()
        token = b.token()
        began = loop.time()
        a.notify()
        await b.wait(token, 5)
        woke = loop.time() - began
        assert token.is_set()
        assert (a.published, b.received, a.received) == (1, 1, 0)  # own messages ignored
        await _stop(a, b)
        return woke

    assert asyncio.run(scenario()) < WAKE_LIMIT_S


def test_a_long_poll_on_b_returns_at_once_after_a_change_on_a(redis_url: str) -> None:
    async def scenario() -> float:
        a, b = await _pair(redis_url)
        loop = asyncio.get_running_loop()
        changed = {"value": False}

        async def snapshot() -> bool:
            return changed["value"]

        async def change_on_a() -> None:
            await asyncio.sleep(0.1)
            changed["value"] = True  # stands for a row written to the shared database
            a.notify()

        began = loop.time()
        results = await asyncio.gather(long_poll(b, 10, snapshot, bool), change_on_a())
        assert results[0] is True
        await _stop(a, b)
        return loop.time() - began - 0.1

    assert asyncio.run(scenario()) < min(WAKE_LIMIT_S, POLL_STEP_SECONDS / 2)


def test_many_changes_in_a_row_are_coalesced(redis_url: str) -> None:
    async def scenario() -> tuple[int, int]:
        a, b = await _pair(redis_url)
        for _ in range(20):
            a.notify()
        await asyncio.sleep(0.3)
        counts = (a.published, b.received)
        await _stop(a, b)
        return counts

    published, received = asyncio.run(scenario())
    assert 1 <= published <= 2 and received == published


def test_without_redis_the_notifier_still_wakes_its_own_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> bool:
        notifier = RedisChangeNotifier(f"redis://127.0.0.1:{free_port()}/0", _channel())
        notifier.start()
        await asyncio.sleep(0.2)  # the connection attempt fails meanwhile
        token = notifier.token()
        notifier.notify()
        await notifier.wait(token, 1)
        await _stop(notifier)
        return token.is_set()

    with caplog.at_level(logging.WARNING, logger="bot.cluster.notify"):
        assert asyncio.run(scenario()) is True
    assert any("REDIS_URL" in r.getMessage() for r in caplog.records)


def test_the_in_process_notifier_has_no_background_task() -> None:
    assert ChangeNotifier().start() is None


@pytest.fixture
def limiters(redis_url: str) -> Iterator[Callable[..., RedisSlidingWindowLimiter]]:
    name = f"test{uuid.uuid4().hex[:8]}"
    made: list[RedisSlidingWindowLimiter] = []

    def make(
        limit: int, clock: Callable[[], float], which: str = name
    ) -> RedisSlidingWindowLimiter:
        limiter = RedisSlidingWindowLimiter(redis_url, which, limit, 60, clock=clock)
        made.append(limiter)
        return limiter

    yield make
    for limiter in made:
        limiter.reset()


def test_a_budget_spent_on_one_instance_counts_on_the_other(
    limiters: Callable[..., RedisSlidingWindowLimiter],
) -> None:
    now = [1_000.0]
    a, b = limiters(3, lambda: now[0]), limiters(3, lambda: now[0])
    assert [a.hit("ip:1.2.3.4"), b.hit("ip:1.2.3.4"), a.hit("ip:1.2.3.4")] == [0, 0, 0]
    assert b.hit("ip:1.2.3.4") == 60  # the oldest hit leaves the window in 60 s
    assert a.hit("ip:5.6.7.8") == 0  # another key has its own budget
    now[0] += 30
    assert b.hit("ip:1.2.3.4") == 30
    now[0] += 30
    assert b.hit("ip:1.2.3.4") == 0  # the first hit left the window


def test_limiters_with_different_names_do_not_share(
    limiters: Callable[..., RedisSlidingWindowLimiter],
) -> None:
    now = [1_000.0]
    ip, login = limiters(1, lambda: now[0], "ip"), limiters(1, lambda: now[0], "login")
    assert (ip.hit("k"), login.hit("k")) == (0, 0)
    assert (ip.hit("k"), login.hit("k")) == (60, 60)


# (seconds since start, key) events; both limiters must agree on every answer.
SEQUENCES = [
    [(0, "a"), (1, "a"), (2, "a"), (3, "a"), (59.5, "a"), (60, "a"), (61, "a"), (62, "a")],
    [(0, "a"), (0, "b"), (0, "a"), (0.5, "b"), (10, "a"), (70, "a"), (70, "b")],
    [(t * 7.5, "x") for t in range(20)],
]


@pytest.mark.parametrize("events", SEQUENCES)
def test_the_redis_limiter_answers_like_the_in_process_one(
    limiters: Callable[..., RedisSlidingWindowLimiter], events: list[tuple[float, str]]
) -> None:
    now = [5_000.0]
    shared = limiters(3, lambda: now[0])
    local = SlidingWindowLimiter(3, 60, clock=lambda: now[0])
    for at, key in events:
        now[0] = 5_000.0 + at
        assert shared.hit(key) == local.hit(key), (at, key)


def test_without_redis_the_limiter_counts_in_this_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = free_port()
    limiter = RedisSlidingWindowLimiter(f"redis://127.0.0.1:{port}/0", "ip", 2, 60)
    with caplog.at_level(logging.WARNING, logger="bot.cluster.ratelimit"):
        assert [limiter.hit("k"), limiter.hit("k")] == [0, 0]
        assert limiter.hit("k") >= 1
    assert sum("counting in this process" in r.getMessage() for r in caplog.records) == 1


@pytest.mark.parametrize("shared", [True, False])
def test_the_web_state_shares_through_redis_only_when_configured(
    redis_url: str, tmp_path: Path, shared: bool
) -> None:
    settings = WebSettings(
        database_url=f"sqlite:///{tmp_path / 'handoff.sqlite3'}", secret_key=b"k" * 32
    )

    async def scenario() -> WebState:
        state = create_state(settings, shared_url=redis_url if shared else "")
        for task in state.tasks:
            task.cancel()
        await asyncio.gather(*state.tasks, return_exceptions=True)
        state.store.close()
        return state

    state = asyncio.run(scenario())
    kinds = {type(state.ip_limiter), type(state.login_limiter), type(state.conversation_limiter)}
    if shared:
        assert isinstance(state.notifier, RedisChangeNotifier) and len(state.tasks) == 1
        assert kinds == {RedisSlidingWindowLimiter}
        assert state.login_limiter.prefix != state.ip_limiter.prefix
    else:
        assert type(state.notifier) is ChangeNotifier and state.tasks == []
        assert kinds == {SlidingWindowLimiter}


@pytest.mark.parametrize(
    ("env", "error", "warns"),
    [
        ({}, None, False),
        ({"BOT_SECRET_KEY": "k" * 40}, None, False),
        ({"REDIS_URL": "redis://r:6379/0"}, "BOT_SECRET_KEY", False),
        ({"REDIS_URL": "redis://r:6379/0", "BOT_SECRET_KEY": "k" * 40}, None, True),
        (
            {
                "REDIS_URL": "redis://r:6379/0",
                "BOT_SECRET_KEY": "k" * 40,
                "HANDOFF_DATABASE_URL": "postgresql://u@db/alver",
            },
            None,
            False,
        ),
    ],
)
def test_several_instances_need_one_secret_key_and_a_shared_database(
    env: dict[str, str], error: str | None, warns: bool, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.cluster.config"):
        if error:
            with pytest.raises(ClusterConfigError, match=error):
                check_cluster_settings(env)
        else:
            check_cluster_settings(env)
    assert any("SQLite" in r.getMessage() for r in caplog.records) is warns


def test_wake_ups_resume_when_redis_comes_back() -> None:
    if shutil.which(REDIS_BIN) is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()

    async def woken(a: RedisChangeNotifier, b: RedisChangeNotifier) -> bool:
        token = b.token()
        a.notify()
        await b.wait(token, WAKE_LIMIT_S)
        return token.is_set()

    async def scenario() -> list[bool]:
        with redis_server(port) as url:
            a, b = await _pair(url)
            first = await woken(a, b)
        await asyncio.wait_for(_subscribed(False, a, b), 10)  # both saw Redis go
        with redis_server(port):
            await asyncio.wait_for(_subscribed(True, a, b), 10)
            again = await woken(a, b)
            await _stop(a, b)
        return [first, again]

    assert asyncio.run(scenario()) == [True, True]


async def _subscribed(state: bool, *notifiers: RedisChangeNotifier) -> None:
    while any(n.connected is not state for n in notifiers):
        await asyncio.sleep(0.05)


def test_throttled_warning_logs_once_per_interval(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cluster import throttle

    now = [1000.0]
    monkeypatch.setattr(throttle.time, "monotonic", lambda: now[0])
    warning = throttle.ThrottledWarning(logging.getLogger("bot.cluster.test"), every=60.0)
    with caplog.at_level(logging.WARNING, logger="bot.cluster.test"):
        for step in (0.0, 1.0, 58.0, 1.0, 30.0):  # at 1000, 1001, 1059, 1060, 1090
            now[0] += step
            warning.warn("Redis down (%s)", now[0])
    assert [r.getMessage() for r in caplog.records] == [
        "Redis down (1000.0)",
        "Redis down (1060.0)",
    ]
