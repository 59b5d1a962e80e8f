"""Stored XSS in a real browser (`make run`, Chromium): citizen → console, staff → citizen.

Markup with an ``onerror`` handler is typed by the citizen and by the staff member; each
side shows it as text, no element is made of it and no script runs. (Every page script has
no HTML sink and every staff page a strict CSP: tests/web/test_security_xss.py.)
"""

from __future__ import annotations

from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import (  # noqa: F401 - fixtures of the browser tests
    Bot,
    bot,
    browser,
    context,
    last_message,
    open_chat,
    playwright,
    send,
    sign_in,
    staff_context,
)

CITIZEN_MARKUP = '<img src=x onerror="window.__xss = 1"><b>feit</b>'
STAFF_MARKUP = '<img src=x onerror="window.__xss = 2"><script>window.__xss = 3</script>'


def test_markup_is_text_on_both_sides_of_a_handoff(
    bot: Bot,  # noqa: F811
    context: BrowserContext,  # noqa: F811
    staff_context: BrowserContext,  # noqa: F811
) -> None:
    staff = staff_context.new_page()
    sign_in(staff, bot)
    citizen = context.new_page()
    open_chat(citizen, bot.page("/widget/demo.html"))
    send(citizen, "eg vil snakke med eit menneske")
    citizen.get_by_test_id("chat-quick-reply").first.click()
    expect(citizen.get_by_test_id("chat-queue-status")).to_be_visible()
    send(citizen, CITIZEN_MARKUP)  # while waiting: staff read it when they take over
    expect(last_message(citizen, "citizen")).to_contain_text(CITIZEN_MARKUP)

    queued = staff.get_by_test_id("queue-item")
    expect(queued).to_have_count(1)
    queued.first.get_by_test_id("claim-button").click()
    shown = staff.get_by_test_id("transcript-message").filter(has_text=CITIZEN_MARKUP)
    expect(shown).to_have_count(1)
    staff.get_by_test_id("reply-box").fill(STAFF_MARKUP)
    staff.get_by_test_id("reply-send").click()
    expect(last_message(citizen, "staff")).to_contain_text(STAFF_MARKUP)
    expect(staff.get_by_test_id("transcript-message").filter(has_text=STAFF_MARKUP)).to_have_count(
        1
    )

    for page in (citizen, staff):
        expect(page.locator("img[src='x']")).to_have_count(0)
        expect(page.locator("[data-testid=transcript-message] b")).to_have_count(0)
        expect(page.locator("[data-testid=chat-message] b")).to_have_count(0)
        assert page.evaluate("() => window.__xss") is None
