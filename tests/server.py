"""Starts the bot with the README's command (`make run`) for end-to-end and browser tests.

The servers bind to 127.0.0.1 on free ports and are stopped (the whole process group)
when the context ends.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READY = "is ready"
STARTUP_LIMIT_S = 300


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningBot:
    url: str
    ready_after_s: float
    log: list[str]


@contextmanager
def make_run(extra_env: dict[str, str] | None = None) -> Iterator[RunningBot]:
    """Runs `make run` on free ports until the context exits.

    Raises:
        RuntimeError: If the bot does not print its ready line within 300 s.
    """
    rasa_port, actions_port = free_port(), free_port()
    # The action server URL must follow ACTIONS_PORT, not an inherited setting.
    env = {k: v for k, v in os.environ.items() if k != "ACTION_ENDPOINT_URL"}
    env.update(extra_env or {})
    trackers = tempfile.TemporaryDirectory(prefix="alver-trackers-")
    if "HANDOFF_DATABASE_URL" not in env and "RASA_TRACKER_STORE_URL" not in env:
        # Rasa's trackers are kept in SQL: a fresh file per run, so fixed REST senders
        # ("nn-1") do not continue the previous run's conversations.
        env["RASA_TRACKER_STORE_URL"] = f"sqlite:///{trackers.name}/rasa-trackers.sqlite3"
    started = time.monotonic()
    process = subprocess.Popen(
        ["make", "run", f"RASA_PORT={rasa_port}", f"ACTIONS_PORT={actions_port}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env=env,
    )
    ready = threading.Event()
    log: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            log.append(line)
            if READY in line:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        deadline = time.monotonic() + STARTUP_LIMIT_S
        while not ready.is_set() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        if not ready.is_set():
            raise RuntimeError("`make run` did not become ready:\n" + "".join(log[-80:]))
        yield RunningBot(f"http://127.0.0.1:{rasa_port}", time.monotonic() - started, log)
    finally:
        _stop_group(process)
        trackers.cleanup()
    for port in (rasa_port, actions_port):
        if not _port_closed(port, within_s=20):
            _kill_group(process.pid, signal.SIGKILL)
            if not _port_closed(port, within_s=10):
                raise RuntimeError(f"port {port} still open after stopping `make run`")


def _kill_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass  # the whole group has already exited


def _stop_group(process: subprocess.Popen[str]) -> None:
    """SIGTERM to `make run` and its servers; SIGKILL if they do not stop in 30 s."""
    _kill_group(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        _kill_group(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _port_closed(port: int, within_s: float) -> bool:
    """Waits until nothing listens on 127.0.0.1:``port`` (servers may still be shutting down)."""
    deadline = time.monotonic() + within_s
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)


def staffed_env(folder: Path, secret: str) -> dict[str, str]:
    """Settings for a `make run` with staff: its own database, an open desk, loose limits.

    ``HANDOFF_ALWAYS_OPEN`` makes the desk count as open whatever the real clock says
    (tests and demos only).
    """
    return {
        "HANDOFF_DATABASE_URL": f"sqlite:///{folder}/handoff.sqlite3",
        "BOT_SECRET_KEY": secret,
        "HANDOFF_ALWAYS_OPEN": "1",
        "RATE_LIMIT_IP_PER_MIN": "2000",
        "RATE_LIMIT_CONVERSATION_PER_MIN": "200",
    }


def add_staff_user(env: dict[str, str], username: str, password: str, first_name: str) -> None:
    """Create a staff account with the staff CLI, in the database ``env`` names."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.console",
            "add-user",
            username,
            "--first-name",
            first_name,
            "--role",
            "staff",
        ],  # fmt: skip
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **env, "HANDOFF_PASSWORD": password},
    )
