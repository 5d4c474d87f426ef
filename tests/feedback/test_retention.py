from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import translation

from events import logs
from events import services as event_services
from events.models import Attendee, Event, ImportUpload, LogEntry
from events.queries import door_counts
from feedback import retention
from feedback.models import Card, Digest, Introduction
from pitches.models import Pitch
from rounds.models import Seat
from tests.factories import AttendeeFactory, CardFactory, EventFactory, PitchFactory, UserFactory

pytestmark = pytest.mark.django_db

ZELDA_SECRETS = [
    "Zelda",
    "Quartermain",
    "zelda@quartz-logistics.example",
    "Quartz Logistics",
    "Head of Fleet Procurement",
    "5550123",
    "cold-chain",
    "reefers",
    "Bartholomew",
    "Ottoline",
]
EVERYONE_SECRETS = [*ZELDA_SECRETS, "Yusuf", "Ollerenshaw", "Xavier", "Wanda", "a banker I know"]


def figures(event: Event) -> dict:
    """What the post-event report counts: none of it may change when personal data goes."""
    cards = Card.objects.filter(round__event=event)
    return {
        "attendance": door_counts(event),
        "presence": list(
            event.attendees.order_by("pk").values_list("pk", "checked_in_at", "left_at")
        ),
        "seats": list(
            Seat.objects.filter(round__event=event)
            .order_by("pk")
            .values_list("round__number", "table__number", "attendee_id", "speaking_order")
        ),
        "cards_by_round_and_kind": list(
            cards.values("round__number", "kind")
            .annotate(n=Count("pk"))
            .order_by("round__number", "kind")
        ),
        "cards": list(
            cards.order_by("pk").values_list("round_id", "giver_id", "receiver_id", "kind")
        ),
        "introductions_by_status": list(
            Introduction.objects.filter(card__round__event=event)
            .values("status")
            .annotate(n=Count("pk"))
            .order_by("status")
        ),
        "introduction_times": list(
            Introduction.objects.filter(card__round__event=event)
            .order_by("pk")
            .values_list("card_id", "status", "created_at", "made_at", "met_at", "declined_at")
        ),
        "digests": list(
            Digest.objects.filter(attendee__event=event)
            .order_by("pk")
            .values_list("attendee_id", "kind", "sent_at")
        ),
    }


def stored_text() -> str:
    """Every value of every row of every table, as one string to search."""
    return "\n".join(
        str(value)
        for model in apps.get_models()
        for row in model.objects.values_list()
        for value in row
    )


def test_erase_event_personal_data_keeps_every_figure(finished_event):
    event, _people = finished_event
    before = figures(event)

    retention.erase_event_personal_data(event, by=event.organizer)

    assert figures(event) == before


def test_erase_event_personal_data_leaves_no_personal_value_in_the_database(finished_event):
    event, people = finished_event
    old_tokens = [person.token for person in people.values()]
    old_tokens += [person.badge_key for person in people.values()]
    assert all(secret in stored_text() for secret in EVERYONE_SECRETS)

    retention.erase_event_personal_data(event, by=event.organizer)

    text = stored_text()
    assert [secret for secret in EVERYONE_SECRETS if secret in text] == []
    assert [token for token in old_tokens if token in text] == []


def test_erase_attendee_rotates_the_token_and_the_badge_key():
    attendee = AttendeeFactory()
    others = AttendeeFactory(event=attendee.event)

    retention.erase_attendee(attendee)

    erased = Attendee.objects.get(pk=attendee.pk)
    assert erased.token != attendee.token
    assert erased.badge_key != attendee.badge_key
    assert len(erased.badge_key) == 22
    assert Attendee.objects.get(pk=others.pk).badge_key == others.badge_key


def test_erase_attendee_removes_name_parts_suggestions_and_pending_uploads():
    attendee = AttendeeFactory(
        name="李娜", given_name="娜", family_name="李", is_consent_suggested=True
    )
    ImportUpload.objects.create(
        event=attendee.event, uploaded_by=attendee.event.organizer, data="李娜".encode()
    )

    retention.erase_attendee(attendee)

    attendee.refresh_from_db()
    assert (attendee.given_name, attendee.family_name, attendee.is_consent_suggested) == (
        "",
        "",
        False,
    )
    assert not ImportUpload.objects.exists()


def test_erase_event_personal_data_anonymizes_each_attendee(finished_event):
    event, people = finished_event

    retention.erase_event_personal_data(event, by=event.organizer)

    zelda = Attendee.objects.get(pk=people["zelda"].pk)
    assert (zelda.name, zelda.email, zelda.company, zelda.job_title, zelda.phone) == (
        "Erased attendee",
        "",
        "",
        "",
        "",
    )
    assert zelda.is_consenting_to_share is False
    assert zelda.erased_at is not None
    assert zelda.token != people["zelda"].token
    assert Pitch.objects.filter(attendee__event=event).count() == 0
    assert list(Card.objects.filter(round__event=event).exclude(note="")) == []
    assert list(Introduction.objects.filter(card__round__event=event).exclude(target="")) == []
    assert event.attendees.filter(erased_at__isnull=True).count() == 0


def test_erase_event_personal_data_stamps_the_event_and_logs_without_names(finished_event):
    event, _people = finished_event

    erased = retention.erase_event_personal_data(event, by=event.organizer)

    assert erased.personal_data_erased_at is not None
    entry = LogEntry.objects.filter(event=event, action="personal_data_erased").get()
    assert logs.text(entry) == "Personal data of 4 attendees deleted; the figures remain."
    assert entry.actor == event.organizer
    texts = [line.text for line in logs.lines(event.log_entries.select_related("actor"))]
    assert any("Erased attendee" in text for text in texts)
    assert Event.objects.get(pk=event.pk).announcement == "Erased attendee, to the desk"


def test_erase_event_personal_data_twice_is_harmless(finished_event):
    event, _people = finished_event
    first = retention.erase_event_personal_data(event, by=event.organizer)
    names = list(event.attendees.order_by("pk").values_list("name", flat=True))
    before = figures(event)

    again = retention.erase_event_personal_data(event, by=event.organizer)

    assert again.personal_data_erased_at == first.personal_data_erased_at
    assert list(event.attendees.order_by("pk").values_list("name", flat=True)) == names
    assert figures(event) == before
    assert event.log_entries.filter(action="personal_data_erased").count() == 1


@pytest.mark.parametrize(
    "status",
    [Event.Status.DRAFT, Event.Status.CHECK_IN, Event.Status.LIVE, Event.Status.MINGLE],
)
def test_erase_event_personal_data_refuses_an_event_not_closed(status):
    event = EventFactory(status=status)
    attendee = AttendeeFactory(event=event, name="Still Here")

    with pytest.raises(ValidationError) as refusal:
        retention.erase_event_personal_data(event, by=event.organizer)

    assert refusal.value.messages == [
        "Close the event first: personal data can be deleted only once the event is over."
    ]
    assert Attendee.objects.get(pk=attendee.pk).name == "Still Here"
    assert Event.objects.get(pk=event.pk).personal_data_erased_at is None


def test_erase_event_personal_data_names_the_erased_in_each_readers_language():
    event = EventFactory(closed=True, language=Event.Language.SIMPLIFIED_CHINESE)
    attendee = AttendeeFactory(event=event)

    retention.erase_event_personal_data(event, by=event.organizer)

    stored = Attendee.objects.filter(pk=attendee.pk).values_list("name", flat=True).get()
    assert stored == "Erased attendee"  # no language, no id
    with translation.override("en"):
        assert Attendee.objects.get(pk=attendee.pk).name == "Erased attendee"
    with translation.override("zh-hans"):
        assert Attendee.objects.get(pk=attendee.pk).name == "已删除的参会者"


def test_erase_event_personal_data_with_blank_emails_keeps_the_unique_email_rule():
    event = EventFactory(closed=True)
    AttendeeFactory.create_batch(3, event=event)

    retention.erase_event_personal_data(event, by=UserFactory())

    assert list(event.attendees.values_list("email", flat=True)) == ["", "", ""]


def test_erase_attendee_erases_only_that_attendee_and_keeps_the_figures(finished_event):
    event, people = finished_event
    before = figures(event)

    retention.erase_attendee(people["zelda"])

    assert figures(event) == before
    text = stored_text()
    assert [secret for secret in ZELDA_SECRETS if secret in text] == []
    assert "Yusuf Ollerenshaw" in text
    assert "a banker I know" in text  # a note between two other people stays
    assert Event.objects.get(pk=event.pk).personal_data_erased_at is None


def test_erase_attendee_blanks_notes_given_and_received():
    giver = AttendeeFactory(event=EventFactory(live=True))
    receiver = AttendeeFactory(event=giver.event)
    received = CardFactory(giver=giver, receiver=receiver, introduce=True, note="about receiver")
    given = CardFactory(
        round=received.round, giver=receiver, receiver=giver, introduce=True, note="from receiver"
    )

    retention.erase_attendee(receiver)

    assert Card.objects.get(pk=received.pk).note == ""
    assert Card.objects.get(pk=given.pk).note == ""


def test_erase_attendee_works_while_the_event_is_live():
    attendee = AttendeeFactory(event=EventFactory(live=True), checked_in=True)
    PitchFactory(attendee=attendee)

    erased = retention.erase_attendee(attendee)

    assert erased.name == "Erased attendee"
    assert erased.is_checked_in
    assert not Pitch.objects.filter(attendee=attendee).exists()


def test_erase_attendee_forgets_the_confirmed_phone_and_any_mailed_code():
    attendee = AttendeeFactory(
        device_hash="a" * 64, confirmation_code_hash="b" * 64, confirmation_code_tries=2
    )

    erased = retention.erase_attendee(attendee)

    erased.refresh_from_db()
    assert (erased.device_hash, erased.confirmation_code_hash) == ("", "")
    assert erased.confirmation_code_tries == 0


def test_erase_attendee_forgets_the_join_form_so_sending_it_again_opens_nothing_erased():
    event = EventFactory(check_in=True)
    nonce = "d" * 22
    walk_in = event_services.join_event(event, name="Zelda Quartermain", join_nonce=nonce)

    retention.erase_attendee(walk_in)
    again = event_services.join_event(event, name="Zelda Quartermain", join_nonce=nonce)

    assert Attendee.objects.get(pk=walk_in.pk).join_nonce == ""
    assert again.pk != walk_in.pk
    assert again.name == "Zelda Quartermain"


def test_erase_attendee_twice_is_harmless_and_logs_once():
    attendee = AttendeeFactory(event=EventFactory(closed=True))
    first = retention.erase_attendee(attendee)

    again = retention.erase_attendee(first)

    assert again.erased_at == first.erased_at
    assert again.name == first.name
    entries = list(attendee.event.log_entries.values_list("action", "message"))
    assert entries == [("attendee_erased", "")]
    only = attendee.event.log_entries.get()
    assert logs.text(only) == "Personal data deleted for Erased attendee."
