"""``make bench``: this bot on the citizen's path against the stock Rasa starter bot.

In one run on this machine:

1. The intent evaluation on ``tests/nlu`` (``python -m bot.evaluate``).
2. Training time of this bot (from scratch) and of the stock starter bot
   (``rasa init --no-prompt`` in a temporary folder, which trains it).
3. This bot (``bin/run``: Rasa server and action server) through the widget channel (the
   citizen's real path) and through REST, and the stock bot through REST, each at 1 and 8
   concurrent conversations of 6 and 30 messages, with the same client
   (:mod:`bench.load`). Reported: msg/s, p50 and p99, time from start to ready, and the
   RSS of each process after the load.
4. With ``--compare-patches``: this bot once more with ``RASA_SPEEDUPS=0`` (the speed
   patches of :mod:`bot.rasa` off), so their gain is a ratio from the same run.

The last line is ``throughput vs stock rasa: N.Nx`` (widget channel at 8 conversations
against the stock bot at 8). Absolute numbers depend on what else runs on the machine;
ratios from one run are what to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import load, mix, servers

ROOT = servers.ROOT


def _conversations(concurrency: int, rounds: int, stock: bool) -> list[list[str]]:
    """Per round: at 1 conversation two of 6 and one of 30 messages; at N, N of each."""
    questions = mix.STOCK_MESSAGES if stock else mix.QUESTIONS
    lengths = [6, 6, 30] if concurrency == 1 else [6, 30] * concurrency
    return [
        mix.conversation(length, seed=1000 * r + i, questions=questions)
        for r in range(rounds)
        for i, length in enumerate(lengths)
    ]


def _measure(
    server: servers.Server, label: str, channels: list[str], rounds: int, stock: bool
) -> list[load.Result]:
    results = []
    for channel in channels:
        warm = _conversations(1, 1, stock)[:1]
        asyncio.run(load.run_load("warm-up", server.url, channel, warm, 1))
        for concurrency in (1, 8):
            name = f"{label} {channel} c{concurrency}"
            convs = _conversations(concurrency, rounds, stock)
            result = asyncio.run(load.run_load(name, server.url, channel, convs, concurrency))
            print(_row(result), flush=True)
            results.append(result)
    return results


def _row(r: load.Result) -> str:
    errors = f"  ({r.errors} errors: {r.error_samples[:1]})" if r.errors else ""
    return (
        f"  {r.name:<28} {r.msg_per_s:8.1f} msg/s  p50 {r.p50:7.1f} ms  "
        f"p99 {r.p99:7.1f} ms  n={r.messages}{errors}"
    )


def _evaluate(model: Path) -> None:
    print("== Intent evaluation (tests/nlu) ==", flush=True)
    subprocess.run(
        [sys.executable, "-m", "bot.evaluate", "--model", str(model)], cwd=ROOT, check=False
    )


def main(argv: list[str] | None = None) -> int:
    """Run the bench; print the table and write ``results/bench.json``."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="models/alver.tar.gz", help="used with --skip-train")
    parser.add_argument("--skip-train", action="store_true", help="do not time training")
    parser.add_argument("--skip-evaluate", action="store_true", help="no intent evaluation")
    parser.add_argument("--rounds", type=int, default=2, help="conversation sets per run")
    parser.add_argument("--compare-patches", action="store_true", help="also RASA_SPEEDUPS=0")
    parser.add_argument("--skip-stock", action="store_true", help="this bot only (no ratio)")
    parser.add_argument("--out", default="results/bench.json")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    report: dict[str, Any] = {"load_average": os.getloadavg(), "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        folder = Path(tmp)
        model = Path(args.model).resolve()
        if not args.skip_train:
            print("== Training ==", flush=True)
            model, report["train_alver_s"] = servers.train_alver(folder / "models")
            print(f"  this bot trained in {report['train_alver_s']:.1f} s", flush=True)
        if not args.skip_evaluate:
            _evaluate(model)
        stock_dir = folder / "stock"
        stock_dir.mkdir()
        if not args.skip_stock:
            report["train_stock_s"] = servers.train_stock(stock_dir)
            print(f"  stock bot (rasa init --no-prompt) trained in {report['train_stock_s']:.1f} s")

        results: list[load.Result] = []
        runs: list[tuple[str, dict[str, str]]] = [("alver", {})]
        if args.compare_patches:
            runs.insert(0, ("alver-unpatched", {"RASA_SPEEDUPS": "0"}))
        print("== Load (msg/s, client-side latency) ==", flush=True)
        for label, env in runs:
            with servers.alver(model, env) as server:
                print(f"  {label}: ready after {server.ready_s:.1f} s", flush=True)
                results += _measure(server, label, ["widget", "rest"], args.rounds, False)
                report[f"{label}_ready_s"] = server.ready_s
                report[f"{label}_rss_mb"] = server.rss_mb()
                print(f"  {label} RSS: {_rss(report[f'{label}_rss_mb'])}", flush=True)
        if not args.skip_stock:
            with servers.stock(stock_dir) as server:
                print(f"  stock: ready after {server.ready_s:.1f} s", flush=True)
                results += _measure(server, "stock", ["rest"], args.rounds, True)
                report["stock_ready_s"] = server.ready_s
                report["stock_rss_mb"] = server.rss_mb()
                print(f"  stock RSS: {_rss(report['stock_rss_mb'])}", flush=True)

    by_name = {r.name: r for r in results}
    report["results"] = [r.as_dict() for r in results]
    print("== Summary ==")
    for r in results:
        print(_row(r))
    widget1 = by_name["alver widget c1"]
    early, late = widget1.mean_at(30, range(1, 7)), widget1.mean_at(30, range(25, 31))
    short = widget1.mean_at(6, range(1, 7))
    report["flat"] = {"short_conv_ms": short, "long_first6_ms": early, "long_last6_ms": late}
    print(
        f"  cost per message (widget c1): 6-message conversations {short:.1f} ms; "
        f"30-message conversations messages 1-6 {early:.1f} ms, 25-30 {late:.1f} ms "
        f"(x{late / early if early else 0:.2f})"
    )
    if args.compare_patches:
        for channel in ("widget", "rest"):
            before = by_name[f"alver-unpatched {channel} c8"]
            after = by_name[f"alver {channel} c8"]
            print(
                f"  speed patches, {channel} c8: {before.msg_per_s:.1f} -> "
                f"{after.msg_per_s:.1f} msg/s (x{after.msg_per_s / before.msg_per_s:.2f}), "
                f"p99 {before.p99:.0f} -> {after.p99:.0f} ms"
            )
    report["load_average_after"] = os.getloadavg()
    print(f"  load average before/after: {report['load_average']} / {os.getloadavg()}")
    out = ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    if not args.skip_stock:
        ratio = by_name["alver widget c8"].msg_per_s / by_name["stock rest c8"].msg_per_s
        print(f"throughput vs stock rasa: {ratio:.1f}x")
    return 0


def _rss(values: dict[str, float]) -> str:
    return ", ".join(f"{name} {mb:.0f} MB" for name, mb in sorted(values.items()))


if __name__ == "__main__":
    started = time.monotonic()
    sys.exit(main())
