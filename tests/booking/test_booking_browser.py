"""A citizen books a meeting through the widget; staff book it on Møteførespurnader; the
citizen sees the confirmation in the open chat. Real `make run`, Chromium, axe-core.

Screenshot of the staff page for the README:
``SCREENSHOT_DIR=docs/screenshots .venv/bin/pytest tests/booking/test_booking_browser.py``
writes docs/screenshots/bookings.png and widget-booking.png (the contact field).
"""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import (  # noqa: F401 - fixtures
    Bot,
    axe_violations,
    bot,
    browser,
    context,
    last_message,
    open_chat,
    playwright,
    screenshot,
    send,
    sign_in,
    staff_context,
)

_DAY = re.compile(r"^(måndag|tysdag|onsdag|torsdag|fredag) \d+\. \w+$")


def _choose(page: Page, title: str | re.Pattern[str]) -> None:
    page.get_by_test_id("chat-quick-reply").filter(has_text=title).last.click()


def test_booking_a_meeting_through_the_widget_and_staff_confirms_it(
    bot: Bot,  # noqa: F811
    context: BrowserContext,  # noqa: F811
    staff_context: BrowserContext,  # noqa: F811
) -> None:
    context.set_default_timeout(45_000)
    citizen = context.new_page()
    open_chat(citizen, bot.page("/widget/demo.html"))
    send(citizen, "eg vil booke eit møte med ein saksbehandlar")
    # The first answer can be slow on a busy machine (the action server's first call).
    expect(last_message(citizen, "bot")).to_contain_text("Kva gjeld møtet?", timeout=90_000)
    _choose(citizen, "Byggesak og eigedom")
    expect(last_message(citizen, "bot")).to_contain_text("Kvar vil du ha møtet?")
    _choose(citizen, "Manger")
    expect(last_message(citizen, "bot")).to_contain_text("Kva dag passar for deg?")
    days = citizen.get_by_test_id("chat-quick-reply").filter(has_text=_DAY)
    first_day = days.first.inner_text()
    assert not first_day.startswith(("onsdag", "fredag")), "Manger has no desk on those days"
    days.first.click()
    expect(last_message(citizen, "bot")).to_contain_text("Kva heiter du?")
    # A question in the middle of the form is answered, not taken as the name.
    send(citizen, "kva er telefonnummeret?")
    phone_answer = citizen.get_by_test_id("chat-message").filter(has_text="56 37 50 00")
    expect(phone_answer).not_to_have_count(0)
    expect(last_message(citizen, "bot")).to_contain_text("Kva heiter du?")
    send(citizen, "Kari Nordmann")
    expect(last_message(citizen, "bot")).to_contain_text("Skriv kort kva du vil snakke om")
    send(citizen, "Garasjen min")
    expect(last_message(citizen, "bot")).to_contain_text("Stemmer dette?")
    expect(last_message(citizen, "bot")).to_contain_text(first_day)
    _choose(citizen, "Send førespurnaden")
    expect(last_message(citizen, "bot")).to_contain_text("Førespurnaden om møte er send")

    # The contact the chat would mask goes in its own field, on the request only.
    form = citizen.get_by_test_id("chat-booking-contact-form")
    expect(form).to_be_visible()
    expect(form).to_contain_text("Kan vi nå deg utanom chatten?")
    form.scroll_into_view_if_needed()
    screenshot(citizen, "widget-booking")
    field = citizen.get_by_test_id("chat-booking-contact")
    field.fill("ikkje ein kontakt")
    citizen.get_by_test_id("chat-booking-contact-save").click()
    expect(citizen.get_by_test_id("chat-booking-contact-error")).to_be_visible()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    assert axe_violations(citizen) == []
    field.fill("kari@example.no")
    citizen.get_by_test_id("chat-booking-contact-save").click()
    saved = citizen.get_by_test_id("chat-booking-contact-saved")
    expect(saved).to_contain_text("Kontaktinformasjonen din er lagra")
    expect(saved).to_be_focused()
    expect(form).to_be_hidden()
    citizen.reload()  # the field does not come back for the same request
    expect(last_message(citizen, "bot")).to_contain_text("Førespurnaden om møte er send")
    expect(citizen.get_by_test_id("chat-booking-contact-form")).to_be_hidden()

    staff = staff_context.new_page()
    sign_in(staff, bot)
    staff.goto(bot.page("/console/bookings/"))
    item = staff.get_by_test_id("booking-item").filter(has_text="Kari Nordmann")
    expect(item).to_contain_text("Byggesak og eigedom · Manger")
    expect(item).to_contain_text(first_day)
    expect(item).to_contain_text("kari@example.no")
    assert axe_violations(staff) == []
    screenshot(staff, "bookings")
    item.get_by_test_id("booking-time").fill("10:30")
    item.get_by_test_id("booking-book").click()
    expect(staff.get_by_test_id("bookings-status")).to_contain_text(
        "Møtet for Kari Nordmann er booka"
    )
    expect(staff.get_by_test_id("bookings-count")).to_have_text("0")

    confirmation = last_message(citizen, "system")
    expect(confirmation).to_contain_text("Møtet ditt er avtalt:", timeout=30_000)
    expect(confirmation).to_contain_text("kl. 10.30, Manger")


def test_bookings_page_accessible_at_320_px_and_asks_to_sign_in(
    bot: Bot,  # noqa: F811
    context: BrowserContext,  # noqa: F811
) -> None:
    page = context.new_page()
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(bot.page("/console/bookings/"))
    expect(page.get_by_test_id("bookings-signed-out")).to_be_visible()
    assert axe_violations(page) == []


def test_asking_for_a_person_in_the_middle_of_booking_stops_it_and_offers_one(
    bot: Bot,  # noqa: F811
    context: BrowserContext,  # noqa: F811
) -> None:
    context.set_default_timeout(45_000)
    citizen = context.new_page()
    open_chat(citizen, bot.page("/widget/demo.html"))
    send(citizen, "eg vil booke eit møte")
    expect(last_message(citizen, "bot")).to_contain_text("Kva gjeld møtet?", timeout=90_000)
    _choose(citizen, "Byggesak og eigedom")
    expect(last_message(citizen, "bot")).to_contain_text("Kvar vil du ha møtet?")
    send(citizen, "eg vil heller snakke med eit menneske")
    bot_messages = citizen.locator('[data-testid=chat-message][data-sender="bot"]')
    expect(bot_messages.filter(has_text="Ingenting er sendt.")).to_have_count(1)
    offer = last_message(citizen, "bot")
    expect(offer).to_contain_text("set deg over til ein person")
    expect(offer.get_by_test_id("chat-quick-reply")).to_have_count(2)  # yes / no
