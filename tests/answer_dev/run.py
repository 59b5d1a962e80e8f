"""Starts the bot (`make run`, fixture knowledge base) and scores one development answer set.

    .venv/bin/python -m tests.answer_dev.run --cases tests/answer_dev/dev3.yml [--out FILE]

Not a test (pytest does not collect it): the figures are measured, not asserted. Only for
the development sets in tests/answer_dev/; the held-out sets have tests/answers/baseline.py.
"""

from __future__ import annotations

import argparse
import os
import sys

from tests.server import ROOT, make_run

KB = ROOT / "tests" / "fixtures" / "knowledge_base"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--cases", action="append", required=True,
                        help="a development case file (repeat for several)")  # fmt: skip
    args, rest = parser.parse_known_args(argv)
    for cases in args.cases:
        if "tests/answers" in cases.replace(os.sep, "/"):
            parser.error(f"{cases} is a held-out set: use tests/answers/baseline.py, not this.")
    os.environ["KNOWLEDGE_BASE_DIR"] = str(KB)
    from bot.evaluate_answers.runner import main as evaluate

    code = 0
    with make_run({"KNOWLEDGE_BASE_DIR": str(KB)}) as bot:
        print(f"bot ready at {bot.url} after {bot.ready_after_s:.0f} s", flush=True)
        for cases in args.cases:
            out = list(rest)
            if len(args.cases) > 1 and "--out" in out:
                index = out.index("--out") + 1
                stem = os.path.splitext(os.path.basename(cases))[0]
                out[index] = out[index].replace(".json", f"-{stem}.json")
            code = max(code, evaluate(["--url", bot.url, "--cases", cases, "--kb", str(KB), *out]))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
