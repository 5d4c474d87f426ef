"""Odd names: a 120-character name without a space, a URL for a company, a pitch without a
space never make a page wider than the screen (phone at 390 px, laptop at 1280 px)."""

from __future__ import annotations

from feedback.models import Card, Introduction
from tests.browser.conftest import sign_in
from tests.factories import (
    EventFactory,
    PitchFactory,
    RoundFactory,
    SeatFactory,
    TableFactory,
    UserFactory,
)

LONG_NAME = "W" * 120
LONG_COMPANY = "https://example.com/" + "a" * 140
LONG_TEXT = "x" * 300


def _event_with_long_names():
    organizer = UserFactory(username="org")
    event = EventFactory(organizer=organizer, live=True)
    round_ = RoundFactory(event=event, number=1, running=True)
    table = TableFactory(round=round_, number=1)
    long = SeatFactory(
        table=table,
        speaking_order=0,
        attendee__name=LONG_NAME,
        attendee__company=LONG_COMPANY,
        attendee__job_title=LONG_TEXT[:150],
    ).attendee
    reader = SeatFactory(table=table, speaking_order=1, attendee__name="Ana Costa").attendee
    PitchFactory(attendee=long, need=LONG_TEXT, offer=LONG_TEXT, ask=LONG_TEXT[:150])
    PitchFactory(attendee=reader)
    for giver, receiver in ((long, reader), (reader, long)):
        for n, kind in enumerate(("see_me", "introduce")):
            card = Card.objects.create(
                round=round_,
                giver=giver,
                receiver=receiver,
                kind=kind,
                note=LONG_TEXT[:200] if kind == "introduce" else "",
                client_id=f"00000000-0000-4000-8000-0000000{giver.pk:03d}{n:02d}",
            )
            if kind == "introduce":
                Introduction.objects.create(card=card, target=card.note)
    event.log_entries.create(action="checked_in", params={"attendee": long.pk})
    event.log_entries.create(action="announcement", message=LONG_TEXT)
    return event, long, reader


def _scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_long_unbroken_names_fit_the_phone_and_the_laptop(live_server_url, chromium):
    event, long, reader = _event_with_long_names()
    phone = chromium.new_context(viewport={"width": 390, "height": 800}, is_mobile=True).new_page()
    widths = {}
    for who in (reader, long):
        for path in ("", "leads/", "report/"):
            phone.goto(f"{live_server_url}/a/{who.token}/{path}")
            phone.wait_for_load_state("networkidle")
            widths[f"phone {who.name[:4]} /{path}"] = _scroll_width(phone)
    laptop = sign_in(chromium, live_server_url)
    for path in ("attendees/", "report/", "control/"):
        laptop.goto(f"{live_server_url}/events/{event.pk}/{path}")
        laptop.wait_for_load_state("networkidle")
        widths[f"laptop /{path}"] = _scroll_width(laptop)
    log = laptop.locator(".log-entries")
    widths["laptop control's log"] = log.evaluate("e => e.scrollWidth - e.clientWidth + 1280")

    too_wide = {
        page: width
        for page, width in widths.items()
        if width > (390 if page.startswith("phone") else 1280)
    }
    assert too_wide == {}


def test_digest_mail_with_long_unbroken_names_fits_a_phone(transactional_db, chromium):
    from feedback import digest

    event, _long, reader = _event_with_long_names()
    event.status = "closed"
    event.save()
    message = digest.digest_message(reader)
    html = next(body for body, kind in message.alternatives if kind == "text/html")
    phone = chromium.new_context(viewport={"width": 390, "height": 800}, is_mobile=True).new_page()

    phone.set_content(html)

    assert LONG_NAME in phone.content()
    assert _scroll_width(phone) <= 390
