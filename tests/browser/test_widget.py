"""The widget as the municipality's own service (issue 10) and its rating form (issue 9).

Against the real bot started by `make run` (fixtures in conftest.py). Server answers the
widget cannot get from the bot on demand (a rating request, an expected waiting time, a
missing rating route) are injected by intercepting that one request in the browser.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from tests.browser.conftest import (
    Bot,
    axe_violations,
    last_message,
    open_chat,
    screenshot,
    send,
)

# Emoji and pictographs (the old icons): none may be left in the widget's text.
EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2139]")
CONTRAST = """el => {
  const lum = (c) => {
    const [r, g, b] = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map((v) => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const s = getComputedStyle(el);
  const [a, b] = [lum(s.color), lum(s.backgroundColor)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def _served(bot: Bot) -> dict[str, Any]:
    with urllib.request.urlopen(bot.page("/texts/widget.json?lang=nn"), timeout=10) as answer:
        body: dict[str, Any] = json.load(answer)
    return body


def _page_with_script(bot: Bot, page: Page, attributes: str, lang: str = "nn") -> None:
    """Open a test page on the bot's origin whose widget tag carries ``attributes``."""
    html = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Test</title>'
        '</head><body><main><h1>Ei side</h1><a href="#x">Ei lenkje</a></main>'
        f'<script src="/widget/widget.js" {attributes} defer></script></body></html>'
    )
    page.route(
        "**/widget/test-page.html",
        lambda route: route.fulfill(status=200, content_type="text/html", body=html),
    )
    page.goto(bot.page("/widget/test-page.html"))


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 375, "height": 700}, locale="nn-NO")
    context.set_default_timeout(20_000)
    yield context
    context.close()


# ------------------------------------------------------------------------- branding


def test_branding_name_logo_and_colour_come_from_the_knowledge_base(
    bot: Bot, context: BrowserContext
) -> None:
    served = _served(bot)["municipality"]
    assert served["logo_url"] == "/widget/logo-sample.svg"
    page = context.new_page()
    open_chat(page, bot.page("/widget/demo.html"))
    expect(page.locator(".alver-chat__title")).to_have_text(f"Chat med {served['name']}")
    expect(page.get_by_test_id("chat-logo")).to_have_attribute(
        "src", bot.page("/widget/logo-sample.svg")
    )
    assert page.get_by_test_id("chat-logo").evaluate("img => img.naturalWidth") > 0
    # Icons are inline SVG, never emoji.
    assert page.locator(".alver-chat__header svg, .alver-chat__topics svg").count() >= 5
    assert not EMOJI.search(page.get_by_test_id("chat-root").inner_text())
    header = page.locator(".alver-chat__header")
    assert header.evaluate("h => getComputedStyle(h).backgroundColor") == "rgb(11, 79, 108)"
    assert header.evaluate(CONTRAST) >= 4.5


@pytest.mark.parametrize(
    ("colour", "text_colour"),
    [
        ("#ffe066", "rgb(26, 26, 26)"),  # light: near-black text on it (13:1)
        ("#5a1f6e", "rgb(255, 255, 255)"),  # dark: white text on it (11:1)
        ("#2f8f5b", "rgb(0, 0, 0)"),  # mid: white 4.1:1, near-black 4.3:1, so black (4.9:1)
    ],
)
def test_branding_data_attributes_override_and_text_on_the_colour_stays_readable(
    bot: Bot, context: BrowserContext, colour: str, text_colour: str
) -> None:
    page = context.new_page()
    _page_with_script(
        bot,
        page,
        f'data-municipality="Testvik kommune" data-brand-colour="{colour}" '
        'data-logo="/widget/logo-sample.svg?variant=2"',
    )
    launcher = page.get_by_test_id("chat-launcher")
    assert launcher.evaluate(CONTRAST) >= 4.5
    assert launcher.evaluate("b => getComputedStyle(b).color") == text_colour
    launcher.click()
    expect(page.locator(".alver-chat__title")).to_have_text("Chat med Testvik kommune")
    expect(page.get_by_test_id("chat-privacy-notice")).to_contain_text("Testvik kommune")
    expect(page.get_by_test_id("chat-logo")).to_have_attribute(
        "src", bot.page("/widget/logo-sample.svg?variant=2")
    )
    assert page.locator(".alver-chat__header").evaluate(CONTRAST) >= 4.5
    send(page, "hei")
    expect(last_message(page, "bot")).to_be_visible()
    assert last_message(page, "citizen").evaluate(CONTRAST) >= 4.5
    for topic_or_link in page.locator(".alver-chat a").all():
        assert topic_or_link.evaluate(CONTRAST.replace("s.backgroundColor", "'rgb(255,255,255)'"))


# --------------------------------------------------------------------------- topics


@pytest.mark.parametrize(
    ("path", "topic", "expected"),
    [
        ("/widget/demo.html", "topicHours", "Knarvik"),
        ("/widget/demo.html", "topicContact", "56 37 50 00"),
        ("/widget/demo-nb.html", "topicHours", "Knarvik"),
        ("/widget/demo-nb.html", "topicContact", "56 37 50 00"),
    ],
)
def test_topics_send_a_question_the_bot_answers(
    bot: Bot, context: BrowserContext, path: str, topic: str, expected: str
) -> None:
    page = context.new_page()
    open_chat(page, bot.page(path))
    topics = page.get_by_test_id("chat-topic")
    expect(topics).to_have_count(4)
    topics.and_(page.locator(f'[data-topic="{topic}"]')).click()
    expect(page.get_by_test_id("chat-log")).to_contain_text(expected)
    expect(page.get_by_test_id("chat-topics")).to_be_hidden()


@pytest.mark.parametrize("path", ["/widget/demo.html", "/widget/demo-nb.html"])
def test_topics_talk_to_a_person_offers_a_person_and_booking_gets_an_answer(
    bot: Bot, context: BrowserContext, path: str
) -> None:
    page = context.new_page()
    open_chat(page, bot.page(path))
    page.locator('[data-topic="topicPerson"]').click()
    expect(page.get_by_test_id("chat-quick-reply").first).to_be_visible()
    page.evaluate("() => AlverChat.reset()")
    expect(page.get_by_test_id("chat-topics")).to_be_visible()
    page.locator('[data-topic="topicBooking"]').click()
    expect(last_message(page, "citizen")).to_contain_text("møte")
    expect(last_message(page, "bot")).to_contain_text(re.compile("møte|time", re.IGNORECASE))


# ------------------------------------------------------------------- less clutter


def test_thumbs_per_turn_one_pair_per_bot_answer(bot: Bot, context: BrowserContext) -> None:
    page = context.new_page()
    open_chat(page, bot.page("/widget/demo.html"))
    bot_messages = page.locator('[data-testid=chat-message][data-sender="bot"]')
    turns = 0
    for text in ("hei", "opningstider på manger?", "kva er telefonnummeret"):
        before = bot_messages.count()
        send(page, text)
        page.wait_for_function(
            "n => document.querySelectorAll('[data-sender=bot]').length > n",
            arg=before,
        )
        turns += 1
        expect(page.get_by_test_id("chat-feedback")).to_have_count(turns)
    # Each pair sits on the last bubble of its answer.
    for message in bot_messages.all():
        following = message.evaluate(
            "m => m.nextElementSibling && m.nextElementSibling.dataset.sender"
        )
        has_thumbs = message.get_by_test_id("chat-feedback").count() == 1
        assert has_thumbs == (following != "bot")
    page.get_by_test_id("chat-feedback-up").last.click()
    expect(page.get_by_test_id("chat-feedback-up").last).to_have_attribute("aria-pressed", "true")


def test_thumbs_per_turn_with_two_bubbles_in_one_answer(bot: Bot, context: BrowserContext) -> None:
    page = context.new_page()
    page.route("**/conversations/*/messages", _two_bubbles)
    open_chat(page, bot.page("/widget/demo.html"))
    send(page, "hei")
    expect(page.locator('[data-testid=chat-message][data-sender="bot"]')).to_have_count(2)
    expect(page.get_by_test_id("chat-feedback")).to_have_count(1)
    # On the answer's last bubble (a locator, so the check waits out a re-render).
    expect(page.locator('[data-message-id="999001"] > [data-testid=chat-feedback]')).to_have_count(
        1
    )


def _two_bubbles(route: Route) -> None:
    answer = route.fetch()
    data = answer.json()
    extra = dict(data["messages"][-1], id=999001, text="Ein ekstra boble i same svar.")
    data["messages"].append(extra)
    route.fulfill(response=answer, json=data)


def _scripted_events(answers: list[dict[str, Any]]) -> Any:
    """An /events handler giving ``answers`` in turn, then 429s so the widget waits quietly."""
    served = iter(answers)

    def handle(route: Route) -> None:
        answer = next(served, None)
        if answer is None:
            route.fulfill(status=429, json={"error": "rate_limited", "retry_after": 60})
        else:
            route.fulfill(status=200, json=answer)

    return handle


def _message(message_id: int, sender: str, text: str, staff: str | None = None) -> dict[str, Any]:
    return {
        "id": message_id,
        "sender": sender,
        "text": text,
        "buttons": [],
        "links": [],
        "staff_first_name": staff,
        "created_at": "2026-11-27T09:00:00Z",
    }


def test_staff_label_is_short_and_closed_state_said_once(bot: Bot, context: BrowserContext) -> None:
    page = context.new_page()
    open_chat(page, bot.page("/widget/demo.html"))
    send(page, "hei")
    expect(last_message(page, "bot")).to_be_visible()
    page.wait_for_timeout(500)  # the first poll after the answer is back; now a long one waits
    kari = {"first_name": "Kari", "typing": False}
    no_offer = {"queue": None, "offline_offer": False}
    page.route(
        "**/conversations/*/events*",
        _scripted_events(
            [
                # Kari took the conversation and answered in two bubbles ...
                {
                    "messages": [
                        _message(999101, "staff", "Hei!", "Kari"),
                        _message(999102, "staff", "Kva lurer du på?", "Kari"),
                    ],
                    "state": "with_human",
                    "staff": kari,
                    **no_offer,
                },
            ]
        ),
    )
    page.evaluate("() => { AlverChat.close(); AlverChat.open(); }")  # a fresh long-poll
    staff = page.locator('[data-testid=chat-message][data-sender="staff"]')
    expect(staff).to_have_count(2)
    assert (
        staff.locator(".alver-chat__sender").all_inner_texts() == ["Kari · innbyggjarservice"] * 2
    )
    # The person-not-bot explanation is said once, in the status, not on every bubble.
    assert "person" not in page.get_by_test_id("chat-log").inner_text()
    expect(page.get_by_test_id("chat-queue-status")).to_contain_text(
        "Kari er ein person, ikkje ein maskin"
    )


def test_closed_state_is_said_once(bot: Bot, context: BrowserContext) -> None:
    page = context.new_page()
    open_chat(page, bot.page("/widget/demo.html"))
    send(page, "hei")
    expect(last_message(page, "bot")).to_be_visible()
    page.wait_for_timeout(500)  # the first poll after the answer is back; now a long one waits
    closed = {
        "messages": [_message(999103, "system", "Samtalen er avslutta. Skriv gjerne igjen.")],
        "state": "closed",
        "staff": None,
        "queue": None,
        "offline_offer": False,
    }
    page.route("**/conversations/*/events*", _scripted_events([closed]))
    page.evaluate("() => { AlverChat.close(); AlverChat.open(); }")
    expect(last_message(page, "system")).to_contain_text("avslutta")
    expect(page.get_by_test_id("chat-status")).to_be_hidden()
    assert page.get_by_test_id("chat-panel").inner_text().count("avslutta") == 1


# -------------------------------------------------------------------------- queue


def test_queue_shows_the_expected_waiting_time(bot: Bot, context: BrowserContext) -> None:
    page = context.new_page()

    waiting = {
        "messages": [],
        "state": "waiting",
        "queue": {"position": 2, "waiting_seconds": 30, "expected_wait_seconds": 230},
        "staff": None,
        "offline_offer": False,
    }
    open_chat(page, bot.page("/widget/demo.html"))
    send(page, "hei")
    expect(last_message(page, "bot")).to_be_visible()
    page.wait_for_timeout(500)  # the first poll after the answer is back; now a long one waits
    page.route("**/conversations/*/events*", _scripted_events([waiting]))
    page.evaluate("() => { AlverChat.close(); AlverChat.open(); }")
    expect(page.get_by_test_id("chat-queue-status")).to_contain_text("nummer 2 i køen")
    expect(page.get_by_test_id("chat-queue-wait")).to_have_text("Vanleg ventetid no: om lag 4 min.")


# ---------------------------------------------------------------------- long text


def test_long_text_is_kept_and_the_citizen_is_told(bot: Bot, context: BrowserContext) -> None:
    page = context.new_page()
    open_chat(page, bot.page("/widget/demo.html"))
    box = page.get_by_test_id("chat-input")
    assert box.get_attribute("maxlength") is None  # never cut silently
    long_text = "Eg har eit spørsmål om byggesaka mi. " * 40  # 1,480 characters
    box.fill(long_text)
    box.dispatch_event("paste")
    expect(page.get_by_test_id("chat-error")).to_contain_text(str(len(long_text)))
    expect(page.get_by_test_id("chat-counter")).to_contain_text("1000")
    expect(box).to_have_attribute("aria-invalid", "true")
    page.get_by_test_id("chat-send").click()
    expect(page.get_by_test_id("chat-error")).to_contain_text("Teksten din står framleis")
    assert box.input_value() == long_text
    expect(page.get_by_test_id("chat-message")).to_have_count(0)
    box.fill(long_text[:990])
    expect(box).not_to_have_attribute("aria-invalid", "true")
    page.get_by_test_id("chat-send").click()
    expect(last_message(page, "citizen")).to_contain_text("byggesaka mi")


# ------------------------------------------------------------------ phone: modal


def test_modal_phone_traps_focus_and_makes_the_page_inert(bot: Bot, phone: BrowserContext) -> None:
    page = phone.new_page()
    open_chat(page, bot.page("/widget/demo.html"))
    panel = page.get_by_test_id("chat-panel")
    expect(panel).to_have_attribute("aria-modal", "true")
    assert page.evaluate("() => document.querySelector('main').inert") is True
    assert page.evaluate("() => document.querySelector('header').inert") is True
    for _ in range(25):
        page.keyboard.press("Tab")
        assert panel.evaluate("p => p.contains(document.activeElement)")
    for _ in range(5):
        page.keyboard.press("Shift+Tab")
        assert panel.evaluate("p => p.contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("chat-launcher")).to_be_focused()
    assert page.evaluate("() => document.querySelector('main').inert") is False
    # On a wide screen the panel sits beside the page, which stays usable.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_test_id("chat-launcher").click()
    expect(panel).to_have_attribute("aria-modal", "false")
    assert page.evaluate("() => document.querySelector('main').inert") is False


# ------------------------------------------------------------------------- rating


def test_rating_form_on_close_posts_the_answer(bot: Bot, context: BrowserContext) -> None:
    page = context.new_page()
    posted: list[dict[str, Any]] = []

    def rating(route: Route) -> None:
        assert route.request.headers["authorization"].startswith("Bearer ")
        posted.append(json.loads(route.request.post_data or "{}"))
        route.fulfill(status=204)

    page.route("**/conversations/*/rating", rating)
    open_chat(page, bot.page("/widget/demo.html"))
    page.get_by_test_id("chat-close").click()  # nothing said yet: no form, just closed
    expect(page.get_by_test_id("chat-panel")).to_be_hidden()
    page.get_by_test_id("chat-launcher").click()
    send(page, "opningstider på manger?")
    expect(last_message(page, "bot")).to_contain_text("Manger")
    page.get_by_test_id("chat-close").click()
    form = page.get_by_test_id("chat-rating")
    expect(form).to_be_visible()
    expect(form).to_contain_text("Fekk du svar på det du lurte på?")
    page.get_by_test_id("chat-rating-send").click()
    expect(page.get_by_test_id("chat-rating-error")).to_be_visible()  # choose first
    page.get_by_test_id("chat-rating-partly").click()
    page.get_by_test_id("chat-rating-comment").fill("Fint, men eg ville ha telefonnummeret")
    page.get_by_test_id("chat-rating-send").click()
    expect(page.get_by_test_id("chat-rating-thanks")).to_be_visible()
    assert posted == [{"value": "partly", "comment": "Fint, men eg ville ha telefonnummeret"}]
    page.get_by_test_id("chat-close").click()  # asked once only
    expect(page.get_by_test_id("chat-panel")).to_be_hidden()


def test_rating_request_from_the_bot_and_a_missing_route_does_not_break_the_widget(
    bot: Bot, context: BrowserContext
) -> None:
    page = context.new_page()

    def ask_for_rating(route: Route) -> None:
        answer = route.fetch()
        data = answer.json()
        data["messages"].append(
            {
                "id": 999201,
                "sender": "bot",
                "text": "",
                "buttons": [],
                "links": [],
                "staff_first_name": None,
                "created_at": "2026-11-27T09:00:00Z",
                "rating_request": True,
            }
        )
        route.fulfill(response=answer, json=data)

    page.route("**/conversations/*/messages", ask_for_rating)
    open_chat(page, bot.page("/widget/demo.html"))
    send(page, "takk, ha det")
    expect(page.get_by_test_id("chat-rating")).to_be_visible()
    expect(page.get_by_test_id("chat-message")).to_have_count(2)  # no empty bubble
    page.unroute("**/conversations/*/messages")
    page.get_by_test_id("chat-rating-yes").click()
    page.get_by_test_id("chat-rating-send").click()  # the real server: 404 until issue 9
    expect(page.get_by_test_id("chat-rating-thanks")).to_be_visible()
    expect(page.get_by_test_id("chat-error")).to_be_empty()
    send(page, "kva er telefonnummeret")
    expect(last_message(page, "bot")).to_contain_text("56 37 50 00")


# ------------------------------------------------------------ privacy and presence


def test_privacy_link_goes_to_the_privacy_page_from_the_knowledge_base(
    bot: Bot, context: BrowserContext
) -> None:
    served = _served(bot)["municipality"]["privacy_url"]
    assert served == "https://www.alver.kommune.no/personvern"  # the fixture knowledge base
    page = context.new_page()
    open_chat(page, bot.page("/widget/demo.html"))
    link = page.get_by_test_id("chat-privacy-notice").locator("a")
    expect(link).to_have_attribute("href", served)
    expect(link).to_have_attribute("rel", "noopener noreferrer")


def test_presence_page_is_sent_on_start_and_a_beacon_on_leaving(
    bot: Bot, context: BrowserContext
) -> None:
    page = context.new_page()
    # Record beacons (a beacon sent while the page unloads is not reliably reported).
    page.add_init_script(
        """window.__beacons = [];
        const original = navigator.sendBeacon.bind(navigator);
        navigator.sendBeacon = (url, data) => { window.__beacons.push([String(url), data]);
                                                return original(url, data); };"""
    )
    requests: list[tuple[str, str, str | None]] = []
    context.on("request", lambda r: requests.append((r.method, r.url, r.post_data)))
    open_chat(page, bot.page("/widget/demo.html"))
    send(page, "hei")
    expect(last_message(page, "bot")).to_be_visible()
    (start,) = [r for r in requests if r[0] == "POST" and r[1].endswith("/conversations")]
    assert json.loads(start[2] or "{}") == {"language": "nn", "page": "/widget/demo.html"}
    saved = json.loads(
        page.evaluate(
            "() => Object.entries(sessionStorage).find(([k]) => k.startsWith('alverChat'))[1]"
        )
    )
    page.evaluate("() => window.dispatchEvent(new PageTransitionEvent('pagehide'))")
    beacons = page.evaluate("() => window.__beacons")
    url = f"{bot.url}/webhooks/alver/conversations/{saved['conversationId']}/leave"
    assert beacons == [[url, json.dumps({"token": saved["token"]}, separators=(",", ":"))]]
    # The server takes the token from the beacon's text/plain body.
    req = urllib.request.Request(
        url, data=beacons[0][1].encode(), headers={"Content-Type": "text/plain;charset=UTF-8"}
    )
    with urllib.request.urlopen(req, timeout=10) as answer:
        assert answer.status == 204


# -------------------------------------------------------- accessibility, screenshots


@pytest.mark.parametrize("width", [320, 768, 1280])
def test_widget_axe_and_layout_at_320_768_1280(bot: Bot, browser: Browser, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="nn-NO")
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        open_chat(page, bot.page("/widget/demo.html"))
        assert axe_violations(page) == []  # the start: notice and topics
        if width == 1280:
            screenshot(page, "widget-topics")
        send(page, "opningstider på manger?")
        expect(last_message(page, "bot")).to_contain_text("Manger")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        screenshot(page, f"widget-{width}")
        page.get_by_test_id("chat-close").click()
        expect(page.get_by_test_id("chat-rating")).to_be_visible()
        assert axe_violations(page) == []  # answers, thumbs and the rating form
    finally:
        context.close()
