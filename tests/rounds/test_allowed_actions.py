"""The one function that says what the control panel offers: every state of an evening."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Event
from rounds import queries, services
from rounds.models import Round
from tests.factories import EventFactory, RoundFactory

pytestmark = pytest.mark.django_db


def state(event: Event) -> tuple[set[str], str | None, set[str]]:
    round_ = queries.current_round(event.pk)
    next_round = queries.next_round(event.pk)
    return (
        services.allowed_actions(event, round_, next_round),
        services.primary_action(event, round_, next_round),
        set(services.confirmations(event, round_)),
    )


def rounds_of(event: Event, *statuses: str) -> list[Round]:
    made = []
    for number, status in enumerate(statuses, start=1):
        trait = {"planned": {}, "running": {"running": True}, "done": {"done": True}}[status]
        made.append(RoundFactory(event=event, number=number, **trait))
    return made


def test_allowed_actions_draft_without_plan_opens_check_in_first():
    event = EventFactory()

    allowed, primary, _confirm = state(event)

    assert allowed == {"open", "plan"}
    assert primary == "open"
    assert "close" not in allowed
    assert "mingle" not in allowed


def test_allowed_actions_check_in_without_plan_makes_the_plan_next():
    event = EventFactory(check_in=True)

    allowed, primary, confirm = state(event)

    assert allowed == {"plan", "announce", "close"}
    assert primary == "plan"
    assert confirm == {"end", "mingle", "close"}


def test_allowed_actions_check_in_with_a_plan_starts_round_one_and_never_plans_again():
    event = EventFactory(check_in=True)
    rounds_of(event, "planned", "planned")

    allowed, primary, _confirm = state(event)

    assert allowed == {"start", "replan", "announce", "close"}
    assert primary == "start"


def test_allowed_actions_running_round_has_no_primary_and_replan_asks_first():
    event = EventFactory(live=True)
    rounds_of(event, "running", "planned")

    allowed, primary, confirm = state(event)

    assert allowed == {"pause", "extend", "end", "replan", "announce", "mingle", "close"} | (
        allowed & {"skip"}
    )
    assert primary is None
    assert confirm == {"end", "mingle", "close", "replan"}


def test_allowed_actions_paused_round_resumes_next():
    event = EventFactory(live=True)
    (first, _second) = rounds_of(event, "running", "planned")
    Round.objects.filter(pk=first.pk).update(
        status=Round.Status.PAUSED,
        paused_at=timezone.now(),
        paused_remaining=timedelta(seconds=60),
    )

    allowed, primary, _confirm = state(event)

    assert {"resume", "extend", "end", "replan"} <= allowed
    assert "start" not in allowed
    assert "pause" not in allowed
    assert primary == "resume"


def test_allowed_actions_between_rounds_starts_the_next_round():
    event = EventFactory(live=True)
    rounds_of(event, "done", "planned")

    allowed, primary, confirm = state(event)

    assert allowed == {"start", "replan", "announce", "mingle", "close"}
    assert primary == "start"
    assert "replan" not in confirm


def test_allowed_actions_after_the_last_round_mingles_next():
    event = EventFactory(live=True)
    rounds_of(event, "done", "done")

    allowed, primary, _confirm = state(event)

    assert allowed == {"announce", "mingle", "close"}
    assert primary == "mingle"


def test_allowed_actions_a_running_round_out_of_time_counts_as_over():
    event = EventFactory(live=True)
    (first, _second) = rounds_of(event, "running", "planned")
    started = timezone.now() - timedelta(seconds=200)
    Round.objects.filter(pk=first.pk).update(
        started_at=started, turns_started_at=started, ends_at=started + timedelta(seconds=180)
    )

    allowed, primary, _confirm = state(event)

    assert "start" in allowed
    assert "pause" not in allowed
    assert primary == "start"


def test_allowed_actions_mingle_closes_next():
    event = EventFactory(mingle=True)
    rounds_of(event, "done")

    allowed, primary, _confirm = state(event)

    assert allowed == {"announce", "close"}
    assert primary == "close"


def test_allowed_actions_closed_offers_nothing():
    event = EventFactory(closed=True, announcement="Coffee")
    rounds_of(event, "done")

    allowed, primary, _confirm = state(event)

    assert allowed == set()
    assert primary is None


def test_allowed_actions_an_announcement_can_be_cleared_while_open():
    event = EventFactory(check_in=True, announcement="Coffee")

    allowed, _primary, _confirm = state(event)

    assert "clear_announcement" in allowed


@pytest.mark.parametrize(
    "status", [Event.Status.DRAFT, Event.Status.CHECK_IN, Event.Status.LIVE, Event.Status.MINGLE]
)
def test_primary_action_is_always_allowed(status):
    event = EventFactory(status=status)
    rounds_of(event, "done", "planned")

    allowed, primary, _confirm = state(event)

    assert primary is None or primary in allowed


@pytest.mark.parametrize(
    ("statuses", "skips"),
    [
        (("done", "planned"), True),  # round 2 is left: mingling skips it
        (("done", "running"), True),  # the last round is on: mingling cuts it short
        (("done", "done"), False),  # every round is over: nothing is skipped
    ],
)
def test_mingle_question_says_rounds_are_skipped_only_when_some_are_left(statuses, skips):
    event = EventFactory(live=True, rounds_count=2)
    rounds_of(event, *statuses)

    question = services.confirmations(event, queries.current_round(event.pk))["mingle"]

    assert ("remaining rounds are skipped" in question) is skips
    assert question.startswith("Start mingling?")
