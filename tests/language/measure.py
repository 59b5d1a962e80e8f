"""Measures written-standard detectors on two labelled development sets.

Run: ``PYTHONPATH=. .venv/bin/python tests/language/measure.py [old_language.py old_words.yml]``.

- ``tests/language/labelled.yml``: short messages labelled nn, nb, en or ``none`` (no
  signal: the detector must say None, so the conversation keeps its standard);
- ``tests/answer_dev/standard.yml``: the answer development set; a case counts as right
  when the detector's standard, or Nynorsk when it says None (a new conversation's
  default), is the case's ``language``. Dialogues count their first turn.
- ``tests/answer_dev/standard2.yml``: the second round's answer development set (Bokmål
  as citizens type it: typos, no æøå, words run together), counted like the first;
- ``tests/language/check-2026-11-27.yml``: like labelled.yml, written after the word lists
  were changed and measured once, not tuned on (an estimate for unseen messages).

Prints accuracy per label and in all, and time per message, for the word lists alone,
lingua-language-detector (restricted to Bokmål, Nynorsk and English) alone in both modes,
the lists with lingua for English (both modes; high accuracy is what bot/language.py
ships), and the lists with lingua also choosing Bokmål or Nynorsk. An optional older
bot/language.py with its words.yml is measured as "old".
"""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from bot.language import detect_by_words, detect_language, words

ROOT = Path(__file__).resolve().parents[2]
Detector = Callable[[str], str | None]
CODES = {Language.NYNORSK: "nn", Language.BOKMAL: "nb", Language.ENGLISH: "en"}


def _sets() -> dict[str, list[tuple[str, str | None]]]:
    labelled = yaml.safe_load((ROOT / "tests/language/labelled.yml").read_text("utf-8"))
    dev = yaml.safe_load((ROOT / "tests/answer_dev/standard.yml").read_text("utf-8"))
    first = [(c["text"], c["language"]) for c in dev["cases"]]
    first += [(d["turns"][0], d["language"]) for d in dev["dialogues"]]
    check = yaml.safe_load((ROOT / "tests/language/check-2026-11-27.yml").read_text("utf-8"))
    dev2 = yaml.safe_load((ROOT / "tests/answer_dev/standard2.yml").read_text("utf-8"))
    second = [(c["text"], c["language"]) for c in dev2["cases"]]
    second += [(d["turns"][0], d["language"]) for d in dev2["dialogues"]]
    return {
        "labelled": [(t, None if k == "none" else k) for k, ts in labelled.items() for t in ts],
        "dev": first,
        "dev2": second,
        "check": [(t, None if k == "none" else k) for k, ts in check.items() for t in ts],
    }


def _lingua(high: bool) -> LanguageDetector:
    builder = LanguageDetectorBuilder.from_languages(*CODES).with_minimum_relative_distance(0.1)
    return builder.build() if high else builder.with_low_accuracy_mode().build()


def _alone(detector: LanguageDetector) -> Detector:
    def detect(text: str) -> str | None:
        found = detector.detect_language_of(text)
        return CODES.get(found) if found else None

    return detect


def _combined(lists: Detector, detector: LanguageDetector, norwegian: bool = False) -> Detector:
    """The lists; when silent, lingua for a message of two words or more."""
    lingua = _alone(detector)

    def detect(text: str) -> str | None:
        found = lists(text)
        if found is None and len([w for w in words(text) if w.isalpha()]) >= 2:
            guess = lingua(text)
            if guess == "en" or (norwegian and guess):
                return guess
        return found

    return detect


def _old(module_path: str, words_path: str) -> Detector:
    spec = importlib.util.spec_from_file_location("old_language", module_path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_language"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    module.word_lists.__wrapped__.__defaults__ = (Path(words_path),)
    detector: Detector = module.detect_language
    return detector


def _score(name: str, detect: Detector, sets: dict[str, list[tuple[str, str | None]]]) -> None:
    cells = [name]
    right = total = 0
    detect("warm up the models")
    start = time.perf_counter()
    for set_name, cases in sets.items():
        for label in ("nn", "nb", "en", None):
            texts = [t for t, lab in cases if lab == label]
            if not texts:
                continue
            if not set_name.startswith("dev"):
                hits = sum(detect(t) == label for t in texts)
            else:
                hits = sum((detect(t) or "nn") == label for t in texts)
            cells.append(f"{hits}/{len(texts)}")
            right += hits
            total += len(texts)
    micro = (time.perf_counter() - start) / total * 1e6
    print(" | ".join([*cells, f"{right / total:.1%}", f"{micro:.0f} µs"]))


def main() -> None:
    """Prints the table (Markdown)."""
    sets = _sets()
    print(
        "| detector | labelled nn | nb | en | none | dev nn | nb | en | dev2 nn | nb | en "
        "| check nn | nb | en | none | all | time/message |\n" + "| --- " * 18 + "|"
    )
    detectors: dict[str, Detector] = {}
    if len(sys.argv) > 2:
        detectors["old lists, then lingua (old)"] = _old(sys.argv[1], sys.argv[2])
    low, high = _lingua(high=False), _lingua(high=True)
    detectors |= {
        "lingua low-accuracy alone": _alone(low),
        "lingua high-accuracy alone": _alone(high),
        "word lists alone": detect_by_words,
        "lists, then lingua low-accuracy for English": _combined(detect_by_words, low),
        "lists, then lingua high-accuracy for English (shipped)": detect_language,
        "lists, then lingua high-accuracy for any standard": _combined(
            detect_by_words, high, norwegian=True
        ),
    }
    for name, detect in detectors.items():
        _score(f"| {name}", detect, sets)


if __name__ == "__main__":
    main()
