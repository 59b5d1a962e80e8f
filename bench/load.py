"""The load client: N concurrent conversations through the widget API or Rasa's REST channel.

The same client drives this bot and the stock starter bot. Each of ``concurrency`` workers
takes conversations from a shared queue and sends their messages one after the other,
waiting for each answer (as a citizen does). Latency is the client's time per message.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp

__all__ = ["Result", "percentile", "run_load"]


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` percentile (nearest rank) of ``values``; 0.0 if empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Result:
    """What one load run measured.

    Attributes:
        name: Label of the run, e.g. ``"alver widget c8"``.
        concurrency: Concurrent conversations.
        wall_s: Wall time of the whole run.
        latencies_ms: Time per message, in order of completion.
        by_position: Latencies keyed by the message's position in its conversation (1-based)
            and the conversation's length.
        errors: Messages that got no 2xx answer or no bot reply.
    """

    name: str
    concurrency: int
    wall_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    by_position: dict[tuple[int, int], list[float]] = field(default_factory=dict)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)

    @property
    def messages(self) -> int:
        """Messages answered."""
        return len(self.latencies_ms)

    @property
    def msg_per_s(self) -> float:
        """Throughput in messages per second."""
        return self.messages / self.wall_s if self.wall_s else 0.0

    @property
    def p50(self) -> float:
        """Median latency in ms."""
        return percentile(self.latencies_ms, 0.5)

    @property
    def p99(self) -> float:
        """99th percentile latency in ms."""
        return percentile(self.latencies_ms, 0.99)

    def mean_at(self, length: int, positions: range) -> float:
        """Mean latency of the messages at ``positions`` in conversations of ``length``."""
        values = [
            v for (pos, n), vs in self.by_position.items() if n == length and pos in positions
            for v in vs
        ]  # fmt: skip
        return statistics.fmean(values) if values else 0.0

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "name": self.name,
            "concurrency": self.concurrency,
            "messages": self.messages,
            "errors": self.errors,
            "wall_s": round(self.wall_s, 3),
            "msg_per_s": round(self.msg_per_s, 2),
            "p50_ms": round(self.p50, 1),
            "p99_ms": round(self.p99, 1),
        }


class _Widget:
    """The citizen API of the widget channel (``/webhooks/alver``), as the widget uses it."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/") + "/webhooks/alver"

    async def open(self, http: aiohttp.ClientSession) -> dict[str, str]:
        async with http.post(self.base + "/conversations", json={"language": "nn"}) as resp:
            body = await resp.json()
            if resp.status != 201:
                raise RuntimeError(f"POST /conversations answered {resp.status}: {body}")
        return {"id": body["conversation_id"], "token": body["token"]}

    async def send(self, http: aiohttp.ClientSession, conv: dict[str, str], text: str) -> str:
        url = f"{self.base}/conversations/{conv['id']}/messages"
        headers = {"Authorization": f"Bearer {conv['token']}"}
        async with http.post(url, json={"text": text}, headers=headers) as resp:
            body = await resp.json(content_type=None)
            if resp.status != 200:
                return f"HTTP {resp.status}: {str(body)[:200]}"
        senders = [m.get("sender") for m in body.get("messages", [])]
        return "" if "bot" in senders else f"no bot reply: {str(body)[:200]}"


class _Rest:
    """Rasa's REST channel (``/webhooks/rest/webhook``)."""

    def __init__(self, base: str) -> None:
        self.url = base.rstrip("/") + "/webhooks/rest/webhook"

    async def open(self, http: aiohttp.ClientSession) -> dict[str, str]:
        return {"id": "bench-" + uuid.uuid4().hex}

    async def send(self, http: aiohttp.ClientSession, conv: dict[str, str], text: str) -> str:
        async with http.post(self.url, json={"sender": conv["id"], "message": text}) as resp:
            body = await resp.json(content_type=None)
            if resp.status != 200:
                return f"HTTP {resp.status}: {str(body)[:200]}"
        # An empty list is an answer (the bot chose to say nothing); a non-list is not.
        return "" if isinstance(body, list) else f"not a list of replies: {str(body)[:200]}"


async def _worker(
    api: _Widget | _Rest,
    http: aiohttp.ClientSession,
    queue: asyncio.Queue[list[str]],
    result: Result,
) -> None:
    while True:
        try:
            messages = queue.get_nowait()
        except asyncio.QueueEmpty:
            return
        conv = await api.open(http)
        for position, text in enumerate(messages, start=1):
            started = time.perf_counter()
            error = await api.send(http, conv, text)
            elapsed = (time.perf_counter() - started) * 1000
            if error:
                result.errors += 1
                if len(result.error_samples) < 5:
                    result.error_samples.append(error)
                continue
            result.latencies_ms.append(elapsed)
            key = (position, len(messages))
            result.by_position.setdefault(key, []).append(elapsed)


async def run_load(
    name: str,
    base_url: str,
    channel: str,
    conversations: list[list[str]],
    concurrency: int,
) -> Result:
    """Send ``conversations`` with ``concurrency`` workers and measure.

    Args:
        name: Label of the run.
        base_url: The Rasa server, e.g. ``http://127.0.0.1:5005``.
        channel: ``"widget"`` or ``"rest"``.
        conversations: Each conversation's messages.
        concurrency: Conversations in flight at once.

    Returns:
        The measurements.
    """
    api: _Widget | _Rest = _Widget(base_url) if channel == "widget" else _Rest(base_url)
    queue: asyncio.Queue[list[str]] = asyncio.Queue()
    for messages in conversations:
        queue.put_nowait(messages)
    result = Result(name, concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency * 2)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        started = time.perf_counter()
        await asyncio.gather(*(_worker(api, http, queue, result) for _ in range(concurrency)))
        result.wall_s = time.perf_counter() - started
    return result
