"""``python -m bench.long``: does the cost per message grow with the conversation's length?

Starts this bot (as :func:`bench.servers.alver`), sends one long conversation (400
messages by default) through the widget channel (or REST) and prints the mean latency of
each block of messages, and the ratio of the last block to the first. Issue 11's target is
flat (the ratio near 1); before the tracker cache it was 36 ms at message 1 and 707 ms at
message 400.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
from pathlib import Path

from bench import load, mix, profile, servers


def blocks(latencies: list[float], size: int) -> list[float]:
    """Mean of each consecutive block of ``size`` latencies (the last block may be short)."""
    if size < 1:
        raise ValueError(f"The block size must be at least 1, not {size}.")
    return [
        statistics.fmean(latencies[start : start + size])
        for start in range(0, len(latencies), size)
    ]


async def _one(url: str, channel: str, messages: list[str]) -> list[float]:
    result = await load.run_load("long", url, channel, [messages], 1)
    if result.errors:
        raise RuntimeError(f"{result.errors} messages failed: {result.error_samples}")
    return [result.by_position[(i, len(messages))][0] for i in range(1, len(messages) + 1)]


def main(argv: list[str] | None = None) -> int:
    """Run one long conversation and print the latency per block of messages."""
    parser = argparse.ArgumentParser(prog="python -m bench.long")
    parser.add_argument("--model", default="models/alver.tar.gz")
    parser.add_argument("--channel", default="widget", choices=["widget", "rest"])
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--block", type=int, default=50)
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the bot")
    parser.add_argument("--profile", help="also record py-spy into this file; print its top")
    args = parser.parse_args(argv)
    env = dict(item.split("=", 1) for item in args.env)
    messages = mix.conversation(args.messages, seed=7)
    with servers.alver(Path(args.model).resolve(), env) as server:
        asyncio.run(_one(server.url, args.channel, mix.conversation(6, seed=1)))  # warm-up
        spy = None
        if args.profile:
            spy = subprocess.Popen(
                [profile.PY_SPY, "record", "--pid", str(profile.rasa_pid(server.pgid)),
                 "--format", "raw", "--rate", "100", "--output", args.profile, "--nonblocking"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        latencies = asyncio.run(_one(server.url, args.channel, messages))
        if spy is not None:
            spy.send_signal(2)
            spy.wait(timeout=60)
    means = blocks(latencies, args.block)
    for index, mean in enumerate(means):
        first = index * args.block + 1
        last = min(len(latencies), first + args.block - 1)
        print(f"  messages {first:4d}-{last:4d}: {mean:7.1f} ms")
    print(f"  last block / first block: x{means[-1] / means[0]:.2f}")
    if args.profile:
        print(profile.summarise(Path(args.profile).read_text(), 45))
    return 0


if __name__ == "__main__":
    sys.exit(main())
