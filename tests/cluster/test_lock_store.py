"""Rasa's lock store from endpoints.yml: in memory by default, Redis with REDIS_URL."""

from __future__ import annotations

import asyncio
import time

import pytest
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.utils import AvailableEndpoints

from bot.cluster.lock_store import AlverLockStore, redis_lock_store
from tests.conftest import ROOT


@pytest.mark.parametrize("redis_value", [None, ""])
def test_endpoints_yml_loads_without_redis_and_keeps_locks_in_memory(
    monkeypatch: pytest.MonkeyPatch, redis_value: str | None
) -> None:
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:5055/webhook")
    if redis_value is None:
        monkeypatch.delenv("REDIS_URL", raising=False)
    else:
        monkeypatch.setenv("REDIS_URL", redis_value)
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
    store = LockStore.create(endpoints.lock_store)
    assert isinstance(store, AlverLockStore)
    assert isinstance(store.inner, InMemoryLockStore)


@pytest.mark.parametrize(
    ("url", "host", "port", "db", "password", "ssl"),
    [
        ("redis://127.0.0.1:6379/0", "127.0.0.1", 6379, 0, None, False),
        ("redis://cache.internal", "cache.internal", 6379, 0, None, False),
        ("rediss://:p%40ss@cache.internal:6380/3", "cache.internal", 6380, 3, "p@ss", True),
    ],
)
def test_redis_url_becomes_rasas_redis_lock_store(
    url: str, host: str, port: int, db: int, password: str | None, ssl: bool
) -> None:
    store = redis_lock_store(url)
    kwargs = store.red.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"]) == (host, port, db)
    assert kwargs.get("password") == password
    assert ("ssl" in str(store.red.connection_pool.connection_class).lower()) is ssl
    assert store.key_prefix.startswith("alver:")
    assert kwargs["socket_timeout"] == kwargs["socket_connect_timeout"] == 2.0  # fail fast


def test_unix_socket_url_is_refused_for_rasas_lock_store() -> None:
    with pytest.raises(ValueError, match="REDIS_URL"):
        redis_lock_store("unix:///run/redis.sock")


def test_two_instances_share_one_conversations_lock(redis_url: str) -> None:
    env = {"REDIS_URL": redis_url}
    a, b = AlverLockStore(environ=env), AlverLockStore(environ=env)
    assert isinstance(a.inner, RedisLockStore)
    conversation = f"lock-test-{time.time_ns()}"
    order: list[str] = []

    async def turn(store: AlverLockStore, name: str, hold_s: float) -> None:
        async with store.lock(conversation, lock_lifetime=10, wait_time_in_seconds=0.05):
            order.append(f"{name} in")
            await asyncio.sleep(hold_s)
            order.append(f"{name} out")

    async def scenario() -> None:
        first = asyncio.create_task(turn(a, "A", 0.3))
        await asyncio.sleep(0.05)
        await turn(b, "B", 0)
        await first

    asyncio.run(scenario())
    assert order == ["A in", "A out", "B in", "B out"]  # B waited for A's lock in Redis
    assert a.get_lock(conversation) is None or not a.get_lock(conversation).tickets
