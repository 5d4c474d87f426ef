"""The wish list on a 390 px phone: pick someone from the guest list by searching, add a kind of
person, and find both after a reload; large tap targets, no sideways scrolling, no CSP
violation. With SPEEDNET_SCREENS=<folder> it saves a screenshot for a person to look at."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import expect

from pitches.models import Wish
from tests.browser.test_csp import LISTEN
from tests.factories import AttendeeFactory, EventFactory, PitchFactory

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SCREENS = os.environ.get("SPEEDNET_SCREENS", "")


def test_pick_a_person_and_add_a_kind_then_reload_and_see_both(live_server_url, chromium):
    event = EventFactory(title="Founders Friday")
    ana = AttendeeFactory(event=event, name="Ana Costa")
    PitchFactory(attendee=ana, ask="Who do you know in HR at a company that sponsors visas?")
    liu = AttendeeFactory(
        event=event, name="Liu Fang", company="Anshui Medical", is_listed_in_guest_list=True
    )
    PitchFactory(attendee=liu, ask="Who runs a private clinic in Tianjin?")
    AttendeeFactory(event=event, name="Liu Hidden", company="Anshui Medical")  # not listed
    context = chromium.new_context(**PHONE)
    context.add_init_script(LISTEN)
    phone = context.new_page()
    phone.set_default_timeout(15_000)

    phone.goto(f"{live_server_url}/a/{ana.token}/pitch/")
    wishes = phone.locator(f"#attendee-{ana.pk}-wishes")
    expect(wishes).to_contain_text("Your wish list is empty.", timeout=15_000)
    phone.get_by_label("Find someone on the guest list").press_sequentially("liu", delay=50)
    pick = phone.locator(f"#attendee-{liu.pk}-guest button")
    expect(pick).to_contain_text("Anshui Medical", timeout=15_000)
    expect(pick).to_contain_text("Who runs a private clinic in Tianjin?", timeout=15_000)
    expect(phone.locator(f"#attendee-{ana.pk}-guests")).not_to_contain_text("Liu Hidden")
    if SCREENS:
        Path(SCREENS).mkdir(parents=True, exist_ok=True)
        phone.locator(f"#attendee-{ana.pk}-guests").scroll_into_view_if_needed()
        phone.screenshot(path=str(Path(SCREENS) / "wish-search-390.png"))
    pick.click()
    expect(wishes.locator(".wish-list")).to_contain_text("Liu Fang", timeout=15_000)
    phone.get_by_label("Or describe a kind of person").fill("someone at a hospital group")
    phone.get_by_role("button", name="Add to my wish list").click()
    expect(wishes.locator(".wish-list")).to_contain_text(
        "someone at a hospital group", timeout=15_000
    )

    phone.reload()

    items = phone.locator(f"#attendee-{ana.pk}-wishes .wish")
    expect(items).to_have_count(2, timeout=15_000)
    expect(items.nth(0)).to_contain_text("Liu Fang")
    expect(items.nth(0)).to_contain_text("Anshui Medical")
    expect(items.nth(1)).to_contain_text("someone at a hospital group")
    assert list(Wish.objects.filter(author=ana).values_list("person_id", "text")) == [
        (liu.pk, ""),
        (None, "someone at a hospital group"),
    ]
    # a phone's layout: nothing wider than the screen, every control of the list a finger wide
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_label("Find someone on the guest list").fill("anshui")
    expect(phone.locator(f"#attendee-{liu.pk}-guest")).to_have_count(0, timeout=15_000)
    phone.get_by_label("Find someone on the guest list").fill("")
    controls = phone.locator(
        f"#attendee-{ana.pk}-wishes button, #attendee-{ana.pk}-wishes input:not([type=hidden])"
    )
    heights = [controls.nth(i).bounding_box()["height"] for i in range(controls.count())]
    assert len(heights) >= 5
    assert min(heights) >= 44, heights
    assert phone.evaluate("window.__cspViolations") == []
    if SCREENS:
        folder = Path(SCREENS)
        folder.mkdir(parents=True, exist_ok=True)
        wishes.scroll_into_view_if_needed()
        phone.screenshot(path=str(folder / "wish-list-390.png"), full_page=True)
