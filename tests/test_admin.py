"""The admin is an operator's tool: every list page renders, and its queries do not grow with
the number of rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    AttendeeFactory,
    CardFactory,
    DigestFactory,
    EventFactory,
    IntroductionFactory,
    PitchFactory,
    SeatFactory,
    TableFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    ("events", "event", EventFactory),
    ("events", "attendee", AttendeeFactory),
    ("pitches", "pitch", PitchFactory),
    ("rounds", "round", lambda: TableFactory().round),
    ("rounds", "table", TableFactory),
    ("rounds", "seat", SeatFactory),
    ("feedback", "card", CardFactory),
    ("feedback", "introduction", IntroductionFactory),
    ("feedback", "digest", DigestFactory),
]


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def changelist_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(("app", "model", "factory"), CHANGELISTS)
def test_admin_changelist_queries_do_not_grow_with_rows(
    admin_client, app, model, factory, django_assert_num_queries
):
    url = reverse(f"admin:{app}_{model}_changelist")
    factory()
    admin_client.get(url)  # the first visit fills the session and content-type caches
    with_one_row = changelist_queries(admin_client, url)
    factory()
    factory()

    with django_assert_num_queries(with_one_row):
        response = admin_client.get(url)

    assert response.status_code == 200
    assert response.context["cl"].result_count == 3
