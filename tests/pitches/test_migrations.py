"""The wish list's migration: each line of the old free-text list becomes a wish of its own."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from pitches.models import Wish
from tests.factories import AttendeeFactory


@pytest.mark.django_db(transaction=True)
def test_wish_list_migration_turns_each_line_into_a_wish_and_back():
    author, other = AttendeeFactory.create_batch(2)
    executor = MigrationExecutor(connection)
    executor.migrate([("pitches", "0002_pitch_wishes")])
    try:
        old = executor.loader.project_state([("pitches", "0002_pitch_wishes")]).apps
        Pitch = old.get_model("pitches", "Pitch")
        lines = "Liu Fang\n\n  investors in hardware \n" + "\n".join(f"kind {n}" for n in range(4))
        Pitch.objects.create(attendee_id=author.pk, need="A bookkeeper.", wishes=lines)
        Pitch.objects.create(attendee_id=other.pk, need="A lawyer.", wishes="")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert list(
        Wish.objects.order_by("author", "position").values_list(
            "author_id", "position", "person_id", "text"
        )
    ) == [
        (author.pk, 1, None, "Liu Fang"),
        (author.pk, 2, None, "investors in hardware"),
        (author.pk, 3, None, "kind 0"),
        (author.pk, 4, None, "kind 1"),
        (author.pk, 5, None, "kind 2"),
    ]  # a sixth line could not have been saved; one more is dropped, not an error

    executor = MigrationExecutor(connection)
    executor.migrate([("pitches", "0002_pitch_wishes")])
    try:
        old = executor.loader.project_state([("pitches", "0002_pitch_wishes")]).apps
        wishes = old.get_model("pitches", "Pitch").objects.get(attendee_id=author.pk).wishes
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert wishes == "Liu Fang\ninvestors in hardware\nkind 0\nkind 1\nkind 2"
