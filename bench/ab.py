"""``python -m bench.ab --side base=DIR``: this checkout against others, in one run.

All bots run at once (each with its own fresh database, the same model), and the same
conversations go through the widget channel to one after the other, in turns (the order
rotates every round), so a load on the shared machine that comes and goes hits all
alike. Printed per concurrency: msg/s, p50 and p99 of each side over all rounds, and
the ratios of each side to the first one.

Another checkout of a commit, e.g.::

    git archive 182f52a | tar -x -C /tmp/base && ln -s $PWD/.venv /tmp/base/.venv
    python -m bench.ab --side base=/tmp/base --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench import load, servers
from bench.__main__ import _conversations

__all__ = ["main", "pooled"]


def pooled(name: str, results: list[load.Result]) -> load.Result:
    """One result of several runs: their latencies together, their wall times summed."""
    total = load.Result(name, results[0].concurrency if results else 0)
    for result in results:
        total.wall_s += result.wall_s
        total.latencies_ms += result.latencies_ms
        total.errors += result.errors
        total.error_samples += result.error_samples[: 5 - len(total.error_samples)]
    return total


def main(argv: list[str] | None = None) -> int:
    """Run both bots, alternate the load between them, print and write the comparison."""
    parser = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--side", action="append", required=True, help="NAME=DIR: root of another checkout"
    )
    parser.add_argument("--model", default="models/alver.tar.gz")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--channel", default="widget", choices=["widget", "rest"])
    parser.add_argument("--out", default="results/ab.json")
    args = parser.parse_args(argv)
    sides: dict[str, Path] = {}
    for item in args.side:
        name, _, folder = item.partition("=")
        root = Path(folder).resolve()
        if not name or not (root / "bin" / "run").is_file() or not (root / ".venv").exists():
            parser.error(f"--side {item}: NAME=DIR, DIR with bin/run and .venv (link it).")
        sides[name] = root
    sides["this"] = servers.ROOT
    model = (servers.ROOT / args.model).resolve()
    runs: dict[tuple[str, int], list[load.Result]] = {}
    report: dict[str, Any] = {"load_average": os.getloadavg(), "cpus": os.cpu_count()}
    with ExitStack() as stack:
        started = {
            name: stack.enter_context(servers.alver(model, root=root))
            for name, root in sides.items()
        }
        for name, server in started.items():
            warm = _conversations(1, 1, stock=False)[:1]
            asyncio.run(load.run_load("warm-up", server.url, args.channel, warm, 1))
            print(f"  {name} ({sides[name]}) ready after {server.ready_s:.1f} s", flush=True)
        for round_ in range(args.rounds):
            names = list(started)
            order = names[round_ % len(names) :] + names[: round_ % len(names)]
            for concurrency in (1, 8):
                convs = _conversations(concurrency, 1, stock=False)
                for name in order:
                    label = f"{name} {args.channel} c{concurrency}"
                    result = asyncio.run(
                        load.run_load(label, started[name].url, args.channel, convs, concurrency)
                    )
                    runs.setdefault((name, concurrency), []).append(result)
                    print(f"  round {round_ + 1}: {label}: {result.as_dict()}", flush=True)
    report["load_average_after"] = os.getloadavg()
    report["results"] = {}
    print("== Summary (all rounds pooled) ==")
    for concurrency in (1, 8):
        pooled_runs = {n: pooled(f"{n} c{concurrency}", runs[(n, concurrency)]) for n in sides}
        report["results"][f"c{concurrency}"] = {n: r.as_dict() for n, r in pooled_runs.items()}
        first = next(iter(pooled_runs.values()))
        for r in pooled_runs.values():
            ratios = ""
            if r is not first and first.msg_per_s and first.p50 and first.p99:
                ratios = (
                    f"  vs {first.name}: x{r.msg_per_s / first.msg_per_s:.2f} msg/s, "
                    f"p50 x{r.p50 / first.p50:.2f}, p99 x{r.p99 / first.p99:.2f}"
                )
            print(
                f"  {r.name:<12} {r.msg_per_s:7.1f} msg/s  p50 {r.p50:7.1f} ms  "
                f"p99 {r.p99:7.1f} ms  n={r.messages} errors={r.errors}{ratios}"
            )
    print(f"  load average before/after: {report['load_average']} / {os.getloadavg()}")
    out = servers.ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
