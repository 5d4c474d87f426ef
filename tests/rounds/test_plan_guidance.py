"""Plan guidance: the table sizes compared in the planner's own figures, the best preselected
and applied with one click, and the worst repeats named on the plan page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rounds import planning, scheduling
from rounds.models import Round, Seat
from tests.factories import AttendeeFactory, EventFactory, RoundFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("people", [12, 16, 24, 36, 50])
def test_size_options_agree_with_the_planner(people):
    options = planning.size_options(people, rounds=5)

    assert options, people
    for option in options:
        layout = scheduling.table_sizes(people, option.table_size)
        assert max(layout) == option.table_size
        assert option.tables == len(layout)
        assert option.others == people - 1
        assert 0 <= option.min_met <= people - 1
        # never better than the planner's proven bound, and repeat-free exactly when no pair
        # meets twice
        assert option.repeat_cost >= scheduling.lower_bound([layout] * 5)
        assert option.is_repeat_free == (option.max_meetings <= 1)
        if scheduling.lower_bound([layout] * 5) > 0:
            assert not option.is_repeat_free
    best = planning.best_size(options)
    assert best.repeat_cost == min(option.repeat_cost for option in options)


def test_size_options_sixteen_people_at_tables_of_four_nobody_meets_twice():
    options = {o.table_size: o for o in planning.size_options(16, rounds=5)}

    four = options[4]
    assert (four.tables, four.min_met, four.others, four.repeated_pairs) == (4, 15, 15, 0)
    assert options[6].repeated_pairs > 0
    assert planning.best_size(list(options.values())) == four
    # the figures are the planner's: a plan at tables of 4 really has no repeat
    plan = scheduling.plan_rounds(range(16), rounds=5, table_size=4)
    assert scheduling.plan_quality(plan).repeated_pairs == 0


def test_size_options_merge_sizes_that_seat_people_the_same_way():
    sizes = [o.table_size for o in planning.size_options(16, rounds=5)]

    assert sizes == sorted(set(sizes))
    assert 5 not in sizes  # 16 at "tables of 5" are 4 tables of 4


def test_worst_repeats_names_the_pairs_meeting_most_first():
    plan = [[[1, 2, 3], [4, 5]], [[1, 2], [3, 4, 5]], [[1, 2, 4], [3, 5]]]

    assert planning.worst_repeats(plan) == [(1, 2, 3), (3, 5, 2), (4, 5, 2)]


def test_plan_page_compares_sizes_with_the_best_preselected(client):
    event = EventFactory(check_in=True, rounds_count=5, table_size=6, round_seconds=300)
    AttendeeFactory.create_batch(16, event=event, checked_in=True)
    client.force_login(event.organizer)

    response = client.get(reverse("plan", args=[event.pk]))

    assert response.context["best"].table_size == 4
    assert "Everyone meets at least 15 of 15 others, nobody twice." in response.text
    assert "Everyone meets at least 13 of 15 others; 70 pairs meet more than once" in response.text
    assert f'id="event-{event.pk}-size-4" checked' in response.text
    assert "C(m, 2)" not in response.text


def test_plan_with_size_applies_the_size_and_makes_the_plan_in_one_click(client):
    event = EventFactory(check_in=True, rounds_count=5, table_size=6, round_seconds=300)
    AttendeeFactory.create_batch(16, event=event, checked_in=True)
    client.force_login(event.organizer)

    response = client.post(reverse("plan_with_size", args=[event.pk]), {"table_size": "4"})

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.table_size == 4
    assert Round.objects.filter(event=event).count() == 5
    assert Seat.objects.filter(round__event=event).count() == 80
    page = client.get(reverse("plan", args=[event.pk]))
    assert page.context["quality"].repeated_pairs == 0
    assert page.context["repeats"] == []


def test_plan_with_size_refused_once_a_round_has_started(client):
    event = EventFactory(live=True, rounds_count=2, table_size=6, round_seconds=300)
    AttendeeFactory.create_batch(8, event=event, checked_in=True)
    client.force_login(event.organizer)
    RoundFactory(event=event, number=1, done=True)

    client.post(reverse("plan_with_size", args=[event.pk]), {"table_size": "4"})

    event.refresh_from_db()
    assert event.table_size == 6


def test_plan_with_size_of_another_organizers_event_is_not_found(client):
    event = EventFactory(check_in=True)
    client.force_login(EventFactory().organizer)

    response = client.post(reverse("plan_with_size", args=[event.pk]), {"table_size": "4"})

    assert response.status_code == 404


def test_plan_page_names_the_worst_repeats(client):
    event = EventFactory(check_in=True, rounds_count=5, table_size=6, round_seconds=300)
    AttendeeFactory.create_batch(16, event=event, checked_in=True)
    client.force_login(event.organizer)
    client.post(reverse("plan_with_size", args=[event.pk]), {"table_size": "6"})

    response = client.get(reverse("plan", args=[event.pk]))

    assert response.context["repeats"]
    assert " meet 2 times" in response.text or " meet 3 times" in response.text
