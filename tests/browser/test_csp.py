"""The main pages work under the real Content-Security-Policy: no violation on any of them."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, sign_in
from tests.factories import (
    AttendeeFactory,
    EventFactory,
    ReportFactory,
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


def test_conduct_pages_and_the_report_alert_raise_no_csp_violation(live_server_url, chromium):
    organizer = UserFactory(username="org")
    event = EventFactory(organizer=organizer, live=True, rounds_count=2, with_conduct=True)
    people = [AttendeeFactory(event=event, checked_in=True) for _ in range(3)]
    table = TableFactory(round=RoundFactory(event=event, number=1, running=True), number=1)
    for order, person in enumerate(people):
        SeatFactory(table=table, attendee=person, speaking_order=order)
    reporter, seller = people[0], people[1]
    ReportFactory(event=event, reporter=reporter, about=seller, message="An earlier one.")

    phone = chromium.new_context(**PHONE)
    phone.add_init_script(LISTEN)
    laptop = sign_in(chromium, live_server_url)
    laptop.context.add_init_script(LISTEN)
    token = reporter.token
    pages = {
        "conduct": (phone.new_page(), f"/a/{token}/conduct/"),
        "report": (phone.new_page(), f"/a/{token}/report/"),
        "apart": (phone.new_page(), f"/a/{token}/apart/"),
        "conduct settings": (laptop, f"/events/{event.pk}/conduct/?default=1"),
        "reports": (laptop, f"/events/{event.pk}/reports/"),
        "projector": (laptop, f"/p/{event.projector_key}/"),
    }
    found = {name: violations(page, live_server_url + path) for name, (page, path) in pages.items()}

    # The control page with a live alert: the phone accepts and reports in two taps.
    control = laptop.context.new_page()
    found["control"] = violations(control, f"{live_server_url}/events/{event.pk}/control/")
    expect(control.locator("[data-conduct-count]")).to_contain_text("1 open report")
    tapping = phone.new_page()
    tapping.goto(f"{live_server_url}/a/{token}/")
    tapping.get_by_role("button", name="I accept").click()
    tapping.get_by_role("link", name="Report a problem").click()
    tapping.get_by_role("button", name=seller.name).click()
    expect(tapping.locator(f"#attendee-{reporter.pk}-report-sent")).to_be_visible()
    expect(control.locator(".conduct-alert")).to_contain_text(seller.name)
    expect(control.locator("[data-conduct-count]")).to_contain_text("2 open reports")
    found["control"] += control.evaluate("window.__cspViolations")
    found["phone after report"] = tapping.evaluate("window.__cspViolations")

    assert found == {name: [] for name in found}
