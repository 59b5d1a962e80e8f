"""Faults: the action server hanging (SIGSTOP), and no personal data in the logs.

Starts the bot with `make run`, stops the action server with SIGSTOP and checks that the
citizen gets a polite JSON answer with the phone number within 5 s, that a second
conversation is not held up, and that the first recovers after SIGCONT. The log redaction
is checked against Rasa's real exception chain for an action server's 500 answer.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from bot import rasa_patches
from tests.server import RunningBot, free_port, make_run
from tests.test_supervision import PHONE, call, started

ANSWER_LIMIT_S = 5.0
MARKER = "Blåbærsyltetøyprøve"  # no digits: the masking would hide a number anyway


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    folder = tmp_path_factory.mktemp("faults")
    with make_run({"HANDOFF_DATABASE_URL": f"sqlite:///{folder}/handoff.sqlite3"}) as running:
        yield running


def ask(bot: RunningBot, conversation: dict[str, Any], text: str) -> tuple[Any, float]:
    began = time.monotonic()
    turn = call(
        f"{bot.url}/webhooks/alver/conversations/{conversation['conversation_id']}/messages",
        {"text": text},
        conversation["token"],
    )
    return turn, time.monotonic() - began


def texts(turn: Any, sender: str) -> list[str]:
    return [m["text"] for m in turn["messages"] if m["sender"] == sender]


def test_hanging_action_server_gets_a_polite_answer_in_time(bot: RunningBot) -> None:
    [(actions_pid, _)] = started(bot.log, "action server")
    stuck = call(f"{bot.url}/webhooks/alver/conversations", {})
    other = call(f"{bot.url}/webhooks/alver/conversations", {})
    os.kill(actions_pid, signal.SIGSTOP)
    try:
        turn, took = ask(bot, stuck, f"opningstider {MARKER}")
        system = texts(turn, "system")
        assert took < ANSWER_LIMIT_S, took
        assert len(system) == 1 and PHONE in system[0], turn

        # Another conversation is not held up by the stuck one, nor is a second message.
        turn, took = ask(bot, other, "kva er opningstidene")
        assert took < ANSWER_LIMIT_S and PHONE in " ".join(texts(turn, "system")), turn
        turn, took = ask(bot, stuck, "opningstider")
        assert took < ANSWER_LIMIT_S and PHONE in " ".join(texts(turn, "system")), turn

        # The development REST channel is not held for Rasa's 300 s either.
        began = time.monotonic()
        call(f"{bot.url}/webhooks/rest/webhook", {"sender": "rest", "message": "opningstider"})
        assert time.monotonic() - began < ANSWER_LIMIT_S + 1
    finally:
        os.kill(actions_pid, signal.SIGCONT)

    turn, took = ask(bot, stuck, "opningstider")
    assert "Knarvik" in " ".join(texts(turn, "bot")), turn
    assert texts(turn, "system") == [], turn
    assert took < ANSWER_LIMIT_S
    time.sleep(1)
    leaked = [line for line in bot.log if MARKER in line]
    assert leaked == [], leaked


def _rasa_failure_for_500(body: str) -> BaseException:
    """The exception Rasa raises (and logs) when the action server answers 500."""
    try:
        try:
            raise ClientResponseError(500, "Internal Server Error", body)
        except ClientResponseError as error:
            # RemoteAction.run's handling of a non-400 ClientResponseError, and of ClientError.
            raise RuntimeError(f"Failed to run custom action 'action_x'. Error: {error}") from error
    except RuntimeError as failure:
        return failure


@pytest.mark.parametrize("logger_name", ["rasa.core.processor", "rasa.core.actions.action"])
def test_error_bodies_never_reach_the_log(
    logger_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert RemoteAction  # the patched module is Rasa's
    rasa_patches.install()
    body = '{"tracker": {"latest_message": {"text": "' + MARKER + '"}}}'
    failure = _rasa_failure_for_500(body)
    logger = logging.getLogger(logger_name)
    with caplog.at_level(logging.INFO):
        try:
            raise failure
        except RuntimeError:
            logger.exception("Encountered an exception while running action 'action_x'.")
        logger.error("Failed: %s", ClientResponseError(500, "Error", body))
    handler = logging.StreamHandler()
    formatted = [handler.format(record) for record in caplog.records]
    assert len(formatted) == 2
    assert all(MARKER not in line for line in formatted), formatted
    assert all("body=<redacted>" in line for line in formatted), formatted
    assert "Failed to run custom action 'action_x'" in formatted[0]


def test_install_sets_rasas_action_timeout() -> None:
    import rasa.core.actions.action as rasa_action

    rasa_patches.install()
    assert rasa_action.DEFAULT_REQUEST_TIMEOUT == rasa_patches.action_timeout_seconds() == 4


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", 4), ("1", 1), ("300", 300), ("0", None), ("301", None), ("x", None), ("-1", None)],
)
def test_action_timeout_setting(raw: str, expected: int | None) -> None:
    if expected is None:
        with pytest.raises(ValueError, match="ACTION_TIMEOUT_SECONDS"):
            rasa_patches.action_timeout_seconds({"ACTION_TIMEOUT_SECONDS": raw})
    else:
        assert rasa_patches.action_timeout_seconds({"ACTION_TIMEOUT_SECONDS": raw}) == expected


@pytest.mark.parametrize("status", [500, 502])
def test_real_remote_action_failure_logs_no_tracker(
    status: int, caplog: pytest.LogCaptureFixture
) -> None:
    """Rasa's RemoteAction against an action server that answers an error with the tracker."""
    asyncio.run(_remote_action_failure(status, caplog))


async def _remote_action_failure(status: int, caplog: pytest.LogCaptureFixture) -> None:
    rasa_patches.install()

    async def echo(request: web.Request) -> web.Response:
        return web.Response(status=status, text=await request.text())  # the whole tracker

    app = web.Application()
    app.router.add_post("/webhook", echo)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        action = RemoteAction("action_x", EndpointConfig(f"http://127.0.0.1:{port}/webhook"))
        tracker = DialogueStateTracker.from_events("s", [UserUttered(f"fnr {MARKER}")])
        with caplog.at_level(logging.DEBUG, logger="rasa"):
            caplog.set_level(logging.INFO)
            try:
                await action.run(CollectingOutputChannel(), None, tracker, Domain.empty())  # type: ignore[arg-type]
            except Exception:  # noqa: BLE001 - logged exactly as the processor does
                logging.getLogger("rasa.core.processor").exception(
                    "Encountered an exception while running action 'action_x'."
                )
    finally:
        await runner.cleanup()
    handler = logging.StreamHandler()
    formatted = [handler.format(r) for r in caplog.records if r.levelno >= logging.INFO]
    assert any("action_x" in line for line in formatted), formatted
    assert any("body=<redacted>" in line for line in formatted), formatted
    assert all(MARKER not in line for line in formatted), formatted
