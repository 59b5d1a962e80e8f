"""Held-out NLU evaluation and latency benchmark for a trained model.

``python -m bot.evaluate`` parses every example in ``tests/nlu/`` (never used for
training) with the model and reports intent accuracy, the mistakes, and the parse
time per message. ``make bench`` runs it; ``tests/test_nlu_heldout.py`` asserts the bar.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

DEFAULT_MODEL = "models/alver.tar.gz"
DEFAULT_TEST_DATA = "tests/nlu"


@dataclass
class Report:
    """The outcome of one evaluation run."""

    examples: int
    correct: int
    accuracy: float
    fallback: int
    per_intent: dict[str, float]
    mistakes: list[dict[str, object]] = field(default_factory=list)
    parse_ms_median: float = 0.0
    parse_ms_p95: float = 0.0
    model_load_s: float = 0.0
    # expected intent -> predicted intent -> count, for every example (the diagonal too)
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)


async def _evaluate(model: str, test_data: str) -> Report:
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    logging.getLogger("rasa").setLevel(logging.WARNING)

    started = time.perf_counter()
    agent = Agent.load(model)
    load_s = time.perf_counter() - started
    data = load_data(test_data)
    correct, fallback, timings = 0, 0, []
    totals: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    mistakes: list[dict[str, object]] = []
    for example in data.intent_examples:
        text, gold = example.get("text"), example.get("intent")
        started = time.perf_counter()
        parsed = await agent.parse_message(text)
        timings.append((time.perf_counter() - started) * 1000)
        predicted = parsed["intent"]["name"]
        totals[gold] += 1
        pairs[(gold, predicted)] += 1
        if predicted == gold:
            correct += 1
            hits[gold] += 1
        else:
            fallback += predicted == "nlu_fallback"
            mistakes.append(
                {
                    "text": text,
                    "expected": gold,
                    "predicted": predicted,
                    "confidence": round(parsed["intent"].get("confidence") or 0.0, 3),
                }
            )
    timings.sort()
    return Report(
        examples=len(timings),
        correct=correct,
        accuracy=round(correct / max(len(timings), 1), 4),
        fallback=fallback,
        per_intent={i: round(hits[i] / totals[i], 3) for i in sorted(totals)},
        mistakes=mistakes,
        parse_ms_median=round(statistics.median(timings), 2) if timings else 0.0,
        parse_ms_p95=round(timings[int(len(timings) * 0.95) - 1], 2) if timings else 0.0,
        model_load_s=round(load_s, 2),
        confusion=confusion_matrix(pairs),
    )


def confusion_matrix(pairs: Counter[tuple[str, str]]) -> dict[str, dict[str, int]]:
    """Expected intent -> predicted intent -> count."""
    matrix: dict[str, dict[str, int]] = {}
    for (gold, predicted), count in sorted(pairs.items()):
        matrix.setdefault(gold, {})[predicted] = count
    return matrix


def top_confusions(matrix: dict[str, dict[str, int]], limit: int = 12) -> list[str]:
    """The most frequent mistakes (expected -> predicted), as readable lines.

    A full matrix of 20 intents is unreadable in a terminal; the mistakes that happen
    most are what to look at first. The full matrix is in the JSON report.
    """
    totals = {gold: sum(row.values()) for gold, row in matrix.items()}
    wrong = sorted(
        ((count, gold, predicted) for gold, row in matrix.items()
         for predicted, count in row.items() if predicted != gold),
        key=lambda item: (-item[0], item[1], item[2]),
    )  # fmt: skip
    return [
        f"  {gold:>20} -> {predicted:<20} {count:>3} of {totals[gold]}"
        for count, gold, predicted in wrong[:limit]
    ]


def evaluate(model: str = DEFAULT_MODEL, test_data: str = DEFAULT_TEST_DATA) -> Report:
    """Evaluates ``model`` on the held-out examples in ``test_data``."""
    if not Path(model).is_file():
        raise FileNotFoundError(f"No trained model at {model}; run `make train` first.")
    return asyncio.run(_evaluate(model, test_data))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--data", default=DEFAULT_TEST_DATA)
    parser.add_argument("--report", default="results/nlu_heldout.json")
    args = parser.parse_args(argv)
    report = evaluate(args.model, args.data)
    Path(args.report).parent.mkdir(parents=True, exist_ok=True)
    Path(args.report).write_text(json.dumps(asdict(report), ensure_ascii=False, indent=2))
    print(
        f"held-out intent accuracy {report.accuracy:.1%} ({report.correct}/{report.examples}), "
        f"{report.fallback} sent to fallback; parse median {report.parse_ms_median} ms, "
        f"p95 {report.parse_ms_p95} ms; model load {report.model_load_s} s"
    )
    print("top confusions (expected -> predicted, count of the expected intent's examples):")
    for line in top_confusions(report.confusion) or ["  none"]:
        print(line)
    print("mistakes:")
    for mistake in report.mistakes:
        print(
            f"  {mistake['expected']:>18} -> {mistake['predicted']:<18} "
            f"{mistake['confidence']:.2f}  {mistake['text']}"
        )
    print(f"report: {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
