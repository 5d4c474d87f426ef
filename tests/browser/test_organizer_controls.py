"""The organizer's controls in a real browser: no double click costs anything, disruptive
actions ask first, the next step is the one main button in every state, walk-ins are flagged,
and the door checks people in from their personal or badge QR code."""

from __future__ import annotations

import io

import pytest
import segno
from playwright.sync_api import expect

from config.site import public_url
from events.models import Event
from tests.browser.conftest import press_control, sign_in
from tests.factories import AttendeeFactory, EventFactory, UserFactory


def primary(page, event) -> str | None:
    button = page.locator(f"#event-{event.pk}-control .button-primary")
    if button.count() == 0:
        return None
    return button.get_attribute("data-action")


def test_double_click_on_check_in_never_marks_as_left(live_server_url, chromium):
    organizer = UserFactory(username="org")
    event = EventFactory(organizer=organizer, check_in=True)
    kenji = AttendeeFactory(event=event, name="Kenji Sato")
    AttendeeFactory(event=event, name="Lucas Weber")
    laptop = sign_in(chromium, live_server_url)
    laptop.goto(f"{live_server_url}/events/{event.pk}/attendees/")
    row = laptop.locator(f"#attendee-{kenji.pk}-row")
    box_before = row.locator("button[value=check_in]").bounding_box()

    row.locator("button[value=check_in]").dblclick()

    expect(row).to_contain_text("Checked in")
    expect(laptop.locator(f"#event-{event.pk}-attendance")).to_contain_text("1 checked in of 2")
    kenji.refresh_from_db()
    assert kenji.checked_in_at is not None
    assert kenji.left_at is None
    expect(row.locator("button[value=check_in]")).to_be_disabled()
    assert row.locator("button[value=check_in]").bounding_box() == box_before
    assert list(event.log_entries.values_list("action", flat=True)) == ["checked_in"]


def test_left_asks_first_and_undo_is_logged(live_server_url, chromium):
    organizer = UserFactory(username="org")
    event = EventFactory(organizer=organizer, check_in=True)
    kenji = AttendeeFactory(event=event, name="Kenji Sato", checked_in=True)
    laptop = sign_in(chromium, live_server_url)
    laptop.goto(f"{live_server_url}/events/{event.pk}/attendees/")
    row = laptop.locator(f"#attendee-{kenji.pk}-row")

    laptop.once("dialog", lambda dialog: dialog.dismiss())
    row.locator("button[value=left]").click()
    laptop.wait_for_timeout(300)
    kenji.refresh_from_db()
    assert kenji.left_at is None

    row.locator("button[value=undo]").click()
    expect(row).to_contain_text("Not here yet")
    assert list(event.log_entries.values_list("action", flat=True)) == ["check_in_undone"]


def test_the_primary_action_follows_every_state_and_disruptive_ones_ask(live_server_url, chromium):
    organizer = UserFactory(username="org")
    event = EventFactory(organizer=organizer, rounds_count=1, table_size=3, round_seconds=90)
    AttendeeFactory.create_batch(6, event=event, checked_in=True)
    laptop = sign_in(chromium, live_server_url)
    laptop.goto(f"{live_server_url}/events/{event.pk}/control/")
    panel = laptop.locator(f"#event-{event.pk}-control")
    expect(laptop.locator(".control-round .round-none")).to_be_visible()

    assert primary(laptop, event) == "open"
    expect(panel.locator("button[data-action=close]")).to_be_disabled()
    press_control(laptop, event, "open")
    assert primary(laptop, event) == "plan"
    expect(panel.locator("button[data-action=mingle]")).to_be_disabled()
    press_control(laptop, event, "plan")
    assert primary(laptop, event) == "start"
    expect(panel.locator("button[data-action=plan]")).to_be_disabled()
    expect(panel.locator("button[data-action=start]")).to_have_text("Start round 1")
    press_control(laptop, event, "start")
    assert primary(laptop, event) is None

    # ending a round asks; "no" changes nothing
    laptop.once("dialog", lambda dialog: dialog.dismiss())
    panel.locator("button[data-action=end]").click()
    laptop.wait_for_timeout(300)
    assert event.rounds.get().status == "running"
    laptop.once("dialog", lambda dialog: dialog.accept())
    press_control(laptop, event, "end")
    assert primary(laptop, event) == "mingle"

    laptop.once("dialog", lambda dialog: dialog.accept())
    press_control(laptop, event, "mingle")
    assert primary(laptop, event) == "close"
    laptop.once("dialog", lambda dialog: dialog.dismiss())
    panel.locator("button[data-action=close]").click()
    laptop.wait_for_timeout(300)
    assert Event.objects.get(pk=event.pk).status == Event.Status.MINGLE
    laptop.once("dialog", lambda dialog: dialog.accept())
    press_control(laptop, event, "close")
    assert primary(laptop, event) is None
    assert Event.objects.get(pk=event.pk).status == Event.Status.CLOSED


def test_walk_in_banner_names_them_and_re_plans(live_server_url, chromium):
    """Round 1 runs when Zoe arrives: the re-plan seats her from round 2 on. Nothing along
    the way (the plan, Start round, the re-plan) logs a console error, a CSP refusal
    included."""
    organizer = UserFactory(username="org")
    event = EventFactory(
        organizer=organizer, check_in=True, rounds_count=2, table_size=3, round_seconds=90
    )
    AttendeeFactory.create_batch(6, event=event, checked_in=True)
    laptop = sign_in(chromium, live_server_url)
    errors: list[str] = []
    laptop.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    laptop.on("pageerror", lambda error: errors.append(str(error)))
    laptop.goto(f"{live_server_url}/events/{event.pk}/control/")
    press_control(laptop, event, "plan")
    press_control(laptop, event, "start")
    AttendeeFactory(event=event, name="Zoe Late", checked_in=True)

    laptop.reload()
    banner = laptop.locator(f"#event-{event.pk}-gaps")
    expect(banner).to_contain_text("1 person is here but not seated: Zoe Late.")
    laptop.once("dialog", lambda dialog: dialog.accept())
    banner.locator("button[data-action=replan-gaps]").click()

    expect(banner).to_have_count(0, timeout=15_000)
    assert event.rounds.get(number=2).seats.count() == 7
    laptop.wait_for_timeout(500)
    assert errors == []


@pytest.mark.parametrize("code", ["personal link", "badge"])
def test_door_checks_in_from_a_photo_of_the_qr_code(live_server_url, chromium, code):
    organizer = UserFactory(username="org")
    event = EventFactory(organizer=organizer, check_in=True)
    mei = AttendeeFactory(event=event, name="Mei Chen")
    AttendeeFactory(event=event)
    path = f"/a/{mei.token}/" if code == "personal link" else f"/b/{mei.badge_key}/"
    image = io.BytesIO()
    segno.make(public_url(path), error="m").save(image, kind="png", scale=8)
    laptop = sign_in(chromium, live_server_url)
    laptop.goto(f"{live_server_url}/events/{event.pk}/door/")
    expect(laptop.locator(f"#event-{event.pk}-attendance")).to_contain_text("0 checked in of 2")

    laptop.set_input_files(
        "[data-door-photo]",
        files=[{"name": "code.png", "mimeType": "image/png", "buffer": image.getvalue()}],
    )

    expect(laptop.locator(f"#event-{event.pk}-door-result")).to_contain_text("Mei Chen checked in.")
    expect(laptop.locator(f"#event-{event.pk}-attendance")).to_contain_text("1 checked in of 2")
    mei.refresh_from_db()
    assert mei.checked_in_at is not None
    assert event.log_entries.get().action == "checked_in"

    result = laptop.locator(f"#event-{event.pk}-door-result")
    result.get_by_role("button", name="Undo: Mei Chen is not here").click()
    expect(result).to_contain_text("Undone: Mei Chen is not checked in.")
    expect(laptop.locator(f"#event-{event.pk}-attendance")).to_contain_text("0 checked in of 2")
    assert laptop.url == f"{live_server_url}/events/{event.pk}/door/"
    mei.refresh_from_db()
    assert mei.checked_in_at is None
    typed = laptop.get_by_label("Or type the code or paste the badge or personal link")
    box = typed.bounding_box()
    assert box["height"] >= 44  # a box a thumb (or a scanner gun's cursor) finds at once
    assert box["width"] >= 240


def test_a_check_in_at_the_door_shows_on_the_control_page_at_once(live_server_url, chromium):
    organizer = UserFactory(username="org")
    event = EventFactory(
        organizer=organizer, check_in=True, rounds_count=2, table_size=3, round_seconds=90
    )
    AttendeeFactory.create_batch(6, event=event, checked_in=True)
    mei = AttendeeFactory(event=event, name="Mei Chen")
    control = sign_in(chromium, live_server_url)
    control.goto(f"{live_server_url}/events/{event.pk}/control/")
    press_control(control, event, "plan")
    door = control.context.new_page()
    door.goto(f"{live_server_url}/events/{event.pk}/door/")
    checked_in = control.locator(f"#event-{event.pk}-counters .counters dd").first
    banner = control.locator(f"#event-{event.pk}-gaps")
    expect(checked_in).to_have_text("6")
    row = door.locator(f"#attendee-{mei.pk}-row")

    # Right after a poll of the counters, the next one is 5 s away: only a push is this quick.
    with control.expect_response(lambda r: "/control/counters/" in r.url):
        pass
    row.locator("button[value=check_in]").click()
    expect(checked_in).to_have_text("7", timeout=3000)
    expect(banner).to_contain_text("1 person is here but not seated: Mei Chen.", timeout=10)

    with control.expect_response(lambda r: "/control/counters/" in r.url):
        pass
    row.locator("button[value=undo]").click()
    expect(checked_in).to_have_text("6", timeout=3000)
    expect(banner).to_have_count(0, timeout=10)


def test_the_table_sizes_compared_are_the_organizers_range_checked_in_the_browser(
    live_server_url, chromium
):
    organizer = UserFactory(username="org")
    event = EventFactory(
        organizer=organizer, check_in=True, rounds_count=3, table_size=6, round_seconds=300
    )
    AttendeeFactory.create_batch(30, event=event, checked_in=True)
    laptop = sign_in(chromium, live_server_url)
    laptop.goto(f"{live_server_url}/events/{event.pk}/plan/")
    sizes = laptop.locator(f"#event-{event.pk}-sizes input[name=table_size]")
    expect(laptop.locator(f"#event-{event.pk}-size-8")).to_have_count(1)
    expect(laptop.locator(f"#event-{event.pk}-size-3")).to_have_count(0)
    form = laptop.locator(f"#event-{event.pk}-size-range")
    low, high = form.locator("[name=low]"), form.locator("[name=high]")

    low.fill("6")
    high.fill("5")  # below the smallest: the browser refuses, as the server would
    form.get_by_role("button", name="Compare these sizes").click()
    assert high.evaluate("input => input.validity.rangeUnderflow")
    assert laptop.url == f"{live_server_url}/events/{event.pk}/plan/"
    high.fill("11")  # above what the planner seats
    assert high.evaluate("input => input.validity.rangeOverflow")

    low.fill("3")
    high.fill("5")
    with laptop.expect_navigation():
        form.get_by_role("button", name="Compare these sizes").click()

    expect(laptop.locator(f"#event-{event.pk}-size-3")).to_have_count(1)
    assert sorted(int(value) for value in sizes.evaluate_all("l => l.map(i => i.value)")) == [
        3,
        4,
        5,
    ]
    event.refresh_from_db()
    assert (event.guide_min_table_size, event.guide_max_table_size) == (3, 5)
