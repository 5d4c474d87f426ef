"""The pages that delete personal data: the organizer's for a closed event, the attendee's own
through the personal link, and the admin action."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from events.models import Attendee, Event
from feedback.models import Card
from tests.factories import AttendeeFactory, EventFactory, PitchFactory, UserFactory
from tests.feedback.links import open_link

pytestmark = pytest.mark.django_db


# The organizer's page.


def test_event_erase_shows_what_goes_and_what_stays(client, finished_event):
    event, _people = finished_event
    client.force_login(event.organizer)

    response = client.get(reverse("event_erase", args=[event.pk]))

    assert response.status_code == 200
    assert "This deletes the personal data of the 4 attendees of this event." in response.text
    assert "The anonymous figures" in response.text
    assert 'name="confirmation"' in response.text


def test_event_erase_with_the_title_deletes_and_returns_to_the_event(client, finished_event):
    event, people = finished_event
    client.force_login(event.organizer)

    response = client.post(
        reverse("event_erase", args=[event.pk]),
        {"confirmation": "  harbour founders NIGHT "},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("event_detail", args=[event.pk]), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "The personal data of this event was deleted."
    ]
    assert f'id="event-{event.pk}-erased"' in response.text
    assert "Personal data deleted on" in response.text
    assert Attendee.objects.get(pk=people["zelda"].pk).name == "Erased attendee"


def test_event_erase_accepts_the_join_code(client, finished_event):
    event, _people = finished_event
    client.force_login(event.organizer)

    response = client.post(
        reverse("event_erase", args=[event.pk]), {"confirmation": event.join_code.lower()}
    )

    assert response.status_code == 302
    assert Event.objects.get(pk=event.pk).personal_data_erased_at is not None


def test_event_erase_with_a_wrong_confirmation_deletes_nothing(client, finished_event):
    event, people = finished_event
    client.force_login(event.organizer)

    response = client.post(reverse("event_erase", args=[event.pk]), {"confirmation": "yes"})

    assert response.status_code == 400
    assert "neither the event&#x27;s title nor its join code" in response.text
    assert Attendee.objects.get(pk=people["zelda"].pk).name == "Zelda Quartermain"
    assert Event.objects.get(pk=event.pk).personal_data_erased_at is None


def test_event_erase_of_a_live_event_is_refused(client):
    event = EventFactory(live=True, title="Still going")
    attendee = AttendeeFactory(event=event, name="Still Here")
    client.force_login(event.organizer)

    page = client.get(reverse("event_erase", args=[event.pk]))
    response = client.post(reverse("event_erase", args=[event.pk]), {"confirmation": "Still going"})

    assert "Close the event first" in page.text
    assert 'name="confirmation"' not in page.text
    assert response.status_code == 400
    assert "Close the event first" in response.text
    assert Attendee.objects.get(pk=attendee.pk).name == "Still Here"


@pytest.mark.parametrize("method", ["get", "post"])
def test_event_erase_by_a_co_organizer_is_forbidden_and_erases_nothing(client, method):
    """Erasing a whole event is the owner's, as inviting co-organizers is: a helper typing the
    confirmation gets 403 and every attendee stays."""
    event = EventFactory(closed=True, title="Shared night")
    attendee = AttendeeFactory(event=event, name="Still Named")
    helper = UserFactory()
    event.co_organizers.add(helper)
    client.force_login(helper)

    response = getattr(client, method)(
        reverse("event_erase", args=[event.pk]), {"confirmation": "Shared night"}
    )

    assert response.status_code == 403
    assert Attendee.objects.get(pk=attendee.pk).name == "Still Named"
    assert Event.objects.get(pk=event.pk).personal_data_erased_at is None
    assert not event.log_entries.filter(action="personal_data_erased").exists()


def test_event_detail_shows_erasure_to_the_owner_only(client):
    event = EventFactory(closed=True)
    helper = UserFactory()
    event.co_organizers.add(helper)
    client.force_login(helper)

    helper_page = client.get(reverse("event_detail", args=[event.pk]))
    client.force_login(event.organizer)
    owner_page = client.get(reverse("event_detail", args=[event.pk]))

    assert reverse("event_erase", args=[event.pk]) not in helper_page.text
    assert "Only the event's owner can delete its personal data." in helper_page.text
    assert reverse("event_erase", args=[event.pk]) in owner_page.text
    assert "owner can delete" not in owner_page.text


@pytest.mark.parametrize("method", ["get", "post"])
def test_event_erase_of_another_organizers_event_is_not_found(client, finished_event, method):
    event, people = finished_event
    client.force_login(UserFactory())

    response = getattr(client, method)(
        reverse("event_erase", args=[event.pk]), {"confirmation": event.title}
    )

    assert response.status_code == 404
    assert Attendee.objects.get(pk=people["zelda"].pk).name == "Zelda Quartermain"


@pytest.mark.parametrize("method", ["get", "post"])
def test_event_erase_sends_anonymous_visitors_to_sign_in(client, finished_event, method):
    event, people = finished_event
    url = reverse("event_erase", args=[event.pk])

    response = getattr(client, method)(url, {"confirmation": event.title})

    assert response.status_code == 302
    assert response.url.startswith(f"{reverse('login')}?next={url}")
    assert Attendee.objects.get(pk=people["zelda"].pk).name == "Zelda Quartermain"


def test_event_detail_offers_erasure_only_for_a_closed_event(client):
    live = EventFactory(live=True)
    closed = EventFactory(closed=True, organizer=live.organizer)
    client.force_login(live.organizer)

    live_page = client.get(reverse("event_detail", args=[live.pk]))
    closed_page = client.get(reverse("event_detail", args=[closed.pk]))

    assert reverse("event_erase", args=[live.pk]) not in live_page.text
    assert reverse("event_erase", args=[closed.pk]) in closed_page.text


# The attendee's own page.


def test_attendee_erase_shows_what_goes_and_what_stays(client):
    attendee = AttendeeFactory(event=EventFactory(closed=True))

    response = client.get(reverse("attendee_erase", args=[attendee.token]))

    assert response.status_code == 200
    assert "Your pitch." in response.text
    assert "Anonymous counts" in response.text
    assert 'name="is_confirmed"' in response.text


def test_leads_page_links_to_deleting_my_data(client):
    attendee = AttendeeFactory(event=EventFactory(mingle=True))

    response = client.get(reverse("leads", args=[attendee.token]))

    assert reverse("attendee_erase", args=[attendee.token]) in response.text


def test_attendee_erase_deletes_and_the_old_link_stops_working(client):
    attendee = AttendeeFactory(event=EventFactory(closed=True), name="Zelda Quartermain")
    PitchFactory(attendee=attendee)
    token = attendee.token

    open_link(client, token)
    response = client.post(reverse("attendee_erase", args=[token]), {"is_confirmed": "on"})

    assert response.status_code == 200
    assert "Your data was deleted" in response.text
    assert token not in response.text
    assert "Zelda" not in response.text
    erased = Attendee.objects.get(pk=attendee.pk)
    assert erased.name == "Erased attendee"
    for name in ("room", "leads", "pitch_edit", "attendee_erase"):
        assert client.get(reverse(name, args=[token])).status_code == 404


def test_attendee_erase_without_the_checkbox_deletes_nothing(client):
    attendee = AttendeeFactory(event=EventFactory(closed=True), name="Zelda Quartermain")

    open_link(client, attendee.token)
    response = client.post(reverse("attendee_erase", args=[attendee.token]), {})

    assert response.status_code == 400
    assert Attendee.objects.get(pk=attendee.pk).name == "Zelda Quartermain"


def test_attendee_erase_during_the_live_event_warns_and_works(client):
    attendee = AttendeeFactory(event=EventFactory(live=True), checked_in=True)

    page = client.get(reverse("attendee_erase", args=[attendee.token]))
    open_link(client, attendee.token)
    response = client.post(reverse("attendee_erase", args=[attendee.token]), {"is_confirmed": "1"})

    assert "The event is still running" in page.text
    assert response.status_code == 200
    assert Attendee.objects.get(pk=attendee.pk).erased_at is not None


def test_attendee_erase_by_one_token_erases_only_its_owner(client):
    event = EventFactory(closed=True)
    alice = AttendeeFactory(event=event, name="Alice Abernathy")
    bob = AttendeeFactory(event=event, name="Bob Brackenbury")

    open_link(client, alice.token)
    client.post(
        reverse("attendee_erase", args=[alice.token]),
        {"is_confirmed": "on", "attendee": bob.pk, "token": bob.token},
    )

    assert Attendee.objects.get(pk=bob.pk).name == "Bob Brackenbury"
    assert Attendee.objects.get(pk=bob.pk).token == bob.token
    assert Attendee.objects.get(pk=alice.pk).erased_at is not None


@pytest.mark.parametrize("method", ["get", "post"])
def test_attendee_erase_of_an_unknown_token_is_not_found(client, method):
    attendee = AttendeeFactory(name="Alice Abernathy")

    response = getattr(client, method)(
        reverse("attendee_erase", args=[attendee.token[:-1]]), {"is_confirmed": "on"}
    )

    assert response.status_code == 404
    assert Attendee.objects.get(pk=attendee.pk).erased_at is None


def test_erased_attendee_shows_as_placeholder_to_a_tablemate(client, finished_event):
    event, people = finished_event
    event.status = Event.Status.MINGLE
    event.closed_at = None
    event.save()
    open_link(client, people["zelda"].token)
    client.post(reverse("attendee_erase", args=[people["zelda"].token]), {"is_confirmed": "on"})

    room = client.get(reverse("room", args=[people["xavier"].token]))
    leads = client.get(reverse("leads", args=[people["xavier"].token]))

    assert room.status_code == leads.status_code == 200
    assert "Erased attendee" in room.text
    assert "Erased attendee" in leads.text
    assert f"#{people['zelda'].pk}" not in room.text + leads.text
    assert "Zelda" not in room.text + leads.text
    assert "Quartz" not in room.text + leads.text


def test_organizer_attendee_list_shows_erased_attendees(client, finished_event):
    event, people = finished_event
    open_link(client, people["zelda"].token)
    client.post(reverse("attendee_erase", args=[people["zelda"].token]), {"is_confirmed": "on"})
    client.force_login(event.organizer)

    response = client.get(reverse("attendee_list", args=[event.pk]))

    assert response.status_code == 200
    assert "Erased attendee" in response.text
    assert f"Erased attendee #{people['zelda'].pk}" not in response.text
    assert "Zelda" not in response.text


# The admin action.


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def run_action(client, events, **extra):
    data = {
        "action": "erase_personal_data",
        "_selected_action": [event.pk for event in events],
        **extra,
    }
    return client.post(reverse("admin:events_event_changelist"), data, follow=bool(extra))


def test_admin_erase_action_asks_for_confirmation_first(admin_client, finished_event):
    event, people = finished_event
    live = EventFactory(live=True, title="Tonight, still live")

    response = run_action(admin_client, [event, live])

    assert response.status_code == 200
    assert "Harbour Founders Night" in response.text
    assert "Tonight, still live" in response.text
    assert "will be left as they are" in response.text
    assert Attendee.objects.get(pk=people["zelda"].pk).name == "Zelda Quartermain"


def test_admin_erase_action_erases_closed_events_and_skips_the_others(admin_client, finished_event):
    event, people = finished_event
    live = EventFactory(live=True, title="Tonight, still live")
    live_attendee = AttendeeFactory(event=live, name="Still Here")

    response = run_action(admin_client, [event, live], post="yes")

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "Personal data of 1 event deleted.",
        "Not closed, so left as they are: Tonight, still live. Close the event first.",
    ]
    assert Event.objects.get(pk=event.pk).personal_data_erased_at is not None
    assert Attendee.objects.get(pk=people["zelda"].pk).erased_at is not None
    assert Attendee.objects.get(pk=live_attendee.pk).name == "Still Here"
    assert Card.objects.filter(round__event=event).exclude(note="").count() == 0


def test_admin_erase_action_is_for_staff_only(client, finished_event):
    event, people = finished_event
    client.force_login(event.organizer)

    response = run_action(client, [event], post="yes")

    assert response.redirect_chain[0][0].startswith(reverse("admin:login"))
    assert Attendee.objects.get(pk=people["zelda"].pk).erased_at is None


def staff_user():
    user = UserFactory(is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_event", "change_event", "delete_event"])
    )
    return user


def test_admin_erase_action_leaves_a_co_organized_event_alone(client, finished_event):
    event, people = finished_event
    owned = EventFactory(closed=True, title="My own night")
    owned.organizer = staff_user()
    owned.save(update_fields=["organizer"])
    mine = AttendeeFactory(event=owned, name="Mine To Erase")
    event.co_organizers.add(owned.organizer)
    client.force_login(owned.organizer)

    asked = run_action(client, [event, owned])
    response = run_action(client, [event, owned], post="yes")

    assert "Only an event's owner can delete its personal data" in asked.text
    assert [str(m) for m in response.context["messages"]] == [
        "Personal data of 1 event deleted.",
        "Not yours, so left as they are: Harbour Founders Night. Only an event's owner can do "
        "this.",
    ]
    assert Attendee.objects.get(pk=mine.pk).erased_at is not None
    assert Attendee.objects.get(pk=people["zelda"].pk).name == "Zelda Quartermain"
    assert Event.objects.get(pk=event.pk).personal_data_erased_at is None


def test_admin_event_deletion_is_the_owners_only(client):
    helper, owner = staff_user(), staff_user()
    event = EventFactory(closed=True, organizer=owner)
    event.co_organizers.add(helper)
    url = reverse("admin:events_event_delete", args=[event.pk])
    client.force_login(helper)

    refused = client.post(url, {"post": "yes"})
    listed = client.post(
        reverse("admin:events_event_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert refused.status_code == 403
    assert listed.status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()

    client.force_login(owner)
    deleted = client.post(url, {"post": "yes"})

    assert deleted.status_code == 302
    assert not Event.objects.filter(pk=event.pk).exists()


def test_erased_attendee_is_named_in_the_readers_language_without_an_id(client, finished_event):
    """The event is in English, the reader reads Chinese: "你答应为 已删除的参会者 引荐", never the
    English placeholder stored at erase time nor a row id."""
    event, people = finished_event
    event.status, event.closed_at = Event.Status.MINGLE, None
    event.save()
    open_link(client, people["zelda"].token)
    client.post(reverse("attendee_erase", args=[people["zelda"].token]), {"is_confirmed": "on"})
    token = people["xavier"].token

    leads = client.get(reverse("leads", args=[token]), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "你答应为 <bdi>已删除的参会者</bdi> 引荐" in leads.text
    assert "Erased attendee" not in leads.text
    assert f"#{people['zelda'].pk}" not in leads.text
    assert "Zelda" not in leads.text
