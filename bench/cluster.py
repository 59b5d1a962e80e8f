"""Throughput on two instances behind nginx against one instance: ``python -m bench.cluster``.

Starts the production layout of tests/cluster/layout.py on this machine (PostgreSQL, Redis,
two bot instances each with its action server, nginx round robin; everything on 127.0.0.1,
stopped at the end; ``TEST_POSTGRES_URL`` to use a running PostgreSQL, else a throw-away
initdb), then, in one run, drives the bench's load client (bench/load.py, the widget
channel, the conversation mix of bench/mix.py) against instance A alone and against nginx
over both, alternating (``--repeat`` pairs). Prints msg/s, p50 and p99 of each run, the
ratio of each pair and their median (the last line); writes ``results/cluster.json``.

Both instances share one machine's cores here, so the ratio shows the cost of the shared
stores and the proxy more than the gain of a second machine. Not a timed test. Needs
Debian's ``nginx``, ``redis-server`` and ``postgresql`` (``make test-cluster`` installs them).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
from pathlib import Path
from typing import Any

from bench import load, mix
from bench.servers import BENCH_LIMITS, ROOT

__all__ = ["main"]


def _conversations(concurrency: int, rounds: int) -> list[list[str]]:
    """Per round, ``concurrency`` conversations of 6 and as many of 30 messages."""
    return [
        mix.conversation(length, seed=7000 * r + i)
        for r in range(rounds)
        for i, length in enumerate([6, 30] * concurrency)
    ]


def _row(result: load.Result) -> str:
    return (
        f"  {result.name:<32} {result.msg_per_s:7.1f} msg/s  p50 {result.p50:7.1f} ms  "
        f"p99 {result.p99:7.1f} ms  errors {result.errors}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the comparison; print the table and the ratio."""
    parser = argparse.ArgumentParser(prog="python -m bench.cluster", description=__doc__)
    parser.add_argument("--concurrency", type=int, default=8, help="conversations at once")
    parser.add_argument("--rounds", type=int, default=1, help="conversation sets per run")
    parser.add_argument("--repeat", type=int, default=2, help="alternating pairs of runs")
    parser.add_argument("--out", default="results/cluster.json")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    # The tests' helpers start the layout; the fixture knowledge base like the tests.
    os.environ.setdefault("KNOWLEDGE_BASE_DIR", str(ROOT / "tests/fixtures/knowledge_base"))
    from tests.cluster.layout import cluster_layout

    report: dict[str, Any] = {"load_average": os.getloadavg(), "cpus": os.cpu_count()}
    print("== Starting PostgreSQL, Redis, two instances and nginx ==", flush=True)
    with cluster_layout(2, dict(BENCH_LIMITS)) as layout:
        print(
            "  instances ready after " + ", ".join(f"{s:.1f} s" for s in layout.started_s.values()),
            flush=True,
        )
        targets = [
            ("one instance", layout.instances[0].url),
            ("two instances via nginx", layout.proxy_url),
        ]
        for _, url in targets:  # warm both instances (first parses, caches, connections)
            asyncio.run(load.run_load("warm-up", url, "widget", [mix.conversation(6, 1)] * 4, 4))
        results: list[load.Result] = []
        ratios = []
        for repeat in range(args.repeat):  # alternate, so load from elsewhere hits both alike
            pair = []
            for label, url in targets:
                convs = _conversations(args.concurrency, args.rounds)
                name = f"{label} c{args.concurrency} #{repeat + 1}"
                result = asyncio.run(load.run_load(name, url, "widget", convs, args.concurrency))
                print(_row(result), flush=True)
                pair.append(result)
            results += pair
            ratios.append(pair[1].msg_per_s / pair[0].msg_per_s if pair[0].msg_per_s else 0.0)
    ratio = statistics.median(ratios)
    report.update(
        results=[r.as_dict() for r in results],
        ratios=[round(r, 2) for r in ratios],
        ratio=round(ratio, 2),
        load_average_after=os.getloadavg(),
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; ratios "
        + ", ".join(f"{r:.2f}" for r in ratios),
        flush=True,
    )
    print(f"two instances vs one: {ratio:.2f}x", flush=True)
    errors = sum(r.errors for r in results)
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
