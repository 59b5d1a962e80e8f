"""A staff member's unsent reply stays with its conversation (one draft per conversation).

Two citizens ask for a person; the staff member claims both and switches between them
while typing. Runs on the real bot started with `make run` (tests/browser/conftest.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import (
    Bot,
    last_message,
    new_citizen_context,
    open_chat,
    send,
    sign_in,
)

DRAFT_A = "Hei! Byggesaka di er motteken, du får svar innan tre veker."
DRAFT_B = "Hei! Eg ser på eigedomsskatten din no."


@pytest.fixture
def second_context(browser: Browser) -> Iterator[BrowserContext]:
    context = new_citizen_context(browser)
    yield context
    context.close()


def ask_for_a_person(citizen: Page, bot: Bot) -> None:
    open_chat(citizen, bot.page("/widget/demo.html"))
    send(citizen, "eg vil snakke med eit menneske")
    citizen.get_by_test_id("chat-quick-reply").first.click()
    expect(citizen.get_by_test_id("chat-queue-status")).to_be_visible()


def claim_next(staff: Page) -> str:
    """Claims the only waiting conversation and returns its id."""
    item = staff.get_by_test_id("queue-item")
    expect(item).to_have_count(1)
    conversation_id = item.first.get_attribute("data-conversation-id")
    assert conversation_id
    item.first.get_by_test_id("claim-button").click()
    expect(staff.get_by_test_id("reply-box")).to_be_enabled()
    # The sidebar has settled (queue item gone, conversation under "Mine"): no click lands
    # on an item that moves.
    expect(staff.get_by_test_id("queue-item")).to_have_count(0)
    expect(
        staff.locator(f'[data-testid=mine-item][data-conversation-id="{conversation_id}"]')
    ).to_be_visible()
    return conversation_id


def open_mine(staff: Page, conversation_id: str) -> None:
    item = staff.locator(f'[data-testid=mine-item][data-conversation-id="{conversation_id}"]')
    item.get_by_test_id("mine-item-open").click()
    expect(item).to_have_class(re.compile(r"\bis-current\b"))
    expect(staff.get_by_test_id("reply-box")).to_be_enabled()


def stored_drafts(staff: Page) -> dict[str, str]:
    raw = staff.evaluate("() => sessionStorage.getItem('alverConsole.drafts')")
    drafts: dict[str, str] = json.loads(raw)["drafts"] if raw else {}
    return drafts


def test_console_keeps_one_draft_per_conversation(
    bot: Bot,
    context: BrowserContext,
    second_context: BrowserContext,
    staff_context: BrowserContext,
) -> None:
    staff = staff_context.new_page()
    sign_in(staff, bot)
    citizen_a, citizen_b = context.new_page(), second_context.new_page()
    ask_for_a_person(citizen_a, bot)
    id_a = claim_next(staff)
    ask_for_a_person(citizen_b, bot)
    id_b = claim_next(staff)
    box = staff.get_by_test_id("reply-box")

    # Type in A, switch to B: B's box is empty. Type in B, back to A: A's draft is back.
    open_mine(staff, id_a)
    expect(box).to_have_value("")
    box.fill(DRAFT_A)
    open_mine(staff, id_b)
    expect(box).to_have_value("")
    box.fill(DRAFT_B)
    open_mine(staff, id_a)
    expect(box).to_have_value(DRAFT_A)
    open_mine(staff, id_b)
    expect(box).to_have_value(DRAFT_B)

    # A reload keeps both drafts (sessionStorage).
    staff.reload()
    expect(staff.get_by_test_id("console-user")).to_contain_text("Kari")
    open_mine(staff, id_a)
    expect(box).to_have_value(DRAFT_A)
    assert stored_drafts(staff) == {id_a: DRAFT_A, id_b: DRAFT_B}

    # Enter sends A's draft to A's citizen only, and clears A's draft.
    box.press("Enter")
    expect(last_message(citizen_a, "staff")).to_contain_text(DRAFT_A)
    expect(box).to_have_value("")
    open_mine(staff, id_b)
    expect(box).to_have_value(DRAFT_B)
    open_mine(staff, id_a)
    expect(box).to_have_value("")
    assert stored_drafts(staff) == {id_b: DRAFT_B}
    citizen_b.wait_for_timeout(1000)
    expect(citizen_b.locator('[data-testid=chat-message][data-sender="staff"]')).to_have_count(0)

    # Closing B drops its draft.
    open_mine(staff, id_b)
    staff.get_by_test_id("close-button").click()
    staff.get_by_test_id("confirm-yes").click()  # the console asks first
    expect(box).to_have_value("")
    expect(box).to_be_disabled()
    assert stored_drafts(staff) == {}
