from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.db.models import Count, Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from conduct import services as conduct_services
from events.models import Event
from rounds import presence, queries, services
from rounds.models import Round, Seat
from tests import qr
from tests.factories import (
    AttendeeFactory,
    EventFactory,
    RoundFactory,
    SeatFactory,
    TableFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory(check_in=True, rounds_count=3)


@pytest.fixture
def seated_rounds(event):
    people = AttendeeFactory.create_batch(3, event=event, checked_in=True)
    made = []
    for number in (1, 2, 3):
        table = TableFactory(round=RoundFactory(event=event, number=number), number=1)
        for order, person in enumerate(people):
            SeatFactory(table=table, attendee=person, speaking_order=order)
        made.append(table.round)
    return made


@pytest.fixture
def organizer_client(client, event):
    client.force_login(event.organizer)
    return client


def act(client, event, action, *, htmx=True, follow=False, **data):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        reverse("control_action", args=[event.pk]),
        {"action": action, **data},
        headers=headers,
        follow=follow,
    )


def test_control_page_renders_for_the_organizer(organizer_client, event, seated_rounds):
    response = organizer_client.get(reverse("control", args=[event.pk]))

    assert response.status_code == 200
    assert f'data-live-url="/ws/events/{event.pk}/control/"' in response.text
    # a plan exists: it can be re-planned, not made again; mingling waits for a round
    assert response.context["available"] == {"replan", "start", "announce", "close"}
    assert response.context["primary"] == "start"


def test_control_page_for_a_co_organizer(client, event):
    helper = UserFactory()
    event.co_organizers.add(helper)
    client.force_login(helper)

    assert client.get(reverse("control", args=[event.pk])).status_code == 200


def test_control_page_sends_an_anonymous_visitor_to_sign_in(client, event):
    response = client.get(reverse("control", args=[event.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_control_page_of_another_organizers_event_is_not_found(client, event):
    client.force_login(EventFactory().organizer)

    assert client.get(reverse("control", args=[event.pk])).status_code == 404


def test_control_action_of_another_organizer_changes_nothing(client, event, seated_rounds):
    client.force_login(EventFactory().organizer)

    response = act(client, event, "start")

    assert response.status_code == 404
    assert Round.objects.get(pk=seated_rounds[0].pk).status == Round.Status.PLANNED


def test_control_action_anonymous_changes_nothing(client, event, seated_rounds):
    response = act(client, event, "start")

    assert response.status_code == 302
    assert Round.objects.get(pk=seated_rounds[0].pk).status == Round.Status.PLANNED


def test_control_action_get_is_not_allowed(organizer_client, event):
    response = organizer_client.get(reverse("control_action", args=[event.pk]))

    assert response.status_code == 405


def test_control_action_start_returns_the_panel_fragment(organizer_client, event, seated_rounds):
    response = act(organizer_client, event, "start")

    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<section id="event-{event.pk}-control"')
    assert f"Round 1 of {event.rounds_count}: Running" in response.text
    # during the count-in nobody is pitching yet: there is no turn to skip
    assert response.context["available"] == {
        "pause",
        "extend",
        "end",
        "announce",
        "mingle",
        "close",
        "replan",
    }
    assert Round.objects.get(pk=seated_rounds[0].pk).status == Round.Status.RUNNING


def test_control_panel_offers_skip_only_while_someone_is_left_to_pitch(
    organizer_client, event, seated_rounds
):
    act(organizer_client, event, "start")
    round_ = Round.objects.get(pk=seated_rounds[0].pk)
    seats = round_.seats.values("table").annotate(n=Count("pk")).aggregate(m=Max("n"))["m"]
    pitching = round_.started_at - timedelta(seconds=5)
    Round.objects.filter(pk=round_.pk).update(started_at=pitching, turns_started_at=pitching)
    offered = organizer_client.get(reverse("control", args=[event.pk])).context["available"]
    all_done = timezone.now() - seats * event.pitch_length - timedelta(seconds=1)
    Round.objects.filter(pk=round_.pk).update(started_at=all_done, turns_started_at=all_done)

    later = organizer_client.get(reverse("control", args=[event.pk])).context["available"]

    assert "skip" in offered
    assert "skip" not in later
    assert "end" in later


def test_control_action_refusal_is_shown_in_the_fragment(organizer_client, event, seated_rounds):
    response = act(organizer_client, event, "pause")

    assert response.status_code == 200
    assert "No round is running." in response.text


def test_control_action_without_javascript_redirects_with_the_message(
    organizer_client, event, seated_rounds
):
    response = act(organizer_client, event, "resume", htmx=False, follow=True)

    assert response.redirect_chain == [(reverse("control", args=[event.pk]), 302)]
    assert "No round is running." in response.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "explode"}, "Select a valid choice."),
        ({"action": "extend", "seconds": "9999"}, "less than or equal to 600"),
    ],
)
def test_control_action_bad_input_is_explained(
    organizer_client, event, seated_rounds, data, message
):
    response = organizer_client.post(
        reverse("control_action", args=[event.pk]), data, headers={"HX-Request": "true"}
    )

    assert message in response.text


def test_control_action_announce_and_close(organizer_client, event):
    act(organizer_client, event, "announce", text="Coffee in the lobby")
    event.refresh_from_db()
    assert event.announcement == "Coffee in the lobby"

    act(organizer_client, event, "close")

    event.refresh_from_db()
    assert (event.announcement, event.status) == ("", Event.Status.CLOSED)


def test_control_action_announce_for_minutes_then_clear(organizer_client, event):
    act(organizer_client, event, "announce", text="Coffee in the lobby", minutes="15")
    event.refresh_from_db()
    assert event.announcement_expires_at == event.announced_at + timedelta(minutes=15)
    panel = organizer_client.get(reverse("control", args=[event.pk])).text
    assert 'data-action="clear_announcement"' in panel
    assert "Coffee in the lobby" in panel

    act(organizer_client, event, "clear_announcement")

    event.refresh_from_db()
    assert (event.announcement, event.announcement_expires_at) == ("", None)


def test_control_action_refuses_an_expiry_that_is_not_offered(organizer_client, event):
    response = organizer_client.post(
        reverse("control_action", args=[event.pk]),
        {"action": "announce", "text": "Coffee", "minutes": "9999"},
        headers={"HX-Request": "true"},
    )

    event.refresh_from_db()
    assert event.announcement == ""
    assert "Select a valid choice" in response.text


def test_control_action_extend_uses_the_seconds(organizer_client, event, seated_rounds):
    act(organizer_client, event, "start")
    ends_at = Round.objects.get(pk=seated_rounds[0].pk).ends_at

    act(organizer_client, event, "extend", seconds="30")

    assert (Round.objects.get(pk=seated_rounds[0].pk).ends_at - ends_at).total_seconds() == 30


@pytest.mark.parametrize("rounds_made", [1, 3])
def test_control_page_queries_do_not_grow_with_rounds(
    organizer_client, event, rounds_made, django_assert_num_queries
):
    for number in range(1, rounds_made + 1):
        RoundFactory(event=event, number=number)

    with django_assert_num_queries(12):  # the banner: seats, people, private requests met
        response = organizer_client.get(reverse("control", args=[event.pk]))

    assert response.status_code == 200
    assert response.context["next_round"].number == 1
    # the round's cards are counted by feedback's fragment, loaded at once
    assert 'hx-trigger="load, every 5s, speednet-counters from:body"' in response.text


def test_control_action_plan_makes_the_plan_and_reports_its_quality(client):
    event = EventFactory(check_in=True, rounds_count=3, table_size=3)
    AttendeeFactory.create_batch(12, event=event, checked_in=True)
    client.force_login(event.organizer)

    response = act(client, event, "plan")

    assert response.status_code == 200
    assert (
        "Planned 12 people: 0 repeated meetings, 0 colleagues or pairs to keep apart seated "
        "together, 12 itineraries sent."
    ) in response.text
    assert Round.objects.filter(event=event).count() == 3


def test_control_action_plan_from_a_stale_panel_is_refused_and_changes_nothing(
    client, django_capture_on_commit_callbacks
):
    """The panel's "Make the plan" works once: a co-organizer's panel drawn before the
    owner planned is for another state (control.js fetches it again), and its click, if sent,
    is refused without making the plan again."""
    event = EventFactory(check_in=True, rounds_count=3, table_size=3)
    AttendeeFactory.create_batch(12, event=event, checked_in=True)
    co_organizer = UserFactory()
    event.co_organizers.add(co_organizer)
    client.force_login(co_organizer)
    stale = client.get(reverse("control", args=[event.pk]), headers={"HX-Request": "true"})
    client.force_login(event.organizer)
    planned = act(client, event, "plan")
    plan, version = queries.stored_plan(event.pk), Event.objects.get(pk=event.pk).state_version
    logged = event.log_entries.count()
    client.force_login(co_organizer)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = act(client, event, "plan")

    drawn = 'class="control-panel" data-state="{}"'
    assert drawn.format(planned.context["state_key"]) not in stale.text
    assert drawn.format(planned.context["state_key"]) in response.text
    assert "The plan is already made: re-plan the remaining rounds to change it." in response.text
    assert queries.stored_plan(event.pk) == plan
    assert Event.objects.get(pk=event.pk).state_version == version
    assert event.log_entries.count() == logged
    assert callbacks == []


def test_control_action_plan_warns_when_repeats_are_forced(organizer_client, event):
    event.guide_min_table_size = 3  # the plan page compares tables of 3 too
    event.save(update_fields=["guide_min_table_size"])
    AttendeeFactory.create_batch(12, event=event, checked_in=True)

    response = act(organizer_client, event, "plan")

    assert "some pairs must meet more than once" in response.text
    assert "Tables of 3 (4 tables) let nobody meet twice" in response.text
    assert "C(m, 2)" not in response.text


def test_control_action_plan_suggests_only_a_table_size_the_plan_page_compares(
    organizer_client, event
):
    """The plan page compares tables of 4 to 8 (the default range): tables of 3 would let
    nobody meet twice, but the advice must not send the organizer to a size not offered."""
    AttendeeFactory.create_batch(12, event=event, checked_in=True)

    response = act(organizer_client, event, "plan")
    plan_page = organizer_client.get(reverse("plan", args=[event.pk])).text

    assert event.compared_table_sizes == range(4, 9)
    assert "some pairs must meet more than once" in response.text
    assert "Tables of 3" not in response.text
    assert "Tables of 3" not in plan_page


def test_control_action_replan_after_a_late_arrival(organizer_client, event):
    AttendeeFactory.create_batch(12, event=event, checked_in=True)
    act(organizer_client, event, "plan")
    act(organizer_client, event, "start")
    AttendeeFactory(event=event, checked_in=True)

    response = act(organizer_client, event, "replan")

    assert "Planned 13 people" in response.text
    assert Seat.objects.filter(round__event=event, round__number=2).count() == 13


def test_plan_page_shows_quality_and_tables(client):
    event = EventFactory(check_in=True, rounds_count=2, table_size=3)
    people = AttendeeFactory.create_batch(9, event=event, checked_in=True)
    client.force_login(event.organizer)
    act(client, event, "plan")

    response = client.get(reverse("plan", args=[event.pk]))

    assert response.context["quality"].repeated_pairs == 0
    assert [len(tables) for _, tables in response.context["rounds"]] == [3, 3]
    assert all(person.name in response.text for person in people)


def test_plan_page_after_a_walk_in_from_a_seated_persons_company(client):
    """Colleagues are kept apart; a walk-in after the plan, from the company of someone seated,
    is not in the plan yet, and the page shows the plan's figures without them."""
    event = EventFactory(check_in=True, rounds_count=2, table_size=3)
    people = [
        AttendeeFactory(event=event, checked_in=True, company=f"Company {i}") for i in range(9)
    ]
    client.force_login(event.organizer)
    act(client, event, "plan")
    AttendeeFactory(event=event, checked_in=True, name="Late Colleague", company="Company 1")

    response = client.get(reverse("plan", args=[event.pk]))

    assert response.status_code == 200
    assert response.context["quality"].avoid_violations == 0
    assert all(person.name in response.text for person in people)


def test_plan_page_warns_before_planning_when_repeats_are_forced(organizer_client, event):
    AttendeeFactory.create_batch(12, event=event, checked_in=True)

    response = organizer_client.get(reverse("plan", args=[event.pk]))

    assert response.context["quality"] is None
    assert "no two people sit together more than" in response.text


def test_plan_page_of_another_organizers_event_is_not_found(client, event):
    client.force_login(UserFactory())

    assert client.get(reverse("plan", args=[event.pk])).status_code == 404


def test_control_page_htmx_refresh_returns_the_panel_only(organizer_client, event):
    response = organizer_client.get(
        reverse("control", args=[event.pk]), headers={"HX-Request": "true"}
    )

    assert response.text.lstrip().startswith(f'<section id="event-{event.pk}-control"')


def test_control_counters_show_check_ins_and_cards_this_round(organizer_client, event):
    from tests.factories import CardFactory

    first = RoundFactory(event=event, number=1, running=True)
    AttendeeFactory.create_batch(2, event=event, checked_in=True)
    AttendeeFactory(event=event)
    CardFactory(round=first)  # its giver and receiver are registered, not checked in

    response = organizer_client.get(reverse("control_counters", args=[event.pk]))

    assert response.context["counters"] == {
        "present": 2,
        "registered": 5,
        "phones": 0,
        "cards_this_round": 1,
        "round": 1,
    }
    assert 'hx-trigger="every 5s, speednet-counters from:body"' in response.text


def test_control_counters_count_the_phones_connected_to_this_event_only(organizer_client, event):
    here = AttendeeFactory.create_batch(3, event=event, checked_in=True)
    elsewhere = AttendeeFactory(checked_in=True)
    for attendee in [*here[:2], elsewhere]:
        async_to_sync(presence.mark_connected)(attendee.pk)

    response = organizer_client.get(reverse("control_counters", args=[event.pk]))

    assert response.context["counters"]["phones"] == 2
    assert "Phones connected" in response.text


@pytest.mark.parametrize("people", [1, 3])
def test_control_counters_queries_do_not_grow_with_the_room(
    organizer_client, event, people, django_assert_num_queries
):
    RoundFactory(event=event, number=1, running=True)
    for attendee in AttendeeFactory.create_batch(people, event=event, checked_in=True):
        async_to_sync(presence.mark_connected)(attendee.pk)

    with django_assert_num_queries(10):  # with the walk-in banner's seats and people
        response = organizer_client.get(reverse("control_counters", args=[event.pk]))

    assert response.status_code == 200
    assert response.context["counters"]["present"] == people
    assert response.context["counters"]["phones"] == people


def test_control_counters_show_the_latest_log_lines_of_this_event_newest_first(
    organizer_client, event
):
    from events.services import record

    other = EventFactory()
    for n in range(1, queries.LOG_LINES + 3):
        record(event, action="note", message=f"line {n}", by=event.organizer)
    record(other, action="note", message="another event's line")

    response = organizer_client.get(reverse("control_counters", args=[event.pk]))

    lines = [entry.text for entry in response.context["log"]]
    assert lines == [f"line {n}" for n in range(queries.LOG_LINES + 2, 2, -1)]
    assert "another event's line" not in response.text
    assert f"line {queries.LOG_LINES + 2}" in response.text
    assert event.organizer.get_username() in response.text


def test_control_page_shows_the_log(organizer_client, event):
    from events.services import record

    record(event, action="announced", message="Coffee is in the lobby")

    response = organizer_client.get(reverse("control", args=[event.pk]))

    assert "What happened" in response.text
    assert "Coffee is in the lobby" in response.text


def test_control_counters_of_another_organizers_event_are_not_found(client, event):
    client.force_login(UserFactory())

    assert client.get(reverse("control_counters", args=[event.pk])).status_code == 404


def test_projector_shows_join_code_and_find_my_table_for_the_next_round(client):
    event = EventFactory(check_in=True, rounds_count=2, table_size=3, join_code="CG26VP")
    AttendeeFactory.create_batch(9, event=event, checked_in=True)
    client.force_login(event.organizer)
    act(client, event, "plan")
    client.logout()

    response = client.get(reverse("projector", args=[event.projector_key]))

    assert response.status_code == 200
    assert '<p class="screen-code">CG26VP</p>' in response.text
    assert f'data-live-url="/ws/p/{event.projector_key}/"' in response.text
    assert response.context["seating_round"].number == 1
    assert len(response.context["seats"]) == 9
    assert [name for name, _ in response.context["seats"]] == sorted(
        name for name, _ in response.context["seats"]
    )


@pytest.mark.parametrize(
    ("language", "waiting", "welcome"),
    [
        ("en", "Check-in opens soon", "Welcome! Scan the code to join"),
        ("zh-hans", "签到即将开始", "欢迎！扫码加入"),
    ],
)
def test_projector_has_a_sentence_for_a_draft_event_that_does_not_invite_scanning(
    client, language, waiting, welcome
):
    """Before check-in opens the join page turns people away, so the big screen must not
    invite them to scan: it has its own sentence for that stage, in the event's language."""
    event = EventFactory(language=language)

    response = client.get(reverse("projector", args=[event.projector_key]))

    assert response.context["live_state"]["event"]["status"] == "draft"
    assert response.context["texts"]["draft"] == waiting
    assert response.context["texts"]["check_in"] == welcome


def test_projector_with_a_wrong_key_is_not_found(client, event):
    assert client.get(reverse("projector", args=["guessed-key"])).status_code == 404


def test_projector_speaks_the_events_language_whatever_the_laptop_asks(client):
    event = EventFactory(language="zh-hans")

    response = client.get(
        reverse("projector", args=[event.projector_key]), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in response.text


@pytest.mark.parametrize("people", [3, 9])
def test_projector_queries_do_not_grow_with_people(client, people, django_assert_num_queries):
    event = EventFactory(check_in=True, rounds_count=2, table_size=3)
    AttendeeFactory.create_batch(people, event=event, checked_in=True)
    from rounds import services as round_services

    round_services.make_plan(event, by=None, time_limit=0.2)

    # event; the state's plan check and current round; the seating round (current, next);
    # who sits where; how many are checked in
    with django_assert_num_queries(7):
        response = client.get(reverse("projector", args=[event.projector_key]))

    assert response.status_code == 200
    assert response.text.count('<li><bdi class="find-name">') == people
    assert response.context["live_state"]["event"]["has_plan"] is True


def test_control_action_open_opens_check_in_for_a_draft_event(client):
    event = EventFactory()
    client.force_login(event.organizer)

    before = client.get(reverse("control", args=[event.pk])).context["available"]
    act(client, event, "open")

    event.refresh_from_db()
    assert "open" in before
    assert event.status == Event.Status.CHECK_IN


def test_projector_qr_code_and_link_carry_the_public_address(client, settings):
    settings.SITE_URL = "http://192.168.1.20:8000"
    event = EventFactory(check_in=True, join_code="CG26VP")

    response = client.get(
        reverse("projector", args=[event.projector_key]), HTTP_HOST="127.0.0.1:8000"
    )

    assert qr.decode_svgs(response.text) == ["http://192.168.1.20:8000/join/CG26VP/"]
    assert ">http://192.168.1.20:8000/join/CG26VP/</strong>" in response.text
    assert response.context["public_address"].unreachable_host is None


def test_projector_context_renders_the_loopback_warning_fragment(client, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    event = EventFactory(check_in=True)

    response = client.get(reverse("projector", args=[event.projector_key]))
    context = {"public_address": response.context["public_address"]}
    warning = render_to_string("partials/address_warning.html", context)

    assert warning == (
        '<p class="address-warning" role="alert" data-address-warning>Phones cannot reach '
        "127.0.0.1 — start with <code>make venue</code> or set SPEEDNET_SITE_URL.</p>\n"
    )


def test_control_page_shows_the_address_phones_join_at(organizer_client, event, settings):
    settings.SITE_URL = "http://192.168.1.20:8000"

    response = organizer_client.get(reverse("control", args=[event.pk]))

    join_url = f"http://192.168.1.20:8000/join/{event.join_code}/"
    assert f'Phones join at <a href="{join_url}"><strong>{join_url}</strong></a>' in response.text
    assert "address-warning" not in response.text


def test_control_page_warns_when_phones_cannot_reach_the_address(organizer_client, event, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"

    response = organizer_client.get(reverse("control", args=[event.pk]))

    assert "Phones cannot reach 127.0.0.1" in response.text


class BrokenLayer:
    """A channel layer whose server is down: every send fails (as channels_redis does while
    Redis restarts)."""

    def __init__(self, **_: object) -> None:
        pass

    async def group_send(self, group: str, message: dict) -> None:
        raise ConnectionRefusedError("the channel layer is down")


@pytest.fixture
def layer_down(settings):
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "tests.rounds.test_views.BrokenLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def test_control_action_succeeds_while_the_channel_layer_is_down(
    organizer_client,
    event,
    seated_rounds,
    layer_down,
    django_capture_on_commit_callbacks,
    caplog,
    monkeypatch,
):
    """The change is committed before its push: a push that fails is logged, the click is not a
    500 (and the organizer does not click again, extending twice)."""
    from rounds import broadcasts

    # the refusals are logged once a period: this test's first is logged whatever came before
    monkeypatch.setattr(broadcasts.PUSHES_REFUSED, "logged_at", -broadcasts.PUSHES_REFUSED.every_s)
    with django_capture_on_commit_callbacks(execute=True):
        started = act(organizer_client, event, "start")
    with django_capture_on_commit_callbacks(execute=True):
        announced = act(organizer_client, event, "announce", text="Coffee")

    event.refresh_from_db()
    assert (started.status_code, announced.status_code) == (200, 200)
    assert Round.objects.get(pk=seated_rounds[0].pk).status == Round.Status.RUNNING
    assert event.announcement == "Coffee"
    assert "the channel layer refuses connections" in caplog.text


def test_projector_fragments_need_the_events_projector_key(client, event):
    """The projector's fragments open with the secret key only: a guess or another event's
    join code is a 404, never another event's seating or head count."""
    for name in ("projector", "projector_find", "projector_people"):
        assert client.get(reverse(name, args=["guessed"])).status_code == 404
        assert client.get(reverse(name, args=[event.join_code])).status_code == 404
        assert client.get(reverse(name, args=[event.projector_key])).status_code == 200


def test_clear_announcement_by_another_organizer_is_refused(client, event):
    services.announce(event, text="Coffee", by=None)
    client.force_login(EventFactory().organizer)

    response = act(client, event, "clear_announcement")

    event.refresh_from_db()
    assert response.status_code == 404
    assert event.announcement == "Coffee"


def test_control_page_banner_names_walk_ins_and_people_who_left_after_the_plan(
    organizer_client, event, seated_rounds
):
    walk_in = AttendeeFactory(event=event, name="Zoe Walk-in", checked_in=True)
    seated = seated_rounds[0].seats.select_related("attendee").first().attendee
    seated.left_at = timezone.now()
    seated.save(update_fields=["left_at"])

    response = organizer_client.get(reverse("control_counters", args=[event.pk]))

    gaps = response.context["gaps"]
    assert gaps.not_seated == [walk_in.name]
    assert gaps.gone == [seated.name]
    assert "1 person is here but not seated: Zoe Walk-in." in response.text
    assert f"1 person left but still has a seat: {seated.name}." in response.text
    assert 'data-action="replan-gaps"' in response.text


def test_control_page_banner_is_gone_after_the_re_plan(organizer_client, event, seated_rounds):
    AttendeeFactory(event=event, name="Zoe Walk-in", checked_in=True)

    answer = act(organizer_client, event, "replan")
    response = organizer_client.get(reverse("control_counters", args=[event.pk]))

    assert answer.headers["HX-Trigger"] == "speednet-counters"
    assert response.context["gaps"].count == 0
    assert "not seated" not in response.text


def test_control_page_banner_without_a_plan_says_nothing(organizer_client, event):
    AttendeeFactory(event=event, checked_in=True)

    response = organizer_client.get(reverse("control_counters", args=[event.pk]))

    assert response.context["gaps"].count == 0


def test_control_panel_says_a_round_whose_time_ran_out_is_done(organizer_client, event):
    """Nobody pressed End: the clock ended the round, and the status line says so, as the
    buttons (Start round 2) do, not the "Running" stored until someone acts."""
    started = timezone.now() - timedelta(seconds=400)
    RoundFactory(
        event=event,
        number=1,
        status=Round.Status.RUNNING,
        started_at=started,
        turns_started_at=started,
        ends_at=started + timedelta(seconds=180),
    )
    RoundFactory(event=event, number=2)
    event.status = Event.Status.LIVE
    event.save(update_fields=["status"])

    page = organizer_client.get(reverse("control", args=[event.pk])).text

    assert "Round 1 of 3: Done" in page
    assert "Round 1 of 3: Running" not in page


def test_control_page_banner_asks_to_re_plan_for_a_private_request_without_names(
    organizer_client, event, seated_rounds
):
    """Round 1 is running; the three share the one table of rounds 2 and 3 too."""
    services.start_round(seated_rounds[0], by=event.organizer)
    asker, other = (seat.attendee for seat in seated_rounds[1].seats.select_related("attendee")[:2])
    conduct_services.ask_apart(asker, other_id=other.pk)

    response = organizer_client.get(reverse("control_counters", args=[event.pk]))
    page = organizer_client.get(reverse("control", args=[event.pk])).text

    message = (
        "A private seating request is not met by the plan for the coming rounds. "
        "Re-plan to honour it."
    )
    assert response.context["gaps"].unmet_apart == 1
    assert message in response.text
    assert message in page
    assert 'data-action="replan-gaps"' in response.text
    assert asker.name not in response.text
    assert other.name not in response.text


def test_projector_states_no_pitch_count_which_a_smaller_table_would_contradict(client, event):
    """Tables of 4 and of 3: "Pitch 1 of 4" would be false at the table of 3, whose phones
    say "of 3"; the projector says the pitch and its clock only."""
    page = client.get(reverse("projector", args=[event.projector_key]))

    texts = page.context["texts"]
    assert texts["pitch_of"] == "Pitch {index} · {clock}"
    assert "Pitch {index} · {clock}" in page.text.replace("\\u00b7", "·")
    assert 'data-text-open-talk="Open conversation"' in page.text
    assert 'data-text-event-closed="The event is closed."' in page.text


# The projector after the rounds: its link stays on the venue screen and with AV staff, so once
# no one is looking for a table it shows no one's name or table.

NAMES = ("Ada Kim", "Bo Lund", "Cai Wen")


def seated_evening(*, status: str, done: int, language: str = "en") -> Event:
    """An event of three rounds at one table of three named people, the first ``done`` rounds
    done, in ``status``."""
    event = EventFactory(status=status, rounds_count=3, language=language)
    people = [AttendeeFactory(event=event, name=name, checked_in=True) for name in NAMES]
    for number in (1, 2, 3):
        kind = {"done": True} if number <= done else {}
        table = TableFactory(round=RoundFactory(event=event, number=number, **kind), number=1)
        for order, person in enumerate(people):
            SeatFactory(table=table, attendee=person, speaking_order=order)
    return event


def projector_pages(client, event) -> list[str]:
    return [
        client.get(reverse(name, args=[event.projector_key])).text
        for name in ("projector", "projector_find")
    ]


@pytest.mark.parametrize(
    ("status", "done"),
    [
        (Event.Status.CLOSED, 3),  # closed after the last round
        (Event.Status.CLOSED, 1),  # closed early, rounds left unplayed
        (Event.Status.MINGLE, 3),
        (Event.Status.LIVE, 3),  # the last round done, before mingle
    ],
)
def test_projector_shows_no_names_once_the_rounds_are_over(client, status, done):
    event = seated_evening(status=status, done=done)

    pages = projector_pages(client, event)

    for page in pages:
        for name in NAMES:
            assert name not in page
        assert 'class="find-name"' not in page
    assert queries.seating_round(event) is None


@pytest.mark.parametrize(
    ("language", "ended"),
    [("en", "This event has ended"), ("zh-hans", "本活动已结束")],
)
def test_projector_of_a_closed_event_says_it_has_ended_with_the_title(client, language, ended):
    event = seated_evening(status=Event.Status.CLOSED, done=3, language=language)

    page, find = projector_pages(client, event)

    assert event.title in page
    assert ended in page
    assert ended in find
    assert 'data-screen="closed"' in page


def test_projector_after_the_last_round_says_it_is_time_to_mingle(client):
    event = seated_evening(status=Event.Status.LIVE, done=3)

    _page, find = projector_pages(client, event)

    assert "Time to mingle: find the people who want to see you" in find
    assert "Tables appear here" not in find


@pytest.mark.parametrize("done", [0, 2])
def test_projector_shows_names_while_a_round_is_to_come(client, done):
    event = seated_evening(status=Event.Status.LIVE, done=done)

    pages = projector_pages(client, event)

    for page in pages:
        for name in NAMES:
            assert name in page
        assert f"round {done + 1}" in page


def test_projector_find_my_table_sorts_chinese_names_by_pinyin_among_latin_ones(client):
    event = EventFactory(check_in=True, rounds_count=2, table_size=3)
    for name in ["Zoe Adams", "王小明", "Anna Schmidt", "陳美玲", "Li Na", "张三"]:
        AttendeeFactory(event=event, name=name, checked_in=True)
    client.force_login(event.organizer)
    act(client, event, "plan")
    client.logout()

    response = client.get(reverse("projector_find", args=[event.projector_key]))

    assert [name for name, _table in response.context["seats"]] == [
        "Anna Schmidt",
        "陳美玲",
        "Li Na",
        "王小明",
        "张三",
        "Zoe Adams",
    ]
