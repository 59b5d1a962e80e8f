"""``python -m bench.profile``: py-spy profile of the Rasa server under the widget load.

Starts this bot (as :func:`bench.servers.alver`), records the Rasa server process with
``py-spy record`` (collapsed stacks) while 8 conversations run through the widget
channel, and prints the functions with the most samples (own and cumulative).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import subprocess
import sys
from pathlib import Path

from bench import load, servers
from bench.__main__ import _conversations

PY_SPY = str(servers.ROOT / ".venv" / "bin" / "py-spy")


def rasa_pid(pgid: int) -> int:
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        words = [c.decode(errors="replace") for c in cmd if c]
        if int(stat[2]) == pgid and any(w.endswith("rasa") for w in words):
            if "actions" not in words:
                return int(pid)
    raise RuntimeError("No Rasa server process found in the bench's process group.")


def summarise(collapsed: str, top: int) -> str:
    """The ``top`` frames by cumulative share of the samples in py-spy's collapsed output."""
    total = 0
    cumulative: collections.Counter[str] = collections.Counter()
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        for frame in set(stack.split(";")):
            cumulative[frame] += n
    rows = [f"{100 * n / total:5.1f}%  {frame}" for frame, n in cumulative.most_common(top)]
    return f"{total} samples\n" + "\n".join(rows)


def main() -> int:
    """Profile and print the summary."""
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--model", default="models/alver.tar.gz")
    parser.add_argument("--channel", default="widget", choices=["widget", "rest"])
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the bot")
    parser.add_argument("--out", default="results/profile.txt")
    parser.add_argument("--top", type=int, default=60)
    args = parser.parse_args()
    env = dict(item.split("=", 1) for item in args.env)
    out = servers.ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    with servers.alver(Path(args.model).resolve(), env) as server:
        pid = rasa_pid(server.pgid)
        raw = out.with_suffix(".collapsed")
        spy = subprocess.Popen(
            [PY_SPY, "record", "--pid", str(pid), "--format", "raw", "--rate", "200",
             "--output", str(raw), "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        convs = _conversations(8, 1, stock=False)
        result = asyncio.run(load.run_load("profile", server.url, args.channel, convs, 8))
        spy.send_signal(2)
        spy.wait(timeout=60)
    text = f"{result.as_dict()}\n" + summarise(raw.read_text(), args.top)
    out.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
