"""A triple tap on "Join and check in" joins once: the page sends the form once, and the phone
lands on the room of the one walk-in added."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from events.models import Attendee
from tests.factories import EventFactory


@pytest.mark.django_db(transaction=True)
def test_join_button_tapped_three_times_fast_joins_once_and_opens_the_room(live_server_url, phone):
    event = EventFactory(check_in=True)
    join_url = f"{live_server_url}/join/{event.join_code}/"
    sent: list[str] = []
    phone.on("request", lambda r: r.method == "POST" and r.url == join_url and sent.append(r.url))
    phone.goto(join_url)
    phone.locator("#id_name").fill("Li Wei")
    phone.locator("#id_email").fill("li@example.com")
    button = phone.get_by_role("button", name="Join and check in")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    for _tap in range(3):  # within a few milliseconds, as a thumb's double tap and then some
        phone.mouse.click(x, y)

    phone.wait_for_url(f"{live_server_url}/a/*/")
    expect(phone.locator(".room")).to_be_visible()
    phone.wait_for_timeout(1_000)  # any later send would have been answered by now
    attendee = Attendee.objects.get(event=event)
    assert phone.url == f"{live_server_url}/a/{attendee.token}/"
    assert (attendee.name, attendee.email, attendee.is_checked_in) == (
        "Li Wei",
        "li@example.com",
        True,
    )
    assert len(sent) == 1
