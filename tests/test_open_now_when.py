"""An "open now?" question that asks WHEN gets the weekly hours (precision4, issue 7).

"innbyggertorget i knarvik, når er det åpent" was classified "open now?" and answered only
"open now, until 15.00"; the citizen asked when the desk is open.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.opening_hours import ActionOpeningHours, asks_when
from bot.kb import KnowledgeBase
from tests.conftest import THURSDAY_MORNING, texts


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("når er det åpent i knarvik", True),
        ("kva tid har de ope på manger", True),
        ("ka tid e dokke opne", True),
        ("what time are you open", True),
        ("er de opne no", False),
        ("is knarvik open", False),
        ("har dere åpent nå", False),  # "nå" is now, not "når"
    ],
)
def test_asks_when(text: str, when: bool) -> None:
    assert asks_when(text) is when


@pytest.mark.parametrize(
    ("text", "weekly"),
    [
        ("når er det åpent i knarvik", True),
        ("kva tid er det ope i knarvik", True),
        ("er det ope i knarvik", False),
    ],
)
def test_open_now_question_that_asks_when_gets_the_weekly_hours(
    kb: KnowledgeBase, make_tracker: Callable[..., Tracker], text: str, weekly: bool
) -> None:
    dispatcher = CollectingDispatcher()
    action = ActionOpeningHours(clock=lambda: THURSDAY_MORNING, knowledge_base=lambda: kb)
    tracker = make_tracker("ask_open_now", text, {"location": "knarvik"})
    asyncio.run(action.run(dispatcher, tracker, {}))
    answer = texts(dispatcher)
    assert ("09.00–15.00" in answer) is weekly
    assert "15.00" in answer  # open now until 15.00, or the weekly hours
