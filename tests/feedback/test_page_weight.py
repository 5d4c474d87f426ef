"""The phone's first load stays light: the room page and everything it loads, compressed."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.factories import PitchFactory, RoundFactory, SeatFactory, TableFactory

BUDGET_BYTES = 60 * 1024


@pytest.mark.django_db
def test_room_first_load_is_under_60_kb_compressed(client):
    round_ = RoundFactory(number=1, running=True)
    table = TableFactory(round=round_, number=1)
    people = [SeatFactory(table=table, speaking_order=order).attendee for order in range(8)]
    for person in people:
        PitchFactory(attendee=person)

    html = client.get(reverse("room", args=[people[0].token])).content
    assets = re.findall(rb'(?:src|href)="/static/([^"]+)"', html)
    sizes = {"page": len(gzip.compress(html))}
    for asset in assets:
        path = finders.find(asset.decode())
        assert path, f"{asset!r} is referenced but not found"
        sizes[asset.decode()] = len(gzip.compress(Path(path).read_bytes()))

    assert "django_htmx/htmx-2.min.js" in sizes
    assert "js/live.js" in sizes
    assert sum(sizes.values()) < BUDGET_BYTES, sizes
