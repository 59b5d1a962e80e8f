"""Browser-test fixtures: the real bot started with `make run`, a staff account, Chromium.

Module-scoped on purpose: Playwright's sync API runs an event loop in the main thread while
it is open, which would break later tests that call ``asyncio.run``.

Playwright drives Debian's Chromium (`/usr/bin/chromium`); it cannot download browsers here.
axe-core comes from the npm package in node_modules (installed by `.ci/run` / `npm ci`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from tests.server import ROOT, add_staff_user, make_run, staffed_env

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
STAFF_USER = "kari"
STAFF_PASSWORD = "riktig-hest-batteri-stift"
# Set SCREENSHOT_DIR to save the README's screenshots while the tests run.
SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR")


@dataclass
class Bot:
    url: str

    def page(self, path: str) -> str:
        return f"{self.url}{path}"


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    folder = tmp_path_factory.mktemp("browser")
    env = staffed_env(folder, "browser-tests-secret-key-0123456789abcdef")
    add_staff_user(env, STAFF_USER, STAFF_PASSWORD, "Kari")
    with make_run(env) as running:
        yield Bot(running.url)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `apt-get install chromium` (.ci/run does this).")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def new_citizen_context(browser: Browser) -> BrowserContext:
    """A browser context like a citizen's: a laptop window, Nynorsk locale."""
    context = browser.new_context(viewport={"width": 1100, "height": 850}, locale="nn-NO")
    context.set_default_timeout(20_000)
    return context


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = new_citizen_context(browser)
    yield context
    context.close()


@pytest.fixture
def staff_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 850})
    context.set_default_timeout(30_000)
    yield context
    context.close()


def open_chat(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_test_id("chat-launcher").click()
    expect(page.get_by_test_id("chat-input")).to_be_focused()


def send(page: Page, text: str) -> None:
    page.get_by_test_id("chat-input").fill(text)
    page.get_by_test_id("chat-send").click()


def last_message(page: Page, sender: str) -> Any:
    return page.locator(f'[data-testid=chat-message][data-sender="{sender}"]').last


def sign_in(page: Page, bot: Bot) -> None:
    page.goto(bot.page("/console/"))
    page.get_by_test_id("console-username").fill(STAFF_USER)
    page.get_by_test_id("console-password").fill(STAFF_PASSWORD)
    page.get_by_test_id("console-login").click()
    expect(page.get_by_test_id("console-user")).to_contain_text("Kari")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Runs axe-core (WCAG 2.1 A/AA rules) and returns the serious and critical violations."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (.ci/run does this).")
    # Evaluated through the DevTools protocol, not as a <script> tag: the console's CSP
    # (script-src 'self') rightly blocks inline scripts, and the page keeps its real CSP.
    page.evaluate(AXE.read_text("utf-8") + "\n;true")
    result: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
            })).violations.map(v => ({id: v.id, impact: v.impact,
                                      nodes: v.nodes.map(n => n.target.join(' '))}))"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def screenshot(page: Page, name: str) -> None:
    if SCREENSHOT_DIR:
        Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOT_DIR) / f"{name}.png"))
