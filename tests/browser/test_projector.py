"""The projector in a real Chromium at the two common screen sizes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from rounds import services as round_services
from tests.factories import AttendeeFactory, EventFactory


@pytest.fixture
def event(transactional_db):
    """Planned before the browser starts: the plan's pushes need no running event loop."""
    event = EventFactory(check_in=True, join_code="CG26VP", rounds_count=3, table_size=5)
    AttendeeFactory.create_batch(60, event=event, checked_in=True)
    round_services.make_plan(event, by=None, time_limit=0.5)
    return event


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1280, 720)])
def test_projector_is_readable_and_fits_the_screen(
    event, live_server_url, chromium, width, height, tmp_path
):
    page = chromium.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{live_server_url}/p/{event.projector_key}/")

    expect(page.locator(".screen")).to_have_attribute("data-phase", "before")
    clock_px = page.locator(".screen-clock").evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    code_px = page.locator(".screen-code").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth > innerWidth"
        " || document.documentElement.scrollHeight > innerHeight"
    )
    code_box = page.locator(".screen-code").bounding_box()
    visible = page.locator(".find-list li:not([hidden])").count()
    page.screenshot(path=str(tmp_path / f"projector-{width}.png"))

    assert clock_px >= height * 0.2
    assert code_px >= 48
    assert not overflow
    assert code_box["y"] + code_box["height"] <= height
    pages = -(-60 // visible)
    assert 1 < pages <= 6
    expect(page.locator("[data-find-page]")).to_have_text(f"1 / {pages}")
