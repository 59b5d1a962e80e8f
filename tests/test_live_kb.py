"""An editor's change to the live knowledge_base/ cannot break a test.

Every test reads the frozen fixture at tests/fixtures/knowledge_base; only
`make kb-check` (`python -m bot.kb check`) reads the live folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bot.kb import default_store
from bot.kb.store import DEFAULT_DIRECTORY
from tests.conftest import KB_DIR, ROOT


def test_the_suite_points_at_the_fixture() -> None:
    assert Path(os.environ["KNOWLEDGE_BASE_DIR"]) == KB_DIR
    assert KB_DIR != DEFAULT_DIRECTORY and KB_DIR.is_relative_to(ROOT / "tests" / "fixtures")


def test_default_store_loads_the_fixture() -> None:
    """The store actions and channels use (imported by `actions` at start-up)."""
    store = default_store()
    assert store.directory == KB_DIR
    assert store.get().contact.phone  # loaded, not merely configured


def _test_sources() -> list[Path]:
    return [
        path
        for path in (ROOT / "tests").rglob("*.py")
        if "fixtures" not in path.parts and path.name != Path(__file__).name
    ]


@pytest.mark.parametrize("path", _test_sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_test_names_the_live_folder(path: Path) -> None:
    """No test builds a path to the live knowledge_base/ (only to tests/fixtures/...)."""
    text = path.read_text(encoding="utf-8")
    live = re.compile(r"""(ROOT|parents\[\d\])\s*/\s*["']knowledge_base["']|DEFAULT_DIRECTORY""")
    assert not live.search(text), f"{path.name} reads the live knowledge base"
