"""Starting, measuring and stopping the servers the bench talks to (all on 127.0.0.1).

* :func:`alver` runs ``bin/run`` (the README's ``make run`` without make) on free ports
  with its own temporary database and rate limits raised so they do not throttle the load.
* :func:`stock` runs the stock starter bot (``rasa init --no-prompt``) in a temporary folder.

Each server's process group is stopped when its context ends.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ROOT", "Server", "alver", "free_port", "stock", "train_alver", "train_stock"]

ROOT = Path(__file__).resolve().parents[1]
RASA = str(ROOT / ".venv" / "bin" / "rasa")
STARTUP_LIMIT_S = 300
# Rate limits of the widget API raised for the bench: the load client is one IP sending
# many conversations' messages, which the production limits (60/min per IP, 20/min per
# conversation) would throttle. See bot/web/settings.py.
BENCH_LIMITS = {
    "RATE_LIMIT_IP_PER_MIN": "1000000",
    "RATE_LIMIT_CONVERSATION_PER_MIN": "100000",
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running server under test.

    Attributes:
        url: Its base URL.
        ready_s: Seconds from start until it answered.
        pgid: Its process group.
        log: Its output lines.
    """

    url: str
    ready_s: float
    pgid: int
    log: list[str] = field(default_factory=list)

    def rss_mb(self) -> dict[str, float]:
        """Resident memory (MiB) of each process in the group, by a short name."""
        found: dict[str, float] = {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                if int(stat[2]) != self.pgid:
                    continue
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                status = Path(f"/proc/{pid}/status").read_text()
            except (OSError, IndexError, ValueError):
                continue
            rss_kb = next(
                (int(x.split()[1]) for x in status.splitlines() if x.startswith("VmRSS")), 0
            )
            words = [c.decode(errors="replace") for c in cmd if c]
            if not any("rasa" in w for w in words):
                continue
            name = "action server" if "actions" in words else "rasa server"
            found[name] = found.get(name, 0.0) + rss_kb / 1024
        return found


def _stop(process: subprocess.Popen[str]) -> None:
    for sig, wait_s in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def _started(
    cmd: list[str], cwd: Path, env: dict[str, str], url: str, ready_line: str | None
) -> Iterator[Server]:
    started = time.monotonic()
    process = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )  # fmt: skip
    log: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            log.append(line)
            if ready_line and ready_line in line:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        deadline = started + STARTUP_LIMIT_S
        while time.monotonic() < deadline and process.poll() is None and not ready.is_set():
            if ready_line is None and _answers(url):
                ready.set()
                break
            time.sleep(0.1)
        if not ready.is_set():
            raise RuntimeError(f"{cmd[0]} did not become ready:\n" + "".join(log[-60:]))
        yield Server(url, time.monotonic() - started, process.pid, log)
    finally:
        _stop(process)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as resp:  # noqa: S310 - 127.0.0.1 only
            return bool(resp.status == 200)
    except OSError:
        return False


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ACTION_ENDPOINT_URL"}
    env.update({"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"})
    env.update(extra)
    return env


def train_alver(out: Path) -> tuple[Path, float]:
    """Train this bot from scratch into ``out``; returns the model and the seconds it took."""
    started = time.monotonic()
    subprocess.run(
        [RASA, "train", "--force", "--fixed-model-name", "alver", "--out", str(out)],
        cwd=ROOT, env=_env({}), check=True, capture_output=True, text=True,
    )  # fmt: skip
    return out / "alver.tar.gz", time.monotonic() - started


def train_stock(folder: Path) -> float:
    """Create and train the stock starter bot (``rasa init --no-prompt``); returns seconds."""
    started = time.monotonic()
    subprocess.run(
        [RASA, "init", "--no-prompt", "--init-dir", str(folder)],
        cwd=folder, env=_env({}), check=True, capture_output=True, text=True,
    )  # fmt: skip
    return time.monotonic() - started


@contextmanager
def alver(
    model: Path, extra_env: dict[str, str] | None = None, root: Path = ROOT
) -> Iterator[Server]:
    """Run the bot of the checkout ``root`` (``bin/run``) with a fresh database until the end.

    ``root`` is this checkout by default; another one (e.g. ``git archive`` of a commit,
    with ``.venv`` linked) compares two versions in one run (:mod:`bench.ab`). Its code,
    not this checkout's, is imported (``PYTHONPATH``).
    """
    rasa_port, actions_port = free_port(), free_port()
    with tempfile.TemporaryDirectory(prefix="alver-bench-") as folder:
        env = _env(
            {
                "RASA_PORT": str(rasa_port),
                "ACTIONS_PORT": str(actions_port),
                "MODEL": str(model),
                "HANDOFF_DATABASE_URL": f"sqlite:///{folder}/handoff.sqlite3",
                "BOT_SECRET_KEY": "bench-" + "x" * 40,
                "PYTHONPATH": str(root),
                **BENCH_LIMITS,
                **(extra_env or {}),
            }
        )
        url = f"http://127.0.0.1:{rasa_port}"
        with _started([str(root / "bin" / "run")], root, env, url, "is ready") as server:
            yield server


@contextmanager
def stock(folder: Path) -> Iterator[Server]:
    """Run the trained stock starter bot in ``folder`` (REST channel) until the context exits."""
    port = free_port()
    cmd = [RASA, "run", "--model", "models", "--interface", "127.0.0.1", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    with _started(cmd, folder, _env({}), url + "/", None) as server:
        server.url = url
        yield server
