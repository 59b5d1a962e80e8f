"""The scorer's "closed" rule: a negation with "open" later in the clause counts as closed.

docs/answer-evaluation.md: closed means a sentence says "stengt/stengd/closed/ikkje ope/…" and
names the day. A correct Nynorsk sentence puts the subject between "ikkje" and "ope".
"""

from __future__ import annotations

import pytest

from bot.evaluate_answers import Case, Reply, Scorer
from bot.evaluate_answers.references import CLOSED, normalise
from bot.kb import KnowledgeBase


@pytest.mark.parametrize(
    ("sentence", "closed"),
    [
        ("Laurdag 2. januar har ikkje innbyggjarservice i Knarvik ope.", True),
        ("Innbyggjarservice i Knarvik er ikkje ope laurdag 2. januar.", True),
        ("Lørdag 2. januar har ikke innbyggerservice i Knarvik åpent.", True),
        ("The service desk in Knarvik is not open on Saturday 2 January.", True),
        ("Innbyggjarservice i Knarvik er stengd 24. desember.", True),
        ("Knarvik har ope måndag til fredag kl. 09.00–15.00.", False),
        ("Eg veit ikkje, men Knarvik har ope kl. 09.00–15.00.", False),
        ("Det er ikkje sikkert. Knarvik er ope.", False),
    ],
)
def test_closed_accepts_a_negation_with_open_later_in_the_clause(sentence: str, closed: bool):
    assert bool(CLOSED.search(normalise(sentence))) is closed


@pytest.mark.parametrize(
    ("reply", "verdict"),
    [
        ("Laurdag 2. januar har ikkje innbyggjarservice i Knarvik ope.", "right"),
        ("Innbyggjarservice i Knarvik har ope måndag til fredag.", "miss"),
    ],
)
def test_a_closed_day_said_with_ikkje_before_the_subject_is_right(
    kb: KnowledgeBase, reply: str, verdict: str
):
    case = Case("t#1", ["x"], "nn", "test", {"facts": ["closed_on:2027-01-02:knarvik"]}, [])
    assert Scorer(kb).score(case, Reply([reply]))[0] == verdict
