"""Data migrations of the rounds app: what they do to rows that exist when they run."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from events.models import Event
from tests.factories import EventFactory, RoundFactory

pytestmark = pytest.mark.django_db


def test_last_round_started_migration_marks_the_events_whose_every_round_started():
    migration = importlib.import_module("rounds.migrations.0003_last_round_started")
    last_start = timezone.now() - timedelta(minutes=1)
    played = EventFactory(live=True)
    RoundFactory(event=played, number=1, done=True)
    RoundFactory(event=played, number=2, running=True, started_at=last_start)
    playing = EventFactory(live=True)
    RoundFactory(event=playing, number=1, running=True)
    RoundFactory(event=playing, number=2)  # still to start: a re-plan can seat it
    planned = EventFactory(check_in=True)
    RoundFactory(event=planned, number=1)
    unplanned = EventFactory(check_in=True)

    migration.mark_started(apps, None)

    started = dict(Event.objects.values_list("pk", "last_round_started_at"))
    assert started == {
        played.pk: last_start,
        playing.pk: None,
        planned.pk: None,
        unplanned.pk: None,
    }
