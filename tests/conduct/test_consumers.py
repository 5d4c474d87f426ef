"""A report reaches every organizer's control socket at once, and never the phone of the person
it is about (nor any other phone)."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async

from conduct import services
from conduct.models import Report
from tests.conftest import acreate, open_phone
from tests.factories import AttendeeFactory, EventFactory, UserFactory
from tests.rounds.test_consumers import connect
from tests.rounds.test_protocol import assert_same_shape, documented_examples

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@database_sync_to_async
def report(reporter, about, message: str) -> Report:
    return services.make_report(
        reporter, kind=Report.Kind.PERSON, about_id=about.pk, message=message
    )


async def test_report_reaches_two_organizers_live_and_no_phone(asgi_app):
    event = await acreate(EventFactory, live=True)
    helper = await acreate(UserFactory)
    await event.co_organizers.aadd(helper)
    reporter = await acreate(AttendeeFactory, event=event, checked_in=True, name="Rita Reporter")
    about = await acreate(AttendeeFactory, event=event, checked_in=True, name="Sam Seller")
    bystander = await acreate(AttendeeFactory, event=event, checked_in=True)
    control = f"/ws/events/{event.pk}/control/"
    owner_dash, _ = await connect(asgi_app, control, user=event.organizer)
    helper_dash, _ = await connect(asgi_app, control, user=helper)
    people = (about, reporter, bystander)
    phones = [(await open_phone(asgi_app, person.token))[0] for person in people]

    made = await report(reporter, about, "He would not take no for an answer.")

    for dashboard in (owner_dash, helper_dash):
        alert = json.loads(await dashboard.receive_from(timeout=2))
        assert alert["type"] == "report"
        assert alert["id"] == made.pk
        assert alert["about"] == "Sam Seller"
        assert alert["reporter"] == "Rita Reporter"
        assert alert["message"] == "He would not take no for an answer."
        assert alert["url"] == f"/events/{event.pk}/reports/#report-{made.pk}"
        assert_same_shape(alert, documented_examples()["report"])
    for phone in phones:
        assert await phone.receive_nothing(timeout=0.3)
    for socket in (owner_dash, helper_dash, *phones):
        await socket.disconnect()


async def test_report_does_not_reach_another_events_organizers(asgi_app):
    event = await acreate(EventFactory, live=True)
    other = await acreate(EventFactory, live=True)
    reporter = await acreate(AttendeeFactory, event=event)
    about = await acreate(AttendeeFactory, event=event)
    other_dash, _ = await connect(asgi_app, f"/ws/events/{other.pk}/control/", user=other.organizer)

    await report(reporter, about, "")

    assert await other_dash.receive_nothing(timeout=0.3)
    await other_dash.disconnect()
