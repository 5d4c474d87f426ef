"""A series as a new organizer and attendee try it: the second event is made "in" the series
with the first one's settings, seats returning people with new faces, asks "Is this you from
…?", and brings last time's promise to the person who made it. In English and in Chinese."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from events import services as event_services
from events.models import Event
from feedback import invitations
from rounds import queries as round_queries
from rounds.models import Round
from tests.factories import CardFactory, IntroductionFactory, UserFactory

pytestmark = pytest.mark.django_db

EMAILS = [f"{g}{i}@x.io" for g in "abc" for i in range(3)]


def form_data(title, starts_at, **fields):
    data = {
        "title": title,
        "starts_at": starts_at,
        "time_zone": "Europe/Berlin",
        "language": "en",
        "rounds_count": "1",
        "round_seconds": "180",
        "table_size": "3",
        "pitch_seconds": "30",
        "walk_ins_per_minute": "30",
        "is_favouring_new_faces": "on",
    }
    return data | fields


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_second_event_of_a_series_as_a_new_user_would(client, language):
    organizer = UserFactory()
    client.force_login(organizer)
    client.post(reverse("series_list"), {"title": "Harbour founders"})
    series = organizer.event_series.get()
    client.post(
        reverse("event_create"),
        form_data("Harbour March", "2026-03-12T18:30", series=str(series.pk), venue="Old Pier"),
    )
    march = Event.objects.get(title="Harbour March")
    people = {
        email: event_services.add_attendee(march, name=email[:2].upper(), email=email)
        for email in EMAILS
    }
    for person in people.values():
        event_services.check_in(person)
    client.post(reverse("plan_with_size", args=[march.pk]), {"table_size": "3"})
    first = round_queries.stored_plan(march.pk)[0]
    table = first[0]
    now = timezone.now()
    Round.objects.filter(event=march).update(
        status=Round.Status.DONE, started_at=now, turns_started_at=now, ends_at=now, ended_at=now
    )
    giver, receiver = (next(p for p in people.values() if p.pk == pk) for pk in table[:2])
    card = CardFactory(
        round=march.rounds.get(), giver=giver, receiver=receiver, introduce=True, note="a buyer"
    )
    IntroductionFactory(card=card, target="a buyer")
    Event.objects.filter(pk=march.pk).update(status=Event.Status.CLOSED)

    with translation.override(language):
        # the second event: "new event in this series" copies March's settings
        form = client.get(reverse("event_create"), {"series": series.pk}).context["form"]
        assert form.initial["venue"] == "Old Pier"
        assert form.initial["table_size"] == 3
        client.post(
            reverse("event_create"),
            form_data("Harbour April", "2026-04-09T18:30", series=str(series.pk)),
        )
        april = Event.objects.get(title="Harbour April")
        again = {
            email: event_services.add_attendee(april, name=email[:2].upper(), email=email.upper())
            for email in EMAILS
        }
        for person in again.values():
            event_services.check_in(person)
        client.post(reverse("plan_with_size", args=[april.pk]), {"table_size": "3"})
        plan_page = client.get(reverse("plan", args=[april.pk])).text
        series_page = client.get(reverse("series_detail", args=[series.pk]))
        assert series_page.status_code == 200

    # returning people sit with new faces only
    encounters = round_queries.plan_encounters(april, round_queries.stored_plan(april.pk))
    assert (encounters.new, encounters.total) == (9, 9)
    assert f'id="event-{april.pk}-new-encounters"' in plan_page
    assert "(100%)" in plan_page

    # the introducer is asked who they are, says yes, and finds last time's promise
    # on their own phone: an organizer's signed-in browser never becomes an attendee's device
    introducer = next(p for e, p in again.items() if e == giver.email)
    phone = Client()
    room = phone.get(reverse("room", args=[introducer.token])).text
    assert f'id="attendee-{introducer.pk}-series"' in room
    phone.post(reverse("series_answer", args=[introducer.token]), {"answer": "same"})
    leads = phone.get(reverse("leads", args=[introducer.token])).text
    assert f"introduce {receiver.name} to a buyer" in leads or "介绍给 a buyer" in leads
    assert "a buyer" in invitations.invitation_message(introducer).body
