from __future__ import annotations

import pytest
from django.urls import reverse

from rounds import services as round_services
from tests.factories import AttendeeFactory, EventFactory, PitchFactory, UserFactory

pytestmark = pytest.mark.django_db

PRINTABLES = ["print_poster", "print_badges", "print_itineraries"]


@pytest.fixture
def event():
    return EventFactory(check_in=True, join_code="CG26VP", rounds_count=2, table_size=3)


@pytest.fixture
def organizer(client, event):
    client.force_login(event.organizer)
    return client


@pytest.mark.parametrize("name", PRINTABLES)
def test_printables_of_another_organizers_event_are_not_found(client, event, name):
    client.force_login(UserFactory())

    assert client.get(reverse(name, args=[event.pk])).status_code == 404


@pytest.mark.parametrize("name", PRINTABLES)
def test_printables_send_anonymous_visitors_to_sign_in(client, event, name):
    response = client.get(reverse(name, args=[event.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_print_poster_has_the_code_the_link_and_a_qr_code(organizer, event):
    response = organizer.get(reverse("print_poster", args=[event.pk]))

    assert response.status_code == 200
    assert '<p class="poster-code">CG26VP</p>' in response.text
    assert "http://testserver/join/CG26VP/" in response.text
    assert response.text.count('class="segno"') == 1


def test_print_badges_one_per_attendee_with_name_company_and_ask(organizer, event):
    li = AttendeeFactory(event=event, name="Li Wei", company="Harbor")
    PitchFactory(attendee=li, ask="Who runs a trucking fleet?")
    AttendeeFactory(event=event, name="Ana Costa")

    response = organizer.get(reverse("print_badges", args=[event.pk]))

    assert response.text.count('class="badge"') == 2
    assert response.text.count('class="segno"') == 2
    assert "Who runs a trucking fleet?" in response.text


@pytest.mark.parametrize("count", [1, 3])
def test_print_badges_queries_do_not_grow(organizer, event, count, django_assert_num_queries):
    AttendeeFactory.create_batch(count, event=event)

    with django_assert_num_queries(4):
        organizer.get(reverse("print_badges", args=[event.pk]))


def test_print_itineraries_gives_each_seated_person_their_tables(organizer, event):
    people = AttendeeFactory.create_batch(6, event=event, checked_in=True)
    round_services.make_plan(event, by=None, time_limit=0.2)

    response = organizer.get(reverse("print_itineraries", args=[event.pk]))

    sheets = response.context["sheets"]
    assert [attendee for attendee, _ in sheets] == sorted(people, key=lambda p: p.name)
    assert all(len(tables) == 2 and None not in tables for _, tables in sheets)


@pytest.mark.parametrize("count", [3, 9])
def test_print_itineraries_queries_do_not_grow(organizer, event, count, django_assert_num_queries):
    AttendeeFactory.create_batch(count, event=event, checked_in=True)
    round_services.make_plan(event, by=None, time_limit=0.2)

    with django_assert_num_queries(5):
        organizer.get(reverse("print_itineraries", args=[event.pk]))
