"""Forms one written standard alone uses, found by ending pairs (bot/language_forms.py),
and forms the other standard also allows, which must not outweigh a clear signal."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.language import ROOT, detect, score_by_words, words
from bot.language_forms import catalogue_forms, ending_pairs, paired


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # Bokmål endings whose Nynorsk pair ("lagrar", "ventar", "meldinga") only Nynorsk uses
        ("samtalen ble lagret", "nb"),
        ("jeg venter fortsatt", "nb"),
        ("meldingen kom ikke fram", "nb"),
        ("venter på svar", "nb"),
        # Nynorsk endings whose Bokmål pair ("venter", "dagene") only Bokmål uses
        ("ventar på svar", "nn"),
        ("dagane før jul", "nn"),
        # søppel / boss in compounds, typos of them, and Bokmål "-ingen"
        ("søppeltømming når?", "nb"),
        ("søpeltømming", "nb"),
        ("soppelhenting", "nb"),
        ("bosshenting", "nn"),
        ("tømmingen av dunken", "nb"),
    ],
)
def test_a_form_one_standard_alone_uses_decides(text: str, language: str) -> None:
    assert detect(text)[0] == language


@pytest.mark.parametrize(
    "text",
    [
        "kontoret",  # a neuter noun in "-et", both standards (Nynorsk "kontora" is a plural)
        "brevet",
        "passet",  # the passport, in both standards (listed as neutral)
        "ingen",  # "-ingen" needs three letters before it
        "stengetid knarvik",  # "stenge" is the Bokmål infinitive too, no Nynorsk signal
        "hjelper",
        "praten",
    ],
)
def test_a_form_both_standards_use_gives_no_signal(text: str) -> None:
    assert score_by_words(text)[0] is None


@pytest.mark.parametrize(
    ("text", "language", "clear"),
    [
        # Nynorsk forms Bokmål also allows weigh less than a word only Bokmål uses
        ("min far datt og slo hodet", "nb", False),
        ("jeg er sjuk i dag", "nb", False),
        ("jeg snakka med dere i går", "nb", True),
        ("vil dere stenge i jula", "nb", False),
        # ... and a listed word is not counted twice as a compound of its own stem
        ("soppelbilen", "nb", False),
        ("kjem bossbilen", "nn", True),
    ],
)
def test_forms_both_standards_allow_are_weak(text: str, language: str, clear: bool) -> None:
    assert detect(text) == (language, clear)


def test_catalogue_forms_are_the_words_one_standard_alone_uses_in_the_texts() -> None:
    forms = catalogue_forms(ROOT, words)
    assert {"lagra", "meldinga"} <= forms.nynorsk
    assert {"lagret", "meldingen"} <= forms.bokmal
    assert not forms.nynorsk & forms.bokmal
    assert forms.nynorsk <= forms.nynorsk_all and forms.bokmal <= forms.bokmal_all


@pytest.mark.parametrize(
    ("token", "expected"),
    [("venter", True), ("ventar", False), ("ven", False), ("klar", False), ("kler", False)],
)
def test_paired_needs_the_other_standards_form(token: str, expected: bool) -> None:
    other_only = frozenset({"ventar", "klar"})
    assert paired(token, (("er", "ar", ""),), other_only, frozenset()) is expected


def test_paired_never_reads_a_word_of_the_other_standards_texts() -> None:
    assert not paired("venter", (("er", "ar", ""),), frozenset({"ventar"}), frozenset({"venter"}))


@pytest.mark.parametrize("value", ["et:ar er", "er:", ":ar", "en:a:e:x", "en:a:"])
def test_a_malformed_ending_pair_says_how_to_fix_it(value: str) -> None:
    with pytest.raises(ValueError, match="ending:ending"):
        ending_pairs(value, Path("words.yml"))


def test_ending_pairs_are_read_in_order() -> None:
    pairs = ending_pairs("et:ar en:a:e", Path("words.yml"))
    assert pairs == (("et", "ar", ""), ("en", "a", "e"))


@pytest.mark.parametrize(
    ("token", "expected"),
    [("meldingen", True), ("ringen", False)],  # "ringe" is a known word, "meldinge" is not
)
def test_a_cancelling_ending_stops_the_pair(token: str, expected: bool) -> None:
    pairs = (("en", "a", "e"),)
    other_only = frozenset({"meldinga", "ringa"})
    known = frozenset({"ringe"})
    assert paired(token, pairs, other_only, frozenset(), known) is expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # one letter replaced in a long word only one standard uses
        ("hvorfan søker jeg", "nb"),
        ("åpningdtid i knarvik", "nb"),
        ("innbyggerdervice", "nb"),
        ("korleos søkjer ein", "nn"),
        ("opningdtid i knarvik", "nn"),
        ("eigedomsdkatt", "nn"),
    ],
)
def test_a_replaced_letter_in_a_long_signal_word_is_a_typo(text: str, language: str) -> None:
    assert detect(text)[0] == language


@pytest.mark.parametrize(
    "token",
    [
        "hvs",  # short words: a replaced letter is not counted ("kva" is not "hva")
        "kvs",
    ],
)
def test_a_replaced_letter_in_a_short_word_is_no_signal(token: str) -> None:
    assert score_by_words(token)[0] is None


def test_a_closer_typo_wins_over_a_replaced_letter() -> None:
    # "hjelpn" is "hjelpen" less a letter (Bokmål); that "hjelpa" has one letter
    # replaced (Nynorsk) must not cancel it
    assert detect("takk for hjelpn")[0] == "nb"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # the last part of a compound only one standard uses
        ("helsetjeneste", "nb"),
        ("omsorgsbolig", "nb"),
        ("gangveien er glatt", "nb"),
        ("helseteneste", "nn"),
        ("omsorgsbustad", "nn"),
        # words only one standard uses, added this round
        ("åpent i sommer", "nb"),
        ("synes dere", "nb"),
        ("henvendelsen min", "nb"),
        ("open i sommar", "nn"),
        ("førespurnaden min", "nn"),
    ],
)
def test_compound_endings_and_new_words_decide(text: str, language: str) -> None:
    assert detect(text)[0] == language
