"""FAQ matching: reworded questions match, unrelated ones never do."""

from __future__ import annotations

import pytest

from actions.faq import match_faq
from bot.kb import KnowledgeBase

CASES = [
    ("når forfell eigedomsskatten", "eigedomsskatt"),
    ("eigedomskatt", "eigedomsskatt"),
    ("kan eg sende brev på epost", "sende_dokument_digitalt"),
    ("kan jeg sende dokumenter digitalt", "sende_dokument_digitalt"),
    ("kvifor stengjer dokke klokka tre", "kortare_opningstid"),
    ("når kjem søppelbilen", "renovasjon"),
    ("søke barnehageplass", "barnehageplass"),
    ("hvor er resepsjonen deres", "kor_mange_innbyggjarservice"),
    ("kva kostar pizza i knarvik", None),
    ("kor er kinoen", None),
    ("vêret i morgon", None),
    ("kor mange bur i alver", None),
    ("når", None),
    ("hei", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_match_faq(kb: KnowledgeBase, text: str, expected: str | None) -> None:
    match = match_faq(text, kb)
    assert (match.entry.id if match else None) == expected
