"""A working day in the console: two staff members, three citizens, on the real bot.

Status and capacity decide who gets chats; a transfer with a note; unread badges and
the title count; a citizen leaving; history search finding a closed conversation; a
meeting booked through the form, marked booked on Møteførespurnader and confirmed in the
citizen's open widget; the keyboard help; axe at 320 and 1280 px on console and widget.
Citizens use the widget's HTTP API; the booking citizen's tab then shows the widget with
that conversation (as after a page change). With SCREENSHOT_DIR set, the README's console
screenshots are saved (docs/screenshots/console-*.png, see tests/browser/console_screenshots.sh).
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import Bot, axe_violations, screenshot
from tests.server import add_staff_user, make_run, staffed_env

PASSWORD = "riktig-hest-batteri-stift"
QUESTIONS = {
    "a": "Kva er opningstidene til servicetorget i Knarvik?",
    "b": "Korleis søkjer eg om parkeringsløyve for rørslehemma?",
    "c": "Når blir snøen brøyta i Manger sentrum?",
}


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    """`make run` with two staff members; a citizen who leaves drops out after 1 s."""
    folder = tmp_path_factory.mktemp("workday")
    env = staffed_env(folder, "browser-workday-secret-key-0123456789abcdef")
    env["CITIZEN_LEAVE_GRACE_SECONDS"] = "1"
    add_staff_user(env, "kari", PASSWORD, "Kari")
    add_staff_user(env, "ola", PASSWORD, "Ola")
    with make_run(env) as running:
        yield Bot(running.url)


@dataclass
class Citizen:
    bot: Bot
    conversation_id: str
    token: str

    def call(self, method: str, suffix: str, body: Any = None) -> tuple[int, Any]:
        url = self.bot.page(f"/webhooks/alver/conversations/{self.conversation_id}{suffix}")
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        request.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(request, timeout=60) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None

    def say(self, text: str, payload: str | None = None) -> dict[str, Any]:
        body = {"text": text, **({"payload": payload} if payload else {})}
        status, data = self.call("POST", "/messages", body)
        assert status == 200
        return dict(data)

    def press(self, data: dict[str, Any], title: str | re.Pattern[str]) -> dict[str, Any]:
        """Presses the last offered button whose title matches (as the widget would)."""
        for message in reversed(data["messages"]):
            for button in message.get("buttons") or []:
                if re.search(title, button["title"]):
                    return self.say(button["title"], button["payload"])
        raise AssertionError(f"no button {title!r} in {data['messages']}")

    def book_meeting(self, name: str, description: str) -> dict[str, Any]:
        """Books a meeting at Manger about byggesak through the form; the sent answer."""
        data = self.press(self.say("Eg vil booke eit møte med ein saksbehandlar"), "Byggesak")
        data = self.press(self.press(data, "^Manger"), r"^(måndag|tysdag|torsdag) ")
        assert "Kva heiter du?" in data["messages"][-1]["text"], data
        data = self.say(name)
        assert "Skriv kort kva du vil snakke om" in data["messages"][-1]["text"], data
        return self.press(self.say(description), "Send førespurnaden")

    def ask_for_a_person(self) -> dict[str, Any]:
        """Asks for a person; answers yes if the bot asks to confirm."""
        data = self.say("Eg vil snakke med eit menneske")
        for message in reversed(data["messages"]):
            for button in message.get("buttons") or []:
                if button["payload"] in ("/affirm", "/request_human"):
                    return self.say(button["title"], button["payload"])
        return data


def new_citizen(bot: Bot, question: str) -> Citizen:
    request = urllib.request.Request(
        bot.page("/webhooks/alver/conversations"),
        data=json.dumps({"language": "nn"}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as resp:
        data = json.loads(resp.read())
    citizen = Citizen(bot, data["conversation_id"], data["token"])
    citizen.say(question)
    return citizen


@pytest.fixture
def staff_pages(browser: Browser) -> Iterator[tuple[Page, Page]]:
    contexts: list[BrowserContext] = []
    pages = []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(30_000)
        contexts.append(context)
        pages.append(context.new_page())
    yield pages[0], pages[1]
    for context in contexts:
        context.close()


def sign_in(page: Page, bot: Bot, username: str, name: str) -> None:
    page.goto(bot.page("/console/"))
    page.get_by_test_id("console-username").fill(username)
    page.get_by_test_id("console-password").fill(PASSWORD)
    page.get_by_test_id("console-login").click()
    expect(page.get_by_test_id("console-user")).to_contain_text(name)


def queue_item(page: Page, citizen: Citizen) -> Any:
    return page.locator(
        f'[data-testid=queue-item][data-conversation-id="{citizen.conversation_id}"]'
    )


def mine_item(page: Page, citizen: Citizen) -> Any:
    return page.locator(
        f'[data-testid=mine-item][data-conversation-id="{citizen.conversation_id}"]'
    )


def claim(page: Page, citizen: Citizen) -> None:
    queue_item(page, citizen).get_by_test_id("claim-button").click()
    expect(mine_item(page, citizen)).to_be_visible()


def widget_with(browser: Browser, bot: Bot, citizen: Citizen) -> Page:
    """The citizen's tab: the widget on the demo page, showing their open conversation."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nn-NO")
    context.set_default_timeout(30_000)
    state = {"conversationId": citizen.conversation_id, "token": citizen.token, "open": True}
    key = f"alverChat:v1:{bot.url}"
    context.add_init_script(
        f"if (!sessionStorage.getItem({json.dumps(key)})) "
        f"sessionStorage.setItem({json.dumps(key)}, {json.dumps(json.dumps(state))});"
    )
    page = context.new_page()
    page.goto(bot.page("/widget/demo.html"))
    expect(page.get_by_test_id("chat-panel")).to_be_visible()
    return page


def test_console_working_day_two_staff_three_citizens(
    bot: Bot, browser: Browser, staff_pages: tuple[Page, Page]
) -> None:
    kari, ola = staff_pages
    errors: list[str] = []
    for page in (kari, ola):
        page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(kari, bot, "kari", "Kari")
    sign_in(ola, bot, "ola", "Ola")

    # Capacity: Kari takes at most two chats; Ola is on a break.
    kari.get_by_test_id("max-chats").fill("2")
    kari.get_by_test_id("max-chats").dispatch_event("change")
    ola.get_by_test_id("status-select").select_option("break")
    expect(ola.get_by_test_id("status-hint")).to_be_visible()
    expect(kari.get_by_test_id("staff-list")).to_contain_text("Ola: Pause")

    # Citizen A: the queue shows the question, not "Ja, takk".
    a = new_citizen(bot, QUESTIONS["a"])
    assert a.ask_for_a_person()["state"] == "waiting"
    expect(queue_item(kari, a).get_by_test_id("queue-last-text")).to_have_text(QUESTIONS["a"])
    screenshot(kari, "console-queue")
    # Ola is on a break: the claim is refused and says why.
    queue_item(ola, a).get_by_test_id("claim-button").click()
    expect(ola.get_by_test_id("queue-error")).to_contain_text("ledig")
    claim(kari, a)

    b = new_citizen(bot, QUESTIONS["b"])
    assert b.ask_for_a_person()["state"] == "waiting"
    claim(kari, b)
    # Kari is full and Ola on a break: nobody takes chats, so citizen C gets the offline offer.
    expect(kari.get_by_test_id("status-hint")).to_be_visible()
    c = new_citizen(bot, QUESTIONS["c"])
    offered = c.ask_for_a_person()
    assert offered["state"] == "bot" and offered["offline_offer"] is True
    # Ola is back: C waits, and Ola takes C.
    ola.get_by_test_id("status-select").select_option("available")
    expect(ola.get_by_test_id("status-hint")).to_be_hidden()
    assert c.ask_for_a_person()["state"] == "waiting"
    claim(ola, c)

    # Unread: Kari has B open; A writes.
    a.say("Er du der framleis?")
    badge = mine_item(kari, a).get_by_test_id("unread-badge")
    expect(badge).to_have_text(re.compile(r"^1 nye"))
    expect(kari).to_have_title(re.compile(r"^\(1\) "))
    expect(kari.get_by_test_id("console-live")).to_contain_text("Ny melding i samtalen om")
    mine_item(kari, a).get_by_test_id("mine-item-open").click()
    expect(badge).to_have_count(0)
    # A readable title: topic in Norwegian (not the intent name), time, language.
    expect(kari.locator("#conv-title")).to_have_text(re.compile(r"^[^_]+ · .+ · Nynorsk$", re.I))
    expect(kari.get_by_test_id("transcript-message").filter(has_text="framleis")).to_have_count(1)
    expect(kari.locator("#conv-title")).to_contain_text("Opningstider")  # the question's topic
    screenshot(kari, "console-conversation")

    # Transfer A to Ola with an internal note; it reaches Ola unread.
    kari.get_by_test_id("transfer-button").click()
    dialog = kari.get_by_test_id("transfer-dialog")
    assert errors == []
    expect(dialog).to_be_visible()
    ola_id = kari.get_by_test_id("staff-item").filter(has_text="Ola").get_attribute("data-staff-id")
    assert ola_id
    dialog.get_by_test_id("transfer-to").select_option(value=ola_id)
    dialog.get_by_test_id("transfer-note").fill("Spør om opningstider, Ola kjenner servicetorget.")
    screenshot(kari, "console-transfer")
    dialog.get_by_test_id("transfer-confirm").click()
    expect(mine_item(kari, a)).to_have_count(0)
    expect(mine_item(ola, a).get_by_test_id("unread-badge")).to_be_visible()
    mine_item(ola, a).get_by_test_id("mine-item-open").click()
    expect(ola.get_by_test_id("notes-list")).to_contain_text("Ola kjenner servicetorget")

    # Citizen B closes the tab: Kari sees it.
    status, _ = b.call("POST", "/leave", {})
    assert status == 204
    expect(mine_item(kari, b).get_by_test_id("mine-left")).to_be_visible()

    # Kari closes B (asked first), then finds it in the history.
    mine_item(kari, b).get_by_test_id("mine-item-open").click()
    expect(kari.get_by_test_id("citizen-left")).to_be_visible()
    kari.get_by_test_id("close-button").click()
    expect(kari.get_by_test_id("confirm-dialog")).to_be_visible()
    kari.get_by_test_id("confirm-yes").click()
    expect(mine_item(kari, b)).to_have_count(0)
    kari.get_by_test_id("history-open").click()
    kari.get_by_test_id("history-q").fill("parkeringsløyve")
    kari.get_by_test_id("history-search").click()
    hit = kari.get_by_test_id("history-item")
    expect(hit).to_have_count(1)
    expect(hit).to_contain_text(QUESTIONS["b"])
    expect(hit).to_contain_text("Svart av Kari")
    # The archive copy as PDF, from the history view, with the staff member's session.
    pdf_link = hit.get_by_test_id("history-export-pdf")
    expect(pdf_link).to_have_text("Last ned som PDF")
    pdf = kari.request.get(bot.page(str(pdf_link.get_attribute("href"))))
    assert (pdf.status, pdf.headers["content-type"]) == (200, "application/pdf")
    assert pdf.body().startswith(b"%PDF-")
    screenshot(kari, "console-history")

    # A booked meeting confirmed to the citizen: Ola hands C back to the bot (asked first),
    # C books a meeting through the form, Kari books it on Møteførespurnader, and C's open
    # widget shows the confirmation.
    mine_item(ola, c).get_by_test_id("mine-item-open").click()
    ola.get_by_test_id("hand-back-button").click()
    expect(ola.get_by_test_id("confirm-dialog")).to_be_visible()
    ola.get_by_test_id("confirm-yes").click()
    expect(mine_item(ola, c)).to_have_count(0)
    sent = c.book_meeting("Cecilie Berg", "Brøyting av privat veg")
    assert any(m.get("booking") for m in sent["messages"]), sent
    widget = widget_with(browser, bot, c)
    expect(widget.get_by_test_id("chat-booking-contact-form")).to_be_visible()
    bookings = kari.context.new_page()
    bookings.goto(bot.page("/console/bookings/"))
    item = bookings.get_by_test_id("booking-item").filter(has_text="Cecilie Berg")
    expect(item).to_contain_text("Byggesak og eigedom · Manger")
    item.get_by_test_id("booking-time").fill("10:30")
    item.get_by_test_id("booking-book").click()
    expect(bookings.get_by_test_id("bookings-status")).to_contain_text("Cecilie Berg er booka")
    confirmed = widget.locator('[data-testid=chat-message][data-sender="system"]').filter(
        has_text="Møtet ditt er avtalt:"
    )
    expect(confirmed).to_contain_text("kl. 10.30, Manger")
    # Handled: the contact field for that request goes away.
    expect(widget.get_by_test_id("chat-booking-contact-form")).to_be_hidden()
    for width in (1280, 320):
        widget.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(widget) == [], ("widget", width)
    widget.context.close()
    bookings.close()

    # Keyboard help, and axe on the busy console at 1280 and 320 px.
    kari.get_by_test_id("transcript").count()
    kari.keyboard.press("Escape")
    kari.locator("body").press("?")
    expect(kari.get_by_test_id("help-dialog")).to_be_visible()
    kari.keyboard.press("Escape")
    expect(kari.get_by_test_id("help-dialog")).to_be_hidden()
    mine_item(ola, a).get_by_test_id("mine-item-open").click()
    expect(ola.get_by_test_id("transcript")).to_have_attribute("tabindex", "0")
    for width in (1280, 320):
        ola.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(ola) == [], width
    assert errors == []
