"""Starts the bot twice (fallback threshold 0 and 1) and sweeps the fallback threshold.

    .venv/bin/python -m tests.answer_dev.threshold_sweep --cases tests/answer_dev/answers.yml

Not a test (pytest does not collect it): the figures are measured, not asserted. The model
is not retrained; ``NLU_FALLBACK_THRESHOLD`` (bot/nlu/fallback.py) sets the threshold.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from tests.server import ROOT, make_run

KB = ROOT / "tests" / "fixtures" / "knowledge_base"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--cases", default=str(ROOT / "tests" / "answer_dev" / "answers.yml"))
    parser.add_argument("--out-dir", default=str(ROOT / "results"))
    args, rest = parser.parse_known_args(argv)
    os.environ["KNOWLEDGE_BASE_DIR"] = str(KB)
    from bot.evaluate_answers.runner import evaluate
    from bot.evaluate_answers.threshold import main as threshold_main

    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    reports = {}
    for name, value in (("keep", "0"), ("fallback", "1")):
        env = {"KNOWLEDGE_BASE_DIR": str(KB), "NLU_FALLBACK_THRESHOLD": value}
        with make_run(env) as bot:
            report = evaluate(bot.url, args.cases, str(KB))
        reports[name] = out / f"threshold-{name}.json"
        reports[name].write_text(json.dumps(report, ensure_ascii=False, indent=1))
        print(f"{name} run (threshold {value}): {report['total']}", flush=True)
    return threshold_main(
        ["--keep", str(reports["keep"]), "--fallback", str(reports["fallback"]),
         "--cases", args.cases, "--kb", str(KB), *rest]
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
