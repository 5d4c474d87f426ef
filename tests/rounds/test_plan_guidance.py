"""Plan guidance: the table sizes compared in the planner's own figures, the best preselected
and applied with one click, and the worst repeats named on the plan page."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from rounds import scheduling, seating
from rounds.models import Round, Seat
from tests.factories import AttendeeFactory, EventFactory, RoundFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("people", [12, 16, 24, 36, 50])
def test_size_options_agree_with_the_planner(people):
    options = seating.size_options(people, rounds=5)

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
    best = seating.best_size(options)
    assert best.repeat_cost == min(option.repeat_cost for option in options)


def test_size_options_sixteen_people_at_tables_of_four_nobody_meets_twice():
    options = {o.table_size: o for o in seating.size_options(16, rounds=5)}

    four = options[4]
    assert (four.tables, four.min_met, four.others, four.repeated_pairs) == (4, 15, 15, 0)
    assert options[6].repeated_pairs > 0
    assert seating.best_size(list(options.values())) == four
    # the figures are the planner's: a plan at tables of 4 really has no repeat
    plan = scheduling.plan_rounds(range(16), rounds=5, table_size=4)
    assert scheduling.plan_quality(plan).repeated_pairs == 0


def test_size_options_merge_sizes_that_seat_people_the_same_way():
    sizes = [o.table_size for o in seating.size_options(16, rounds=5)]

    assert sizes == sorted(set(sizes))
    assert 5 not in sizes  # 16 at "tables of 5" are 4 tables of 4


def test_worst_repeats_names_the_pairs_meeting_most_first():
    plan = [[[1, 2, 3], [4, 5]], [[1, 2], [3, 4, 5]], [[1, 2, 4], [3, 5]]]

    assert seating.worst_repeats(plan) == [(1, 2, 3), (3, 5, 2), (4, 5, 2)]


def test_plan_page_compares_sizes_with_the_best_preselected(client):
    event = EventFactory(check_in=True, rounds_count=5, table_size=6, round_seconds=300)
    AttendeeFactory.create_batch(16, event=event, checked_in=True)
    client.force_login(event.organizer)

    response = client.get(reverse("plan", args=[event.pk]))

    assert response.context["best"].table_size == 4
    assert "Everyone meets at least 15 of 15 others, nobody twice." in response.text
    assert "no two people sit together more than twice." in response.text
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


def test_plan_page_compares_the_default_range_with_the_planners_bounds_on_the_inputs(client):
    event = EventFactory(check_in=True, rounds_count=3, table_size=6, round_seconds=300)
    AttendeeFactory.create_batch(30, event=event, checked_in=True)
    client.force_login(event.organizer)

    response = client.get(reverse("plan", args=[event.pk]))

    sizes = [option.table_size for option, _text in response.context["choices"]]
    assert min(sizes) >= 4
    assert max(sizes) <= 8
    assert 'name="low" value="4" min="3" max="10"' in response.text
    assert 'name="high" value="8" min="3" max="10"' in response.text


def test_the_organizer_changes_the_range_and_the_comparison_follows(client):
    event = EventFactory(check_in=True, rounds_count=3, table_size=6, round_seconds=300)
    AttendeeFactory.create_batch(30, event=event, checked_in=True)
    client.force_login(event.organizer)

    answer = client.post(reverse("plan_guide_range", args=[event.pk]), {"low": "3", "high": "10"})

    assert answer.url == reverse("plan", args=[event.pk])
    event.refresh_from_db()
    assert (event.guide_min_table_size, event.guide_max_table_size) == (3, 10)
    page = client.get(reverse("plan", args=[event.pk]))
    sizes = [option.table_size for option, _text in page.context["choices"]]
    assert 3 in sizes
    assert 10 in sizes
    assert event.log_entries.get().action == "event_changed"


@pytest.mark.parametrize(
    ("low", "high", "error"),
    [
        ("6", "5", "The largest table size to compare (5) is below the smallest (6)."),
        ("2", "8", "Ensure this value is greater than or equal to 3."),
        ("4", "11", "Ensure this value is less than or equal to 10."),
        ("", "8", "This field is required."),
        ("four", "8", "Enter a whole number."),
    ],
)
def test_a_range_out_of_order_or_bounds_is_refused_with_the_reason(client, low, high, error):
    event = EventFactory(check_in=True, rounds_count=3, table_size=6, round_seconds=300)
    AttendeeFactory.create_batch(12, event=event, checked_in=True)
    client.force_login(event.organizer)

    answer = client.post(reverse("plan_guide_range", args=[event.pk]), {"low": low, "high": high})

    assert answer.status_code == 400
    assert error in answer.text
    assert f'value="{high}"' in answer.text  # what was typed stays
    event.refresh_from_db()
    assert (event.guide_min_table_size, event.guide_max_table_size) == (4, 8)


def test_the_model_refuses_a_range_out_of_order_too():
    event = EventFactory.build(guide_min_table_size=7, guide_max_table_size=5)

    with pytest.raises(ValidationError) as refusal:
        event.clean()
    assert "guide_max_table_size" in refusal.value.message_dict


def test_another_organizer_cannot_change_the_range(client):
    event = EventFactory(check_in=True)
    client.force_login(EventFactory().organizer)

    answer = client.post(reverse("plan_guide_range", args=[event.pk]), {"low": "3", "high": "5"})

    assert answer.status_code == 404
    event.refresh_from_db()
    assert (event.guide_min_table_size, event.guide_max_table_size) == (4, 8)


def test_plan_page_figures_count_the_colleagues_kept_apart(client):
    """16 people at tables of 4 meet all 15 others only if every pair may meet; two colleagues
    never share a table, so each of them meets at most 14 and somebody meets twice. The
    guidance planned anonymous people and promised "nobody twice" (the walk-through saw 3
    repeated pairs promised and 8 made)."""
    event = EventFactory(check_in=True, rounds_count=5, table_size=6, round_seconds=300)
    AttendeeFactory.create_batch(14, event=event, checked_in=True)
    AttendeeFactory.create_batch(2, event=event, checked_in=True, company="Kite Labs")
    client.force_login(event.organizer)

    response = client.get(reverse("plan", args=[event.pk]))

    four = next(option for option, _text in response.context["choices"] if option.table_size == 4)
    assert not four.is_repeat_free
    assert four.min_met <= 14
    assert "Everyone meets at least 15 of 15 others, nobody twice." not in response.text
