"""Time and numbers on the event form: times that do not exist or happen twice are refused
with the reason; the browser gets the server's bounds."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

import pytest

from events.forms import EventForm, wall_clock_problem

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def data(**changes: str) -> dict[str, str]:
    return {
        "title": "Harbor night",
        "venue": "Pier 4",
        "starts_at": "2026-06-01T18:30",
        "time_zone": "Europe/Berlin",
        "language": "en",
        "rounds_count": "5",
        "round_seconds": "180",
        "table_size": "5",
        "pitch_seconds": "30",
        "walk_ins_per_minute": "30",
        **changes,
    }


def test_wall_clock_problem_spring_forward_gap_does_not_exist():
    problem = wall_clock_problem(datetime(2026, 3, 29, 2, 30), BERLIN)

    assert problem.startswith("2026-03-29 02:30 does not exist in Europe/Berlin")


def test_wall_clock_problem_autumn_hour_happens_twice():
    problem = wall_clock_problem(datetime(2026, 10, 25, 2, 30), BERLIN)

    assert problem.startswith("2026-10-25 02:30 happens twice in Europe/Berlin")


def test_wall_clock_problem_ordinary_time_is_fine():
    assert wall_clock_problem(datetime(2026, 3, 29, 3, 30), BERLIN) == ""
    assert wall_clock_problem(datetime(2026, 3, 29, 2, 30), zoneinfo.ZoneInfo("UTC")) == ""


@pytest.mark.django_db
def test_event_form_refuses_a_start_in_the_dst_gap_and_keeps_nothing_shifted():
    form = EventForm(data(starts_at="2026-03-29T02:30"))

    assert not form.is_valid()
    assert "does not exist in Europe/Berlin" in form.errors["starts_at"][0]


@pytest.mark.django_db
def test_event_form_refuses_an_ambiguous_start():
    form = EventForm(data(starts_at="2026-10-25T02:30"))

    assert not form.is_valid()
    assert "happens twice in Europe/Berlin" in form.errors["starts_at"][0]


@pytest.mark.django_db
def test_event_form_accepts_an_ordinary_start_in_the_events_zone():
    form = EventForm(data())

    assert form.is_valid(), form.errors
    assert form.cleaned_data["starts_at"].isoformat() == "2026-06-01T18:30:00+02:00"


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [
        ("rounds_count", 1, 12),
        ("round_seconds", 60, 1800),
        ("table_size", 3, 10),
        ("pitch_seconds", 10, 120),
    ],
)
def test_event_form_number_bounds_are_the_servers_in_the_browser_too(name, low, high):
    html = str(EventForm()[name])

    assert f'min="{low}"' in html
    assert f'max="{high}"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["rounds_count", "table_size", "pitch_seconds", "round_seconds"])
def test_event_form_refuses_zero(name):
    form = EventForm(data(**{name: "0"}))

    assert not form.is_valid()
    assert name in form.errors


@pytest.mark.django_db
def test_event_form_new_event_takes_the_browsers_zone_and_offers_every_zone():
    html = str(EventForm()["time_zone"])

    assert 'data-browser-zone="fill"' in html
    assert 'list="time-zone-names"' in html
    assert 'data-browser-zone="fill"' not in str(EventForm(data())["time_zone"])
