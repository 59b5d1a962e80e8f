"""Two messages to one conversation at once are handled in order (issue 11, "Ordering")."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage

from bot.kb import KnowledgeBase
from bot.web import rasa_turn
from bot.web.settings import WebSettings

from .conftest import FakeClock, FakeTrackerStore, Server


class SlowFirstAgent:
    """A bot that thinks 0.5 s about "først" and answers "så" at once; records its order."""

    def __init__(self) -> None:
        self.tracker_store = FakeTrackerStore()
        self.handled: list[str] = []

    async def handle_message(self, message: UserMessage) -> None:
        text = message.text or ""
        if text == "først":
            await asyncio.sleep(0.5)
        self.handled.append(text)
        await message.output_channel.send_text_message(message.sender_id or "", f"Bot: {text}")


@pytest.fixture
def slow_server(
    settings: WebSettings, clock: FakeClock, kb: KnowledgeBase
) -> Iterator[tuple[Server, SlowFirstAgent]]:
    agent = SlowFirstAgent()
    running = Server(settings, clock, kb, agent=agent)
    try:
        yield running, agent
    finally:
        running.stop()


def test_two_messages_at_once_are_answered_in_the_order_they_were_stored(
    slow_server: tuple[Server, SlowFirstAgent],
) -> None:
    server, agent = slow_server
    citizen = server.new_conversation("nn")
    answers: dict[str, Any] = {}

    def say(text: str) -> None:
        answers[text] = citizen.say(text)

    first = threading.Thread(target=say, args=("først",))
    first.start()
    time.sleep(0.15)  # "så" arrives while the bot is still busy with "først"
    say("så")
    first.join(10)
    transcript = [
        (m["sender"], m["text"])
        for m in citizen.events()["messages"]
        if m["sender"] in ("citizen", "bot")
    ]
    assert agent.handled == ["først", "så"]
    assert transcript == [
        ("citizen", "først"),
        ("bot", "Bot: først"),
        ("citizen", "så"),
        ("bot", "Bot: så"),
    ]
    assert [m["text"] for m in answers["så"]["messages"]] == ["så", "Bot: så"]


def test_turn_locks_run_one_conversation_in_order_and_are_dropped_afterwards() -> None:
    order: list[str] = []

    async def turn(conversation_id: str, name: str, delay: float) -> None:
        async with rasa_turn.in_order(conversation_id):
            order.append(f"{name} start")
            await asyncio.sleep(delay)
            order.append(f"{name} end")

    async def main() -> int:
        await asyncio.gather(turn("a", "a1", 0.05), turn("a", "a2", 0), turn("b", "b1", 0.01))
        return len(rasa_turn._turn_locks.get(asyncio.get_running_loop(), {}))

    left = asyncio.run(main())
    assert order.index("a1 end") < order.index("a2 start")  # same conversation: in order
    assert order.index("b1 start") < order.index("a1 end")  # another one: not held up
    assert left == 0
