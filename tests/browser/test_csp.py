"""The main pages work under the real Content-Security-Policy: no violation on any of them."""

from __future__ import annotations

from tests.browser.conftest import PHONE, sign_in
from tests.factories import (
    AttendeeFactory,
    EventFactory,
    RoundFactory,
    SeatFactory,
    TableFactory,
    UserFactory,
)

LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(
    `${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


def violations(page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    return page.evaluate("window.__cspViolations")


def test_main_pages_raise_no_csp_violation(live_server_url, chromium):
    organizer = UserFactory(username="org")
    event = EventFactory(organizer=organizer, live=True, rounds_count=2)
    people = [AttendeeFactory(event=event, checked_in=True) for _ in range(3)]
    table = TableFactory(round=RoundFactory(event=event, number=1, running=True), number=1)
    for order, person in enumerate(people):
        SeatFactory(table=table, attendee=person, speaking_order=order)

    phone = chromium.new_context(**PHONE)
    phone.add_init_script(LISTEN)
    laptop = sign_in(chromium, live_server_url)
    laptop.context.add_init_script(LISTEN)
    pages = {
        "room": (phone.new_page(), f"/a/{people[0].token}/"),
        "pitch": (phone.new_page(), f"/a/{people[0].token}/pitch/"),
        "leads": (phone.new_page(), f"/a/{people[0].token}/leads/"),
        "join": (phone.new_page(), f"/join/{event.join_code}/"),
        "home": (phone.new_page(), "/"),
        "control": (laptop, f"/events/{event.pk}/control/"),
        "check-in": (laptop, f"/events/{event.pk}/attendees/"),
        "event": (laptop, f"/events/{event.pk}/"),
        "projector": (laptop, f"/p/{event.projector_key}/"),
    }

    found = {name: violations(page, live_server_url + path) for name, (page, path) in pages.items()}

    assert found == {name: [] for name in pages}
    # The live pages did start under the policy (their scripts ran and the socket opened).
    assert pages["control"][0].evaluate("typeof window.htmx") == "object"
