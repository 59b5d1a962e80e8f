"""The production layout on one machine: PostgreSQL, Redis, N bot instances, nginx.

Used by the cluster test (tests/cluster/test_cluster.py) and ``python -m bench.cluster``.
Every server binds 127.0.0.1 on a free port and is stopped at the end; data lives in
temporary folders. PostgreSQL: the server in ``TEST_POSTGRES_URL`` if set (CI's, a role
that may create databases; a fresh database is made and dropped), else a throw-away
cluster made with initdb. Each bot instance is ``make run`` (bin/run: a Rasa server and
its action server) with the shared settings in the environment.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

from tests.databases import scratch_postgres_database
from tests.server import ROOT, RunningBot, make_run

from .servers import nginx_server, postgres_server, redis_server

__all__ = ["Layout", "cluster_layout", "rasa_pid"]

STAFF_PASSWORD = "cluster-test-" + "p" * 12


@dataclass
class Layout:
    """The running layout: the instances' URLs, nginx's URL and the shared settings."""

    instances: list[RunningBot]
    proxy_url: str
    env: dict[str, str]
    started_s: dict[str, float] = field(default_factory=dict)

    def add_staff(self, username: str, first_name: str, role: str = "staff") -> str:
        """Create a staff account in the shared database; returns its password."""
        subprocess.run(
            [sys.executable, "-m", "bot.console", "add-user", username,
             "--first-name", first_name, "--role", role],
            cwd=ROOT,
            check=True,
            capture_output=True,
            env={**os.environ, **self.env, "HANDOFF_PASSWORD": STAFF_PASSWORD},
        )  # fmt: skip
        return STAFF_PASSWORD


def rasa_pid(bot: RunningBot) -> int:
    """The process id of an instance's Rasa server (from bin/run's start line)."""
    pattern = re.compile(r"bin/run: \S+ Rasa server started \(pid (\d+), port (\d+)")
    found = [int(m[1]) for line in bot.log if (m := pattern.search(line))]
    if not found:
        raise RuntimeError("bin/run printed no 'Rasa server started' line")
    return found[-1]


@contextmanager
def _database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database; yields its SQLAlchemy URL."""
    with ExitStack() as stack:
        base = os.environ.get("TEST_POSTGRES_URL", "").strip()
        if not base:
            base = stack.enter_context(postgres_server())
        yield stack.enter_context(scratch_postgres_database(base, "alver_cluster"))


@contextmanager
def cluster_layout(instances: int = 2, extra_env: dict[str, str] | None = None) -> Iterator[Layout]:
    """Start the whole layout; stop everything when the context ends.

    Args:
        instances: How many bot instances (each a Rasa server and an action server).
        extra_env: More settings for the instances (e.g. rate limits).
    """
    with ExitStack() as stack:
        database = stack.enter_context(_database())
        redis = stack.enter_context(redis_server())
        env = {
            "HANDOFF_DATABASE_URL": database,  # Rasa's trackers go to the same database
            "REDIS_URL": redis,
            "BOT_SECRET_KEY": secrets.token_urlsafe(48),  # the same on every instance
            "TRUSTED_PROXIES": "127.0.0.1",
            "HANDOFF_ALWAYS_OPEN": "1",
            **(extra_env or {}),
        }
        stacks = [stack.enter_context(ExitStack()) for _ in range(instances)]
        with ThreadPoolExecutor(instances) as pool:
            futures = [pool.submit(s.enter_context, make_run(env)) for s in stacks]
            bots = [f.result() for f in futures]
        ports = [int(bot.url.rsplit(":", 1)[1]) for bot in bots]
        proxy = stack.enter_context(nginx_server(ports))
        yield Layout(
            instances=bots,
            proxy_url=f"http://127.0.0.1:{proxy}",
            env=env,
            started_s={bot.url: bot.ready_after_s for bot in bots},
        )
