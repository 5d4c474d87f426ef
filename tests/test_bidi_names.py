"""Names in right-to-left scripts are isolated (<bdi>) where they sit inside a line, so an
Arabic name does not reorder the text around it ("Pitching now: · company" stays in order)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from feedback.models import Card
from tests.factories import (
    EventFactory,
    PitchFactory,
    RoundFactory,
    SeatFactory,
    TableFactory,
)

pytestmark = pytest.mark.django_db

ARABIC = "🚀👩‍💻 محمد الأحمد"
COMPANY = "شركة النور"


@pytest.fixture
def tables():
    """Round 1 planned (not started): Ana and an Arabic-named tablemate at table 1; the
    tablemate asked to see Ana."""
    event = EventFactory(live=True)
    round_ = RoundFactory(event=event, number=1)
    table = TableFactory(round=round_, number=1)
    ana = SeatFactory(table=table, speaking_order=0, attendee__name="Ana Costa").attendee
    mate = SeatFactory(
        table=table, speaking_order=1, attendee__name=ARABIC, attendee__company=COMPANY
    ).attendee
    PitchFactory(attendee=mate, ask="من تعرف في الموانئ؟")
    Card.objects.create(
        round=round_,
        giver=mate,
        receiver=ana,
        kind="see_me",
        client_id="00000000-0000-4000-8000-000000000001",
    )
    return event, ana


def test_room_isolates_a_tablemates_name_and_company(client, tables):
    _, ana = tables

    html = client.get(reverse("room", args=[ana.token])).text

    assert f"<bdi data-name>{ARABIC}</bdi>" in html
    assert f'<span class="company">· <bdi>{COMPANY}</bdi></span>' in html
    assert f"<strong><bdi>{ARABIC}</bdi></strong>" in html  # the card received


def test_leads_isolate_the_name_and_company(client, tables):
    _, ana = tables

    html = client.get(reverse("leads", args=[ana.token])).text

    assert f'<p class="tablemate-name"><bdi>{ARABIC}</bdi>' in html
    assert f"<bdi>{COMPANY}</bdi>" in html


def test_projector_find_my_table_isolates_names(client, tables):
    event, _ = tables

    html = client.get(reverse("projector", args=[event.projector_key])).text

    assert f'<bdi class="find-name">{ARABIC}</bdi>' in html


def test_attendee_list_isolates_name_and_company(client, tables):
    event, _ = tables
    client.force_login(event.organizer)

    html = client.get(reverse("attendee_list", args=[event.pk])).text

    assert f"<td><bdi>{ARABIC}</bdi>" in html
    assert f"<td><bdi>{COMPANY}</bdi></td>" in html


def test_bdi_filter_escapes_what_it_isolates():
    from events.templatetags.people import bdi

    assert bdi("<b>محمد</b>") == "<bdi>&lt;b&gt;محمد&lt;/b&gt;</bdi>"
