"""When repeats are forced, the plan page, the guidance and the line after planning say what
attendees feel (different people met, the most times two sit together), not a repeat count."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse
from django.utils import translation

from rounds import services
from rounds.views import meeting_words
from tests.factories import AttendeeFactory, EventFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("figures", "words"),
    [
        (
            {"fewest": 9, "mean": 10.24, "most": 11, "times": 2},
            "Each person meets 9–11 different people (10.2 on average); no two people sit "
            "together more than twice.",
        ),
        (
            {"fewest": 9, "mean": 9.6667, "most": 10, "times": 3},
            "Each person meets 9–10 different people (9.7 on average); no two people sit "
            "together more than 3 times.",
        ),
        (
            {"fewest": 11, "mean": 11.0, "most": 11, "times": 3},
            "Each person meets 11 different people; no two people sit together more than 3 times.",
        ),
        (
            {"fewest": 1, "mean": 1.0, "most": 1, "times": 1},
            "Each person meets 1 different person; nobody sits with the same person twice.",
        ),
    ],
)
def test_meeting_words_say_people_met_and_the_most_times_a_pair_sits_together(figures, words):
    with translation.override("en"):
        assert meeting_words(**figures) == words


def test_meeting_words_in_chinese():
    with translation.override("zh-hans"):
        words = meeting_words(fewest=9, mean=10.25, most=11, times=2)

    assert words == "每人会见到 9–11 位不同的人（平均 10.2 位）；任何两人同桌都不超过两次。"


@pytest.mark.parametrize(
    "figures",
    [
        {"fewest": 10, "mean": 9.5, "most": 11, "times": 2},
        {"fewest": 9, "mean": 11.5, "most": 11, "times": 2},
        {"fewest": 9, "mean": 10.0, "most": 11, "times": 0},
        {"fewest": -1, "mean": 0.0, "most": 1, "times": 1},
    ],
)
def test_meeting_words_refuse_figures_out_of_order(figures):
    with pytest.raises(ValueError, match="meeting figures out of order"):
        meeting_words(**figures)


@pytest.fixture
def forced_event():
    """12 people at 3 tables of 4 for 6 rounds: fewer tables than seats, repeats are forced."""
    event = EventFactory(check_in=True, rounds_count=6, table_size=4, round_seconds=300)
    AttendeeFactory.create_batch(12, event=event, checked_in=True)
    return event


def make_plan(event):
    with mock.patch("time.perf_counter", return_value=0.0):
        return services.make_plan(event, by=event.organizer)


def test_plan_page_says_what_attendees_feel_when_repeats_are_forced(client, forced_event):
    make_plan(forced_event)
    client.force_login(forced_event.organizer)

    response = client.get(reverse("plan", args=[forced_event.pk]), HTTP_ACCEPT_LANGUAGE="en")

    assert (
        f'<p class="lead plan-feel" id="event-{forced_event.pk}-plan-feel">Each person meets 11 '
        "different people; no two people sit together more than 3 times.</p>"
    ) in response.text
    assert "<dt>Most times two people sit together</dt><dd>3</dd>" in response.text
    assert "<dt>Different people met, fewest</dt><dd>11</dd>" in response.text
    assert "Pairs meeting twice or more" not in response.text


def test_plan_page_says_what_attendees_feel_in_chinese(client, forced_event):
    make_plan(forced_event)
    client.force_login(forced_event.organizer)

    response = client.get(reverse("plan", args=[forced_event.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "每人会见到 11 位不同的人；任何两人同桌都不超过 3 次。" in response.text
    assert "<dt>两人同桌的最多次数</dt><dd>3</dd>" in response.text


def test_plan_page_without_forced_repeats_keeps_the_repeat_count(client):
    event = EventFactory(check_in=True, rounds_count=5, table_size=4, round_seconds=300)
    AttendeeFactory.create_batch(16, event=event, checked_in=True)
    make_plan(event)
    client.force_login(event.organizer)

    response = client.get(reverse("plan", args=[event.pk]), HTTP_ACCEPT_LANGUAGE="en")

    assert response.context["feel"] == ""
    assert "<dt>Pairs meeting twice or more</dt><dd>0</dd>" in response.text
    assert "plan-feel" not in response.text


def test_guidance_before_planning_says_what_attendees_feel_for_sizes_forcing_repeats(client):
    event = EventFactory(check_in=True, rounds_count=5, table_size=6, round_seconds=300)
    AttendeeFactory.create_batch(16, event=event, checked_in=True)
    client.force_login(event.organizer)

    with mock.patch("time.perf_counter", return_value=0.0):
        response = client.get(reverse("plan", args=[event.pk]), HTTP_ACCEPT_LANGUAGE="en")

    texts = {option.table_size: text for option, text in response.context["choices"]}
    assert texts[4] == "Everyone meets at least 15 of 15 others, nobody twice."
    six = next(o for o, _t in response.context["choices"] if o.table_size == 6)
    assert texts[6] == meeting_words(
        fewest=six.min_met, mean=six.mean_met, most=six.max_met, times=six.max_meetings
    )
    assert texts[6].startswith(f"Each person meets {six.min_met}–{six.max_met} different people")
    assert texts[6].endswith("no two people sit together more than twice.")
    assert (
        texts[8]
        == "Each person meets 15 different people; no two people sit together more than 4 times."
    )
    assert texts[8] in response.text
    assert "pairs meet more than once" not in response.text


def test_plan_summary_says_what_attendees_feel_when_repeats_are_forced(client, forced_event):
    client.force_login(forced_event.organizer)

    with mock.patch("time.perf_counter", return_value=0.0):
        response = client.post(
            reverse("control_action", args=[forced_event.pk]),
            {"action": "plan"},
            headers={"HX-Request": "true"},
            HTTP_ACCEPT_LANGUAGE="en",
        )

    assert (
        "Planned 12 people: 0 colleagues or pairs to keep apart seated together, 12 itineraries "
        "sent. Each person meets 11 different people; no two people sit together more than 3 "
        "times. With these numbers some pairs must meet more than once."
    ) in response.text
    assert "repeated meetings" not in response.text
