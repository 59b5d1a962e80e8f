"""Incremental dialogue states: the policies' cost per message stops growing with the conversation.

Before every prediction Rasa's policies call ``Domain.states_for_tracker_history``, which
replays *all* events of the tracker into a fresh tracker and builds a state before each
action, so a message late in a long conversation costs far more than an early one (with
:mod:`bot.rasa.tracker_cache` the tracker store no longer does that; the policies did).

:func:`states_for_tracker_history` is a drop-in for that method that keeps its progress
on the tracker (the replayed tracker, the states so far and the loop's variables) and,
the next time, replays only the events added since. It falls back to a full replay (and
starts over) whenever the result could differ:

* the events are not an extension of the ones seen (a different or shortened list, or
  a tracker with a maximum history, whose oldest events drop out);
* a new event rewrites history: ``Restarted``, ``SessionStarted``, ``ActionReverted``,
  ``UserUtteranceReverted``, an ``ActiveLoop`` that starts a loop, or an action of a
  loop (Rasa's ``applied_events`` may undo earlier events for those);
* another domain, or other arguments.

The result is the same list of states as Rasa's (tested against it event by event), with
each state copied two levels deep, as callers change the last state in place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
)

__all__ = ["original", "states_for_tracker_history"]

State = dict[str, dict[str, Any]]
_ATTRIBUTE = "_alver_states_progress"
_REWRITES = (Restarted, SessionStarted, ActionReverted, UserUtteranceReverted)
original: Any = None
"""Rasa's own ``Domain.states_for_tracker_history`` (set by :func:`bot.rasa.speedups.install`)."""


class _Progress(dict[Any, "_Replay"]):
    """Per-arguments progress kept on a tracker; a (deep) copy of the tracker starts empty."""

    def __copy__(self) -> _Progress:
        return _Progress()

    def __deepcopy__(self, memo: dict[int, Any]) -> _Progress:
        return _Progress()


@dataclass
class _Replay:
    domain: Any
    replay: Any
    seen: int = 0
    last_event: Any = None
    loop_names: set[str] = field(default_factory=set)
    states: list[State] = field(default_factory=list)
    last_ml: Any = None
    turn_was_hidden: bool = False


def _step(
    domain: Any,
    run: _Replay,
    hide_rule_turn: bool,
    flags: tuple[bool, bool, Any],
    states: list[State],
) -> tuple[Any, bool]:
    """One iteration of Rasa's loop in ``states_for_tracker_history`` (appends to ``states``)."""
    omit_unset_slots, ignore_rule_only_turns, rule_only_data = flags
    tracker = run.replay
    last_ml, turn_was_hidden = run.last_ml, run.turn_was_hidden
    if ignore_rule_only_turns:
        if not turn_was_hidden:
            last_ml = domain._get_prev_action_sub_state(tracker)
        if not tracker.followup_action and not tracker.latest_action_name == (
            tracker.active_loop_name
        ):
            turn_was_hidden = hide_rule_turn
        if turn_was_hidden:
            return last_ml, turn_was_hidden
    state = domain.get_active_state(tracker, omit_unset_slots=omit_unset_slots)
    if ignore_rule_only_turns:
        domain._remove_rule_only_features(state, rule_only_data)
        if states:
            domain._substitute_rule_only_user_input(state, states[-1])
        if last_ml:
            state[PREVIOUS_ACTION] = last_ml
    states.append(domain._clean_state(state))
    return last_ml, turn_was_hidden


def _new_events(tracker: Any, run: _Replay) -> list[Any] | None:
    """The events added since ``run``, or None if ``run`` cannot be continued."""
    events = tracker.events
    count = len(events)
    if run.seen > count or (run.seen and events[run.seen - 1] is not run.last_event):
        return None
    new = [events[i] for i in range(run.seen, count)]
    for event in new:
        if isinstance(event, _REWRITES) or (isinstance(event, ActiveLoop) and event.name):
            return None
        if isinstance(event, ActionExecuted) and event.action_name in run.loop_names:
            return None
    return new


def states_for_tracker_history(
    self: Any,
    tracker: Any,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[State]:
    """``Domain.states_for_tracker_history``, continuing from the last call on this tracker."""
    if getattr(tracker.events, "maxlen", None) is not None:
        return list(
            original(self, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        )
    key = (
        omit_unset_slots,
        ignore_rule_only_turns,
        json.dumps(rule_only_data, sort_keys=True, default=str),
    )
    progress = getattr(tracker, _ATTRIBUTE, None)
    if not isinstance(progress, _Progress):
        progress = _Progress()
        setattr(tracker, _ATTRIBUTE, progress)
    run = progress.get(key)
    new = _new_events(tracker, run) if run is not None and run.domain is self else None
    if run is None or new is None:  # start over
        names = {e.name for e in tracker.events if isinstance(e, ActiveLoop) and e.name}
        run = _Replay(self, tracker.init_copy(), loop_names=names)
        progress[key] = run
        new = list(tracker.applied_events())
    flags = (omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    try:
        for event in new:
            if isinstance(event, ActionExecuted):
                run.last_ml, run.turn_was_hidden = _step(
                    self, run, event.hide_rule_turn, flags, run.states
                )
            run.replay.update(event)
    except BaseException:
        progress.pop(key, None)  # half replayed: start over next time
        raise
    run.seen = len(tracker.events)
    run.last_event = tracker.events[-1] if run.seen else None
    result = [_copy(state) for state in run.states]
    _step(self, run, False, flags, result)  # the state after the last event: not kept
    if len(result) > len(run.states):  # it holds the replayed tracker's own dicts
        result[-1] = _copy(result[-1])
    return result


def _copy(state: State) -> State:
    return {kind: dict(sub) for kind, sub in state.items()}
