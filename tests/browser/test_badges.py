"""Badges fit the printed page whatever the names: checked in Chromium at A4 and US Letter."""

from __future__ import annotations

from pathlib import Path

import pytest

from events import services
from tests.factories import EventFactory, UserFactory

PASSWORD = "correct horse battery staple"
CASES = Path(__file__).parent.parent / "events" / "field_cases"
MM = 96 / 25.4  # CSS pixels per millimetre
MARGIN_MM = 12  # @page margin in print.css
PAPERS = {"A4": (210, 297), "Letter": (215.9, 279.4)}


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_badges_of_long_names_fit_the_page(live_server_url, chromium, paper):
    organizer = UserFactory(username="org")
    event = EventFactory(organizer=organizer)
    services.import_attendees(event, data=(CASES / "badges-long-token.csv").read_bytes(), by=None)
    width_mm, height_mm = PAPERS[paper]
    width = round((width_mm - 2 * MARGIN_MM) * MM)
    height = round((height_mm - 2 * MARGIN_MM) * MM)
    page = chromium.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{live_server_url}/accounts/login/")
    page.fill("#id_username", "org")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server_url}/events/")

    page.goto(f"{live_server_url}/events/{event.pk}/print/badges/")
    page.emulate_media(media="print")

    figures = page.evaluate(
        """() => ({
            page: document.documentElement.scrollWidth,
            badges: [...document.querySelectorAll('.badge')].map(b => {
                const box = b.getBoundingClientRect();
                const breaks = getComputedStyle(b).breakInside;
                return {right: box.right, height: box.height, breaks};
            }),
            names: [...document.querySelectorAll('.badge-name')].map(n => ({
                text: n.textContent, scroll: n.scrollWidth, client: n.clientWidth,
                width: n.getBoundingClientRect().width,
            })),
        })"""
    )
    assert len(figures["badges"]) == 6
    assert figures["page"] <= width
    assert [b for b in figures["badges"] if b["right"] > width] == []
    assert [b for b in figures["badges"] if b["height"] > height] == []
    assert {b["breaks"] for b in figures["badges"]} == {"avoid"}
    assert [n["text"] for n in figures["names"] if n["scroll"] > n["client"] + 1] == []
    assert [n["text"] for n in figures["names"] if n["width"] == 0] == []
    pdf = page.pdf(
        format=paper, margin={side: f"{MARGIN_MM}mm" for side in ("top", "bottom", "left", "right")}
    )
    assert pdf.startswith(b"%PDF")
