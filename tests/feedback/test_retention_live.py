"""An attendee deletes their data during the evening, seated in the round under way: it counts as
their leaving, by the one rule for anyone leaving (marked gone as at the door, their seat in the
running round vacated at once, the coming rounds re-planned without them), and the phones at their
table and the projector show the placeholder at once (``person``) or, having missed it, from their
next itinerary load."""

from __future__ import annotations

import pytest
from django.urls import reverse

from events.models import Attendee, Event
from feedback import retention
from rounds import broadcasts
from rounds import queries as round_queries
from rounds import services as round_services
from rounds.groups import attendee_group, event_group, projector_group
from rounds.models import Round
from tests.factories import (
    AttendeeFactory,
    EventFactory,
    PitchFactory,
    RoundFactory,
    SeatFactory,
    TableFactory,
)

pytestmark = pytest.mark.django_db

PLACEHOLDER = {"type": "person", "erased": True, "name": "Erased attendee"}
PEOPLE = {"type": "people"}  # the projector fetches its count of people here again


def live_event_with_plan(people: int = 12, **event_fields) -> tuple[Event, list[Attendee]]:
    """A live event of ``people`` checked in, planned over four rounds, round 1 running."""
    event = EventFactory(check_in=True, rounds_count=4, table_size=4, **event_fields)
    attendees = AttendeeFactory.create_batch(people, event=event, checked_in=True)
    round_services.make_plan(event, by=event.organizer, time_limit=0.3)
    round_services.start_round(Round.objects.get(event=event, number=1), by=event.organizer)
    event.refresh_from_db()
    return event, attendees


def table_of(plan: list[list[list[int]]], round_index: int, person: int) -> list[int]:
    return next(table for table in plan[round_index] if person in table)


def test_erase_attendee_mid_round_marks_her_left_and_replans_the_coming_rounds(
    django_capture_on_commit_callbacks,
):
    event, _people = live_event_with_plan()
    before = round_queries.stored_plan(event.pk)
    her = Attendee.objects.get(pk=before[0][0][1])

    with django_capture_on_commit_callbacks(execute=True):
        erased = retention.erase_attendee(her)

    after = round_queries.stored_plan(event.pk)
    assert erased.has_left
    assert Attendee.objects.get(pk=her.pk).has_left
    # the running round: her seat is vacated at once, as every leaver's
    assert after[0] == [[pk for pk in table if pk != her.pk] for table in before[0]]
    assert [her.pk in table for tables in after[1:] for table in tables] == [False] * sum(
        len(tables) for tables in after[1:]
    )
    assert round_queries.seating_gaps(event.pk).gone == []  # nothing left for the banner
    actions = list(event.log_entries.order_by("pk").values_list("action", flat=True))
    assert actions[-4:] == ["attendee_erased", "attendee_left", "seat_vacated", "replanned"]


def test_erase_attendee_mid_round_tells_her_tablemates_and_the_projector_only(
    listen, django_capture_on_commit_callbacks
):
    event, people = live_event_with_plan()
    plan = round_queries.stored_plan(event.pk)
    her = Attendee.objects.get(pk=plan[0][0][1])
    mates = [pk for pk in table_of(plan, 0, her.pk) if pk != her.pk]
    phones = {person.pk: listen(attendee_group(person.pk)) for person in people}
    screen = listen(projector_group(event.pk))
    room = listen(event_group(event.pk))

    with django_capture_on_commit_callbacks(execute=True):
        retention.erase_attendee(her)

    told = {
        pk: [m for m in phone.messages() if m["type"] == "person"] for pk, phone in phones.items()
    }
    assert {pk for pk, said in told.items() if said} == set(mates)
    assert all(told[pk] == [{**PLACEHOLDER, "id": her.pk}] for pk in mates)
    assert screen.messages() == [PEOPLE, {**PLACEHOLDER, "id": her.pk}]  # one fewer here
    assert [m for m in room.messages() if m["type"] == "person"] == []


def test_erase_attendee_in_the_last_round_vacates_her_seat_and_raises_the_plan_version(
    listen, django_capture_on_commit_callbacks
):
    event = EventFactory(live=True, rounds_count=1)
    table = TableFactory(round=RoundFactory(event=event, number=1, running=True), number=1)
    seated = [
        SeatFactory(table=table, speaking_order=order, attendee__event=event).attendee
        for order in range(3)
    ]
    for person in seated:
        person.checked_in_at = event.created_at
        person.save(update_fields=["checked_in_at"])
    her, *mates = seated
    phones = [listen(attendee_group(mate.pk)) for mate in mates]
    screen = listen(projector_group(event.pk))

    with django_capture_on_commit_callbacks(execute=True):
        retention.erase_attendee(her)

    fresh = Event.objects.get(pk=event.pk)
    assert (fresh.plan_version, fresh.state_version) == (
        event.plan_version + 1,
        event.state_version + 1,
    )
    assert Attendee.objects.get(pk=her.pk).has_left
    assert list(table.seats.order_by("speaking_order").values_list("attendee_id", flat=True)) == [
        person.pk for person in mates
    ]
    for phone in phones:  # her placeholder wherever she shows, then their stop without her
        pushes = phone.messages()
        assert [push["type"] for push in pushes] == ["person", "plan"]
        assert pushes[0] == {**PLACEHOLDER, "id": her.pk}
        assert [mate["id"] for mate in pushes[1]["stops"][0]["mates"]] == [m.pk for m in mates]
    assert screen.messages() == [PEOPLE, {**PLACEHOLDER, "id": her.pk}]  # one fewer here


def test_erase_attendee_before_check_in_or_after_the_evening_tells_no_one(
    listen, django_capture_on_commit_callbacks
):
    event = EventFactory(mingle=True)
    table = TableFactory(round=RoundFactory(event=event, number=1, done=True), number=1)
    her = SeatFactory(table=table, speaking_order=0, attendee__event=event).attendee
    mate = SeatFactory(table=table, speaking_order=1, attendee__event=event).attendee
    phone = listen(attendee_group(mate.pk))
    screen = listen(projector_group(event.pk))

    with django_capture_on_commit_callbacks(execute=True):
        retention.erase_attendee(her)

    assert phone.messages() == []
    assert screen.messages() == [PEOPLE]  # no name: she is no longer counted among those here
    assert Event.objects.get(pk=event.pk).plan_version == event.plan_version


def tablemate_markup(html: str, person: int) -> str:
    """The ``<li>`` of ``person`` in an itinerary's markup."""
    start = html.index(f'data-person="{person}"')
    return html[html.rindex("<li", 0, start) : html.index("</li>", start)]


def test_erase_attendee_mid_round_tablemates_itinerary_no_longer_seats_her(
    client, django_capture_on_commit_callbacks
):
    event, _people = live_event_with_plan()
    plan = round_queries.stored_plan(event.pk)
    her = Attendee.objects.get(pk=plan[0][0][1])
    PitchFactory(attendee=her, ask="Who knows a cold-chain broker?")
    name = her.name
    mate = Attendee.objects.get(pk=next(pk for pk in table_of(plan, 0, her.pk) if pk != her.pk))
    before = client.get(reverse("room_itinerary", args=[mate.token])).content.decode()
    assert f'data-receiver="{her.pk}"' in tablemate_markup(before, her.pk)

    with django_capture_on_commit_callbacks(execute=True):
        retention.erase_attendee(her)

    # What a phone that missed the push loads when it reconnects (its plan version moved on),
    # and what a fresh page shows: her seat is vacated, nothing of her is left.
    for url in ("room_itinerary", "room"):
        html = client.get(reverse(url, args=[mate.token])).content.decode()
        assert f'data-person="{her.pk}"' not in html
        assert f'data-receiver="{her.pk}"' not in html
        assert "cold-chain" not in html
        assert name not in html
    assert Event.objects.get(pk=event.pk).plan_version > event.plan_version


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("url", ["projector", "projector_find"])
def test_erase_attendee_mid_round_projector_drops_her_from_find_your_table(
    client, django_capture_on_commit_callbacks, language, url
):
    """The projector's first render and the list it fetches again on the ``person`` push
    (static/js/projector.js) have no line for her: no name, no placeholder."""
    event, _people = live_event_with_plan(language=language)
    plan = round_queries.stored_plan(event.pk)
    her = Attendee.objects.get(pk=plan[0][0][1])
    name = her.name
    seated = sum(len(table) for table in plan[0])

    with django_capture_on_commit_callbacks(execute=True):
        retention.erase_attendee(her)

    response = client.get(reverse(url, args=[event.projector_key]))
    html = response.content.decode()
    listed = html.split("data-find-list>", 1)[1].split("</ol>", 1)[0]
    assert listed.count("<li>") == seated - 1
    assert name not in listed
    assert "已删除的参会者" not in html
    assert "Erased attendee" not in html


def test_erase_attendee_mid_round_projector_names_her_in_the_events_language(
    listen, django_capture_on_commit_callbacks
):
    event, _people = live_event_with_plan(language="zh-hans")
    plan = round_queries.stored_plan(event.pk)
    her = Attendee.objects.get(pk=plan[0][0][1])
    screen = listen(projector_group(event.pk))

    with django_capture_on_commit_callbacks(execute=True):
        retention.erase_attendee(her)

    assert screen.messages() == [
        PEOPLE,
        {"type": "person", "id": her.pk, "erased": True, "name": "已删除的参会者"},
    ]


def test_broadcast_itineraries_draws_an_erased_tablemate_as_erased(listen):
    event = EventFactory(live=True)
    table = TableFactory(round=RoundFactory(event=event, number=2), number=1)
    me = SeatFactory(table=table, speaking_order=0, attendee__event=event).attendee
    gone = SeatFactory(table=table, speaking_order=1, attendee__event=event).attendee
    retention.anonymize([gone], now=event.created_at)
    phone = listen(attendee_group(me.pk))

    broadcasts.broadcast_itineraries([me.pk])

    (plan,) = phone.messages()
    mates = plan["stops"][0]["mates"]
    assert [(m["id"], m["name"], m["erased"]) for m in mates] == [
        (me.pk, me.name, False),
        (gone.pk, "Erased attendee", True),
    ]
