"""An inbox group becomes an FAQ phrasing through bot.kb.writer, and the bot then answers it.

Needs the editor package's ``bot.kb.writer`` (skipped until both branches are merged).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from actions.faq import match_faq
from bot.handoff import HandoffStore
from bot.handoff.insight_moves import resolve_inbox
from bot.insight.faq_port import KbWriterAdapter
from bot.insight.web import inbox_groups
from bot.kb import load_knowledge_base

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "kor tid kjem kompostdunken"


def test_a_group_becomes_a_phrasing_the_bot_then_answers(
    store: HandoffStore, tmp_path: Path
) -> None:
    folder = tmp_path / "knowledge_base"
    shutil.copytree(ROOT / "tests" / "fixtures" / "knowledge_base", folder)
    kb = load_knowledge_base(folder)
    assert match_faq(QUESTION, kb) is None
    for text in (QUESTION, "kor tid kjem kompostdunken?"):
        conv = store.conversations.create("nn")
        store.messages.receive_citizen(conv.id, text, intent="nlu_fallback", confidence=0.2)
    [group] = inbox_groups(store, kb)
    assert group["count"] == 2
    marked = resolve_inbox(
        store,
        KbWriterAdapter(folder),
        group["message_ids"],
        "phrasing",
        account="redaktor",
        entry_id="renovasjon",
        phrasing=QUESTION,
    )
    assert marked == 2
    found = match_faq(QUESTION, load_knowledge_base(folder))
    assert found is not None and found.entry.id == "renovasjon"
    assert inbox_groups(store, kb) == []
