"""Starts the bot (`make run`, fixture knowledge base) and runs the answer evaluation once.

    .venv/bin/python -m tests.answers.baseline [--out results/answers.json]

Not a test (pytest does not collect it): the held-out figures are measured, not asserted.
"""

from __future__ import annotations

import os
import sys

from tests.server import ROOT, make_run

KB = ROOT / "tests" / "fixtures" / "knowledge_base"


def main(argv: list[str]) -> int:
    # The action server must read the same frozen knowledge base the scorer resolves against.
    os.environ["KNOWLEDGE_BASE_DIR"] = str(KB)
    from bot.evaluate_answers.runner import main as evaluate

    with make_run({"KNOWLEDGE_BASE_DIR": str(KB)}) as bot:
        print(f"bot ready at {bot.url} after {bot.ready_after_s:.0f} s", flush=True)
        return evaluate(["--url", bot.url, "--cases", str(ROOT / "tests" / "answers"),
                         "--kb", str(KB), *argv])  # fmt: skip


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
