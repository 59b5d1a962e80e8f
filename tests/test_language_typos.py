"""Bokmål and Nynorsk as citizens type them: typos, no æøå, words run together, endings."""

from __future__ import annotations

import pytest

from bot.language import detect, detect_language, known_words


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # typos of words only one standard uses: a letter left out or added, two swapped
        ("hvordn kan du hjelpe meg", "nb"),
        ("jeg finner ikek skjemaet", "nb"),
        ("jge vil snakke med en person", "nb"),
        ("hav er telefonnummeret", "nb"),
        ("hvrodan søker jeg barnehageplass", "nb"),
        ("takk for hjelpn", "nb"),
        ("kvifro er det stengt", "nn"),
        ("korlies kontaktar eg dykk", "nn"),
        ("eg fann ikjke skjemaet", "nn"),
        # two words typed together
        ("hvakan du hjelpe meg med", "nb"),
        ("hvorligger servicekontoret i manger", "nb"),
        ("kvaer telefonnummeret", "nn"),
        # æ/ø/å typed as aa/oe on a foreign keyboard
        ("aapent i dag?", "nb"),
        ("naar kommer soeppelbilen", "nb"),
        # endings one standard alone uses
        ("ledige stillinger", "nb"),
        ("ledige stillingar", "nn"),
        ("vil ha menneskelig kontakt", "nb"),
        ("menneskeleg kontakt", "nn"),
        ("sikkerheten på skulen", "nn"),
        ("trengjer eg ein søknad", "nn"),  # "-gjer" is Nynorsk, not a typo of "trenger"
        ("koss søke me om bhg", "nn"),  # dialect "koss"
        ("kjæm bossbilen snart", "nn"),  # dialect "kjæm": one letter from "kjem"
    ],
)
def test_misspelt_and_run_together_words_tell_the_standard(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("har kommunen ledige tomter", None),  # not "tømmer": one letter replaced
        ("jo, det stemmer nok", None),  # "nok" is too short to be "noko" with a letter left out
        ("fastlegen", None),  # "-lege" is no ending of one standard
        ("hjelp", None),  # a word of the project's own texts is never a typo
        ("passordet", None),  # "passord" + "et" is one word, not two
        ("kvor", None),  # "kvar"/"hvor" differ by a replaced letter
        ("hjelpe", None),  # known, though one letter from "hjelpen" (nb) and "hjelpa" (nn)
        ("skolerute", "nb"),  # a stem, counted once (not also as two words)
    ],
)
def test_real_words_are_not_read_as_typos(text: str, language: str | None) -> None:
    assert detect_language(text) == language


def test_a_typo_is_a_weak_signal_that_does_not_switch_a_conversation() -> None:
    language, clear = detect("hvordn")
    assert (language, clear) == ("nb", False)


def test_the_project_texts_are_known_words() -> None:
    known = known_words()
    assert {"hjelp", "opningstid", "apningstid", "kontoret"} <= known
