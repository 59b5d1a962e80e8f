"""bot/nlu/word_files.py: a word-list file that is missing or malformed names itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlu.word_files import load_word_file


def _stems(data: dict[str, object]) -> tuple[str, ...]:
    return tuple(str(data["stems"]).split())


def test_a_word_file_gives_what_the_caller_builds(tmp_path: Path) -> None:
    path = tmp_path / "words.yml"
    path.write_text("stems: >\n  brann politi\n", encoding="utf-8")
    assert load_word_file(path, _stems, "'stems'") == ("brann", "politi")


@pytest.mark.parametrize(
    "content",
    [None, "- brann\n- politi\n", "words: brann\n", "stems: [brann\n"],
    ids=["missing", "a list", "no stems", "not yaml"],
)
def test_a_missing_or_malformed_word_file_names_itself(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "words.yml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(RuntimeError, match="(?s)words.yml is missing or malformed.*needs 'stems'"):
        load_word_file(path, _stems, "'stems'")
