"""The rescue round: before the last round, the pitchers with the fewest cards so far are seated
with their best remaining helpers (``rounds.services.rescue_last_round`` through
``feedback.services.rescue_last_round``, which counts the cards)."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from events import logs
from events.models import LogEntry, PairRule
from feedback import queries as feedback_queries
from feedback import services as feedback_services
from rounds import queries, scheduling, seating, services
from rounds.groups import attendee_group, event_group
from tests.events.test_organizer_views import EVENT_FORM
from tests.factories import AttendeeFactory, CardFactory, EventFactory, PitchFactory, UserFactory
from tests.rounds.test_plan_services import TOPICS, pairs_met, what_phones_show

pytestmark = pytest.mark.django_db

LOW = 11  # people with no card: more than half the room, so the median of cards is 0


@pytest.fixture(autouse=True)
def _still_clock():
    """The planner's work allowance, not a loaded machine's clock, ends every search."""
    with mock.patch("time.perf_counter", return_value=0.0):
        yield


def play(event, *numbers: int) -> None:
    for number in numbers:
        services.end_round(services.start_round(event.rounds.get(number=number), by=None), by=None)


def evening(*, rescue: bool = True, rounds: int = 4, size: int = 20):
    """``size`` people at tables of 4 over ``rounds`` rounds, all but the last played:
    (event, people)."""
    event = EventFactory(
        check_in=True,
        rounds_count=rounds,
        table_size=4,
        round_seconds=180,
        is_rescuing_last_round=rescue,
    )
    people = AttendeeFactory.create_batch(size, event=event, checked_in=True)
    services.make_plan(event, by=None, time_limit=0.3)
    play(event, *range(1, rounds))
    return event, people


def tablemates(tables) -> dict[int, set[int]]:
    return {person: set(table) - {person} for table in tables for person in table}


def feasible_helpers(event, people, *, wanted: int) -> dict[int, int]:
    """Pitcher → helper for ``wanted`` pitchers among the first ``LOW`` people: someone they
    have not met and are not seated with in round 4, chosen from a repeat-free round 4 other
    than the stored one, so that one seating gives every pitcher their helper at once."""
    plan = queries.stored_plan(event.pk)
    met = pairs_met(plan[:3])
    ids = [p.pk for p in people]
    [other] = scheduling.plan_rounds(ids, rounds=1, table_size=4, met=met, seed=7)
    assert scheduling.plan_quality([other], met=met).repeat_cost == 0
    now, then = tablemates(plan[3]), tablemates(other)
    chosen: dict[int, int] = {}
    for pitcher in ids[:LOW]:
        free = sorted(then[pitcher] - now[pitcher] - set(chosen) - set(chosen.values()))
        if free and pitcher not in chosen.values():
            chosen[pitcher] = free[0]
        if len(chosen) == wanted:
            return chosen
    raise AssertionError("no repeat-free round 4 gives that many pitchers a new helper")


def one_swap_helper(event, people) -> tuple[int, int]:
    """(pitcher, helper): a pitcher among the first ``LOW`` people and someone they have not
    met who can join their table in the last round by changing places with one of their
    tablemates, without anyone meeting twice."""
    plan = queries.stored_plan(event.pk)
    met = {frozenset(pair) for pair in pairs_met(plan[:-1])}
    last = plan[-1]
    table_of = {person: table for table in last for person in table}
    for pitcher in (p.pk for p in people[:LOW]):
        mine = table_of[pitcher]
        for helper in sorted(set(table_of) - set(mine)):
            theirs = table_of[helper]
            for leaving in sorted(set(mine) - {pitcher}):
                joins = [p for p in mine if p != leaving]
                goes = [p for p in theirs if p != helper]
                if not any(frozenset((helper, p)) in met for p in joins) and not any(
                    frozenset((leaving, p)) in met for p in goes
                ):
                    return pitcher, helper
    raise AssertionError("no single swap seats a pitcher with someone new")


def card_history(event, people) -> None:
    """The first ``LOW`` people got no card in the rounds played; the others one to three
    each."""
    round_ = event.rounds.get(number=event.rounds_count - 1)
    for i, receiver in enumerate(people[LOW:]):
        givers = [p for p in people if p != receiver][: 1 + i % 3]
        for giver in givers:
            CardFactory(round=round_, giver=giver, receiver=receiver)


def write_pitches(people, helpers: dict[int, int], *, also: dict[int, int] | None = None):
    """Everyone offers their own topic; each pitcher of ``helpers`` (and of ``also``) needs the
    topic of their helper, so that helper is their best-scored listener."""
    topics = [*TOPICS, "beekeeping", "sail making", "radio astronomy", "violin repair"]
    topic = {person.pk: topics[i] for i, person in enumerate(people)}
    needs = {**helpers, **(also or {})}
    for person in people:
        helper = needs.get(person.pk)
        PitchFactory(
            attendee=person,
            offer=f"I have ten years in {topic[person.pk]}.",
            need=f"We need someone who knows {topic[helper]}." if helper else "",
            ask="",
        )


def test_rescue_round_seats_the_pitchers_with_the_fewest_cards_with_their_best_remaining_helper():
    event, people = evening()
    helpers = feasible_helpers(event, people, wanted=3)
    card_history(event, people)
    # one pitcher with cards needs someone too: they are not the rescue's
    rich = people[-1]
    unmet = sorted(
        set(p.pk for p in people)
        - {rich.pk}
        - {b for a, b in pairs_met(queries.stored_plan(event.pk)) if a == rich.pk}
        - {a for a, b in pairs_met(queries.stored_plan(event.pk)) if b == rich.pk}
    )
    write_pitches(people, helpers, also={rich.pk: unmet[0]})
    before = queries.stored_plan(event.pk)

    report = feedback_services.rescue_last_round(event, by=event.organizer)

    after = queries.stored_plan(event.pk)
    assert after[:3] == before[:3]
    mates = tablemates(after[3])
    assert {
        pitcher: helper in mates[pitcher] for pitcher, helper in helpers.items()
    } == dict.fromkeys(helpers, True)
    met = pairs_met(after)
    assert len(met) == len(set(met))  # nobody meets anyone twice
    assert (report.pitchers, report.helped) == (3, 3)
    assert report.quality.repeated_pairs == 0
    assert report.moved == len(seating.moved_people(before[3:], after[3:]))
    assert report.moved > 0
    event.refresh_from_db()
    assert event.last_round_rescued_at is not None
    entry = LogEntry.objects.get(event=event, action="rescue_replanned")
    assert entry.params == {
        "n": 4,
        "p": 3,
        "h": 3,
        "m": report.moved,
        "c": report.told,
        "f": LOW,
        "k": 0,
        "g": 18,
        "s": 0,
        "t": report.tables,
        "w": "",
    }
    assert report.tables > 0
    assert logs.text_of(entry.action, entry.params) == (
        f"Round 4 re-planned as the rescue round. Of the {LOW} pitchers with the fewest cards "
        "(at most 0 cards each): 3 now sit with someone who can help, "
        f"{LOW - 3} have no helper in the room. Tables changed: {report.tables}. People changing "
        f"table: {report.moved}. Phones told (their table or tablemates changed): "
        f"{report.told}."
    )


def test_rescue_round_never_seats_a_keep_apart_pair_together():
    event, people = evening()
    helpers = feasible_helpers(event, people, wanted=3)
    card_history(event, people)
    write_pitches(people, helpers)
    pitcher, helper = next(iter(helpers.items()))
    PairRule.objects.create(
        event=event, first_id=pitcher, second_id=helper, kind=PairRule.Kind.KEEP_APART
    )

    report = feedback_services.rescue_last_round(event, by=None)

    assert report.quality.avoid_violations == 0
    assert helper not in tablemates(queries.stored_plan(event.pk)[3])[pitcher]


def test_rescue_round_pushes_only_to_the_phones_whose_last_round_changed(
    listen, django_capture_on_commit_callbacks
):
    event, people = evening(rounds=3, size=24)
    pitcher, helper = one_swap_helper(event, people)
    card_history(event, people)
    write_pitches(people, {pitcher: helper})
    before = what_phones_show(event, people)
    phones = {p.pk: listen(attendee_group(p.pk)) for p in people}
    room = listen(event_group(event.pk))

    with django_capture_on_commit_callbacks(execute=True):
        report = feedback_services.rescue_last_round(event, by=None)

    after = what_phones_show(event, people)
    changed = {pk for pk in before if before[pk] != after[pk]}
    told = {pk: phone.messages() for pk, phone in phones.items()}
    assert {pk for pk, messages in told.items() if messages} == changed
    assert 0 < len(changed) <= 8  # two tables of 4: the pitcher's and their helper's
    assert helper in tablemates(queries.stored_plan(event.pk)[2])[pitcher]
    assert report.told == len(changed)
    for pk in changed:
        [message] = told[pk]
        assert message["type"] == "plan"
        [stop] = message["stops"]  # only the last round changed
        assert stop["round"] == 3
        assert stop["table"] == after[pk][0][2][1]
    assert [m["type"] for m in room.messages()] == ["state"]


def test_rescue_round_push_says_which_new_tablemate_may_help_as_the_page_does(
    listen, django_capture_on_commit_callbacks
):
    # the point of the rescue: the moved pitcher's phone says "May help you" of the helper at
    # once, as a fresh load of the room does, not only after a reload
    event, people = evening(rounds=3, size=24)
    pitcher, helper = one_swap_helper(event, people)
    card_history(event, people)
    write_pitches(people, {pitcher: helper})
    pitcher_phone = listen(attendee_group(pitcher))

    with django_capture_on_commit_callbacks(execute=True):
        feedback_services.rescue_last_round(event, by=None)

    [message] = pitcher_phone.messages()
    [stop] = message["stops"]
    why = {mate["id"]: mate["why"] for mate in stop["mates"]}
    page = {
        mate.seat.attendee_id: mate.why
        for room_stop in feedback_queries.room_itinerary(pitcher)
        if room_stop.round_number == 3
        for mate in room_stop.tablemates
    }
    assert why[helper].startswith("I have ten years in ")
    assert why == page


def test_rescue_round_off_changes_nothing_and_the_last_round_starts():
    event, people = evening(rescue=False)
    card_history(event, people)
    write_pitches(people, feasible_helpers(event, people, wanted=3))
    event.refresh_from_db()
    plan, version = queries.stored_plan(event.pk), event.state_version
    current, upcoming = queries.current_round(event.pk), queries.next_round(event.pk)

    assert "rescue" not in services.allowed_actions(event, current, upcoming)
    assert services.primary_action(event, current, upcoming) == "start"
    with pytest.raises(ValidationError) as refusal:
        feedback_services.rescue_last_round(event, by=None)

    assert refusal.value.code == "rescue_off"
    assert queries.stored_plan(event.pk) == plan
    event.refresh_from_db()
    assert event.state_version == version
    assert not LogEntry.objects.filter(event=event, action="rescue_replanned").exists()
    services.start_round(event.rounds.get(number=4), by=None)


def test_rescue_round_comes_before_the_last_round_starts_and_only_once():
    event, _people = evening()
    event.refresh_from_db()
    current, upcoming = queries.current_round(event.pk), queries.next_round(event.pk)

    assert "rescue" in services.allowed_actions(event, current, upcoming)
    assert "start" not in services.allowed_actions(event, current, upcoming)
    assert services.primary_action(event, current, upcoming) == "rescue"
    with pytest.raises(ValidationError) as early:
        services.start_round(upcoming, by=None)
    assert early.value.code == "rescue_first"

    feedback_services.rescue_last_round(event, by=None)

    event.refresh_from_db()
    assert "rescue" not in services.allowed_actions(event, current, upcoming)
    assert services.primary_action(event, current, upcoming) == "start"
    with pytest.raises(ValidationError) as again:
        feedback_services.rescue_last_round(event, by=None)
    assert again.value.code == "rescued"
    services.start_round(upcoming, by=None)


def test_rescue_round_waits_for_the_second_to_last_round_to_end():
    event = EventFactory(
        check_in=True, rounds_count=4, table_size=4, round_seconds=180, is_rescuing_last_round=True
    )
    AttendeeFactory.create_batch(12, event=event, checked_in=True)
    services.make_plan(event, by=None, time_limit=0.2)
    play(event, 1, 2)
    services.start_round(event.rounds.get(number=3), by=None)
    event.refresh_from_db()

    assert "rescue" not in services.allowed_actions(
        event, queries.current_round(event.pk), queries.next_round(event.pk)
    )
    with pytest.raises(ValidationError) as refusal:
        feedback_services.rescue_last_round(event, by=None)
    assert refusal.value.code == "not_now"


def test_rescue_round_plans_again_when_someone_arrives_while_it_plans(monkeypatch):
    event, people = evening()
    card_history(event, people)
    real = scheduling.rescue_rounds
    calls: list[bool] = []
    late: list = []

    def planner(*args, **kwargs):
        calls.append(connection.in_atomic_block)
        if len(calls) == 1:
            late.append(AttendeeFactory(event=event, checked_in=True))
        return real(*args, **kwargs)

    monkeypatch.setattr(scheduling, "rescue_rounds", planner)

    feedback_services.rescue_last_round(event, by=None)

    assert len(calls) == 2
    assert late[0].pk in {p for table in queries.stored_plan(event.pk)[3] for p in table}
    assert LogEntry.objects.filter(event=event, action="rescue_replanned").count() == 1


@pytest.mark.django_db(transaction=True)
def test_rescue_round_searches_with_no_transaction_open(monkeypatch):
    event, _people = evening()
    real = scheduling.rescue_rounds
    calls: list[bool] = []

    def planner(*args, **kwargs):
        calls.append(connection.in_atomic_block)
        return real(*args, **kwargs)

    monkeypatch.setattr(scheduling, "rescue_rounds", planner)

    feedback_services.rescue_last_round(event, by=None)

    assert calls == [False]


def test_rescued_pitchers_are_those_at_most_at_the_median_of_cards():
    received = {1: 0, 2: 1, 3: 1, 4: 2, 5: 5}

    assert seating.rescued_pitchers(received, [1, 2, 3, 4, 5, 6]) == [1, 2, 3, 6]
    assert seating.rescued_pitchers({}, [3, 1]) == [1, 3]
    assert seating.rescued_pitchers(received, []) == []


def test_rescue_helps_keep_the_best_unmet_listeners_weighted_by_fewness():
    helps = [
        (1, 2, 0.9),
        (1, 3, 0.5),
        (1, 4, 0.8),
        (1, 5, 0.3),
        (1, 9, 0.8),
        (2, 1, 0.6),
        (3, 1, 0.4),
        (4, 1, 0.6),
    ]
    present = [1, 2, 3, 4, 5]  # cards 1, 1, 5, 0, 0: the median is 1
    received = {1: 1, 2: 1, 3: 5}

    found = seating.rescue_helps(helps, received=received, present=present, met=[(2, 1)], limit=2)

    # 1: 2 was met, 9 is absent, then 4 and 3 (5 scores under half of 4's score); 2 met 1;
    # 3 has too many cards; 4 has none, so their helper weighs their whole score
    assert found == [(1, 4, 0.4), (1, 3, 0.25), (4, 1, 0.6)]
    assert seating.rescue_helps(helps, received=received, present=present, met=[], limit=1) == [
        (1, 2, 0.45),
        (2, 1, 0.3),
        (4, 1, 0.6),
    ]


def test_the_organizers_switch_the_rescue_round_on_and_nobody_else_can(client):
    event = EventFactory()
    stranger = UserFactory()
    client.force_login(stranger)

    refused = client.post(
        reverse("event_edit", args=[event.pk]), {**EVENT_FORM, "is_rescuing_last_round": "on"}
    )

    event.refresh_from_db()
    assert refused.status_code == 404
    assert event.is_rescuing_last_round is False
    co_organizer = UserFactory()
    event.co_organizers.add(co_organizer)
    client.force_login(co_organizer)
    client.post(
        reverse("event_edit", args=[event.pk]), {**EVENT_FORM, "is_rescuing_last_round": "on"}
    )
    event.refresh_from_db()
    assert event.is_rescuing_last_round is True


def test_control_rescue_button_reports_what_it_did_and_only_to_organizers(client):
    event, people = evening()
    helpers = feasible_helpers(event, people, wanted=3)
    card_history(event, people)
    write_pitches(people, helpers)
    url = reverse("control_rescue", args=[event.pk])
    client.force_login(UserFactory())

    assert client.post(url, HTTP_HX_REQUEST="true").status_code == 404
    assert not LogEntry.objects.filter(event=event, action="rescue_replanned").exists()

    client.force_login(event.organizer)
    page = client.get(reverse("control", args=[event.pk])).content.decode()
    assert 'data-action="rescue"' in page
    assert f'action="{url}"' in page
    response = client.post(url, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Trigger"] == "speednet-counters"
    assert "Round 4 re-planned as the rescue round." in body
    assert f"Of the {LOW} pitchers with the fewest cards (at most 0 cards each): 3 now" in body
    told = LogEntry.objects.get(event=event, action="rescue_replanned").params["c"]
    assert f"Phones told (their table or tablemates changed): {told}. Repeated meetings:" in body
    assert "Start round 4" in body
    assert 'data-action="rescue"' not in body
    log = client.get(reverse("control_counters", args=[event.pk])).content.decode()
    assert "Round 4 re-planned as the rescue round." in log
    assert f"Of the {LOW} pitchers with the fewest cards (at most 0 cards each): 3 now" in log
    assert f"Phones told (their table or tablemates changed): {told}." in log


def test_rescue_round_pairs_met_are_every_pair_of_the_played_rounds():
    plan = [[[3, 1], [2, 4]], [[1, 2, 3]]]

    assert services.met_pairs(plan) == [(1, 2), (1, 3), (2, 3), (2, 4)]
    assert list(itertools.chain(*services.met_pairs([]))) == []


def test_rescue_round_is_offered_once_the_second_to_last_round_ran_out_of_time():
    event = EventFactory(
        check_in=True, rounds_count=3, table_size=4, round_seconds=180, is_rescuing_last_round=True
    )
    AttendeeFactory.create_batch(12, event=event, checked_in=True)
    services.make_plan(event, by=None, time_limit=0.2)
    play(event, 1)
    second = services.start_round(event.rounds.get(number=2), by=None)
    second.started_at = second.turns_started_at = timezone.now() - timedelta(minutes=4)
    second.ends_at = timezone.now() - timedelta(minutes=1)  # over by the clock, nobody pressed End
    second.save()
    event.refresh_from_db()
    current, upcoming = queries.current_round(event.pk), queries.next_round(event.pk)

    assert services.primary_action(event, current, upcoming) == "rescue"
    played = queries.stored_plan(event.pk)[:2]
    report = feedback_services.rescue_last_round(event, by=None)

    assert report.round_number == 3
    assert queries.stored_plan(event.pk)[:2] == played
    services.start_round(upcoming, by=None)
    second.refresh_from_db()
    assert second.status == "done"


def panel_state(page: str) -> str:
    """The state a control panel was drawn for (its ``data-state``)."""
    found = re.search(r'class="control-panel" data-state="([^"]*)"', page)
    assert found, "no control panel"
    return found.group(1)


def pushed_state_key(state: dict) -> str:
    """The key ``static/js/control.js`` (``stateKey``) makes of a pushed ``state`` at its
    server time: a panel drawn for another key is fetched again."""
    round_ = state["round"] or {}
    status = round_.get("status", "")
    if status == "running" and state["server_time"] >= round_["ends_at"]:
        status = "done"
    event = state["event"]
    skip = ""  # between rounds no turn can be skipped
    return f"{event['status']}:{round_.get('number', '')}:{status}:{event['plan_version']}:{skip}"


def test_every_organizers_panel_is_drawn_again_once_the_rescue_ran(
    client, listen, django_capture_on_commit_callbacks
):
    """A co-organizer's open panel, drawn before the owner's rescue, is for another state than
    the one pushed after it (so control.js fetches it again, without the Rescue button); the
    owner's own answer is for the pushed state (no second swap)."""
    event, _people = evening(rounds=3, size=12)
    co_organizer = UserFactory()
    event.co_organizers.add(co_organizer)
    client.force_login(co_organizer)
    control = reverse("control", args=[event.pk])
    before = client.get(control, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-action="rescue"' in before
    room = listen(event_group(event.pk))
    client.force_login(event.organizer)

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("control_rescue", args=[event.pk]), HTTP_HX_REQUEST="true")

    [state] = room.messages()
    assert panel_state(answer.content.decode()) != panel_state(before)
    assert pushed_state_key(state) != panel_state(before)
    assert panel_state(answer.content.decode()) == pushed_state_key(state)
    client.force_login(co_organizer)
    after = client.get(control, HTTP_HX_REQUEST="true").content.decode()
    assert panel_state(after) == pushed_state_key(state)
    assert 'data-action="rescue"' not in after
    assert "Start round 3" in after


def test_a_second_rescue_from_a_stale_panel_is_refused_and_changes_nothing(
    client, listen, django_capture_on_commit_callbacks
):
    event, people = evening(rounds=3, size=12)
    co_organizer = UserFactory()
    event.co_organizers.add(co_organizer)
    url = reverse("control_rescue", args=[event.pk])
    client.force_login(event.organizer)
    client.post(url, HTTP_HX_REQUEST="true")
    event.refresh_from_db()
    plan, version = queries.stored_plan(event.pk), event.state_version
    rescued_at = event.last_round_rescued_at
    logged = LogEntry.objects.filter(event=event).count()
    room = listen(event_group(event.pk))
    phones = [listen(attendee_group(person.pk)) for person in people]
    client.force_login(co_organizer)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        answer = client.post(url, HTTP_HX_REQUEST="true")

    body = answer.content.decode()
    event.refresh_from_db()
    assert answer.status_code == 200
    assert "The last round was already re-planned as the rescue round." in body
    assert 'role="alert"' in body
    assert 'data-action="rescue"' not in body
    assert queries.stored_plan(event.pk) == plan
    assert event.state_version == version
    assert event.last_round_rescued_at == rescued_at
    assert LogEntry.objects.filter(event=event).count() == logged
    assert callbacks == []
    assert room.messages() == []
    assert all(phone.messages() == [] for phone in phones)


def test_control_rescue_without_pitches_says_nothing_changed_and_why(client):
    event, people = evening()
    card_history(event, people)
    plan = queries.stored_plan(event.pk)
    client.force_login(event.organizer)

    response = client.post(reverse("control_rescue", args=[event.pk]), HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert queries.stored_plan(event.pk) == plan
    assert (
        f"Round 4 kept as planned: the rescue round changed no table. Of the {LOW} pitchers "
        f"with the fewest cards (at most 0 cards each): {LOW} have no helper in the room. "
        "No pitcher was brought to a new helper: none "
        "was found for the pitchers with the fewest cards (their pitches match no one present "
        "they have not met, or they wrote none). Tables changed: 0. People changing table: 0. "
        "Phones told (their table or tablemates changed): 0. Repeated meetings: 0."
    ) in body
    entry = LogEntry.objects.get(event=event, action="rescue_replanned")
    assert entry.params["w"] == "no_helpers"
    with translation.override("zh-hans"):
        chinese = logs.text_of(entry.action, entry.params)
    assert chinese == (
        f"第 4 轮保持原安排：救场轮没有改动任何一桌。在卡片最少的 {LOW} 位演讲者中（每人最多 "
        f"0 张卡片）：{LOW} 位在场没有能帮忙的人。没有演讲者被安排到新的帮手身边：卡片最少的"
        "演讲者都没有找到帮手（他们的"
        "演讲与在场且尚未见过的人都不匹配，或者他们没有写演讲）。改动的桌数：0。换桌人数：0。"
        "已通知的手机（桌号或同桌有变）：0 部。"
    )


def test_rescue_round_before_any_card_says_there_was_no_card_history():
    event, people = evening()

    report = feedback_services.rescue_last_round(event, by=None)

    assert (report.cards_given, report.pitchers, report.helped, report.reason) == (
        0,
        0,
        0,
        "no_cards",
    )
    entry = LogEntry.objects.get(event=event, action="rescue_replanned")
    assert logs.text_of(entry.action, entry.params) == (
        "Round 4 kept as planned: the rescue round changed no table. No cards were given yet, "
        f"so all {len(people)} people present counted as the pitchers with the fewest cards. "
        f"Of the {len(people)} pitchers with the fewest cards: {len(people)} have no helper in "
        "the room. No pitcher was brought to a new helper: no cards were given yet, and "
        "no pitch found a helper among the people present they have not met. Tables changed: "
        "0. People changing table: 0. Phones told (their table or tablemates changed): 0."
    )


def test_rescue_round_says_when_each_pitcher_already_sits_with_a_helper():
    event, people = evening()
    card_history(event, people)
    last = tablemates(queries.stored_plan(event.pk)[3])
    pitcher = people[0].pk
    helper = min(last[pitcher])  # at their table in the last round, never met before
    write_pitches(people, {pitcher: helper})
    plan = queries.stored_plan(event.pk)

    report = feedback_services.rescue_last_round(event, by=None)

    assert queries.stored_plan(event.pk) == plan
    assert (report.pitchers, report.already, report.helped, report.tables) == (1, 1, 0, 0)
    assert report.reason == "already_seated"
    entry = LogEntry.objects.get(event=event, action="rescue_replanned")
    text = logs.text_of(entry.action, entry.params)
    assert (
        f"Of the {LOW} pitchers with the fewest cards (at most 0 cards each): 1 already sits "
        f"with someone who can help, {LOW - 1} have no helper in the room." in text
    )
    assert (
        "No pitcher was brought to a new helper: each pitcher with a helper found already sits "
        "with one in the last round as planned." in text
    )


def test_rescue_round_reason_names_what_kept_every_pitcher_from_a_new_helper():
    assert services.rescue_reason(helped=2, pitchers=3, already=1, cards=0) == ""
    assert services.rescue_reason(helped=0, pitchers=0, already=0, cards=0) == "no_cards"
    assert services.rescue_reason(helped=0, pitchers=0, already=0, cards=5) == "no_helpers"
    assert services.rescue_reason(helped=0, pitchers=2, already=2, cards=5) == "already_seated"
    assert services.rescue_reason(helped=0, pitchers=2, already=1, cards=5) == "no_seating"


def test_rescue_round_refused_once_the_last_round_started_says_so():
    event, _people = evening(rescue=False)
    services.start_round(event.rounds.get(number=4), by=None)
    event.is_rescuing_last_round = True
    event.save(update_fields=["is_rescuing_last_round"])

    with pytest.raises(ValidationError) as refusal:
        feedback_services.rescue_last_round(event, by=None)

    assert refusal.value.code == "not_now"
    assert refusal.value.messages == [
        "The last round has already started: the rescue round re-plans it before it starts, "
        "so there is nothing left to re-plan."
    ]


def test_rescue_round_refused_while_the_round_before_the_last_runs_names_it():
    event = EventFactory(
        check_in=True, rounds_count=3, table_size=4, round_seconds=180, is_rescuing_last_round=True
    )
    AttendeeFactory.create_batch(12, event=event, checked_in=True)
    services.make_plan(event, by=None, time_limit=0.2)
    play(event, 1)
    services.start_round(event.rounds.get(number=2), by=None)

    with pytest.raises(ValidationError) as refusal:
        feedback_services.rescue_last_round(event, by=None)

    assert refusal.value.messages == [
        "Round 2 is still running: the rescue round is made once it is over, before the last "
        "round starts."
    ]


# The message accounts for every pitcher with the fewest cards: its parts add up to the whole.

TALLY = {
    "en": re.compile(r"Of the (\d+) pitchers? with the fewest cards(?: \([^)]*\))?: ([^.]*)\."),
    "zh-hans": re.compile(r"在卡片最少的 (\d+) 位演讲者中(?:（[^）]*）)?：([^。]*)。"),
}
PART = {"en": re.compile(r"^(\d+) "), "zh-hans": re.compile(r"^(\d+) 位")}
SEPARATOR = {"en": ", ", "zh-hans": "，"}


def tally(text: str, language: str) -> tuple[int, list[int]]:
    """(the whole, each part's number) of the rescue message's tally sentence."""
    [(whole, parts)] = TALLY[language].findall(text)
    return int(whole), [
        int(PART[language].match(part)[1]) for part in parts.split(SEPARATOR[language])
    ]


def assert_tally_adds_up(entry, *, fewest: int) -> None:
    for language in ("en", "zh-hans"):
        with translation.override(language):
            text = logs.text_of(entry.action, entry.params)
        whole, parts = tally(text, language)
        assert (whole, sum(parts)) == (fewest, fewest), (language, text)
        assert all(part > 0 for part in parts), text


@pytest.mark.parametrize(
    ("figures", "english"),
    [
        (  # mixed: every kind of pitcher
            {"f": 7, "p": 6, "h": 3, "s": 2, "g": 9, "k": 1},
            "Of the 7 pitchers with the fewest cards (at most 1 card each): 3 now sit with "
            "someone who can help, 2 already sit with someone who can help, 1 has a helper in "
            "the room but could not be seated with one, 1 has no helper in the room.",
        ),
        (  # none helped: no helper found for anyone
            {"f": 5, "p": 0, "h": 0, "s": 0, "g": 4, "k": 0},
            "Of the 5 pitchers with the fewest cards (at most 0 cards each): 5 have no helper "
            "in the room.",
        ),
        (  # all already seated with a helper
            {"f": 2, "p": 2, "h": 0, "s": 2, "g": 6, "k": 2},
            "Of the 2 pitchers with the fewest cards (at most 2 cards each): 2 already sit with "
            "someone who can help.",
        ),
        (  # one pitcher, no card history
            {"f": 1, "p": 1, "h": 1, "s": 0, "g": 0, "k": 0},
            "Of the 1 pitcher with the fewest cards: 1 now sits with someone who can help.",
        ),
        (  # no pitchers: nobody present
            {"f": 0, "p": 0, "h": 0, "s": 0, "g": 0, "k": 0},
            "Nobody is present, so there are no pitchers with the fewest cards.",
        ),
    ],
)
def test_rescue_tally_accounts_for_every_pitcher_in_english_and_chinese(figures, english):
    with translation.override("en"):
        assert logs.rescue_tally(figures) == english
    for language in ("en", "zh-hans"):
        with translation.override(language):
            text = logs.rescue_tally(figures)
        if figures["f"]:
            whole, parts = tally(text, language)
            assert (whole, sum(parts)) == (figures["f"], figures["f"])


def test_rescue_tally_in_chinese_reads_as_one_sentence():
    with translation.override("zh-hans"):
        text = logs.rescue_tally({"f": 7, "p": 6, "h": 3, "s": 2, "g": 9, "k": 1})

    assert text == (
        "在卡片最少的 7 位演讲者中（每人最多 1 张卡片）：3 位现在与能帮忙的人同桌，"
        "2 位按原安排已与能帮忙的人同桌，1 位在场有帮手却没能与帮手排在同一桌，"
        "1 位在场没有能帮忙的人。"
    )


@pytest.mark.parametrize(
    "figures",
    [
        {"f": f, "p": p, "h": h, "s": s, "g": g, "k": 1}
        for f, p, h, s, g in itertools.product(range(4), range(4), range(3), range(3), (0, 3))
    ],
)
def test_rescue_tally_parts_add_up_even_for_figures_that_do_not_fit(figures):
    """Whatever a stored line holds (an older line, figures out of step), the parts say one
    whole and add up to it."""
    with translation.override("en"):
        text = logs.rescue_tally(figures)
    if "Nobody is present" in text:
        assert figures["f"] == 0
        assert figures["p"] <= figures["h"] + figures["s"] == 0
        return
    whole, parts = tally(text, "en")
    assert whole == sum(parts) >= figures["f"]
    assert all(part > 0 for part in parts)


def test_rescue_round_message_adds_up_with_no_card_history():
    event, people = evening()

    report = feedback_services.rescue_last_round(event, by=None)

    assert (report.fewest, report.pitchers, report.helped) == (len(people), 0, 0)
    assert_tally_adds_up(LogEntry.objects.get(action="rescue_replanned"), fewest=len(people))


def test_rescue_round_message_adds_up_when_no_pitcher_has_a_helper():
    event, people = evening()
    card_history(event, people)

    report = feedback_services.rescue_last_round(event, by=None)

    assert (report.fewest, report.pitchers, report.helped) == (LOW, 0, 0)
    assert_tally_adds_up(LogEntry.objects.get(action="rescue_replanned"), fewest=LOW)


def test_rescue_round_message_adds_up_when_every_pitcher_already_sits_with_a_helper():
    event, people = evening()
    card_history(event, people)
    last = tablemates(queries.stored_plan(event.pk)[3])
    pitcher = people[0].pk
    write_pitches(people, {pitcher: min(last[pitcher])})

    report = feedback_services.rescue_last_round(event, by=None)

    assert (report.fewest, report.pitchers, report.already, report.helped) == (LOW, 1, 1, 0)
    assert_tally_adds_up(LogEntry.objects.get(action="rescue_replanned"), fewest=LOW)


def test_rescue_round_message_adds_up_when_pitchers_fare_differently():
    """Three pitchers with a helper to be brought to, and one who already sits with his: some
    get a new helper, some cannot be seated with theirs, one already sits with his, the rest of
    those with the fewest cards have no helper in the room; each is counted once."""
    event, people = evening()
    helpers = feasible_helpers(event, people, wanted=3)
    card_history(event, people)
    last = tablemates(queries.stored_plan(event.pk)[3])
    taken = set(helpers) | set(helpers.values())
    seated = next(p.pk for p in people[:LOW] if p.pk not in taken and last[p.pk] - taken)
    write_pitches(people, helpers, also={seated: min(last[seated] - taken)})

    report = feedback_services.rescue_last_round(event, by=None)

    assert (report.fewest, report.pitchers, report.already) == (LOW, 4, 1)
    assert report.helped >= 1
    assert report.pitchers - report.helped - report.already >= 1
    assert_tally_adds_up(LogEntry.objects.get(action="rescue_replanned"), fewest=LOW)
