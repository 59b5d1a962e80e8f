"""The third round's labelled forms (tests/language/check-2026-11-27b.yml) are detected.

Past tenses, definite plurals and other forms one written standard alone uses ("hjalp" /
"hjelpte", "papirene" / "papira", "frem" / "fram") decide the standard of a message.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.language import detect

CHECK = Path(__file__).with_name("check-2026-11-27b.yml")
CASES = [
    (text, None if label == "none" else label)
    for label, texts in yaml.safe_load(CHECK.read_text(encoding="utf-8")).items()
    for text in texts
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_form_of_one_standard_decides_the_message(text: str, expected: str | None) -> None:
    assert detect(text)[0] == expected
