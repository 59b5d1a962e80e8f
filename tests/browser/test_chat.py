"""A citizen and a staff member in two browsers, through the real bot started by `make run`.

The tests run in file order: the offline path comes first, while no staff member has
signed in yet (the desk is "open" by HANDOFF_ALWAYS_OPEN, but nobody is in the chat).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import APIResponse, BrowserContext, Route, expect

from tests.browser.conftest import (
    Bot,
    axe_violations,
    last_message,
    open_chat,
    screenshot,
    send,
    sign_in,
)


def test_offline_request_when_nobody_is_in_the_chat(
    bot: Bot, context: BrowserContext, staff_context: BrowserContext
) -> None:
    citizen = context.new_page()
    open_chat(citizen, bot.page("/widget/demo.html"))
    expect(citizen.get_by_test_id("chat-privacy-notice")).to_contain_text("fødselsnummer")
    send(citizen, "eg vil snakke med eit menneske")
    citizen.get_by_test_id("chat-quick-reply").first.click()

    expect(last_message(citizen, "system")).to_contain_text("ingen av dei tilsette")
    form = citizen.get_by_test_id("chat-offline-form")
    expect(form).to_be_visible()
    citizen.get_by_test_id("chat-offline-question").fill("Kan de ringje meg om byggesaka mi?")
    citizen.get_by_test_id("chat-offline-contact").fill("123")
    citizen.get_by_test_id("chat-offline-submit").click()
    expect(citizen.get_by_test_id("chat-offline-contact-error")).to_be_visible()
    expect(citizen.get_by_test_id("chat-offline-contact")).to_have_attribute("aria-invalid", "true")

    citizen.get_by_test_id("chat-offline-contact").fill("ola.nordmann@example.no")
    citizen.get_by_test_id("chat-offline-submit").click()
    expect(citizen.get_by_test_id("chat-offline-confirmation")).to_be_visible()

    staff = staff_context.new_page()
    sign_in(staff, bot)
    staff.get_by_test_id("offline-open").click()
    item = staff.get_by_test_id("offline-item").filter(has_text="byggesaka mi")
    expect(item).to_contain_text("ola.nordmann@example.no")
    item.get_by_test_id("offline-answered").click()
    expect(staff.get_by_test_id("offline-item").filter(has_text="byggesaka mi")).to_have_count(0)


def test_staff_takes_over_answers_and_hands_back(
    bot: Bot, context: BrowserContext, staff_context: BrowserContext
) -> None:
    staff = staff_context.new_page()
    sign_in(staff, bot)

    citizen = context.new_page()
    open_chat(citizen, bot.page("/widget/demo.html"))
    send(citizen, "opningstider på manger?")
    expect(last_message(citizen, "bot")).to_contain_text("måndag, tysdag og torsdag")
    send(citizen, "eg vil snakke med eit menneske")
    expect(citizen.get_by_test_id("chat-quick-reply").first).to_be_visible()
    screenshot(citizen, "widget-offer")
    citizen.get_by_test_id("chat-quick-reply").first.click()
    expect(citizen.get_by_test_id("chat-queue-status")).to_contain_text("nummer 1 i køen")

    queued = staff.get_by_test_id("queue-item")
    expect(queued).to_have_count(1)
    expect(staff).to_have_title("(1) Ny samtale ventar – Alver innbyggjarservice")
    queued.first.get_by_test_id("claim-button").click()
    expect(
        staff.get_by_test_id("transcript-message").filter(has_text="opningstider på manger?")
    ).to_have_count(1)
    expect(staff.get_by_test_id("message-intent").first).to_contain_text("ask_opening_hours")

    # Typing is shown both ways while a person has the conversation.
    staff.get_by_test_id("reply-box").press_sequentially("Hei", delay=50)
    expect(citizen.get_by_test_id("chat-typing")).to_contain_text("Kari")
    citizen.get_by_test_id("chat-input").press_sequentially("hal", delay=50)
    expect(staff.get_by_test_id("citizen-typing")).to_be_visible()
    citizen.get_by_test_id("chat-input").fill("")

    staff.get_by_test_id("reply-box").fill("Hei, eg heiter Kari. Kva kan eg hjelpe deg med?")
    staff.get_by_test_id("reply-send").click()
    staff_message = last_message(citizen, "staff")
    expect(staff_message).to_contain_text("Kva kan eg hjelpe deg med?")
    expect(staff_message).to_contain_text("Kari · innbyggjarservice")
    expect(citizen.get_by_test_id("chat-queue-status")).to_contain_text(
        "ein person, ikkje ein maskin"
    )

    send(citizen, "eg lurer på eigedomsskatten")
    expect(
        staff.get_by_test_id("transcript-message").filter(has_text="eigedomsskatten")
    ).to_have_count(1)
    # While a person has the conversation, the bot stays silent.
    citizen.wait_for_timeout(1500)
    expect(last_message(citizen, "citizen")).to_contain_text("eigedomsskatten")
    expect(citizen.locator('[data-testid=chat-message][data-sender="bot"]')).to_have_count(2)
    screenshot(citizen, "widget-with-person")
    screenshot(staff, "console")

    staff.get_by_test_id("hand-back-button").click()
    staff.get_by_test_id("confirm-yes").click()  # the console asks first
    expect(last_message(citizen, "system")).to_contain_text("chatboten")
    send(citizen, "kva er telefonnummeret")
    expect(last_message(citizen, "bot")).to_contain_text("56 37 50 00")


def test_conversation_survives_reload_and_is_deleted_on_the_server(
    bot: Bot, context: BrowserContext
) -> None:
    page = context.new_page()
    open_chat(page, bot.page("/widget/demo.html"))
    send(page, "legevakt")
    expect(last_message(page, "bot")).to_contain_text("116 117")

    page.get_by_role("link", name="Same side på bokmål").click()
    page.wait_for_load_state()
    expect(last_message(page, "bot")).to_contain_text("116 117")
    page.reload()
    expect(last_message(page, "bot")).to_contain_text("116 117")

    saved = json.loads(
        page.evaluate(
            "() => Object.entries(sessionStorage).find(([k]) => k.startsWith('alverChat'))[1]"
        )
    )
    transcript_url = f"{bot.url}/webhooks/alver/conversations/{saved['conversationId']}/transcript"
    request = urllib.request.Request(
        transcript_url, headers={"Authorization": f"Bearer {saved['token']}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert "116 117" in response.read().decode()

    if not page.get_by_test_id("chat-delete").is_visible():
        page.get_by_test_id("chat-launcher").click()
    page.get_by_test_id("chat-delete").click()
    page.get_by_test_id("chat-delete-confirm").click()
    expect(page.get_by_test_id("chat-message")).to_have_count(0)
    try:
        urllib.request.urlopen(request, timeout=10)
        raise AssertionError("the transcript is still on the server after deletion")
    except urllib.error.HTTPError as error:
        assert error.code in (401, 404)


def test_message_text_is_never_html(bot: Bot, context: BrowserContext) -> None:
    page = context.new_page()
    open_chat(page, bot.page("/widget/demo.html"))
    send(page, '<img src=x onerror="window.__xss = 1">')
    expect(last_message(page, "citizen")).to_contain_text('<img src=x onerror="window.__xss = 1">')
    expect(page.get_by_test_id("chat-log").locator("img")).to_have_count(0)
    assert page.evaluate("() => window.__xss") is None


def test_bokmal_page_gets_bokmal_labels(bot: Bot, context: BrowserContext) -> None:
    page = context.new_page()
    open_chat(page, bot.page("/widget/demo-nb.html"))
    expect(page.get_by_label("Skriv meldingen din")).to_be_visible()
    # "hei" says nothing about the written standard: the page's language decides.
    send(page, "hei")
    expect(last_message(page, "bot")).to_contain_text("Jeg er chatboten")
    send(page, "når har dere åpent i knarvik")
    expect(last_message(page, "bot")).to_contain_text("Innbyggerservice i Knarvik")


def test_widget_is_accessible_and_fits_320_px(bot: Bot, context: BrowserContext) -> None:
    page = context.new_page()
    open_chat(page, bot.page("/widget/demo.html"))
    send(page, "opningstider")
    expect(page.get_by_test_id("chat-log")).to_contain_text("Frekhaug (kommunehuset på Frekhaug)")
    screenshot(page, "widget")
    assert axe_violations(page) == []

    page.set_viewport_size({"width": 320, "height": 640})
    page.keyboard.press("Escape")  # the first close after a conversation asks for a rating
    expect(page.get_by_test_id("chat-rating")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("chat-launcher")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("chat-input")).to_be_focused()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    assert axe_violations(page) == []


def test_console_is_accessible(bot: Bot, staff_context: BrowserContext) -> None:
    page = staff_context.new_page()
    page.goto(bot.page("/console/"))
    assert axe_violations(page) == []
    sign_in(page, bot)
    assert axe_violations(page) == []


# ---------------------------------------------------------------- labels from the server


def _served(bot: Bot, path: str) -> dict[str, Any]:
    with urllib.request.urlopen(bot.page(path), timeout=10) as answer:
        body: dict[str, Any] = json.load(answer)
    return body


def test_widget_labels_and_brand_colour_come_from_the_server(
    bot: Bot, context: BrowserContext
) -> None:
    served = _served(bot, "/texts/widget.json?lang=nn")
    citizen = context.new_page()
    citizen.goto(bot.page("/widget/demo.html"))
    expect(citizen.get_by_test_id("chat-launcher")).to_contain_text(served["texts"]["launcher"])
    citizen.get_by_test_id("chat-launcher").click()
    expect(citizen.locator(".alver-chat__title")).to_have_text(served["texts"]["title"])
    privacy = citizen.get_by_test_id("chat-privacy-notice").locator("a")
    expect(privacy).to_have_attribute("href", served["municipality"]["privacy_url"])
    primary = citizen.get_by_test_id("chat-root").evaluate(
        "node => node.style.getPropertyValue('--ac-primary')"
    )
    assert primary == served["municipality"]["brand_colour"]  # dark enough for white text


@pytest.mark.parametrize(
    ("brand_colour", "expected"),
    [
        ("#5a1f6e", "#5a1f6e"),  # white text on it: 11:1, used
        ("#ffe066", "#ffe066"),  # used with dark text on it (tests/browser/test_widget.py)
        ("blue", "#0b4f6c"),  # not a colour: the default stays
    ],
)
def test_widget_uses_a_valid_brand_colour(
    bot: Bot, context: BrowserContext, brand_colour: str, expected: str
) -> None:
    served = _served(bot, "/texts/widget.json?lang=nn")
    served["municipality"]["brand_colour"] = brand_colour
    citizen = context.new_page()
    citizen.route(
        "**/texts/widget.json*",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(served)
        ),
    )
    citizen.goto(bot.page("/widget/demo.html"))
    expect(citizen.get_by_test_id("chat-launcher")).to_be_visible()
    primary = citizen.get_by_test_id("chat-root").evaluate(
        "node => getComputedStyle(node).getPropertyValue('--ac-primary').trim()"
    )
    assert primary == expected


@pytest.mark.parametrize(
    ("path", "texts", "notice"),
    [
        ("/widget/demo.html", "**/texts/widget.json*", "chat-unavailable"),
        ("/console/", "**/texts/console.json*", "console-unavailable"),
    ],
)
def test_without_its_texts_the_page_says_only_that_chat_is_unavailable(
    bot: Bot, context: BrowserContext, path: str, texts: str, notice: str
) -> None:
    page = context.new_page()
    page.route(texts, lambda route: route.abort())
    page.goto(bot.page(path))
    expect(page.get_by_test_id(notice)).to_have_text(
        "Chatten er ikkje tilgjengeleg / Chatten er ikke tilgjengelig"
    )
    assert page.get_by_test_id("chat-launcher").count() == 0


def test_console_labels_come_from_the_server(bot: Bot, staff_context: BrowserContext) -> None:
    served = _served(bot, "/texts/console.json?lang=nn")["texts"]
    staff = staff_context.new_page()
    staff.goto(bot.page("/console/"))
    expect(staff.locator("#login-title")).to_have_text(served["loginTitle"])
    expect(staff.locator('label[for="login-user"]')).to_have_text(served["username"])
    expect(staff).to_have_title(served["pageTitle"])


# ---------------------------------------------- a loaded server: answers that cross


# In the page: long-poll answers can be held back once in, as on a loaded server where the
# widget handles an older poll answer after the answer to the citizen's message. A poll that
# the widget stops meanwhile is still answered (the answer was in before it stopped).
HOLD_POLL_ANSWERS = """
(() => {
  const realFetch = window.fetch.bind(window);
  let release = null;
  const released = new Promise((resolve) => { release = resolve; });
  Object.assign(window, { holdPolls: false, heldPolls: 0, lastPollUrl: '' });
  window.releasePolls = () => release();
  window.fetch = async (url, opts) => {
    if (!String(url).includes('/events?')) return realFetch(url, opts);
    window.lastPollUrl = String(url);
    const res = await realFetch(url, Object.assign({}, opts, { signal: undefined }));
    const body = await res.text();
    if (window.holdPolls) { window.heldPolls++; await released; }
    return new Response(body, { status: res.status, headers: res.headers });
  };
})();
"""


def test_an_older_poll_answer_arriving_late_does_not_hide_the_queue_status(
    bot: Bot, context: BrowserContext, staff_context: BrowserContext
) -> None:
    """Replays the CI failure: the long-poll read the conversation when "Ja, takk" was stored
    (state ``bot``), and the widget handled that answer after the answer to "Ja, takk" itself
    (state ``waiting``). The widget must keep the newer status, not wait 25 s for a change."""
    staff = staff_context.new_page()
    sign_in(staff, bot)
    citizen = context.new_page()
    citizen.add_init_script(HOLD_POLL_ANSWERS)
    open_chat(citizen, bot.page("/widget/demo.html"))
    with citizen.expect_response("**/messages") as offered:
        send(citizen, "eg vil snakke med eit menneske")
    offer_id = offered.value.json()["messages"][-1]["id"]
    citizen.wait_for_function(f"() => window.lastPollUrl.includes('after={offer_id}&')")
    citizen.evaluate("() => { window.holdPolls = true; }")
    with citizen.expect_response("**/messages"):
        citizen.get_by_test_id("chat-quick-reply").first.click()
    status = citizen.get_by_test_id("chat-queue-status")
    expect(status).to_contain_text("nummer 1 i køen")
    citizen.wait_for_function("() => window.heldPolls >= 1")  # the poll read "Ja, takk"
    citizen.evaluate("() => { window.holdPolls = false; window.releasePolls(); }")
    citizen.wait_for_timeout(1000)
    expect(status).to_contain_text("nummer 1 i køen")
    citizen.get_by_test_id("chat-cancel-waiting").click()
    expect(status).to_have_text("")


def test_an_offer_clicked_before_the_answer_to_the_question_arrives_is_not_lost(
    bot: Bot, context: BrowserContext, staff_context: BrowserContext
) -> None:
    """The offer of a person can come by long-poll before the answer to the citizen's own
    message; a click on "Ja, takk" then is sent once that answer is in, not dropped."""
    staff = staff_context.new_page()
    sign_in(staff, bot)
    citizen = context.new_page()
    open_chat(citizen, bot.page("/widget/demo.html"))
    send(citizen, "opningstider på manger?")  # the long-poll runs from the first answer on
    expect(last_message(citizen, "bot")).to_contain_text("måndag, tysdag og torsdag")

    held: list[tuple[Route, APIResponse]] = []

    def hold_first_answer(route: Route) -> None:
        if held:
            route.continue_()
        else:  # sent to the server now; its answer reaches the page when fulfilled below
            held.append((route, route.fetch()))

    citizen.route("**/messages", hold_first_answer)
    send(citizen, "eg vil snakke med eit menneske")
    offer = citizen.get_by_test_id("chat-quick-reply").first
    expect(offer).to_be_visible()  # by long-poll: the answer to the message is held back
    assert len(held) == 1
    offer.click()
    route, response = held[0]
    route.fulfill(response=response)
    status = citizen.get_by_test_id("chat-queue-status")
    expect(status).to_contain_text("nummer 1 i køen")
    expect(last_message(citizen, "citizen")).to_contain_text("Ja, takk")
    citizen.get_by_test_id("chat-cancel-waiting").click()
    expect(status).to_have_text("")
