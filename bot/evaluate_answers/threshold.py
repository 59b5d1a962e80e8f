"""Picks the NLU fallback threshold from answer-evaluation data, without retraining.

A message falls back (the bot's honest "I did not understand" path) when its best intent
confidence is below the threshold. So two runs of the answer evaluation are enough for
every threshold: one with ``NLU_FALLBACK_THRESHOLD=0`` (no message falls back on low
confidence) and one with ``NLU_FALLBACK_THRESHOLD=1`` (every message falls back; see
``bot/nlu/fallback.py``). For a threshold *t*, each case's reply is the second run's when
the case's confidence (parsed here with the same model) is below *t*, else the first run's;
the scorer then gives right, honest, wrong facts per threshold. A two-turn dialogue is exact
when both turns are on the same side of *t*; otherwise its last turn decides and it is
counted as ``approx``.

    python -m bot.evaluate_answers.threshold --keep results/keep.json \
        --fallback results/fallback.json --cases tests/answer_dev/answers.yml

``python -m tests.answer_dev.threshold_sweep --cases …`` starts the bot twice and runs this.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.evaluate_answers.references import CaseError, Reply
from bot.evaluate_answers.runner import stored_replies
from bot.evaluate_answers.scoring import Case, Scorer, load_cases
from bot.kb import load_knowledge_base
from bot.privacy import mask_citizen_text

DEFAULT_THRESHOLDS = (0.0, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7)
FALLBACK_INTENT = "nlu_fallback"


@dataclass(frozen=True)
class Row:
    """The answer figures at one threshold."""

    threshold: float
    cases: int
    right: int
    honest: int
    wrong_fact: int
    fell_back: int
    approx: int
    by_language: dict[str, float]

    @property
    def right_or_honest(self) -> float:
        return round(100 * (self.right + self.honest) / max(self.cases, 1), 1)


def best_confidence(parsed: dict[str, Any]) -> float:
    """The highest confidence of a real intent (the fallback's own entry is skipped)."""
    ranking = parsed.get("intent_ranking") or [parsed.get("intent") or {}]
    scores = [
        float(r.get("confidence") or 0.0) for r in ranking if r.get("name") != FALLBACK_INTENT
    ]
    return max(scores, default=0.0)


async def _parse_all(model: str, texts: list[str], kb_dir: str) -> dict[str, float]:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    logging.getLogger("rasa").setLevel(logging.WARNING)
    kb = load_knowledge_base(kb_dir)
    agent = Agent.load(model)
    result = {}
    for text in texts:
        masked = mask_citizen_text(text, "nn", kb).text
        result[text] = best_confidence(await agent.parse_message(masked))
    return result


def confidences(model: str, cases: list[Case], kb_dir: str) -> dict[str, float]:
    """Each distinct turn's best intent confidence, parsed with ``model`` (masked first,
    as the channels do)."""
    if not Path(model).is_file():
        raise FileNotFoundError(f"No trained model at {model}; run `make train` first.")
    texts = sorted({turn for case in cases for turn in case.turns})
    return asyncio.run(_parse_all(model, texts, kb_dir))


def sweep(
    cases: list[Case],
    keep: dict[str, Reply],
    fallback: dict[str, Reply],
    confidence: dict[str, float],
    thresholds: list[float],
    scorer: Scorer,
) -> list[Row]:
    """Scores every case at every threshold from the two runs' replies."""
    missing = [c.id for c in cases if c.id not in keep or c.id not in fallback]
    if missing:
        raise CaseError(
            f"{len(missing)} cases have no reply in the two reports (e.g. {missing[0]}): run "
            "both with the same --cases"
        )
    rows = []
    for threshold in thresholds:
        verdicts: Counter[str] = Counter()
        per_language: dict[str, Counter[str]] = {}
        fell_back = approx = 0
        for case in cases:
            sides = [confidence[turn] < threshold for turn in case.turns]
            falls = sides[-1]
            approx += len(set(sides)) > 1
            fell_back += falls
            verdict, _ = scorer.score(case, (fallback if falls else keep)[case.id])
            verdicts[verdict] += 1
            per_language.setdefault(case.language, Counter())[verdict] += 1
        rows.append(
            Row(
                threshold, len(cases), verdicts["right"], verdicts["honest"],
                verdicts["wrong_fact"], fell_back, approx,
                {lang: round(100 * (c["right"] + c["honest"]) / sum(c.values()), 1)
                 for lang, c in sorted(per_language.items())},
            )
        )  # fmt: skip
    return rows


def best(rows: list[Row]) -> Row:
    """Fewest wrong facts first, then most right-or-honest, then most right, then the
    threshold nearest the middle of the tied ones (the lowest, when two tie)."""
    return max(rows, key=lambda r: (-r.wrong_fact, r.right_or_honest, r.right, -r.threshold))


def format_rows(rows: list[Row]) -> str:
    """The sweep as a table, with the chosen threshold marked."""
    chosen = best(rows)
    languages = sorted({lang for r in rows for lang in r.by_language})
    lines = [
        f"{'threshold':>9} {'r|h %':>6} {'right':>5} {'honest':>6} {'wrong':>5} "
        f"{'fallback':>8} {'approx':>6}  " + "  ".join(f"{lang:>5}" for lang in languages)
    ]
    for r in rows:
        mark = "  <- chosen" if r is chosen else ""
        lines.append(
            f"{r.threshold:>9.2f} {r.right_or_honest:>6.1f} {r.right:>5} {r.honest:>6} "
            f"{r.wrong_fact:>5} {r.fell_back:>8} {r.approx:>6}  "
            + "  ".join(f"{r.by_language.get(lang, 0.0):>5.1f}" for lang in languages)
            + mark
        )
    return "\n".join(lines)


def _thresholds(raw: str) -> list[float]:
    try:
        values = [float(v) for v in raw.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--thresholds {raw!r}: give numbers like 0.2,0.3"
        ) from None
    if not values or any(not 0.0 <= v <= 1.0 for v in values):
        raise argparse.ArgumentTypeError(f"--thresholds {raw!r}: numbers from 0 to 1")
    return values


def run(
    keep_report: str,
    fallback_report: str,
    cases_path: str,
    kb_dir: str,
    model: str,
    thresholds: list[float],
) -> list[Row]:
    """Loads the two reports, parses the confidences and sweeps the thresholds."""
    cases = load_cases(cases_path)
    scorer = Scorer(load_knowledge_base(kb_dir))
    confidence = confidences(model, cases, kb_dir)
    return sweep(
        cases,
        stored_replies(keep_report),
        stored_replies(fallback_report),
        confidence,
        thresholds,
        scorer,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", required=True, help="report of a run with threshold 0")
    parser.add_argument("--fallback", required=True, help="report of a run with threshold 1")
    parser.add_argument("--cases", default="tests/answers")
    parser.add_argument("--kb", default="tests/fixtures/knowledge_base")
    parser.add_argument("--model", default="models/alver.tar.gz")
    parser.add_argument(
        "--thresholds", type=_thresholds, default=list(DEFAULT_THRESHOLDS), help="0.2,0.3,…"
    )
    parser.add_argument("--out", default="results/threshold_sweep.json")
    args = parser.parse_args(argv)
    try:
        rows = run(args.keep, args.fallback, args.cases, args.kb, args.model, args.thresholds)
    except (CaseError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(format_rows(rows))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(
        json.dumps(
            [{**r.__dict__, "right_or_honest_pct": r.right_or_honest} for r in rows],
            indent=2,
        )
    )
    print(f"chosen: {best(rows).threshold:.2f}; report: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
