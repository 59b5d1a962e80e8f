"""Save the README's screenshots of the insight page: ``python -m tests.insight.screenshots``.

Starts the in-process web server (tests/web/conftest.py's, with the insight channels and
a fake bot) on a temporary database with the seeded week (tests/insight/seed.py), signs
in as an editor in Chromium and saves ``docs/screenshots/insight-inbox.png`` and
``docs/screenshots/report-*.png``. Also returns axe-core's serious/critical findings.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from playwright.sync_api import expect, sync_playwright

from bot.kb import load_knowledge_base
from bot.web.settings import WebSettings
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, axe_violations
from tests.insight.seed import END, START, seed
from tests.insight.webserver import InsightServer
from tests.web.conftest import OPEN_TIME, STAFF_PASSWORD, FakeClock

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"


def _settings(folder: Path) -> WebSettings:
    base = WebSettings.from_env(
        {
            "HANDOFF_DATABASE_URL": f"sqlite:///{folder / 'handoff.sqlite3'}",
            "BOT_SECRET_KEY": "screenshot-secret-" + "x" * 40,
        },
        root=folder,
    )
    return replace(base, purge_interval_seconds=3600)


def take(out: Path = OUT) -> dict[str, Any]:
    """Save the screenshots to ``out``; return the files and axe findings per view."""
    kb = load_knowledge_base(ROOT / "tests" / "fixtures" / "knowledge_base")
    with tempfile.TemporaryDirectory() as folder:
        clock = FakeClock(OPEN_TIME)
        server = InsightServer(_settings(Path(folder)), clock, kb)
        try:
            seed(server.store, clock)  # type: ignore[arg-type]  # FakeClock has .now too
            clock.set(OPEN_TIME)
            server.add_staff("redaktor", "Rita", "editor")
            return _shoot(f"http://127.0.0.1:{server.port}", out)
        finally:
            server.stop()


def _shoot(url: str, out: Path) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    found: dict[str, Any] = {"files": [], "axe": {}}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(url + "/console/")
        page.get_by_test_id("console-username").fill("redaktor")
        page.get_by_test_id("console-password").fill(STAFF_PASSWORD)
        page.get_by_test_id("console-login").click()
        expect(page.get_by_test_id("console-user")).to_contain_text("Rita")
        page.goto(url + "/console/insight/")
        expect(page.get_by_test_id("insight-group").first).to_be_visible()
        found["axe"]["inbox"] = axe_violations(page)
        path = out / "insight-inbox.png"
        page.screenshot(path=str(path), full_page=True)
        found["files"].append(path)
        page.goto(f"{url}/console/insight/?from={START}&to={END}#report")
        expect(page.get_by_test_id("insight-saving")).to_contain_text("111 kr")
        page.wait_for_load_state("networkidle")
        found["axe"]["report"] = axe_violations(page)
        path = out / "report-summary.png"
        page.screenshot(path=str(path), full_page=False)
        found["files"].append(path)
        path = out / "report-charts.png"
        page.locator("img").first.scroll_into_view_if_needed()
        page.screenshot(path=str(path), full_page=False)
        found["files"].append(path)
        browser.close()
    return found


if __name__ == "__main__":
    result = take(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
    for file in result["files"]:
        print(f"saved {file}")
    print(f"axe serious/critical: {result['axe']}")
