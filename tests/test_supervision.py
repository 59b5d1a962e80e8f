"""bin/run keeps the Rasa server up and restarts a crashed action server.

Starts the bot with `make run`, kills the action server with SIGKILL, and checks the log
line, the citizen's answer while actions are down, and the restart. The last test kills the
Rasa server: then `make run` stops everything and says so.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from tests.server import RunningBot, make_run

T = TypeVar("T")
PHONE = "56 37 50 00"
RESTART_LIMIT_S = 15.0


def call(url: str, body: Any = None, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def started(log: list[str], server: str) -> list[tuple[int, int]]:
    """(pid, port) of each start of ``server`` ("action server" or "Rasa server")."""
    pattern = re.compile(rf"bin/run: \S+ {server} started \(pid (\d+), port (\d+)")
    return [(int(m[1]), int(m[2])) for line in log if (m := pattern.search(line))]


def eventually(check: Callable[[], T | None], within_s: float, what: str) -> T:
    deadline = time.monotonic() + within_s
    while True:
        try:
            result = check()
        except (OSError, urllib.error.URLError):
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {within_s} s")
        time.sleep(0.2)


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    folder = tmp_path_factory.mktemp("supervision")
    with make_run({"HANDOFF_DATABASE_URL": f"sqlite:///{folder}/handoff.sqlite3"}) as running:
        yield running


def test_killed_action_server_is_restarted_and_rasa_stays_up(bot: RunningBot) -> None:
    [(old_pid, actions_port)] = started(bot.log, "action server")
    conversation = call(f"{bot.url}/webhooks/alver/conversations", {})
    asker = call(f"{bot.url}/webhooks/alver/conversations", {})
    killed_at = time.monotonic()
    os.kill(old_pid, signal.SIGKILL)

    # A request for a person still reaches the handoff: nobody is in the console here, so
    # the citizen is offered to leave a request (with staff present they would be queued).
    handoff = call(
        f"{bot.url}/webhooks/alver/conversations/{asker['conversation_id']}/messages",
        {"text": "eg vil snakke med eit menneske"},
        asker["token"],
    )
    assert handoff["state"] == "waiting" or handoff["offline_offer"] is True, handoff

    # While the action server is down, the widget answers with the phone number.
    turn = call(
        f"{bot.url}/webhooks/alver/conversations/{conversation['conversation_id']}/messages",
        {"text": "opningstider"},
        conversation["token"],
    )
    system = [m["text"] for m in turn["messages"] if m["sender"] == "system"]
    assert len(system) == 1 and PHONE in system[0], turn
    assert call(f"{bot.url}/webhooks/rest/")["status"] == "ok"  # the Rasa server answers

    line = eventually(
        lambda: next((x for x in bot.log if "the action server stopped" in x), None),
        5,
        "no log line about the stopped action server",
    )
    assert re.search(
        r"\(exit 137, killed by signal 9 \(KILL\)\); restarting it in 1 s \(restart 1\)", line
    )
    assert re.match(r"bin/run: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ", line)

    eventually(
        lambda: call(f"http://127.0.0.1:{actions_port}/health")["status"] == "ok",
        RESTART_LIMIT_S,
        "the action server did not answer /health again",
    )
    print(f"action server answered again {time.monotonic() - killed_at:.1f} s after SIGKILL")
    [_, (new_pid, new_port)] = started(bot.log, "action server")
    assert new_pid != old_pid and new_port == actions_port

    answer = call(
        f"{bot.url}/webhooks/rest/webhook", {"sender": "after", "message": "opningstider"}
    )
    assert "Knarvik" in " ".join(m.get("text", "") for m in answer)
    assert time.monotonic() - killed_at < RESTART_LIMIT_S


def test_when_the_rasa_server_stops_everything_stops(bot: RunningBot) -> None:
    [(rasa_pid, rasa_port)] = started(bot.log, "Rasa server")
    actions_port = started(bot.log, "action server")[-1][1]
    os.kill(rasa_pid, signal.SIGKILL)
    eventually(
        lambda: any(
            "the Rasa server stopped (exit 137, killed by signal 9 (KILL)); stopping the "
            "action server" in x
            for x in bot.log
        ),
        10,
        "no log line about the stopped Rasa server",
    )
    eventually(lambda: not listening(actions_port), 20, "the action server still listens")
    assert not listening(rasa_port)
