"""Dialogue flows (test stories) and held-out NLU accuracy against the trained model.

Both need the model from `make train` (`make test` trains first when anything changed).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.evaluate import evaluate

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "alver.tar.gz"
# The bar for held-out intent accuracy; measured values are in the README.
ACCURACY_BAR = 0.88


@pytest.fixture(scope="module")
def model() -> Path:
    if not MODEL.is_file():
        pytest.fail(f"No trained model at {MODEL}: run `make train` (or `make test`) first.")
    return MODEL


@pytest.mark.parametrize(
    "stories",
    [
        "tests/test_stories.yml",
        # The booking form: happy path, corrections and cancel.
        "tests/booking/stories.yml",
    ],
)
def test_test_stories_pass_with_no_prediction_errors(
    model: Path, tmp_path: Path, stories: str
) -> None:
    rasa = Path(sys.executable).with_name("rasa")
    result = subprocess.run(
        [
            str(rasa),
            "test",
            "core",
            "--model",
            str(model),
            "--stories",
            stories,
            "--fail-on-prediction-errors",
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "None of the test stories failed" in (tmp_path / "failed_test_stories.yml").read_text()


def test_held_out_nlu_accuracy(model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The classifier's bar, set (issue 2) with the fallback at 0.3. The product's threshold in
    # config.yml (0.5, chosen on the held-out answer set in issue 7) sends 10 more of these
    # examples to the honest fallback (87.1 %); that trade is measured on answers, not here.
    monkeypatch.setenv("NLU_FALLBACK_THRESHOLD", "0.3")
    report = evaluate(str(model), str(ROOT / "tests" / "nlu"))
    assert report.examples >= 150
    assert (
        report.accuracy >= ACCURACY_BAR
    ), f"held-out accuracy {report.accuracy:.1%} < {ACCURACY_BAR:.0%}; mistakes: {report.mistakes}"
    # No intent may be mostly wrong, even if the average is fine.
    weak = {intent: acc for intent, acc in report.per_intent.items() if acc < 0.6}
    assert not weak, f"intents below 60 %: {weak}"
