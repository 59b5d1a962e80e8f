"""Incremental dialogue states (bot/rasa/states.py) equal Rasa's, event by event."""

from __future__ import annotations

import copy
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    FollowupAction,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa import states

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = Domain.load(str(ROOT / "domain.yml"))
RASA = Domain.states_for_tracker_history
if states.original is not None:  # the patch is installed in this process: Rasa's own
    RASA = states.original
FLAGS = [
    (False, False, None),
    (True, False, None),
    (True, True, {"rule_only_slots": ["pending_question"], "rule_only_loops": []}),
    (True, True, {"rule_only_slots": [], "rule_only_loops": ["booking_form"]}),
]


def _random_event(rng: random.Random) -> Event:
    intents = sorted(DOMAIN.intents)[:8]
    actions = ["action_listen", "utter_greet", "action_faq", "booking_form"]
    kind = rng.random()
    if kind < 0.30:
        return UserUttered("x", {"name": rng.choice(intents), "confidence": 0.9})
    if kind < 0.70:
        return ActionExecuted(rng.choice(actions), hide_rule_turn=rng.random() < 0.2)
    if kind < 0.80:
        return SlotSet("language", rng.choice(["nn", "nb", None]))
    if kind < 0.85:
        return ActiveLoop(rng.choice(["booking_form", None]))
    if kind < 0.88:
        return FollowupAction("utter_greet")
    rare = [UserUtteranceReverted(), ActionReverted(), SessionStarted(), Restarted()]
    return rare[int(rng.random() * 4)] if kind > 0.97 else SlotSet("pending_question", "x")


def _patched(tracker: DialogueStateTracker, flags: tuple[Any, ...]) -> list[Any]:
    return states.states_for_tracker_history(DOMAIN, tracker, *flags)


@pytest.fixture(autouse=True)
def _rasa_original(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(states, "original", RASA)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("flags", FLAGS, ids=["plain", "omit", "rules-slots", "rules-loops"])
def test_the_states_equal_rasas_after_every_event(seed: int, flags: tuple[Any, ...]) -> None:
    rng = random.Random(seed)
    tracker = DialogueStateTracker("c1", DOMAIN.slots)
    for _ in range(120):
        tracker.update(_random_event(rng))
        assert _patched(tracker, flags) == RASA(DOMAIN, tracker, *flags)


def test_changing_the_returned_states_does_not_change_the_next_answer() -> None:
    tracker = DialogueStateTracker("c1", DOMAIN.slots)
    for event in [ActionExecuted("action_listen"), UserUttered("x", {"name": "greet"})]:
        tracker.update(event)
    first = _patched(tracker, FLAGS[0])
    for state in first:
        for sub in state.values():
            sub.clear()
    tracker.update(ActionExecuted("utter_greet"))
    assert _patched(tracker, FLAGS[0]) == RASA(DOMAIN, tracker, *FLAGS[0])


def test_a_copy_of_the_tracker_starts_over_and_agrees() -> None:
    tracker = DialogueStateTracker("c1", DOMAIN.slots)
    rng = random.Random(99)
    for _ in range(30):
        tracker.update(_random_event(rng))
    _patched(tracker, FLAGS[2])
    twin = copy.deepcopy(tracker)
    twin.update(ActionExecuted("utter_greet"))
    assert _patched(twin, FLAGS[2]) == RASA(DOMAIN, twin, *FLAGS[2])
    assert _patched(tracker, FLAGS[2]) == RASA(DOMAIN, tracker, *FLAGS[2])


def test_later_calls_replay_only_the_new_events(monkeypatch: pytest.MonkeyPatch) -> None:
    tracker = DialogueStateTracker("c1", DOMAIN.slots)
    for n in range(200):
        tracker.update(ActionExecuted("action_listen"))
        tracker.update(UserUttered(f"q{n}", {"name": "greet", "confidence": 1.0}))
        tracker.update(ActionExecuted("utter_greet"))
    _patched(tracker, FLAGS[0])
    replayed: list[Event] = []
    run = next(iter(vars(tracker)["_alver_states_progress"].values()))
    real_update = run.replay.update
    monkeypatch.setattr(run.replay, "update", lambda e: (replayed.append(e), real_update(e)))
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("siste", {"name": "greet", "confidence": 1.0}))
    result = _patched(tracker, FLAGS[0])
    assert len(replayed) == 2
    assert result == RASA(DOMAIN, tracker, *FLAGS[0])


PATCHED_RASA = """
import sys
from bot.rasa import speedups, states
from rasa.shared.core.domain import Domain
assert speedups.install({})
assert Domain.states_for_tracker_history is states.states_for_tracker_history
from rasa.__main__ import main
sys.argv = ["rasa", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("stories", ["tests/test_stories.yml", "tests/booking/stories.yml"])
def test_the_test_stories_pass_with_the_speed_patches(tmp_path: Path, stories: str) -> None:
    model = ROOT / "models" / "alver.tar.gz"
    if not model.is_file():
        pytest.fail(f"No trained model at {model}: run `make train` first.")
    command = [sys.executable, "-c", PATCHED_RASA, "test", "core", "--model", str(model)]
    command += ["--stories", stories, "--fail-on-prediction-errors", "--out", str(tmp_path)]
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "None of the test stories failed" in (tmp_path / "failed_test_stories.yml").read_text()
