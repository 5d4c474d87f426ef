"""The admin is an operator's tool: every list page renders, and its queries do not grow with
the number of rows."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import LogEntry
from tests.factories import (
    AttendeeFactory,
    CardFactory,
    DigestFactory,
    EventFactory,
    IntroductionFactory,
    PitchFactory,
    RoundFactory,
    SeatFactory,
    TableFactory,
    UserFactory,
    WishFactory,
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


# Staff organizers see only their own events' rows; superusers see everything.

SCOPED = [
    ("events", "event"),
    ("events", "attendee"),
    ("events", "logentry"),
    ("pitches", "pitch"),
    ("rounds", "round"),
    ("rounds", "table"),
    ("rounds", "seat"),
    ("feedback", "card"),
    ("feedback", "introduction"),
    ("feedback", "digest"),
]

EVENT_PATHS = {
    "event": "pk",
    "attendee": "event",
    "logentry": "event",
    "pitch": "attendee__event",
    "round": "event",
    "table": "round__event",
    "seat": "round__event",
    "card": "round__event",
    "introduction": "card__round__event",
    "digest": "attendee__event",
}


def staff_organizer():
    user = UserFactory(is_staff=True)
    codenames = [f"{action}_{model}" for _, model in SCOPED for action in ("view", "change")]
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def busy_event(organizer, title: str):
    """An event with one row of every kind the admin lists."""
    event = EventFactory(organizer=organizer, title=title)
    seat = SeatFactory(table=TableFactory(round=RoundFactory(event=event, done=True)))
    card = CardFactory(round=seat.round, giver=seat.attendee, introduce=True)
    IntroductionFactory(card=card)
    PitchFactory(attendee=seat.attendee)
    DigestFactory(attendee=seat.attendee)
    LogEntry.objects.create(event=event, action="test", message=f"{title} happened")
    return event


@pytest.fixture
def two_events():
    mine = busy_event(staff_organizer(), "Mine")
    theirs = busy_event(staff_organizer(), "Theirs")
    return mine, theirs


@pytest.mark.parametrize(("app", "model"), SCOPED)
def test_admin_staff_organizer_sees_only_their_events_rows(client, two_events, app, model):
    mine, _theirs = two_events
    client.force_login(mine.organizer)

    response = client.get(reverse(f"admin:{app}_{model}_changelist"))

    assert response.status_code == 200
    shown = response.context["cl"].queryset
    assert shown.count() >= 1
    assert set(shown.values_list(EVENT_PATHS[model], flat=True)) == {mine.pk}
    assert "Theirs" not in response.text


@pytest.mark.parametrize(("app", "model"), SCOPED)
def test_admin_superuser_sees_every_events_rows(admin_client, two_events, app, model):
    response = admin_client.get(reverse(f"admin:{app}_{model}_changelist"))

    cl = response.context["cl"]
    assert cl.result_count == cl.model._default_manager.count() >= 2


def test_admin_co_organizer_sees_the_event(client, two_events):
    mine, _theirs = two_events
    helper = staff_organizer()
    mine.co_organizers.add(helper)
    client.force_login(helper)

    response = client.get(reverse("admin:events_event_changelist"))

    assert [event.pk for event in response.context["cl"].result_list] == [mine.pk]


def test_admin_staff_organizer_cannot_open_another_organizers_event(client, two_events):
    mine, theirs = two_events
    client.force_login(mine.organizer)

    response = client.get(reverse("admin:events_event_change", args=[theirs.pk]))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_admin_attendee_form_offers_only_own_events(client, two_events):
    """On add: once added, an attendee's event is read-only (tests/events/test_admin.py)."""
    mine, _theirs = two_events
    mine.organizer.user_permissions.add(Permission.objects.get(codename="add_attendee"))
    client.force_login(mine.organizer)

    response = client.get(reverse("admin:events_attendee_add"))

    field = response.context["adminform"].form.fields["event"]
    assert list(field.queryset) == [mine]


def test_admin_report_of_own_event_renders_in_the_admin(client, two_events):
    mine, _theirs = two_events
    client.force_login(mine.organizer)

    change = client.get(reverse("admin:events_event_change", args=[mine.pk]))
    response = client.get(reverse("admin:events_event_report", args=[mine.pk]))

    assert reverse("admin:events_event_report", args=[mine.pk]) in change.text
    assert response.status_code == 200
    assert response.context["report"].cards_total == 1
    assert response.text.count('role="img"') == 3
    assert "css/report.css" in response.text


def test_admin_report_of_another_organizers_event_is_not_found(client, two_events):
    mine, theirs = two_events
    client.force_login(mine.organizer)

    response = client.get(reverse("admin:events_event_report", args=[theirs.pk]))

    assert response.status_code == 404


def test_admin_report_needs_staff(client, two_events):
    mine, _theirs = two_events
    client.force_login(UserFactory())

    response = client.get(reverse("admin:events_event_report", args=[mine.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def export_action(client, action: str, events) -> object:
    return client.post(
        reverse("admin:events_event_changelist"),
        {"action": action, "_selected_action": [event.pk for event in events]},
    )


@pytest.mark.parametrize("action", ["export_attendees", "export_cards", "export_introductions"])
def test_admin_export_action_leaves_out_another_organizers_event(client, two_events, action):
    mine, theirs = two_events
    client.force_login(mine.organizer)

    only_theirs = export_action(client, action, [theirs])
    both = export_action(client, action, [mine, theirs])

    assert len(only_theirs.content.decode("utf-8-sig").splitlines()) == 1  # the header only
    assert both["Content-Type"] == "text/csv; charset=utf-8"
    text = both.content.decode("utf-8-sig")
    assert "Mine" in text
    assert "Theirs" not in text


def test_admin_export_action_of_several_events_is_one_file(admin_client, two_events):
    response = export_action(admin_client, "export_cards", two_events)

    assert response["Content-Disposition"] == 'attachment; filename="events-cards.csv"'
    rows = response.content.decode("utf-8-sig").splitlines()
    assert sorted(row.split(",")[0] for row in rows[1:]) == ["Mine", "Theirs"]


def test_admin_attendee_consent_choice_is_not_the_organizers_to_set(client):
    organizer = UserFactory(is_staff=True, is_superuser=True)
    attendee = AttendeeFactory(event=EventFactory(organizer=organizer))
    client.force_login(organizer)

    page = client.get(reverse("admin:events_attendee_change", args=[attendee.pk]))

    assert page.status_code == 200
    assert 'name="consent_decided_at' not in page.text
    assert 'name="is_consenting_to_share"' not in page.text
    assert 'name="is_consent_suggested"' in page.text


def test_admin_event_form_offers_only_the_organizers_own_team_as_users(client, two_events):
    mine, theirs = two_events
    helper = staff_organizer()
    mine.co_organizers.add(helper)
    UserFactory(username="stranger-on-the-site")
    client.force_login(mine.organizer)

    mine.organizer.user_permissions.add(Permission.objects.get(codename="add_event"))
    response = client.get(reverse("admin:events_event_add"))

    form = response.context["adminform"].form
    owners = {user.pk for user in form.fields["organizer"].queryset}
    assert owners == {mine.organizer.pk, helper.pk}
    assert "stranger-on-the-site" not in response.text
    assert theirs.organizer.get_username() not in response.text


LIVE_STATE = [
    ("rounds", "round", lambda: TableFactory().round),
    ("rounds", "table", TableFactory),
    ("rounds", "seat", SeatFactory),
    ("feedback", "card", CardFactory),
    ("feedback", "introduction", IntroductionFactory),
    ("events", "logentry", lambda: LogEntry.objects.create(event=EventFactory(), action="x")),
]


@pytest.mark.parametrize(("app", "model", "factory"), LIVE_STATE)
def test_admin_live_state_is_read_only_even_for_a_superuser(admin_client, app, model, factory):
    row = factory()
    change = reverse(f"admin:{app}_{model}_change", args=[row.pk])
    delete = reverse(f"admin:{app}_{model}_delete", args=[row.pk])
    add = reverse(f"admin:{app}_{model}_add")

    page = admin_client.get(change)
    posted = admin_client.post(delete, {"post": "yes"})

    assert page.status_code == 200  # readable
    assert 'name="_save"' not in page.text
    assert admin_client.get(add).status_code == 403
    assert posted.status_code == 403
    assert type(row).objects.filter(pk=row.pk).exists()


def test_admin_log_entry_page_shows_the_sentence_in_the_readers_language(admin_client):
    event = EventFactory()
    entry = LogEntry.objects.create(event=event, action="round_started", params={"n": 3})
    url = reverse("admin:events_logentry_change", args=[entry.pk])

    english = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    chinese = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "Round 3 started." in english.text
    assert "第 3 轮已开始。" in chinese.text


def test_admin_end_rounds_action_goes_through_the_service(admin_client):
    running = RoundFactory(running=True)
    url = reverse("admin:rounds_round_changelist")

    admin_client.post(url, {"action": "end_rounds", "_selected_action": [running.pk]})

    running.refresh_from_db()
    running.event.refresh_from_db()
    assert running.status == "done"
    assert running.event.state_version == 1
    assert running.event.log_entries.get().action == "round_ended"


def test_admin_end_rounds_action_of_another_organizers_event_changes_nothing(client):
    running = RoundFactory(running=True)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_round"))
    client.force_login(staff)

    client.post(
        reverse("admin:rounds_round_changelist"),
        {"action": "end_rounds", "_selected_action": [running.pk]},
    )

    running.refresh_from_db()
    assert running.status == "running"


def test_admin_shows_event_times_in_the_events_zone(admin_client):
    from datetime import UTC, datetime

    event = EventFactory(
        time_zone="Asia/Shanghai", starts_at=datetime(2026, 12, 1, 10, 30, tzinfo=UTC)
    )
    LogEntry.objects.create(event=event, action="round_started", params={"n": 1})

    events = admin_client.get(reverse("admin:events_event_changelist"))
    log = admin_client.get(reverse("admin:events_logentry_changelist"))

    assert "2026-12-01 18:30 CST" in events.text
    assert " CST" in log.text


def change_form_data(response) -> dict:
    """What the admin's change form would send back unchanged (split date/time widgets too)."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        widget = getattr(field.widget, "widget", field.widget)
        if hasattr(widget, "decompress"):
            for index, (sub, part) in enumerate(
                zip(widget.widgets, widget.decompress(value), strict=True)
            ):
                data[f"{name}_{index}"] = sub.format_value(part) or ""
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif value is not None:
            data[name] = value
    return data


def test_admin_staff_co_organizer_cannot_take_the_event_or_its_team(client, two_events):
    """Only the owner adds or removes helpers (events.services); the admin's event form let a
    staff co-organizer make themselves the owner and drop the owner's other helpers."""
    mine, _theirs = two_events
    helper, other_helper = staff_organizer(), staff_organizer()
    mine.co_organizers.add(helper, other_helper)
    client.force_login(helper)
    url = reverse("admin:events_event_change", args=[mine.pk])
    data = change_form_data(client.get(url))

    client.post(url, {**data, "organizer": str(helper.pk), "co_organizers": [str(helper.pk)]})

    mine.refresh_from_db()
    assert mine.organizer_id != helper.pk
    assert set(mine.co_organizers.values_list("pk", flat=True)) == {helper.pk, other_helper.pk}


def test_admin_event_form_shows_the_team_without_offering_every_user(client, two_events):
    mine, _theirs = two_events
    client.force_login(mine.organizer)

    response = client.get(reverse("admin:events_event_change", args=[mine.pk]))

    form = response.context["adminform"].form
    assert "co_organizers" not in form.fields  # invited from the event page, not added here
    assert "organizer" not in form.fields
    assert "status" not in form.fields  # the state machine's, through the services


def test_admin_never_shows_an_attendees_private_wish_list(client):
    """The wish list is its author's alone: not to the organizer, nor a co-organizer."""
    co_organizer = staff_organizer()
    event = EventFactory(organizer=staff_organizer())
    event.co_organizers.add(co_organizer)
    pitch = PitchFactory(attendee=AttendeeFactory(event=event))
    WishFactory(author=pitch.attendee, text="my rival's CFO")
    client.force_login(co_organizer)

    change = client.get(reverse("admin:pitches_pitch_change", args=[pitch.pk]))
    listed = client.get(reverse("admin:pitches_pitch_changelist"), {"q": "rival"})

    assert change.status_code == 200
    assert "rival" not in change.text
    assert 'name="wishes"' not in change.text
    assert pitch.attendee.name not in listed.text  # not searchable by its wishes either


def test_admin_cannot_change_how_the_rounds_are_built(admin_client):
    """The number of rounds, their length and the table size change on the event's settings
    page only (fixed once a round has started; a new number of rounds drops the plan). Saved
    in the admin on a live event, the phones and the server disagreed on the last round."""
    event = EventFactory(live=True, rounds_count=2, table_size=6)
    url = reverse("admin:events_event_change", args=[event.pk])
    data = change_form_data(admin_client.get(url))

    admin_client.post(url, {**data, "rounds_count": "3", "table_size": "5"})

    event.refresh_from_db()
    assert (event.rounds_count, event.table_size) == (2, 6)
    assert "rounds_count" not in data


# The README's set-up: tick "Staff status" and the "Organizers" group (a data migration).


def organizers_group_member():
    from django.contrib.auth.models import Group

    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Organizers"))
    return user


@pytest.mark.parametrize(("app", "model"), [*SCOPED, ("events", "series"), ("conduct", "report")])
def test_admin_organizers_group_opens_the_scoped_lists(client, app, model):
    mine = busy_event(organizers_group_member(), "Mine")
    busy_event(organizers_group_member(), "Theirs")
    client.force_login(mine.organizer)

    response = client.get(reverse(f"admin:{app}_{model}_changelist"))

    assert response.status_code == 200
    assert "Theirs" not in response.text


def test_admin_organizers_group_changes_an_event_but_deletes_nothing(client):
    event = busy_event(organizers_group_member(), "Mine")
    client.force_login(event.organizer)

    index = client.get(reverse("admin:index"))
    change = client.get(reverse("admin:events_event_change", args=[event.pk]))
    delete = client.get(reverse("admin:events_event_delete", args=[event.pk]))

    assert index.status_code == 200
    assert "You don’t have permission to view or edit anything" not in index.text
    assert reverse("admin:events_event_changelist") in index.text
    assert change.status_code == 200
    assert 'name="_save"' in change.text
    assert delete.status_code == 403


@pytest.mark.parametrize("page", ["admin:auth_user_changelist", "admin:auth_group_changelist"])
def test_admin_accounts_are_the_superusers_even_with_permissions(client, page):
    """A staff organizer given every permission on accounts still sees no account list (every
    organizer's email) and cannot change their own account or group into more."""
    staff = organizers_group_member()
    UserFactory(username="someone-else", email="someone-else@example.com")
    staff.user_permissions.set(
        Permission.objects.filter(content_type__app_label="auth", codename__contains="_")
    )
    client.force_login(staff)

    listed = client.get(reverse(page))
    own = client.get(reverse("admin:auth_user_change", args=[staff.pk]))
    index = client.get(reverse("admin:index"))

    assert (listed.status_code, own.status_code) == (403, 403)
    assert "someone-else@example.com" not in index.text
    assert reverse("admin:auth_user_changelist") not in index.text


def test_admin_superuser_still_manages_accounts(admin_client):
    UserFactory(username="someone-else", email="someone-else@example.com")

    response = admin_client.get(reverse("admin:auth_user_changelist"))

    assert response.status_code == 200
    assert "someone-else@example.com" in response.text
