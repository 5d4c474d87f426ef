"""Series: events grouped by their organizer, people recognised across them by email and
confirmed by themselves, a new event copying the last one's settings; every page scoped."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from events import queries, services
from events.models import Attendee, Event, LogEntry
from tests.factories import AttendeeFactory, EventFactory, SeriesFactory, UserFactory

pytestmark = pytest.mark.django_db

MARCH = datetime(2026, 3, 12, 18, tzinfo=UTC)
APRIL = datetime(2026, 4, 9, 18, tzinfo=UTC)
MAY = datetime(2026, 5, 14, 18, tzinfo=UTC)


@pytest.fixture
def series():
    return SeriesFactory(title="Harbour founders")


def event_of(series, starts_at, **fields):
    return EventFactory(organizer=series.organizer, series=series, starts_at=starts_at, **fields)


@pytest.mark.parametrize(
    "typed",
    [
        "Priya.Shah@Example.com",
        " priya.shah@example.com. ",
        "ｐｒｉｙａ.ｓｈａｈ＠ｅｘａｍｐｌｅ.ｃｏｍ",
    ],
)
def test_earlier_selves_recognises_case_and_unicode_variants_of_the_email(series, typed):
    march, april = event_of(series, MARCH), event_of(series, APRIL)
    before = services.add_attendee(march, name="Priya Shah", email="priya.shah@example.com")
    again = services.add_attendee(april, name="Priya S.", email=typed)

    assert list(queries.earlier_selves(again)) == [before]
    assert queries.series_question(again) == before.event


def test_earlier_selves_ignores_other_series_later_events_and_other_people(series):
    march, april, may = event_of(series, MARCH), event_of(series, APRIL), event_of(series, MAY)
    elsewhere = EventFactory(organizer=series.organizer, starts_at=MARCH)
    AttendeeFactory(event=elsewhere, email="ada@example.com")
    AttendeeFactory(event=may, email="ada@example.com")
    AttendeeFactory(event=march, email="bo@example.com")
    ada = AttendeeFactory(event=april, email="ada@example.com")

    assert list(queries.earlier_selves(ada)) == []


def test_earlier_selves_newest_first(series):
    march, april, may = event_of(series, MARCH), event_of(series, APRIL), event_of(series, MAY)
    first = AttendeeFactory(event=march, email="ada@example.com")
    second = AttendeeFactory(event=april, email="ada@example.com")
    ada = AttendeeFactory(event=may, email="ada@example.com")

    assert list(queries.earlier_selves(ada)) == [second, first]


def test_answer_someone_else_unlinks_and_is_not_asked_again(series):
    march, april = event_of(series, MARCH), event_of(series, APRIL)
    AttendeeFactory(event=march, email="ada@example.com")
    ada = AttendeeFactory(event=april, email="ada@example.com")

    services.answer_series_question(ada, is_same=False)
    services.answer_series_question(ada, is_same=True)  # the first answer stands

    ada.refresh_from_db()
    assert ada.series_answer == Attendee.SeriesAnswer.OTHER
    assert ada.series_answered_at is not None
    assert queries.series_question(ada) is None
    assert list(queries.earlier_selves(ada)) == []


def test_earlier_self_who_said_someone_else_is_not_linked(series):
    march, april = event_of(series, MARCH), event_of(series, APRIL)
    AttendeeFactory(event=march, email="ada@example.com", series_answer="other")
    ada = AttendeeFactory(event=april, email="ada@example.com")

    assert queries.series_question(ada) is None


def test_room_asks_is_this_you_and_stores_the_answer(client, series):
    march, april = event_of(series, MARCH, title="Harbour March"), event_of(series, APRIL)
    AttendeeFactory(event=march, email="ada@example.com")
    ada = AttendeeFactory(event=april, email="ada@example.com")

    page = client.get(reverse("room", args=[ada.token]))
    assert "Is this you from Harbour March (March 2026)?" in page.content.decode()

    response = client.post(reverse("series_answer", args=[ada.token]), {"answer": "same"})

    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.series_answer == Attendee.SeriesAnswer.SAME
    assert "Is this you from" not in client.get(reverse("room", args=[ada.token])).content.decode()


def test_room_does_not_ask_a_newcomer(client, series):
    ada = AttendeeFactory(event=event_of(series, APRIL), email="ada@example.com")

    assert "Is this you from" not in client.get(reverse("room", args=[ada.token])).content.decode()


def test_series_answer_is_only_the_attendees_own(client, series):
    march, april = event_of(series, MARCH), event_of(series, APRIL)
    AttendeeFactory(event=march, email="ada@example.com")
    ada = AttendeeFactory(event=april, email="ada@example.com")

    response = client.post(reverse("series_answer", args=["not-a-token"]), {"answer": "other"})

    assert response.status_code == 404
    ada.refresh_from_db()
    assert ada.series_answer == Attendee.SeriesAnswer.UNASKED


def test_create_event_refuses_another_organizers_series(series):
    with pytest.raises(ValidationError):
        services.create_event(UserFactory(), title="Mine", starts_at=APRIL, series=series)


def test_create_series_and_an_event_in_it(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("series_list"), {"title": "Alumni evenings"})

    series = user.event_series.get()
    assert response.url == reverse("series_detail", args=[series.pk])
    assert series.title == "Alumni evenings"


def test_new_event_in_a_series_copies_the_last_events_settings(client, series):
    event_of(series, MARCH, venue="Old Pier", rounds_count=5, table_size=5, round_seconds=200)
    event_of(series, APRIL, venue="Harbour Hall", rounds_count=7, table_size=4, round_seconds=240)
    client.force_login(series.organizer)

    form = client.get(reverse("event_create"), {"series": series.pk}).context["form"]

    assert form.initial["venue"] == "Harbour Hall"
    assert form.initial["rounds_count"] == 7
    assert form.initial["table_size"] == 4
    assert form.initial["round_seconds"] == 240
    assert form.initial["series"] == series.pk


def form_data(title: str, **fields) -> dict:
    """The event form as an organizer sends it: ``title``, a June evening of six 3-minute
    rounds at tables of 6, with ``fields`` put in."""
    return {
        "title": title,
        "starts_at": "2026-06-11T18:30",
        "time_zone": "UTC",
        "language": "en",
        "rounds_count": "6",
        "round_seconds": "180",
        "table_size": "6",
        "pitch_seconds": "30",
        "walk_ins_per_minute": "30",
        **fields,
    }


def test_event_form_creates_the_event_in_the_series(client, series):
    client.force_login(series.organizer)
    data = form_data("Harbour June", is_favouring_new_faces="on", series=str(series.pk))

    client.post(reverse("event_create"), data)

    event = Event.objects.get(title="Harbour June")
    assert event.series == series
    assert event.is_favouring_new_faces is True


def test_event_form_refuses_another_organizers_series(client, series):
    client.force_login(UserFactory())
    data = form_data("Intruder", series=str(series.pk))

    response = client.post(reverse("event_create"), data)

    assert response.status_code == 200
    assert "series" in response.context["form"].errors
    assert not Event.objects.filter(title="Intruder").exists()


def test_another_organizers_series_pages_are_404(client, series):
    client.force_login(UserFactory())

    assert client.get(reverse("series_detail", args=[series.pk])).status_code == 404
    assert client.get(reverse("event_create"), {"series": series.pk}).status_code == 404
    assert series.title not in client.get(reverse("series_list")).content.decode()


def test_series_list_query_count_is_constant(client, django_assert_num_queries):
    user = UserFactory()
    client.force_login(user)
    SeriesFactory(organizer=user)
    with django_assert_num_queries(3) as one:
        client.get(reverse("series_list"))
    SeriesFactory(organizer=user), SeriesFactory(organizer=user)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(reverse("series_list"))


def test_admin_event_form_offers_only_the_staff_organizers_own_series(client, series):
    """On add: an event stays in the series it was made in (read-only once added)."""
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename__in=["add_event"]))
    mine = SeriesFactory(organizer=staff, title="My own chapter")
    client.force_login(staff)

    form = client.get(reverse("admin:events_event_add")).context["adminform"].form

    assert list(form.fields["series"].queryset) == [mine]


@pytest.fixture
def walk_in_with_her_email(series, client, fresh_cache):
    """Someone joins April's event at the door typing Ada's email (Ada came in March and was
    promised an introduction there): their phone is the confirmed device of that record."""
    march = event_of(series, MARCH, title="Harbour March")
    april = event_of(series, APRIL, check_in=True, join_code="AP26RL")
    AttendeeFactory(event=march, email="ada@example.com")
    client.post(
        "/join/AP26RL/",
        {"name": "Not Ada", "email": "ada@example.com", "company": "", "job_title": ""},
    )
    return april.attendees.get()


def test_a_walk_in_typing_someone_elses_email_is_not_linked_to_their_past(
    client, walk_in_with_her_email
):
    impostor = walk_in_with_her_email
    assert impostor.is_email_unconfirmed

    answer = client.post(reverse("series_answer", args=[impostor.token]), {"answer": "same"})
    memory = client.get(reverse("series_memory", args=[impostor.token]))

    assert answer["Location"] == reverse("series_confirm", args=[impostor.token])
    impostor.refresh_from_db()
    assert impostor.series_answer == Attendee.SeriesAnswer.UNASKED
    assert "Harbour March" not in memory.content.decode()
    assert "confirm the address is yours" in memory.content.decode()


def test_a_walk_in_who_enters_the_code_mailed_to_the_email_is_linked(
    client, walk_in_with_her_email, mailoutbox
):
    ada = walk_in_with_her_email
    confirm = reverse("device_confirm", args=[ada.token])

    page = client.get(reverse("series_confirm", args=[ada.token]))
    client.post(confirm, {"action": "send", "next_page": "series"})
    code = re.search(r"\b(\d{6})\b", mailoutbox[-1].body).group(1)
    entered = client.post(confirm, {"action": "check", "code": code, "next_page": "series"})

    assert "a code we email to it" in page.content.decode()
    assert [message.to for message in mailoutbox] == [["ada@example.com"]]
    assert entered["Location"] == reverse("room", args=[ada.token])
    ada.refresh_from_db()
    assert (ada.series_answer, ada.is_email_unconfirmed) == (Attendee.SeriesAnswer.SAME, False)
    assert "Harbour March" in client.get(reverse("series_memory", args=[ada.token])).text


def test_series_memory_answers_only_get_and_post(client, series):
    ada = AttendeeFactory(event=event_of(series, APRIL), email="ada@example.com")

    answer = client.options(reverse("series_memory", args=[ada.token]))

    assert answer.status_code == 405


@pytest.mark.parametrize("typed", ["ada@example.com", "never.came@example.com"])
def test_a_walk_in_is_asked_the_same_whether_or_not_the_typed_email_came_before(
    client, series, fresh_cache, typed
):
    """The question must not tell whoever typed an address that its owner came before."""
    march = event_of(series, MARCH, title="Harbour March")
    april = event_of(series, APRIL, check_in=True, join_code="AP26RL")
    AttendeeFactory(event=march, email="ada@example.com")
    client.post(
        "/join/AP26RL/", {"name": "Walk In", "email": typed, "company": "", "job_title": ""}
    )
    walk_in = april.attendees.get()

    room = client.get(reverse("room", args=[walk_in.token])).content.decode()

    assert queries.series_question(walk_in) == march
    assert "Have you come to an earlier event of this series with this email?" in room
    assert "Harbour March" not in room


def test_a_walk_in_at_the_first_event_of_a_series_is_not_asked(client, series, fresh_cache):
    march = event_of(series, MARCH, check_in=True, join_code="MA26RC")
    client.post(
        "/join/MA26RC/",
        {"name": "Walk In", "email": "a@example.com", "company": "", "job_title": ""},
    )

    assert queries.series_question(march.attendees.get()) is None


def test_a_walk_in_asking_for_the_code_stays_on_the_code_page(
    client, walk_in_with_her_email, mailoutbox
):
    """Their own phone (the confirmed device) with a typed email: the code page stays, with the
    code field, instead of going back to the room that would not ask for it."""
    ada = walk_in_with_her_email
    confirm = reverse("device_confirm", args=[ada.token])

    sent = client.post(confirm, {"action": "send", "next_page": "series"}, follow=True)

    assert sent.redirect_chain == [(f"{confirm}?next_page=series", 302)]
    assert "A code is on its way to a•••@example.com." in sent.text
    assert f'id="attendee-{ada.pk}-check-code"' in sent.text


def edit_data(event, **fields) -> dict:
    """The settings page's form for ``event``, as sent back, with ``fields`` put in."""
    return form_data(event.title, **fields)


def test_event_edit_joins_an_existing_event_to_one_of_its_owners_series(client, series):
    other = SeriesFactory()  # another organizer's
    event = EventFactory(organizer=series.organizer)
    client.force_login(series.organizer)
    url = reverse("event_edit", args=[event.pk])

    offered = client.get(url).context["form"].fields["series"].queryset
    response = client.post(url, edit_data(event, series=str(series.pk)))

    assert list(offered) == [series]
    assert other not in offered
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.series == series
    [changed] = LogEntry.objects.filter(event=event, action="event_changed")
    assert "series" in changed.params["fields"]


def test_event_edit_refuses_another_organizers_series_with_a_form_error(client, series):
    event = EventFactory()
    client.force_login(event.organizer)

    response = client.post(
        reverse("event_edit", args=[event.pk]), edit_data(event, series=str(series.pk))
    )

    assert response.status_code == 200
    assert "series" in response.context["form"].errors
    event.refresh_from_db()
    assert event.series is None


def test_event_edit_offers_a_co_organizer_no_series_and_ignores_one_posted(client, series):
    event = EventFactory(organizer=series.organizer)
    helper = UserFactory()
    event.co_organizers.add(helper)
    client.force_login(helper)
    url = reverse("event_edit", args=[event.pk])

    form = client.get(url).context["form"]
    response = client.post(url, edit_data(event, series=str(series.pk)))

    assert "series" not in form.fields
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.series is None


def test_update_event_keeps_an_event_in_the_series_it_joined(series):
    event = event_of(series, MAY)
    another = SeriesFactory(organizer=series.organizer)

    with pytest.raises(ValidationError) as moved:
        services.update_event(event, by=None, series=another)
    with pytest.raises(ValidationError) as left:
        services.update_event(event, by=None, series=None)
    with pytest.raises(ValidationError) as foreign:
        services.update_event(EventFactory(), by=None, series=series)

    assert (moved.value.code, left.value.code, foreign.value.code) == (
        "series_fixed",
        "series_fixed",
        "series",
    )
    event.refresh_from_db()
    assert event.series == series
