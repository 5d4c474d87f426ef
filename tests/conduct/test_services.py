from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from conduct import services
from conduct.models import Report
from events import hygiene, logs
from events import services as event_services
from events.models import Attendee, EmailBlock, LogEntry, SeatingRequest
from feedback import retention
from rounds import queries as round_queries
from rounds import services as round_services
from rounds.groups import attendee_group, control_group, event_group
from rounds.models import Round, Seat, Table
from tests.factories import (
    AttendeeFactory,
    EventFactory,
    ReportFactory,
    RoundFactory,
    SeatFactory,
    TableFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_accept_conduct_stores_the_version_and_time():
    event = EventFactory(with_conduct=True)
    attendee = AttendeeFactory(event=event)
    assert event_services.needs_conduct(attendee)

    event_services.accept_conduct(attendee, version=1)

    attendee.refresh_from_db()
    assert attendee.conduct_accepted_version == 1
    assert attendee.conduct_accepted_at is not None
    assert not event_services.needs_conduct(attendee)


def test_set_conduct_asks_again_only_when_the_text_changes():
    event = EventFactory(with_conduct=True)
    attendee = AttendeeFactory(event=event)
    event_services.accept_conduct(attendee, version=1)

    same = event_services.set_conduct(
        event, text=event.conduct_text, is_mailing_reports=True, by=event.organizer
    )
    assert same.conduct_version == 1
    changed = event_services.set_conduct(
        event, text="Be kind.", is_mailing_reports=True, by=event.organizer
    )

    attendee.refresh_from_db()
    assert changed.conduct_version == 2
    assert event_services.needs_conduct(attendee)
    with pytest.raises(ValidationError):
        event_services.accept_conduct(attendee, version=1)
    event_services.accept_conduct(attendee, version=2)
    attendee.refresh_from_db()
    assert attendee.conduct_accepted_version == 2


def test_no_conduct_text_asks_nothing():
    attendee = AttendeeFactory()

    assert not event_services.needs_conduct(attendee)
    with pytest.raises(ValidationError):
        event_services.accept_conduct(attendee, version=0)


def test_set_conduct_refuses_control_characters():
    event = EventFactory()

    with pytest.raises(ValidationError):
        event_services.set_conduct(
            event, text="Be kind\x00", is_mailing_reports=False, by=event.organizer
        )
    event.refresh_from_db()
    assert event.conduct_version == 0


def test_make_report_alerts_the_control_group_only(
    listen, django_capture_on_commit_callbacks, mailoutbox
):
    event = EventFactory(live=True)
    reporter, about = AttendeeFactory.create_batch(2, event=event, checked_in=True)
    control = listen(control_group(event.pk))
    room = listen(event_group(event.pk))
    reported_phone = listen(attendee_group(about.pk))

    with django_capture_on_commit_callbacks(execute=True):
        report = services.make_report(
            reporter, kind=Report.Kind.PERSON, about_id=about.pk, message="Kept selling."
        )

    [alert] = control.messages()
    assert alert["type"] == "report"
    assert alert["id"] == report.pk
    assert alert["about"] == about.name
    assert alert["reporter"] == reporter.name
    assert alert["message"] == "Kept selling."
    assert room.messages() == []
    assert reported_phone.messages() == []
    assert mailoutbox == []  # the event does not ask for mail


def test_make_report_mails_every_organizer_when_asked(
    django_capture_on_commit_callbacks, mailoutbox
):
    helper = UserFactory(email="helper@example.com")
    event = EventFactory(live=True, is_mailing_reports=True)
    event.co_organizers.add(helper)
    reporter = AttendeeFactory(event=event)

    with django_capture_on_commit_callbacks(execute=True):
        services.make_report(reporter, kind=Report.Kind.EVENT, message="The room is too loud.")

    assert sorted(m.to[0] for m in mailoutbox) == sorted([event.organizer.email, helper.email])
    assert "The room is too loud." in mailoutbox[0].body


@pytest.mark.parametrize(
    ("kind", "about"),
    [("person", None), ("person", "self"), ("person", "elsewhere"), ("gossip", None)],
)
def test_make_report_refuses_what_it_cannot_file(kind, about):
    reporter = AttendeeFactory()
    about_id = {
        None: None,
        "self": reporter.pk,
        "elsewhere": AttendeeFactory().pk,
    }[about]

    with pytest.raises(ValidationError):
        services.make_report(reporter, kind=kind, about_id=about_id)
    assert Report.objects.count() == 0


def test_update_report_sets_status_and_private_note():
    report = ReportFactory()

    services.update_report(report, status="resolved", note="Spoke to him.", by=None)

    report.refresh_from_db()
    assert (report.status, report.organizer_note) == ("resolved", "Spoke to him.")
    with pytest.raises(ValidationError):
        services.update_report(report, status="lost", note="", by=None)


def live_event_with_plan(people: int = 12):
    """A live event of ``people`` checked in, planned, its first round started."""
    event = EventFactory(check_in=True, rounds_count=4, table_size=4, round_seconds=180)
    attendees = AttendeeFactory.create_batch(people, event=event, checked_in=True)
    round_services.make_plan(event, by=event.organizer, time_limit=0.3)
    round_services.start_round(Round.objects.get(event=event, number=1), by=event.organizer)
    event.refresh_from_db()
    return event, attendees


def tablemates_in(plan, round_index: int, person: int) -> set[int]:
    return next(set(table) for table in plan[round_index] if person in table) - {person}


def test_keep_apart_from_next_round_replans_so_the_pair_never_meets_again():
    event, _people = live_event_with_plan()
    plan = round_queries.stored_plan(event.pk)
    reporter_id = plan[0][0][0]
    about_id = plan[0][0][1]
    report = ReportFactory(
        event=event,
        reporter=Attendee.objects.get(pk=reporter_id),
        about=Attendee.objects.get(pk=about_id),
    )

    assert services.keep_apart_from_next_round(report, by=event.organizer)

    new = round_queries.stored_plan(event.pk)
    assert new[0] == plan[0]  # the round being played is history
    for later in range(1, len(new)):
        assert about_id not in tablemates_in(new, later, reporter_id)
    report.refresh_from_db()
    assert report.status == Report.Status.ACKNOWLEDGED


def test_remove_from_rounds_takes_them_out_and_undo_puts_them_back(
    listen, django_capture_on_commit_callbacks
):
    event, _people = live_event_with_plan()
    report = ReportFactory(
        event=event,
        reporter=Attendee.objects.filter(event=event).first(),
        about=Attendee.objects.filter(event=event).last(),
    )
    about = report.about
    phone = listen(attendee_group(about.pk))

    with django_capture_on_commit_callbacks(execute=True):
        services.remove_from_rounds(report, by=event.organizer)

    about.refresh_from_db()
    assert about.is_removed
    assert about.has_left
    plan = round_queries.stored_plan(event.pk)
    assert all(about.pk not in table for tables in plan[1:] for table in tables)
    assert not about.is_marked_gone  # their phone never sends them back to the door
    pushes = phone.messages()
    # the seat of the round under way is vacated, then the coming rounds are re-planned
    assert [p["type"] for p in pushes] == ["plan", "plan", "presence"]
    assert pushes[0]["itinerary"] == pushes[1]["itinerary"] == []  # no table from now on
    assert (pushes[2]["left"], pushes[2]["removed"]) == (False, True)
    assert "report" not in str(pushes)

    with django_capture_on_commit_callbacks(execute=True):
        services.undo_removal(report, by=event.organizer)

    about.refresh_from_db()
    assert not about.is_removed
    assert about.is_present
    back = [p for p in phone.messages() if p["type"] == "presence"]
    assert (back[-1]["checked_in"], back[-1]["left"], back[-1]["removed"]) == (True, False, False)
    plan = round_queries.stored_plan(event.pk)
    assert all(any(about.pk in table for table in tables) for tables in plan[1:])


def test_undo_removal_refuses_someone_not_removed():
    report = ReportFactory()

    with pytest.raises(ValidationError):
        services.undo_removal(report, by=report.event.organizer)


def test_report_about_the_event_has_no_person_to_act_on():
    report = ReportFactory(kind=Report.Kind.EVENT, about=None)

    for action in (
        services.keep_apart_from_next_round,
        services.remove_from_rounds,
        services.block_from_future_events,
    ):
        with pytest.raises(ValidationError):
            action(report, by=report.event.organizer)


def test_block_keeps_only_a_keyed_hash_and_answers_neutrally_at_join():
    report = ReportFactory(about__email="Pushy@Example.com")
    organizer = report.event.organizer

    services.block_from_future_events(report, by=organizer)

    [block] = EmailBlock.objects.all()
    assert "pushy" not in block.email_hash.lower()
    assert len(block.email_hash) == 64
    assert block.email_hash == hygiene.email_digest("pushy@example.com")
    future = EventFactory(organizer=organizer, check_in=True)
    with pytest.raises(ValidationError) as refusal:
        event_services.join_event(future, name="P. Ushy", email=" PUSHY@example.com ")
    assert refusal.value.messages == [event_services.neutral_refusal()]
    assert "block" not in refusal.value.messages[0].lower()
    assert not future.attendees.exists()
    other_organizers_event = EventFactory(check_in=True)
    event_services.join_event(other_organizers_event, name="P. Ushy", email="pushy@example.com")


def test_block_applies_at_import_as_a_row_left_out():
    report = ReportFactory(about__email="pushy@example.com")
    organizer = report.event.organizer
    services.block_from_future_events(report, by=organizer)
    future = EventFactory(organizer=organizer)
    data = b"name,email\nAda Kim,ada@example.com\nPete Ushy,PUSHY@example.com\n"

    result = event_services.import_attendees(future, data=data, by=organizer)

    assert (result.added, result.skipped) == (1, 1)
    assert list(future.attendees.values_list("email", flat=True)) == ["ada@example.com"]


def test_block_of_someone_without_email_is_refused():
    report = ReportFactory(about__email="")

    with pytest.raises(ValidationError):
        services.block_from_future_events(report, by=report.event.organizer)
    assert not EmailBlock.objects.exists()


def test_erasure_blanks_reports_and_drops_private_requests_but_keeps_the_block():
    event = EventFactory(closed=True)
    report = ReportFactory(event=event, organizer_note="Spoke to him.")
    event_services.keep_apart(report.reporter, other_id=report.about.pk)
    services.block_from_future_events(report, by=event.organizer)

    retention.erase_event_personal_data(event, by=event.organizer)

    report.refresh_from_db()
    assert (report.message, report.organizer_note) == ("", "")
    assert report.kind == Report.Kind.PERSON
    assert not SeatingRequest.objects.exists()
    assert EmailBlock.objects.count() == 1


def test_erasing_one_attendee_blanks_the_reports_about_them():
    report = ReportFactory()
    other = ReportFactory(event=report.event)

    retention.erase_attendee(report.about)

    report.refresh_from_db()
    other.refresh_from_db()
    assert report.message == ""
    assert other.message != ""


def test_removal_without_a_plan_still_tells_the_phone(listen, django_capture_on_commit_callbacks):
    report = ReportFactory(event=EventFactory(check_in=True), about__checked_in_at=timezone.now())
    phone = listen(attendee_group(report.about_id))

    with django_capture_on_commit_callbacks(execute=True):
        services.remove_from_rounds(report, by=report.event.organizer)

    assert phone.messages() == [
        {"type": "plan", "itinerary": [], "stops": []},
        {"type": "presence", "checked_in": True, "left": False, "removed": True, "sharing": None},
    ]
    report.about.refresh_from_db()
    assert report.about.has_left


def test_make_report_the_same_report_again_within_minutes_is_stored_once():
    reporter = AttendeeFactory(event=EventFactory(live=True))

    first = services.make_report(reporter, kind=Report.Kind.EVENT, message="Too loud.")
    again = services.make_report(reporter, kind=Report.Kind.EVENT, message="Too loud.")
    other = services.make_report(reporter, kind=Report.Kind.EVENT, message="No water.")

    assert again.pk == first.pk
    assert other.pk != first.pk
    assert Report.objects.count() == 2


def test_make_report_refuses_a_flood_from_one_phone():
    reporter = AttendeeFactory()
    for n in range(services.MAX_REPORTS_PER_WINDOW):
        services.make_report(reporter, kind=Report.Kind.EVENT, message=f"Problem {n}")

    with pytest.raises(ValidationError):
        services.make_report(reporter, kind=Report.Kind.EVENT, message="One more")
    assert Report.objects.count() == services.MAX_REPORTS_PER_WINDOW
    services.make_report(AttendeeFactory(event=reporter.event), kind=Report.Kind.EVENT)


def test_the_same_report_sent_twice_alerts_once(listen, django_capture_on_commit_callbacks):
    reporter = AttendeeFactory()
    about = AttendeeFactory(event=reporter.event)
    dashboard = listen(control_group(reporter.event_id))

    with django_capture_on_commit_callbacks(execute=True):
        first = services.make_report(reporter, kind=Report.Kind.PERSON, about_id=about.pk)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.make_report(reporter, kind=Report.Kind.PERSON, about_id=about.pk)
    other = services.make_report(reporter, kind=Report.Kind.PERSON, about_id=about.pk, message="x")

    assert again == first
    assert other != first
    assert [m["type"] for m in dashboard.messages()] == ["report"]
    assert Report.objects.count() == 2


def test_the_same_report_later_is_a_new_one():
    reporter = AttendeeFactory()
    first = services.make_report(reporter, kind=Report.Kind.EVENT, message="Too loud")
    Report.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - services.REPEAT_WINDOW - timedelta(seconds=1)
    )

    again = services.make_report(reporter, kind=Report.Kind.EVENT, message="Too loud")

    assert again != first


def test_the_reported_person_deleting_their_data_cannot_escape_a_block():
    event = EventFactory(live=True)
    reporter = AttendeeFactory(event=event, checked_in=True)
    about = AttendeeFactory(event=event, checked_in=True, email="Pushy@Example.com")
    report = services.make_report(reporter, kind=Report.Kind.PERSON, about_id=about.pk)

    retention.erase_attendee(about)  # from their own phone, before the organizer acts
    report.refresh_from_db()
    services.block_from_future_events(report, by=event.organizer)

    assert report.about_email_hash == hygiene.email_digest("pushy@example.com")
    assert EmailBlock.objects.get().email_hash == report.about_email_hash
    with pytest.raises(ValidationError) as refusal:  # back with the code under the same email
        event_services.join_event(event, name="New Name", email="PUSHY@example.com")
    assert refusal.value.messages == [event_services.neutral_refusal()]


def test_event_erasure_drops_the_email_hash_a_report_kept():
    event = EventFactory(live=True)
    reporter, about = AttendeeFactory.create_batch(2, event=event, checked_in=True)
    report = services.make_report(reporter, kind=Report.Kind.PERSON, about_id=about.pk)
    assert report.about_email_hash
    event.status = event.Status.CLOSED
    event.save(update_fields=["status"])

    retention.erase_event_personal_data(event, by=event.organizer)

    report.refresh_from_db()
    assert report.about_email_hash == ""
    with pytest.raises(ValidationError):
        services.block_from_future_events(report, by=event.organizer)


def test_a_removed_person_cannot_be_checked_in_again_by_mistake():
    event = EventFactory(live=True)
    report = ReportFactory(event=event, about__checked_in=True)
    services.remove_from_rounds(report, by=event.organizer)

    with pytest.raises(ValidationError) as refusal:
        event_services.check_in(report.about, by=event.organizer)

    assert "undo the removal" in refusal.value.messages[0]
    about = Attendee.objects.get(pk=report.about.pk)
    assert about.has_left
    assert about.pk not in {pk for pk, _company in round_services.present_people(event)}
    services.undo_removal(report, by=event.organizer)
    assert Attendee.objects.get(pk=about.pk).is_present


def test_a_removed_walk_in_record_is_not_claimed_by_name():
    event = EventFactory(check_in=True)
    report = ReportFactory(event=event, about__email="", about__name="Sam Seller")
    services.remove_from_rounds(report, by=event.organizer)  # never checked in

    joined = event_services.join_event(event, name="Sam Seller")

    assert joined.pk != report.about.pk
    assert Attendee.objects.get(pk=report.about.pk).is_removed


def test_the_organizers_move_is_not_held_by_the_phones_limit():
    event = EventFactory(live=True)
    report = ReportFactory(event=event)
    listed = AttendeeFactory.create_batch(
        event_services.MAX_APART_REQUESTS, event=event, is_listed_in_guest_list=True
    )
    for other in listed:
        services.ask_apart(report.reporter, other_id=other.pk)

    services.keep_apart_from_next_round(report, by=event.organizer)

    assert SeatingRequest.objects.filter(attendee=report.reporter, other=report.about).exists()


def blocked_bob() -> tuple[object, object]:
    """An organizer who blocked bob@example.com after a report, and their next event."""
    report = ReportFactory(about__email="bob@example.com", about__name="Bob Nguyen")
    organizer = report.event.organizer
    services.block_from_future_events(report, by=organizer)
    return organizer, EventFactory(organizer=organizer)


def test_block_applies_to_add_someone_neutrally():
    _organizer, future = blocked_bob()

    with pytest.raises(ValidationError) as refusal:
        event_services.add_attendee(future, name="Bob Nguyen", email=" BOB@Example.com ")

    assert refusal.value.message_dict == {"email": ["This email cannot be added to this event."]}
    assert not future.attendees.exists()
    event_services.add_attendee(EventFactory(), name="Bob Nguyen", email="bob@example.com")


def test_block_stays_out_of_add_someone_where_its_organizer_only_helps():
    organizer, _future = blocked_bob()
    theirs = EventFactory()
    theirs.co_organizers.add(organizer)

    added = event_services.add_attendee(theirs, name="Bob", email="bob@example.com")

    assert added.email == "bob@example.com"


def test_block_add_someone_page_shows_the_refusal(client):
    organizer, future = blocked_bob()
    client.force_login(organizer)

    response = client.post(
        reverse("attendee_add", args=[future.pk]), {"name": "Bob", "email": "BOB@example.com"}
    )

    assert response.status_code == 400
    assert "This email cannot be added to this event." in response.text
    assert "block" not in response.text.lower().split("<main")[1].split("</main>")[0]
    assert not future.attendees.exists()


def test_block_import_never_updates_a_blocked_attendee():
    organizer, future = blocked_bob()
    bob = AttendeeFactory(event=future, name="Bob Nguyen", email="bob@example.com", company="")
    data = b"name,email,company\nBob Nguyen,bob@example.com,Acme\nAda Kim,ada@example.com,\n"

    result = event_services.import_attendees(future, data=data, by=organizer)

    bob.refresh_from_db()
    assert bob.company == ""
    assert (result.added, result.updated, result.skipped) == (1, 0, 1)


def test_block_import_never_gives_an_attendee_the_blocked_email():
    organizer, future = blocked_bob()
    namesake = AttendeeFactory(event=future, name="Bob Nguyen", email="", company="")
    data = b"name,email\nBob Nguyen,bob@example.com\n"

    result = event_services.import_attendees(future, data=data, by=organizer)

    namesake.refresh_from_db()
    assert namesake.email == ""
    assert (result.added, result.updated, result.skipped) == (0, 0, 1)


def test_block_by_a_co_organizer_belongs_to_the_events_owner_and_keeps_them_out_there():
    report = ReportFactory(about__email="pushy@example.com")
    owner = report.event.organizer
    helper = UserFactory()
    report.event.co_organizers.add(helper)

    services.block_from_future_events(report, by=helper)

    [block] = EmailBlock.objects.all()
    assert block.organizer == owner
    next_event = EventFactory(organizer=owner, check_in=True)
    with pytest.raises(ValidationError) as refusal:
        event_services.join_event(next_event, name="P. Ushy", email="pushy@example.com")
    assert refusal.value.messages == [event_services.neutral_refusal()]
    result = event_services.import_attendees(
        EventFactory(organizer=owner), data=b"name,email\nP,pushy@example.com\n", by=owner
    )
    assert (result.added, result.skipped) == (0, 1)


def test_block_by_a_co_organizer_never_reaches_their_own_or_another_owners_events():
    report = ReportFactory(about__email="pushy@example.com")
    helper = UserFactory()
    report.event.co_organizers.add(helper)
    services.block_from_future_events(report, by=helper)
    helpers_own = EventFactory(organizer=helper, check_in=True)
    elsewhere = EventFactory(check_in=True)
    elsewhere.co_organizers.add(helper)

    for event in (helpers_own, elsewhere):
        _parsed, comparison = event_services.preview_import(
            event, data=b"name,email\nP,pushy@example.com\n"
        )
        assert (len(comparison.new), comparison.skipped) == (1, 0)
        assert event_services.blocked_digests(event) == set()


def test_remove_from_rounds_during_a_running_round_vacates_the_seat_and_tells_the_table(
    listen, django_capture_on_commit_callbacks
):
    """The reporter no longer sits with the person she reported in the round under way: the
    seat is vacated now, the tablemates' phones get the round's stop without them, the
    projector the new state, and the removed person's phone an itinerary without that round."""
    event, _people = live_event_with_plan()
    plan = round_queries.stored_plan(event.pk)
    reporter_id, about_id, *others = plan[0][0]
    report = ReportFactory(
        event=event,
        reporter=Attendee.objects.get(pk=reporter_id),
        about=Attendee.objects.get(pk=about_id),
    )
    mates = {pk: listen(attendee_group(pk)) for pk in [reporter_id, *others]}
    removed_phone = listen(attendee_group(about_id))
    room = listen(event_group(event.pk))
    version = event.plan_version

    with django_capture_on_commit_callbacks(execute=True):
        services.remove_from_rounds(report, by=event.organizer)

    after = round_queries.stored_plan(event.pk)
    assert after[0][0] == [reporter_id, *others]
    assert all(about_id not in table for tables in after for table in tables)
    for pk, phone in mates.items():
        [running] = [
            stop
            for push in phone.messages()
            if push["type"] == "plan"
            for stop in push["stops"]
            if stop["round"] == 1
        ]
        assert [mate["id"] for mate in running["mates"]] == [reporter_id, *others], pk
        assert [mate["order"] for mate in running["mates"]] == list(range(len(others) + 1))
    pushes = removed_phone.messages()
    assert pushes[0] == {"type": "plan", "itinerary": [], "stops": []}
    assert pushes[-1] == {
        "type": "presence",
        "checked_in": True,
        "left": False,
        "removed": True,
        "sharing": None,
    }
    assert any(message["type"] == "state" for message in room.messages())
    event.refresh_from_db()
    assert event.plan_version > version
    entry = LogEntry.objects.get(event=event, action="seat_vacated")
    assert entry.params == {"attendee": about_id, "n": 1, "t": 1}
    assert logs.text(entry) == (
        f"{report.about.name} no longer sits at table 1 in round 1; the tablemates were told."
    )
    with translation.override("zh-hans"):
        assert logs.text(entry) == f"{report.about.name} 已不在第 1 轮第 1 桌就座；已通知同桌的人。"


# "Don't seat me with" holds its rule in the service: only the guest list and the people she
# sat with in rounds started so far (conduct.queries.apart_choices), whoever calls it.


@pytest.fixture
def apart_room():
    """Round 1 of 3 running: ``me`` sits with ``mate``; ``ahead`` sits with her only in round 2
    (planned, not started); ``listed`` is on the guest list; ``stranger`` is neither."""
    event = EventFactory(live=True, rounds_count=3, table_size=4)
    me, mate, ahead, stranger = AttendeeFactory.create_batch(4, event=event, checked_in=True)
    listed = AttendeeFactory(event=event, checked_in=True, is_listed_in_guest_list=True)
    running = RoundFactory(event=event, number=1, running=True)
    planned = RoundFactory(event=event, number=2)
    SeatFactory(table=TableFactory(round=running, number=1), attendee=me)
    SeatFactory(table=Table.objects.get(round=running), attendee=mate)
    SeatFactory(table=TableFactory(round=planned, number=1), attendee=me)
    SeatFactory(table=Table.objects.get(round=planned), attendee=ahead)
    return {"me": me, "mate": mate, "ahead": ahead, "stranger": stranger, "listed": listed}


@pytest.mark.parametrize("who", ["mate", "listed"])
def test_ask_apart_takes_a_tablemate_or_someone_on_the_guest_list(apart_room, who):
    me, other = apart_room["me"], apart_room[who]

    request = services.ask_apart(me, other_id=other.pk)

    assert (request.attendee_id, request.other_id) == (me.pk, other.pk)


def outsiders(room) -> dict[str, int]:
    """Ids ``me`` may not name, each a boundary to cross: someone of the event she never sat
    with, someone seated with her only in a round not started, someone of another event (on
    that event's guest list), someone erased from this one's, an id of nobody."""
    elsewhere = AttendeeFactory(
        event=EventFactory(live=True), checked_in=True, is_listed_in_guest_list=True
    )
    erased = AttendeeFactory(event=room["me"].event, is_listed_in_guest_list=True)
    retention.anonymize([erased], now=timezone.now())
    return {
        "stranger": room["stranger"].pk,
        "ahead": room["ahead"].pk,
        "another event": elsewhere.pk,
        "erased": erased.pk,
        "nobody": Attendee.objects.order_by("-pk").values_list("pk", flat=True)[0] + 100,
    }


@pytest.mark.parametrize("who", ["stranger", "ahead", "another event", "erased", "nobody"])
def test_ask_apart_refuses_anyone_outside_the_choices_naming_nobody(apart_room, who):
    """Called directly (an admin action, an API), not through the page's form: the same
    refusal for each, so it tells nothing about who is at the event."""
    me = apart_room["me"]
    other_id = outsiders(apart_room)[who]
    names = list(Attendee.objects.exclude(pk=me.pk).values_list("name", flat=True))

    with pytest.raises(ValidationError) as refused:
        services.ask_apart(me, other_id=other_id)

    assert refused.value.code == "not_a_choice"
    assert refused.value.messages == [
        "Choose someone from the guest list or from the tables you sat at."
    ]
    assert not any(name in refused.value.messages[0] for name in names)
    assert not SeatingRequest.objects.exists()


def test_ask_apart_refuses_herself(apart_room):
    me = apart_room["me"]
    Attendee.objects.filter(pk=me.pk).update(is_listed_in_guest_list=True)

    with pytest.raises(ValidationError) as refused:
        services.ask_apart(me, other_id=me.pk)

    assert refused.value.code == "self"
    assert refused.value.messages == ["Choose someone other than yourself."]
    assert not SeatingRequest.objects.exists()


def test_ask_apart_refusal_speaks_the_active_language(apart_room):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.ask_apart(apart_room["me"], other_id=apart_room["stranger"].pk)

    assert refused.value.messages[0] != (
        "Choose someone from the guest list or from the tables you sat at."
    )
    assert apart_room["stranger"].name not in refused.value.messages[0]


def first_table_pitching_second(event) -> list[int]:
    """Round 1's table 1, its second pitcher (order 1) 14 s into their slot; its ids in order."""
    round_ = Round.objects.get(event=event, number=1)
    now = timezone.now()
    Round.objects.filter(pk=round_.pk).update(
        started_at=now - event.pitch_length - timedelta(seconds=14),
        turns_started_at=now - event.pitch_length - timedelta(seconds=14),
    )
    seats = round_.seats.filter(table__number=1).order_by("speaking_order")
    return list(seats.values_list("attendee_id", flat=True))


def seats_at_first_table(event) -> list[tuple[int, int]]:
    seats = Seat.objects.filter(round__event=event, round__number=1, table__number=1)
    return list(seats.order_by("speaking_order").values_list("attendee_id", "speaking_order"))


def test_remove_the_current_pitcher_gives_the_next_one_a_full_slot_and_undo_seats_her_last(
    listen, django_capture_on_commit_callbacks
):
    event, _people = live_event_with_plan()
    first, about_id, *others = first_table_pitching_second(event)
    report = ReportFactory(
        event=event,
        reporter=Attendee.objects.get(pk=first),
        about=Attendee.objects.get(pk=about_id),
    )
    mate = listen(attendee_group(others[0]))
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        services.remove_from_rounds(report, by=event.organizer)

    round_ = Round.objects.get(event=event, number=1)
    assert seats_at_first_table(event) == [(pk, order) for order, pk in enumerate([first, *others])]
    slot_start = round_.turns_started_at + round_.turn_shift(1) + event.pitch_length
    assert before <= slot_start <= timezone.now()  # the next one: a full slot as she left
    mate.messages()

    with django_capture_on_commit_callbacks(execute=True):
        rejoined = services.undo_removal(report, by=event.organizer)

    last = len(others) + 1
    assert rejoined == round_services.Rejoined(round_number=1, table=1, order=last)
    assert seats_at_first_table(event)[-1] == (about_id, last)
    [stop] = [
        stop
        for push in mate.messages()
        if push["type"] == "plan"
        for stop in push["stops"]
        if stop["round"] == 1
    ]
    assert [m["id"] for m in stop["mates"]] == [first, *others, about_id]
    assert LogEntry.objects.filter(event=event, action="seat_restored").count() == 1

    with pytest.raises(ValidationError):  # a second click applies nothing twice
        services.undo_removal(report, by=event.organizer)
    assert Seat.objects.filter(round=round_, attendee_id=about_id).count() == 1
    assert LogEntry.objects.filter(event=event, action="seat_restored").count() == 1


def test_undo_removal_when_her_table_filled_up_says_so_and_seats_her_nowhere(
    django_capture_on_commit_callbacks,
):
    event, _people = live_event_with_plan()
    _first, about_id, *_others = first_table_pitching_second(event)
    report = ReportFactory(event=event, about=Attendee.objects.get(pk=about_id))
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_from_rounds(report, by=event.organizer)
    table = Table.objects.get(round__event=event, round__number=1, number=1)
    Seat.objects.create(
        round=table.round,
        table=table,
        attendee=AttendeeFactory(event=event, checked_in=True),
        speaking_order=9,
    )

    with django_capture_on_commit_callbacks(execute=True):
        rejoined = services.undo_removal(report, by=event.organizer)

    assert (rejoined.round_number, rejoined.table) == (1, None)
    assert "the table is full" in rejoined.reason
    assert not Seat.objects.filter(round=table.round, attendee_id=about_id).exists()
    assert Attendee.objects.get(pk=about_id).is_present  # the coming rounds have her again


@pytest.mark.parametrize("who", ["stranger", "ahead"])
def test_make_report_names_anyone_of_the_event_not_only_a_tablemate(apart_room, who):
    """What is reported may have happened at the door or while mingling: anyone of the event
    may be named; the organizers read the report and decide what follows."""
    me = apart_room["me"]

    report = services.make_report(me, kind="person", about_id=apart_room[who].pk)

    assert report.about_id == apart_room[who].pk


def test_make_report_refuses_an_erased_person_as_one_of_another_event(apart_room):
    """The same refusal for an erased attendee, another event's and nobody's id: it tells
    nothing about who is or was at the event, and no report is filed."""
    me = apart_room["me"]
    ids = outsiders(apart_room)
    refusals = []
    for who in ["another event", "erased", "nobody"]:
        with pytest.raises(ValidationError) as refused:
            services.make_report(me, kind="person", about_id=ids[who])
        refusals.append(refused.value.messages)

    assert refusals == [["This person is not at this event."]] * 3
    assert not Report.objects.exists()
