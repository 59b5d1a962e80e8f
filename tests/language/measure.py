"""Measures written-standard detectors on tests/language/labelled.yml.

Run: ``PYTHONPATH=. .venv/bin/python tests/language/measure.py [baseline.py]``. Prints
accuracy per language, time per message and memory for the word lists (bot/language.py),
lingua-language-detector restricted to Bokmål, Nynorsk and English, and their combination.
An optional path to another version of bot/language.py is measured as "baseline".
"""

from __future__ import annotations

import importlib.util
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from bot.language import detect_by_words as detect_language
from bot.language import detect_language as shipped

LABELLED = Path(__file__).with_name("labelled.yml")
Detector = Callable[[str], str | None]


def _lingua(low_accuracy: bool) -> tuple[Detector, Detector, float]:
    """Builds lingua and "lists, then lingua for English"; returns them and load seconds."""
    start = time.perf_counter()
    from lingua import Language, LanguageDetectorBuilder

    codes = {
        Language.NYNORSK: "nn",
        Language.BOKMAL: "nb",
        Language.ENGLISH: "en",
    }
    builder = LanguageDetectorBuilder.from_languages(*codes).with_minimum_relative_distance(0.1)
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    detector = builder.with_preloaded_language_models().build()
    seconds = time.perf_counter() - start

    def lingua(text: str) -> str | None:
        found = detector.detect_language_of(text)
        return codes.get(found) if found else None

    def combined(text: str) -> str | None:
        found = detect_language(text)
        if found is None and len(text.split()) >= 2 and lingua(text) == "en":
            return "en"
        return found

    return lingua, combined, seconds


def _score(name: str, detect: Detector, cases: dict[str, list[str]]) -> None:
    row = [name]
    total = right = 0
    start = time.perf_counter()
    for label, texts in cases.items():
        expected = None if label == "none" else label
        hits = sum(detect(text) == expected for text in texts)
        row.append(f"{hits}/{len(texts)}")
        total += len(texts)
        right += hits
    micro = (time.perf_counter() - start) / total * 1e6
    row += [f"{right / total:.1%}", f"{micro:.0f} µs"]
    print(" | ".join(row))


def main() -> None:
    """Prints the table."""
    cases = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))
    print("detector | " + " | ".join(cases) + " | all | time/message")
    if len(sys.argv) > 1:
        spec = importlib.util.spec_from_file_location("baseline", sys.argv[1])
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _score("baseline lists", module.detect_language, cases)
    _score("word lists", detect_language, cases)
    _score("shipped (bot.language.detect_language)", shipped, cases)
    for low_accuracy in (True, False):
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
        lingua, combined, seconds = _lingua(low_accuracy)
        mode = "low-accuracy" if low_accuracy else "high-accuracy"
        _score(f"lingua {mode}", lingua, cases)
        _score(f"lists, then lingua {mode} for English", combined, cases)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
        print(f"lingua {mode}: load {seconds:.2f} s, max RSS {rss:.0f} → {after:.0f} MB")
    for label, texts in cases.items():
        expected = None if label == "none" else label
        for text in texts:
            got = (detect_language(text), lingua(text), combined(text))
            if expected not in got or len(set(got)) > 1:
                print(f"  {label}: {text!r}: lists={got[0]} lingua={got[1]} combined={got[2]}")


if __name__ == "__main__":
    main()
