"""The attendee's whole path on real phones (Chromium at 360×640) against a real daphne."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from feedback.models import Card
from tests.browser.conftest import PHONE, offered_introduction, press_control, sign_in
from tests.factories import (
    AttendeeFactory,
    EventFactory,
    PitchFactory,
    UserFactory,
)


@pytest.fixture
def event():
    organizer = UserFactory(username="org")
    event = EventFactory(
        organizer=organizer, check_in=True, join_code="CG26VP", rounds_count=2, table_size=3
    )
    li = AttendeeFactory(event=event, name="Li Wei", company="Harbor", checked_in=True)
    PitchFactory(attendee=li, ask="Who do you know who runs a trucking fleet?")
    return event


def phone_page(chromium):
    page = chromium.new_context(**PHONE).new_page()
    page.set_default_timeout(15_000)
    return page


def test_attendee_path_join_pitch_round_card_and_leads(chromium, live_server_url, event):
    base = live_server_url
    ana = phone_page(chromium)

    ana.goto(f"{base}/join/")
    ana.fill("#id_code", "cg26vp")
    ana.click("button[type=submit]")
    ana.fill("#id_name", "Ana Costa")
    ana.fill("#id_company", "Costa Immigration")
    ana.check("#id_is_consenting_to_share")
    ana.click("button[type=submit]")
    expect(ana.locator("[data-now-text]")).to_contain_text("You're checked in")

    ana.click("text=Write my pitch")
    ana.fill("#id_need", "Tech companies hiring engineers from abroad.")
    ana.fill("#id_ask", "Who do you know in HR at a company that sponsors visas?")
    expect(ana.locator("[data-pitch-length]")).to_contain_text("About")
    ana.click("text=Save my pitch")
    expect(ana.locator(".room")).to_have_attribute("data-phase", "before")

    organizer = sign_in(chromium, base)
    organizer.on("dialog", lambda dialog: dialog.accept())  # mingle asks first
    organizer.goto(f"{base}/events/{event.pk}/control/")
    press_control(organizer, event, "plan")
    li = phone_page(chromium)
    li.goto(f"{base}/a/{event.attendees.get(name='Li Wei').token}/")
    ana.reload()
    press_control(organizer, event, "start")

    expect(ana.locator(".room")).to_have_attribute("data-phase", re.compile("starting|running"))
    expect(ana.locator(".room")).to_have_attribute("data-phase", "running", timeout=10_000)
    expect(ana.locator("[data-live-clock]")).to_have_text(re.compile(r"^[23]:\d\d$"))
    current = ana.locator('.stop[data-round-number="1"]')
    expect(current).to_be_visible()
    expect(current.locator(".table-number")).to_have_text("Table 1")
    expect(current).to_contain_text("Who do you know who runs a trucking fleet?")

    card_posts = []
    ana.on("request", lambda request: "/cards/" in request.url and card_posts.append(request))
    see_me = current.locator('[data-card-kind="see_me"]')
    see_me.click()

    expect(li.locator("[data-card-feed]")).to_contain_text("Ana Costa: See me")
    expect(see_me).to_have_attribute("aria-pressed", "true")
    expect(see_me).not_to_have_attribute("data-pending", "true")
    assert Card.objects.filter(kind="see_me").count() == 1
    assert card_posts == []  # the tap went over the open socket

    press_control(organizer, event, "mingle")
    expect(li.locator(".room")).to_have_attribute("data-phase", "mingle")
    expect(li.locator("[data-now-text]")).to_have_text("Time to mingle — see who wants to meet you")
    li.click(".now-leads >> text=My leads")
    expect(li.locator("h1")).to_have_text("My leads")
    expect(li.locator("main")).to_contain_text("Want to see you")
    expect(li.locator("main")).to_contain_text("Ana Costa")


def test_attendee_offline_tap_is_kept_and_sent_once_when_back(chromium, live_server_url, event):
    base = live_server_url
    ana = AttendeeFactory(event=event, name="Ana Costa", checked_in=True)
    organizer = sign_in(chromium, base)
    organizer.goto(f"{base}/events/{event.pk}/control/")
    press_control(organizer, event, "plan")
    press_control(organizer, event, "start")
    context = chromium.new_context(**PHONE)
    phone = context.new_page()
    phone.goto(f"{base}/a/{ana.token}/")
    expect(phone.locator(".room")).to_have_attribute("data-phase", "running", timeout=10_000)
    button = phone.locator('.stop[data-round-number="1"] [data-card-kind="see_me"]')

    context.set_offline(True)
    button.click()
    expect(button).to_have_attribute("data-pending", "true")
    expect(button).to_have_attribute("aria-pressed", "true")
    assert not Card.objects.exists()
    context.set_offline(False)

    expect(button).not_to_have_attribute("data-pending", "true", timeout=15_000)
    assert Card.objects.filter(giver=ana).count() == 1
    phone.reload()
    expect(button).to_have_attribute("aria-pressed", "true")
    assert Card.objects.filter(giver=ana).count() == 1


def test_attendee_introduction_accepted_then_made_with_one_tap_each(
    chromium, live_server_url, event
):
    introduction = offered_introduction(event)
    pitcher, introducer = introduction.card.receiver, introduction.card.giver
    item = f"#introduction-{introduction.pk}-item"
    ana, bo = phone_page(chromium), phone_page(chromium)
    pages_loaded = []
    for page in (ana, bo):
        page.on("request", lambda r: r.resource_type == "document" and pages_loaded.append(r.url))

    ana.goto(f"{live_server_url}/a/{pitcher.token}/leads/")
    ana.locator(item).get_by_role("button", name="Accept").click()

    expect(ana.locator(f"#introduction-{introduction.pk}-status")).to_have_text("Accepted")
    bo.goto(f"{live_server_url}/a/{introducer.token}/leads/")
    bo.locator(item).get_by_role("button", name="I made the introduction").click()
    expect(bo.locator(f"#introduction-{introduction.pk}-status")).to_have_text("Made")
    assert len(pages_loaded) == 2  # each leads page once: the taps were swapped in by htmx
    introduction.refresh_from_db()
    assert (introduction.status, introduction.target) == ("made", "my cousin at the port")
