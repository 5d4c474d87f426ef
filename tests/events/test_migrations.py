"""Data migrations: what they do to rows that exist when they run."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from events.models import Attendee
from tests.factories import AttendeeFactory

pytestmark = pytest.mark.django_db


def test_consent_migration_makes_an_unconfirmed_yes_a_suggestion():
    migration = importlib.import_module("events.migrations.0007_consent_answer_and_suggestion")
    unconfirmed = AttendeeFactory(is_consenting_to_share=True)
    confirmed = AttendeeFactory(is_consenting_to_share=True, consent_decided_at=timezone.now())
    declined = AttendeeFactory(is_consenting_to_share=False, consent_decided_at=timezone.now())

    migration.undecided_yes_is_a_suggestion(apps, None)

    assert list(
        Attendee.objects.order_by("pk").values_list(
            "pk", "is_consenting_to_share", "is_consent_suggested"
        )
    ) == [
        (unconfirmed.pk, False, True),
        (confirmed.pk, True, False),
        (declined.pk, False, False),
    ]


@pytest.mark.django_db(transaction=True)
def test_badge_key_migrations_give_every_existing_attendee_a_distinct_key():
    people = AttendeeFactory.create_batch(3)
    executor = MigrationExecutor(connection)
    executor.migrate([("events", "0018_connector_opt_in")])
    try:
        with connection.cursor() as cursor:
            columns = connection.introspection.get_table_description(cursor, "events_attendee")
        assert "badge_key" not in {column.name for column in columns}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    keys = dict(Attendee.objects.values_list("pk", "badge_key"))
    assert sorted(keys) == sorted(person.pk for person in people)
    assert len(set(keys.values())) == 3
    assert all(len(key) == 22 for key in keys.values())
