"""The admin's boundaries, each tried by a staff organizer of the "Organizers" group who co-runs
the owner's event and runs one of their own: a row's event, attendee, round or table is chosen
when it is added (among the events the user runs) and never re-pointed after; what only a
service may set (unsubscribing, erasure, codes, consent) is read-only; erasing an event's
personal data is offered to owners only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from events.models import (
    Attendee,
    CoOrganizerInvitation,
    EmailBlock,
    Event,
    ImportUpload,
    LogEntry,
    PairRule,
    SeatingRequest,
    Series,
)
from feedback.models import Card, Digest, Introduction
from pitches.models import Pitch, Wish
from rounds.models import Round, Seat, Table
from tests.factories import (
    AttendeeFactory,
    CardFactory,
    DigestFactory,
    EventFactory,
    IntroductionFactory,
    PitchFactory,
    ReportFactory,
    RoundFactory,
    SeatFactory,
    SeriesFactory,
    TableFactory,
    UserFactory,
)
from tests.test_admin import change_form_data

pytestmark = pytest.mark.django_db


def organizer(*extra_permissions: str):
    """Staff and in the "Organizers" group, as the README sets an organizer up; ``extra``
    permissions (codenames) on top, e.g. "add_attendee", which the group does not give."""
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Organizers"))
    if extra_permissions:
        user.user_permissions.add(*Permission.objects.filter(codename__in=extra_permissions))
    return user


@dataclass
class Crossing:
    owner: object
    helper: object  # co-organizes ``first``, owns ``second``
    first: Event  # the owner's
    second: Event  # the helper's own
    stranger_event: Event  # neither's


@pytest.fixture
def crossing():
    owner, helper = organizer(), organizer()
    first = EventFactory(organizer=owner, title="Owner's night")
    first.co_organizers.add(helper)
    second = EventFactory(organizer=helper, title="Helper's night")
    return Crossing(owner, helper, first, second, EventFactory(title="Stranger's night"))


@pytest.fixture
def admin_client_of(client):
    """Signs ``client`` in as a new superuser, when called."""

    def make():
        client.force_login(UserFactory(is_staff=True, is_superuser=True))
        return client

    return make


def pk(obj) -> int:
    return obj.pk


def change_url(obj) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def add_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def post_change(client, obj, **crossed):
    """The change form sent back as shown, with ``crossed`` values put in (sent whether or not
    the form has such a field)."""
    url = change_url(obj)
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, {**change_form_data(page), **crossed})


# 1. An attendee stays at the event they were added to.


@pytest.mark.parametrize("who", ["helper", "owner", "superuser"])
def test_attendee_cannot_be_moved_to_another_event(client, crossing, who):
    """The tester's case: a co-organizer set the event of an attendee seated in the owner's
    event to one of their own; their seats in the first event then held a person of another
    event. Read-only for everyone, superusers too."""
    seat = SeatFactory(table=TableFactory(round=RoundFactory(event=crossing.first)))
    attendee = seat.attendee
    user = UserFactory(is_staff=True, is_superuser=True) if who == "superuser" else None
    client.force_login(user or getattr(crossing, who))

    page = client.get(change_url(attendee))
    response = post_change(client, attendee, event=str(crossing.second.pk), company="Moved Ltd")

    assert response.status_code == 302  # the rest of the form is saved
    attendee.refresh_from_db()
    assert attendee.company == "Moved Ltd"
    assert attendee.event_id == crossing.first.pk
    assert Seat.objects.get(pk=seat.pk).attendee.event_id == crossing.first.pk
    assert 'name="event"' not in page.text


def test_attendee_add_offers_only_the_users_events(client, crossing):
    crossing.helper.user_permissions.add(Permission.objects.get(codename="add_attendee"))
    client.force_login(crossing.helper)

    response = client.get(add_url(Attendee))

    field = response.context["adminform"].form.fields["event"]
    assert set(field.queryset) == {crossing.first, crossing.second}


def test_attendee_cannot_be_added_to_another_organizers_event(client, crossing):
    crossing.helper.user_permissions.add(Permission.objects.get(codename="add_attendee"))
    client.force_login(crossing.helper)

    refused = client.post(
        add_url(Attendee), {"event": str(crossing.stranger_event.pk), "name": "Planted"}
    )
    added = client.post(add_url(Attendee), {"event": str(crossing.first.pk), "name": "Walk-in"})

    assert refused.status_code == 200
    assert "event" in refused.context["adminform"].form.errors
    assert not Attendee.objects.filter(name="Planted").exists()
    assert added.status_code == 302
    assert Attendee.objects.get(name="Walk-in").event_id == crossing.first.pk


@pytest.mark.parametrize("state", ["closed", "erased"])
def test_attendee_cannot_be_added_to_a_closed_or_erased_event(admin_client_of, crossing, state):
    """As at the door, the import and the join page: the evening is over, or its personal data
    were deleted and nothing personal comes back in."""
    event = crossing.first
    event.status = Event.Status.CLOSED
    if state == "erased":
        event.personal_data_erased_at = timezone.now()
    event.save()
    client = admin_client_of()

    refused = client.post(add_url(Attendee), {"event": str(event.pk), "name": "Late Add"})

    assert refused.status_code == 200
    assert "no one can be added to it any more" in str(
        refused.context["adminform"].form.errors["event"]
    )
    assert not Attendee.objects.filter(name="Late Add").exists()


@pytest.mark.parametrize("who", ["helper", "superuser"])
def test_erased_attendee_is_read_only(admin_client_of, client, crossing, who):
    """Typing details back into an erased row would undo the erasure."""
    erased = AttendeeFactory(
        event=crossing.first, name="Erased attendee", email="", erased_at=timezone.now()
    )
    if who == "superuser":
        client = admin_client_of()
    else:
        client.force_login(crossing.helper)
    url = change_url(erased)

    page = client.get(url)
    client.post(url, {"name": "Retyped", "email": "retyped@example.com", "phone": "+1 555 0100"})

    erased.refresh_from_db()
    assert (erased.name, erased.email, erased.phone) == ("Erased attendee", "", "")
    assert 'name="email"' not in page.text


# 2. What only a service sets: unsubscribing, erasure.


def test_co_organizer_cannot_resume_mail_to_someone_who_unsubscribed(client, crossing):
    unsubscribed = timezone.now() - timedelta(days=1)
    attendee = AttendeeFactory(event=crossing.first, unsubscribed_at=unsubscribed)
    client.force_login(crossing.helper)

    page = client.get(change_url(attendee))
    response = post_change(client, attendee, unsubscribed_at_0="", unsubscribed_at_1="")

    assert response.status_code == 302
    assert Attendee.objects.get(pk=attendee.pk).unsubscribed_at == unsubscribed
    assert 'name="unsubscribed_at_0"' not in page.text


@pytest.mark.parametrize("who", ["helper", "superuser"])
def test_erasure_cannot_be_faked_in_the_attendee_form(client, crossing, who):
    """Set here, "erased at" made the row look erased while it kept every detail."""
    attendee = AttendeeFactory(event=crossing.first, name="Zelda Quartermain")
    user = UserFactory(is_staff=True, is_superuser=True) if who == "superuser" else None
    client.force_login(user or crossing.helper)

    page = client.get(change_url(attendee))
    response = post_change(client, attendee, erased_at_0="2026-01-01", erased_at_1="10:00:00")

    assert response.status_code == 302
    assert Attendee.objects.get(pk=attendee.pk).erased_at is None
    assert 'name="erased_at_0"' not in page.text


def test_attendee_page_shows_unsubscribing_and_erasure_read_only(client, crossing):
    attendee = AttendeeFactory(event=crossing.first, unsubscribed_at=timezone.now())
    client.force_login(crossing.helper)

    page = client.get(change_url(attendee))

    fields = page.context["adminform"].form.fields
    assert "unsubscribed_at" not in fields
    assert "erased_at" not in fields
    assert "Unsubscribed at" in page.text  # shown, as the consent choice is
    assert "Personal data erased at" in page.text


def test_event_erasure_date_join_code_and_conduct_are_not_set_in_the_admin(client, crossing):
    """The erasure date is the retention service's, the join code is drawn (a short one lets
    strangers join), and a new code of conduct asks everyone again (``set_conduct``): changed
    in the admin, the attendees' acceptance stood for a text they never read."""
    event = crossing.first
    event.conduct_text, event.conduct_version = "Serve, don't sell.", 1
    event.save(update_fields=["conduct_text", "conduct_version"])
    code = event.join_code
    client.force_login(crossing.owner)

    response = post_change(
        client,
        event,
        join_code="AAAAAA",
        conduct_text="Anything goes.",
        personal_data_erased_at_0="2026-01-01",
        personal_data_erased_at_1="10:00:00",
    )

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.join_code == code
    assert (event.conduct_text, event.conduct_version) == ("Serve, don't sell.", 1)
    assert event.personal_data_erased_at is None


def test_attendee_check_in_and_leaving_are_not_set_in_the_admin(client, crossing):
    """Arriving and leaving are the door's and the control page's (``check_in``, ``mark_left``):
    typed here, seating and the live room went by a presence nobody recorded."""
    arrived = timezone.now() - timedelta(hours=1)
    present = AttendeeFactory(event=crossing.first, checked_in_at=arrived)
    invited = AttendeeFactory(event=crossing.first)
    client.force_login(crossing.helper)

    page = client.get(change_url(present))
    left = post_change(client, present, left_at_0="2026-01-01", left_at_1="10:00:00")
    unchecked = post_change(client, present, checked_in_at_0="", checked_in_at_1="")
    checked = post_change(client, invited, checked_in_at_0="2026-01-01", checked_in_at_1="9:00")

    assert (left.status_code, unchecked.status_code, checked.status_code) == (302, 302, 302)
    assert Attendee.objects.get(pk=present.pk).checked_in_at == arrived
    assert Attendee.objects.get(pk=present.pk).left_at is None
    assert Attendee.objects.get(pk=invited.pk).checked_in_at is None
    fields = page.context["adminform"].form.fields
    assert "checked_in_at" not in fields
    assert "left_at" not in fields
    assert "Checked in at" in page.text  # shown, read-only
    assert "Left at" in page.text


# The times a person types (an event's start): every other moment is stamped by a service.
TYPED_TIMES = {(Event, "starts_at")}


def test_organizer_change_forms_offer_no_service_stamped_time(client, crossing):
    """Every change form a staff organizer can open: no date-time field but the typed ones,
    so a new service-stamped moment is read-only here from the start."""
    attendee = AttendeeFactory(event=crossing.first)
    rows = [
        crossing.first,
        attendee,
        SeriesFactory(organizer=crossing.owner),
        PairRule.objects.create(
            event=crossing.first, first=attendee, second=AttendeeFactory(event=crossing.first)
        ),
        PitchFactory(attendee=attendee),
        DigestFactory(attendee=attendee),
        ReportFactory(event=crossing.first),
    ]
    client.force_login(crossing.owner)
    offered = set()

    for row in rows:
        page = client.get(change_url(row))
        assert page.status_code == 200, row
        model = type(row)
        offered |= {
            (model, name)
            for name in page.context["adminform"].form.fields
            if name in {f.name for f in model._meta.concrete_fields}
            and model._meta.get_field(name).get_internal_type() == "DateTimeField"
        }

    assert offered == TYPED_TIMES


# 3. Every other admin: its event, attendee, round or table is fixed once added.


def test_event_cannot_be_filed_under_a_co_organizers_series(client, crossing):
    owners = SeriesFactory(organizer=crossing.owner, title="Owner's chapter")
    helpers = SeriesFactory(organizer=crossing.helper, title="Helper's chapter")
    crossing.first.series = owners
    crossing.first.save(update_fields=["series"])
    client.force_login(crossing.helper)

    response = post_change(client, crossing.first, series=str(helpers.pk))

    assert response.status_code == 302
    assert Event.objects.get(pk=crossing.first.pk).series_id == owners.pk


@pytest.mark.parametrize("who", ["owner", "superuser"])
def test_event_stays_in_the_series_it_was_made_in(client, crossing, who):
    """As on the settings page (``services.update_event`` never moves it): moved, the people
    one series remembers would have met another's."""
    series = SeriesFactory(organizer=crossing.owner)
    other = SeriesFactory(organizer=crossing.owner)
    crossing.first.series = series
    crossing.first.save(update_fields=["series"])
    user = UserFactory(is_staff=True, is_superuser=True) if who == "superuser" else None
    client.force_login(user or crossing.owner)

    response = post_change(client, crossing.first, series=str(other.pk))

    assert response.status_code == 302
    assert Event.objects.get(pk=crossing.first.pk).series_id == series.pk


def new_event_data(client) -> dict:
    page = client.get(add_url(Event))
    assert page.status_code == 200
    return {
        **change_form_data(page),
        "title": "Made in the admin",
        "slug": "made-in-the-admin",
        "starts_at_0": "2026-12-01",
        "starts_at_1": "18:30:00",
    }


def test_new_event_goes_only_in_a_series_of_its_owner(client, crossing):
    """A staff organizer may make an event for a teammate, and is offered their own series:
    together, the teammate's event was filed in the maker's series."""
    series = SeriesFactory(organizer=crossing.owner)
    crossing.owner.user_permissions.add(Permission.objects.get(codename="add_event"))
    client.force_login(crossing.owner)
    data = new_event_data(client)

    refused = client.post(
        add_url(Event), {**data, "organizer": str(crossing.helper.pk), "series": str(series.pk)}
    )
    made = client.post(
        add_url(Event), {**data, "organizer": str(crossing.owner.pk), "series": str(series.pk)}
    )

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["series"] == [
        "Choose one of the owner's own series."
    ]
    assert made.status_code == 302
    event = Event.objects.get(slug="made-in-the-admin")
    assert (event.organizer_id, event.series_id) == (crossing.owner.pk, series.pk)


def test_new_event_cannot_go_in_another_organizers_series(client, crossing):
    crossing.helper.user_permissions.add(Permission.objects.get(codename="add_event"))
    client.force_login(crossing.helper)
    data = new_event_data(client)
    owners = SeriesFactory(organizer=crossing.owner)

    response = client.post(
        add_url(Event), {**data, "organizer": str(crossing.helper.pk), "series": str(owners.pk)}
    )

    assert response.status_code == 200
    assert "series" in response.context["adminform"].form.errors
    assert not Event.objects.filter(slug="made-in-the-admin").exists()


def test_series_is_handed_over_by_a_superuser_only(client, crossing):
    """Given to a teammate, a series took the owner's events with it (its pages, the people it
    remembers)."""
    series = SeriesFactory(organizer=crossing.owner, title="Owner's chapter")
    crossing.first.series = series
    crossing.first.save(update_fields=["series"])
    client.force_login(crossing.owner)

    response = post_change(client, series, organizer=str(crossing.helper.pk), title="Renamed")

    assert response.status_code == 302
    series.refresh_from_db()
    assert (series.organizer_id, series.title) == (crossing.owner.pk, "Renamed")


def test_superuser_still_hands_a_series_over(admin_client_of, crossing):
    series = SeriesFactory(organizer=crossing.owner)
    client = admin_client_of()

    response = post_change(client, series, organizer=str(crossing.helper.pk))

    assert response.status_code == 302
    assert Series.objects.get(pk=series.pk).organizer_id == crossing.helper.pk


def test_seating_rule_stays_with_its_event_and_people(client, crossing):
    first, second = sorted(AttendeeFactory.create_batch(2, event=crossing.first), key=pk)
    mine = sorted(AttendeeFactory.create_batch(2, event=crossing.second), key=pk)
    rule = PairRule.objects.create(event=crossing.first, first=first, second=second)
    client.force_login(crossing.helper)

    page = client.get(change_url(rule))
    response = post_change(
        client,
        rule,
        event=str(crossing.second.pk),
        first=str(mine[0].pk),
        second=str(mine[1].pk),
        kind=PairRule.Kind.MAY_SIT_TOGETHER,
    )

    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.event_id, rule.first_id, rule.second_id) == (
        crossing.first.pk,
        first.pk,
        second.pk,
    )
    assert rule.kind == PairRule.Kind.MAY_SIT_TOGETHER  # the rule itself is the organizer's
    assert {"event", "first", "second"}.isdisjoint(page.context["adminform"].form.fields)


def test_new_seating_rule_names_two_people_of_its_event(client, crossing):
    crossing.helper.user_permissions.add(Permission.objects.get(codename="add_pairrule"))
    mine = sorted(AttendeeFactory.create_batch(2, event=crossing.second), key=pk)
    theirs = sorted(AttendeeFactory.create_batch(2, event=crossing.stranger_event), key=pk)
    client.force_login(crossing.helper)

    other_event = client.post(
        add_url(PairRule),
        {"event": crossing.first.pk, "first": mine[0].pk, "second": mine[1].pk, "kind": "apart"},
    )
    strangers = client.post(
        add_url(PairRule),
        {
            "event": crossing.stranger_event.pk,
            "first": theirs[0].pk,
            "second": theirs[1].pk,
            "kind": "apart",
        },
    )

    assert other_event.status_code == strangers.status_code == 200
    assert other_event.context["adminform"].form.errors
    assert {"event", "first", "second"} <= set(strangers.context["adminform"].form.errors)
    assert not PairRule.objects.exists()


def test_pitch_stays_with_its_attendee(client, crossing):
    pitch = PitchFactory(attendee=AttendeeFactory(event=crossing.first))
    other = AttendeeFactory(event=crossing.second)
    client.force_login(crossing.helper)

    response = post_change(client, pitch, attendee=str(other.pk), ask="Who runs a fleet?")

    assert response.status_code == 302
    pitch.refresh_from_db()
    assert (pitch.attendee_id, pitch.ask) == (pitch.attendee.pk, "Who runs a fleet?")
    assert pitch.attendee.event_id == crossing.first.pk
    assert not Pitch.objects.filter(attendee=other).exists()


def test_new_pitch_is_for_an_attendee_of_the_users_events(client, crossing):
    crossing.helper.user_permissions.add(Permission.objects.get(codename="add_pitch"))
    stranger = AttendeeFactory(event=crossing.stranger_event)
    client.force_login(crossing.helper)

    response = client.post(add_url(Pitch), {"attendee": stranger.pk, "ask": "Planted"})

    assert response.status_code == 200
    assert "attendee" in response.context["adminform"].form.errors
    assert not Pitch.objects.exists()


def test_follow_up_message_stays_with_its_person_and_kind(client, crossing):
    """A row is a follow-up run's claim: moved, one person got the message twice, or never."""
    digest = DigestFactory(attendee=AttendeeFactory(event=crossing.first))
    other = AttendeeFactory(event=crossing.second)
    client.force_login(crossing.helper)

    response = post_change(client, digest, attendee=str(other.pk), kind=Digest.Kind.REMINDER)

    assert response.status_code == 302
    digest.refresh_from_db()
    assert digest.attendee.event_id == crossing.first.pk
    assert digest.kind == Digest.Kind.DIGEST
    assert not Digest.objects.filter(attendee=other).exists()


def test_follow_up_message_is_never_added_by_hand(client, crossing):
    """Added by hand, a row marked as sent a message nobody sent."""
    attendee = AttendeeFactory(event=crossing.first)
    crossing.helper.user_permissions.add(Permission.objects.get(codename="add_digest"))
    client.force_login(crossing.helper)

    response = client.post(add_url(Digest), {"attendee": attendee.pk, "kind": "digest"})

    assert response.status_code == 403
    assert not Digest.objects.exists()


# The evening's own rows (rounds, tables, seats, cards, introductions, the log) and the reports:
# never changed here, whatever is posted.


def live_rows(crossing) -> dict:
    table = TableFactory(round=RoundFactory(event=crossing.first, done=True))
    seat = SeatFactory(table=table)
    card = CardFactory(round=table.round, giver=seat.attendee, introduce=True)
    other_table = TableFactory(round=RoundFactory(event=crossing.second, done=True))
    other_seat = SeatFactory(table=other_table)
    other_card = CardFactory(round=other_table.round, introduce=True)
    return {
        "round": (table.round, {"event": crossing.second.pk}),
        "table": (table, {"round": other_table.round.pk}),
        "seat": (
            seat,
            {"attendee": other_seat.attendee.pk, "round": other_table.round.pk},
        ),
        "card": (
            card,
            {"round": other_table.round.pk, "giver": other_seat.attendee.pk},
        ),
        "introduction": (IntroductionFactory(card=card), {"card": other_card.pk}),
        "logentry": (
            LogEntry.objects.create(event=crossing.first, action="x"),
            {"event": crossing.second.pk},
        ),
    }


@pytest.mark.parametrize("name", ["round", "table", "seat", "card", "introduction", "logentry"])
def test_live_state_cannot_be_re_pointed(client, crossing, name):
    row, crossed = live_rows(crossing)[name]
    client.force_login(crossing.helper)
    before = {field: getattr(row, f"{field}_id") for field in crossed}

    response = client.post(change_url(row), {key: str(value) for key, value in crossed.items()})
    added = client.post(add_url(type(row)), {key: str(value) for key, value in crossed.items()})

    assert (response.status_code, added.status_code) == (403, 403)
    row.refresh_from_db()
    assert {field: getattr(row, f"{field}_id") for field in crossed} == before


def test_report_stays_with_its_event_and_people(client, crossing):
    report = ReportFactory(event=crossing.first)
    other = AttendeeFactory(event=crossing.second)
    client.force_login(crossing.helper)

    response = post_change(
        client,
        report,
        event=str(crossing.second.pk),
        about=str(other.pk),
        reporter=str(other.pk),
        organizer_note="Spoke to both.",
    )

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.organizer_note == "Spoke to both."
    assert report.event_id == crossing.first.pk
    assert report.about.event_id == report.reporter.event_id == crossing.first.pk


def test_report_note_typed_in_the_admin_is_cleaned_as_on_the_report_page(client, crossing):
    """The report page cleans the organizers' note (``conduct.services.update_report``); the
    admin saved it as typed. Now spaces and runs of empty lines are folded, and a control
    character, a hidden text-direction character or an overlong note re-render the form with
    the message, the saved note unchanged."""
    report = ReportFactory(event=crossing.first)
    client.force_login(crossing.helper)

    saved = post_change(client, report, organizer_note="Spoke \u200b to both.  \n\n\n\nDone.")
    refused = {
        text: post_change(client, report, organizer_note=text)
        for text in ("Spoke\x07 to both.", "Spoke to \u202eboth.", "x" * 2001)
    }

    assert saved.status_code == 302
    report.refresh_from_db()
    assert report.organizer_note == "Spoke to both.\n\nDone."
    assert [response.status_code for response in refused.values()] == [200, 200, 200]
    assert "control character (U+0007)" in refused["Spoke\x07 to both."].text
    assert "hidden text-direction character" in refused["Spoke to \u202eboth."].text
    assert "at most 2000 characters" in refused["x" * 2001].text
    report.refresh_from_db()
    assert report.organizer_note == "Spoke to both.\n\nDone."


def test_co_organizers_and_invitations_have_no_admin_form(client, crossing):
    """Helpers are invited (by email link) and removed by the owner on the event page; the
    attendees' private rows are theirs. None has an admin page to re-point them from, and the
    event form shows the team read-only."""
    for model in (CoOrganizerInvitation, SeatingRequest, Wish, EmailBlock, ImportUpload):
        assert not admin.site.is_registered(model), model
    client.force_login(crossing.helper)

    response = post_change(client, crossing.first, co_organizers=[str(crossing.helper.pk)])

    assert response.status_code == 302
    assert set(crossing.first.co_organizers.all()) == {crossing.helper}
    assert crossing.first.organizer_id == crossing.owner.pk


# 4. Erasing an event's personal data: the owner's, and offered to owners only.


def action_names(response) -> set[str]:
    return {name for name, _label in response.context["action_form"].fields["action"].choices}


def test_erase_action_is_not_offered_to_a_co_organizer_who_owns_no_event(client, crossing):
    closed = EventFactory(organizer=crossing.owner, closed=True, title="Closed night")
    closed.co_organizers.add(crossing.helper)
    crossing.second.delete()  # the helper now owns nothing
    attendee = AttendeeFactory(event=closed, name="Zelda Quartermain")
    client.force_login(crossing.helper)
    url = reverse("admin:events_event_changelist")

    listed = client.get(url)
    posted = client.post(
        url,
        {"action": "erase_personal_data", "_selected_action": [closed.pk], "post": "yes"},
        follow=True,
    )

    assert "erase_personal_data" not in action_names(listed)
    assert "Delete personal data of the selected closed events" not in listed.text
    assert "export_attendees" in action_names(listed)  # the exports stay
    assert posted.status_code == 200
    assert Event.objects.get(pk=closed.pk).personal_data_erased_at is None
    assert Attendee.objects.get(pk=attendee.pk).name == "Zelda Quartermain"


def test_erase_action_is_offered_to_owners(client, crossing):
    """An owner sees it; among the selected events it still erases only theirs."""
    owned = EventFactory(organizer=crossing.helper, closed=True)
    co_organized = EventFactory(organizer=crossing.owner, closed=True)
    co_organized.co_organizers.add(crossing.helper)
    attendee = AttendeeFactory(event=co_organized, name="Zelda Quartermain")
    client.force_login(crossing.helper)
    url = reverse("admin:events_event_changelist")

    listed = client.get(url)
    client.post(
        url,
        {
            "action": "erase_personal_data",
            "_selected_action": [owned.pk, co_organized.pk],
            "post": "yes",
        },
    )

    assert "erase_personal_data" in action_names(listed)
    assert Event.objects.get(pk=owned.pk).personal_data_erased_at is not None
    assert Event.objects.get(pk=co_organized.pk).personal_data_erased_at is None
    assert Attendee.objects.get(pk=attendee.pk).name == "Zelda Quartermain"


def test_erase_action_is_offered_to_a_superuser(admin_client_of):
    client = admin_client_of()

    listed = client.get(reverse("admin:events_event_changelist"))

    assert "erase_personal_data" in action_names(listed)


# The admins not reached above, so that a new one is thought through.
COVERED = {Attendee, Event, Series, PairRule, Pitch, Digest, Round, Table, Seat, Card}
COVERED |= {Introduction, LogEntry}


def test_every_organizer_admin_is_covered_here():
    from conduct.models import Report
    from events.admin import OrganizerScopedAdmin

    scoped = {
        model
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, OrganizerScopedAdmin)
    }

    assert scoped == COVERED | {Report}


def test_attendee_email_stays_one_per_event_with_the_event_read_only(client, crossing):
    """The event is no longer a field of the change form: the rule that names it is still
    checked (the database refused the save, a server error)."""
    AttendeeFactory(event=crossing.first, email="ada@example.com")
    other = AttendeeFactory(event=crossing.first, email="bob@example.com")
    elsewhere = AttendeeFactory(event=crossing.second, email="cy@example.com")
    client.force_login(crossing.helper)

    refused = post_change(client, other, email="ADA@example.com")
    allowed = post_change(client, elsewhere, email="ada@example.com")

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["email"] == [
        "Someone with this email is already at this event."
    ]
    assert Attendee.objects.get(pk=other.pk).email == "bob@example.com"
    assert allowed.status_code == 302
    assert Attendee.objects.get(pk=elsewhere.pk).email == "ada@example.com"
