"""A phone opened after the event closed: an empty card list says why (a no-show was not
there, someone who came got none), and the sound toggle is gone."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.factories import AttendeeFactory, EventFactory


def test_after_the_close_an_empty_card_list_says_why_and_the_sound_toggle_goes(
    live_server_url, chromium
):
    event = EventFactory(closed=True)
    no_show = AttendeeFactory(event=event, name="Lucas Silva")
    came = AttendeeFactory(event=event, name="Nora Jensen", checked_in=True)
    phone = chromium.new_context(viewport={"width": 360, "height": 740}, is_mobile=True).new_page()

    phone.goto(f"{live_server_url}/a/{no_show.token}/")
    expect(phone.locator(".room")).to_have_attribute("data-now", "closed_absent")
    expect(phone.locator(".card-feed")).to_have_text(
        "No cards: you were not at the event.", use_inner_text=True
    )
    expect(phone.locator(".sound-toggle")).to_be_hidden()

    phone.goto(f"{live_server_url}/a/{came.token}/")
    expect(phone.locator(".room")).to_have_attribute("data-now", "closed")
    expect(phone.locator(".card-feed")).to_have_text("No cards this time.", use_inner_text=True)
    expect(phone.locator(".sound-toggle")).to_be_hidden()
