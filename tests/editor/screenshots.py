"""Saves the README's screenshots of the editor pages: ``python -m tests.editor.screenshots``.

Runs the editor browser test (``make run`` on free ports, a copy of the fixture knowledge
base, Chromium at 1280 px) with ``SCREENSHOT_DIR=docs/screenshots``; the test saves
``docs/screenshots/editor-*.png`` on its way (closures, faq, citizen-nb, history, desks,
admin).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    """Run the browser test with screenshots on; returns pytest's exit code."""
    env = {**os.environ, "SCREENSHOT_DIR": str(ROOT / "docs" / "screenshots")}
    test = str(ROOT / "tests" / "editor" / "test_editor_browser.py")
    return subprocess.call([sys.executable, "-m", "pytest", "-q", test], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main())
