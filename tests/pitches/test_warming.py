"""Tests of the background embedding of the pitches ahead of the plan (pitches.warming)."""

from __future__ import annotations

import threading

import pytest

from pitches import matching, queries, sentences, services, warming
from tests.factories import AttendeeFactory, EventFactory, PitchFactory


def texts_of(*attendee_ids: int) -> list[str]:
    return matching._meaning_texts(queries.help_profiles(list(attendee_ids)))


@pytest.mark.django_db
def test_warm_now_embeds_what_the_plan_will_read(django_assert_num_queries) -> None:
    event = EventFactory()
    people = [
        PitchFactory(
            attendee=AttendeeFactory(event=event, company=f"Warm Co {i}"),
            need=f"Warming need number {i} for the plan",
            offer=f"Warming offer number {i}",
        ).attendee
        for i in range(3)
    ]
    other = PitchFactory(need="Another event's need, not warmed").attendee
    ids = [p.pk for p in people]

    with django_assert_num_queries(4):
        fresh = warming.warm_now("event", event.pk)

    assert fresh == 6
    assert sentences.cached(texts_of(*ids)) == 6
    assert sentences.cached(texts_of(other.pk)) == 0
    assert warming.warm_now("event", event.pk) == 0  # nothing new


@pytest.mark.django_db(transaction=True)
def test_a_saved_pitch_is_embedded_by_the_background_thread_after_commit(settings) -> None:
    settings.SPEEDNET_WARM_MEANING = True
    attendee = AttendeeFactory()
    done = threading.Event()

    real = matching.warm

    def watched(people, *, background=False):
        try:
            assert background
            return real(people, background=background)
        finally:
            done.set()

    matching.warm = watched
    try:
        services.save_pitch(
            attendee, need="A background-embedded need", offer="A background offer", ask=""
        )
        assert done.wait(timeout=30)
    finally:
        matching.warm = real

    assert sentences.cached(texts_of(attendee.pk)) == 2


@pytest.mark.django_db
def test_nothing_is_queued_when_turned_off(monkeypatch) -> None:
    submitted = []
    monkeypatch.setattr(warming, "_submit", lambda kind, key: submitted.append((kind, key)))

    warming.warm_event_later(1)
    warming.warm_attendees_later([2])

    assert submitted == []


def runs_while_busy(monkeypatch, settings, first: tuple, meanwhile: list[tuple]) -> list:
    """What the background thread reads (``people_of`` calls) when ``meanwhile`` is asked for
    while it works on ``first``."""
    settings.SPEEDNET_WARM_MEANING = True
    started, release = threading.Event(), threading.Event()
    runs = []

    def slow(kind: str, key) -> list:
        runs.append((kind, key))
        started.set()
        release.wait(timeout=10)
        return []

    monkeypatch.setattr(warming, "people_of", slow)
    monkeypatch.setattr(warming.connections, "close_all", lambda: None)
    warming._submit(*first)
    assert started.wait(timeout=10)
    for request in meanwhile:
        warming._submit(*request)
    release.set()
    for _ in range(100):
        if len(runs) >= 2 and not warming._PENDING:
            break
        threading.Event().wait(0.05)
    return runs


def test_requests_for_one_event_while_busy_are_embedded_once(monkeypatch, settings) -> None:
    runs = runs_while_busy(monkeypatch, settings, ("event", 99), [("event", 98)] * 3)

    assert runs == [("event", 99), ("event", 98)]


def test_attendees_asked_for_while_busy_are_read_together(monkeypatch, settings) -> None:
    """A phone's "why this table" asks for its tablemates not embedded yet; a reconnecting room
    asks for many: those waiting are read in one go, not one person at a time."""
    meanwhile = [("attendee", key) for key in (11, 12, 11, 13)]

    runs = runs_while_busy(monkeypatch, settings, ("event", 97), meanwhile)

    assert runs == [("event", 97), ("attendee", (11, 12, 13))]


@pytest.mark.django_db
def test_people_of_several_attendees(django_assert_num_queries) -> None:
    people = [PitchFactory(need=f"Need {i}").attendee for i in range(3)]

    with django_assert_num_queries(3):
        profiles = warming.people_of("attendee", tuple(p.pk for p in people))

    assert sorted(profile.id for profile in profiles) == sorted(p.pk for p in people)
