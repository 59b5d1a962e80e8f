"""Preview (issue 8): the actions' own code answers with the unsaved change, in nn and nb."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.editor import preview
from bot.editor.plans import build_plan
from bot.kb.kbfile import read_entry


def _parse(intent: str, **entities: str) -> dict:
    return {
        "text": "er manger ope på onsdag?",
        "intent": {"name": intent},
        "entities": [{"entity": k, "value": v} for k, v in entities.items()],
    }


def test_editor_preview_desk_hours_before_saving(kb_dir: Path) -> None:
    before = (kb_dir / "service_desks.yml").read_text(encoding="utf-8")
    desk, version = read_entry(kb_dir, "locations:manger")
    hours = {**desk["opening_hours"], "wednesday": "10:00-14:00"}
    plan = build_plan("desk", "manger", {"version": version, "opening_hours": hours})
    kb = preview.changed_knowledge_base(kb_dir, plan)
    parse = _parse("ask_opening_hours", location="manger", weekday="wednesday")
    result = asyncio.run(preview.answer("er manger ope på onsdag?", parse, kb))
    assert result["action"] == "action_opening_hours"
    assert "10.00–14.00" in " ".join(result["nn"]) and "onsdag" in " ".join(result["nn"])
    assert "10.00–14.00" in " ".join(result["nb"])
    saved = asyncio.run(
        preview.answer(
            "er manger ope på onsdag?", parse, preview.changed_knowledge_base(kb_dir, None)
        )
    )
    assert "10.00–14.00" not in " ".join(saved["nn"])
    assert (kb_dir / "service_desks.yml").read_text(encoding="utf-8") == before


def test_editor_preview_maps_intents_by_the_rules() -> None:
    rules = preview.rule_actions()
    assert rules["ask_opening_hours"] == "action_opening_hours"
    assert rules["greet"] == "utter_greet"
    assert rules["nlu_fallback"] == "action_not_understood"
