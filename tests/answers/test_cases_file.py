"""The frozen held-out answer set is well formed (fast; no server, no model).

These tests check the FORMAT of the cases only. Never change a case to make the bot pass:
see docs/answer-evaluation.md ("The freeze rule").
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.evaluate_answers import (
    Case,
    CaseError,
    Reply,
    Resolver,
    Scorer,
    check_references,
    load_cases,
)
from bot.kb import KnowledgeBase

CASES_DIR = Path(__file__).parent
FROZEN = CASES_DIR / "heldout-2026-11-27.yml"
SECOND = CASES_DIR / "heldout-2026-11-27b.yml"
THIRD = CASES_DIR / "heldout-2026-11-27c.yml"
# The categories of docs/answer-evaluation.md ("The kinds of variation"); the second file was
# written to have at least 12 cases of each.
VARIATION_CATEGORIES = (
    "desk_word", "dialect", "no_aeoeaa", "typo", "dates", "numbers", "where", "faq", "service",
    "contact", "emergency", "kb_lacks", "english", "handoff", "small_talk", "time_now",
)  # fmt: skip


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return load_cases(CASES_DIR)


@pytest.fixture(scope="module")
def scorer(kb: KnowledgeBase) -> Scorer:
    return Scorer(kb)


def test_every_reference_resolves_against_the_fixture_kb(cases: list[Case], kb: KnowledgeBase):
    assert check_references(cases, Resolver(kb)) == []


def test_every_case_has_text_language_category_and_expect(cases: list[Case]):
    for case in cases:
        assert case.turns and all(t.strip() for t in case.turns), case.id
        assert case.language in ("nn", "nb", "en"), case.id
        assert case.category and case.kind in ("facts", "honest", "chat", "handoff"), case.id


@pytest.mark.parametrize("frozen", [FROZEN, SECOND, THIRD], ids=lambda p: p.name)
def test_each_frozen_file_is_big_and_varied_enough(frozen: Path):
    single = [c for c in load_cases(frozen) if "#d" not in c.id]
    assert len(single) >= 300
    categories = Counter(c.category for c in single)
    assert len(categories) >= 8
    languages = Counter(c.language for c in single)
    assert set(languages) == {"nn", "nb", "en"}
    assert languages["en"] >= 0.15 * len(single)
    assert len({c.turns[0].lower() for c in single}) == len(single), "duplicate texts"


@pytest.mark.parametrize(
    ("path", "shares"),
    [
        (SECOND, {"nn": (0.40, 0.50), "nb": (0.35, 0.45), "en": (0.15, 0.20)}),
        (THIRD, {"nn": (0.35, 0.45), "nb": (0.35, 0.45), "en": (0.15, 0.25)}),
    ],
    ids=["second", "third"],
)
def test_the_later_frozen_files_cover_every_category_and_their_language_shares(
    path: Path, shares: dict[str, tuple[float, float]]
) -> None:
    single = [c for c in load_cases(path) if "#d" not in c.id]
    assert len(single) >= 330
    categories = Counter(c.category for c in single)
    assert {k: n for k, n in categories.items() if n < 12} == {}
    assert set(VARIATION_CATEGORIES) <= set(categories)
    languages = Counter(c.language for c in single)
    for language, (low, high) in shares.items():
        assert low <= languages[language] / len(single) <= high, (language, languages)


def test_the_third_frozen_file_weighs_bokmaal_in_every_category() -> None:
    single = [c for c in load_cases(THIRD) if "#d" not in c.id]
    assert Counter(c.language for c in single)["nb"] >= 130
    # Bokmål in every category that is not by definition another standard.
    nb_categories = {c.category for c in single if c.language == "nb"}
    assert set(VARIATION_CATEGORIES) - {"dialect", "english"} <= nb_categories


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("cases: [{text: hei, language: nn, category: x}]", "expect"),
        ("cases: [{text: hei, language: sv, category: x, expect: {honest: true}}]", "language"),
        ("cases: [{text: hei, language: nn, category: x, expect: {chat: weather}}]", "bad expect"),
        ("cases: [{text: hei, language: nn, category: x, expect: {facts: []}}]", "bad expect"),
        ("nothing: here", "cases"),
    ],
)
def test_malformed_case_files_are_refused(tmp_path: Path, raw: str, problem: str):
    file = tmp_path / "bad.yml"
    file.write_text(raw, encoding="utf-8")
    with pytest.raises(CaseError, match=problem):
        load_cases(file)


@pytest.mark.parametrize(
    "reference", ["hours:bergen", "faq:pizza", "on:2026-13-01:knarvik", "opening:knarvik"]
)
def test_unknown_references_are_refused(kb: KnowledgeBase, reference: str):
    with pytest.raises(CaseError):
        Resolver(kb)(reference)


def _case(expect: dict, language: str = "nn", wrong_if: list[str] | None = None) -> Case:
    return Case("t#1", ["x"], language, "test", expect, wrong_if or [])


@pytest.mark.parametrize(
    ("expect", "reply", "language", "verdict"),
    [
        (
            {"facts": ["hours:manger"]},
            "Innbyggjarservice på Manger (kommunehuset på Manger) har ope måndag, tysdag og "
            "torsdag kl. 09.00–15.00.",
            "nn",
            "right",
        ),
        (
            {"facts": ["hours:manger"]},
            "Innbyggjarservice i Knarvik (Knarvik Senter) har ope måndag–fredag kl. 09.00–15.00.",
            "nn",
            "wrong_fact",
        ),
        (
            {"facts": ["hours:manger"]},
            "Innbyggerservice på Manger (kommunehuset på Manger) har åpent mandag, tirsdag og "
            "torsdag kl. 09.00–15.00.",
            "nn",
            "wrong_standard",
        ),
        (
            {"facts": ["closed_on:2026-12-24:knarvik"]},
            "Innbyggjarservice i Knarvik (Knarvik Senter) har ope måndag–fredag kl. 09.00–15.00.",
            "nn",
            "wrong_fact",
        ),
        (
            {"facts": ["closed_on:2026-12-24:knarvik"]},
            "Torsdag 24. desember er innbyggjarservice i Knarvik stengd (julaftan).",
            "nn",
            "right",
        ),
        (
            {"facts": ["open_on:2026-12-28:knarvik"]},
            "Måndag 28. desember har innbyggjarservice i Knarvik ope kl. 10.00–14.00 (romjula).",
            "nn",
            "right",
        ),
        (
            {"facts": ["closed_on:2027-05-17:knarvik"]},
            "Er det akutt fare for liv og helse, ring naudnummeret med ein gong:\n• 113: ambulanse",
            "nn",
            "wrong_fact",
        ),
        (
            {"facts": ["phone"]},
            "Eg er ikkje sikker på at eg forstod deg. Kan du seie det på ein annan måte?",
            "nn",
            "honest",
        ),
        (
            {"honest": True},
            "Det kan eg diverre ikkje svare på. Eg kan hjelpe deg med opningstider.",
            "nn",
            "right",
        ),
        (
            {"honest": True},
            "Du søkjer barnehageplass digitalt på nettsida vår. Der står også søknadsfristen.",
            "nn",
            "wrong_fact",
        ),
        (
            {"facts": ["closed_on:2026-12-24:knarvik"]},
            "Slik er det akkurat no:\n• Knarvik: stengt, opnar i dag kl. 09.00",
            "nn",
            "miss",
        ),
        (
            {"facts": ["closed_on:2026-11-30:frekhaug"]},
            "Nei, innbyggerservice på Frekhaug har ikke åpent på mandag. Der er det åpent "
            "onsdag og fredag kl. 09.00–15.00.",
            "nb",
            "right",
        ),
        (
            {"facts": ["faq:renovasjon"]},
            "Tømmeplan og svar om avfall og renovasjon finn du på nettsida vår.",
            "nb",
            "wrong_standard",
        ),
        (
            {"facts": ["now:all"]},
            "Åpningstider: Knarvik mandag–fredag kl. 09.00–15.00",
            "nb",
            "right",
        ),
        ({"facts": ["phone"]}, "Du når innbyggerservice på telefon 56 37 50 00.", "nb", "right"),
        ({"handoff": True}, "Would you like me to pass you on to a person?", "en", "right"),
        ({"chat": "thanks"}, "Bare hyggelig! Er det noe mer?", "nb", "right"),
        ({"chat": "greet"}, "Ha det bra! Du er velkommen tilbake.", "nb", "miss"),
    ],
)
def test_the_scorer_on_typical_replies(
    scorer: Scorer, expect: dict, reply: str, language: str, verdict: str
):
    assert scorer.score(_case(expect, language), Reply(reply.split("\n")))[0] == verdict


def test_wrong_if_wins(scorer: Scorer):
    case = _case({"handoff": True}, wrong_if=["emergency:ambulanse"])
    reply = Reply(["Vil du at eg set deg over til ein person?", "• 113: ambulanse"])
    assert scorer.score(case, reply)[0] == "wrong_fact"
