from __future__ import annotations

import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone

from conduct import services as conduct_services
from events import queries, services
from events.models import Attendee, CoOrganizerInvitation, Event, ImportUpload, SeatingRequest
from tests.factories import AttendeeFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_create_event_gives_unique_slug_and_join_code():
    organizer = UserFactory()

    first = services.create_event(organizer, title="Founders Night", starts_at=timezone.now())
    second = services.create_event(organizer, title="Founders Night", starts_at=timezone.now())

    assert first.slug == "founders-night"
    assert second.slug.startswith("founders-night-")
    assert first.join_code != second.join_code
    assert first.status == Event.Status.DRAFT


def test_create_event_refuses_a_round_too_short_with_the_arithmetic():
    with pytest.raises(ValidationError) as error:
        services.create_event(
            UserFactory(),
            title="Tight",
            starts_at=timezone.now(),
            table_size=8,
            pitch_seconds=30,
            round_seconds=180,
        )

    assert error.value.message_dict["round_seconds"] == [
        "A round of 180 s is too short: 8 people × 30 s each need at least 240 s."
    ]
    assert Event.objects.count() == 0


def test_add_attendee_organizers_yes_is_only_a_suggestion():
    attendee = services.add_attendee(EventFactory(), name="Li Wei", is_consent_suggested=True)

    assert (attendee.is_consent_suggested, attendee.is_consenting_to_share) == (True, False)
    assert attendee.consent_decided_at is None
    assert not attendee.is_sharing_contact


@pytest.mark.parametrize("answer", [True, False])
def test_add_attendee_records_the_attendees_own_answer_as_decided(answer):
    attendee = services.add_attendee(EventFactory(), name="Li Wei", is_consenting_to_share=answer)

    attendee.refresh_from_db()
    assert (attendee.is_consenting_to_share, attendee.is_consent_suggested) == (answer, False)
    assert attendee.consent_decided_at is not None
    assert attendee.is_sharing_contact is answer


def test_import_attendees_never_re_suggests_to_someone_who_answered():
    event = EventFactory()
    ada = AttendeeFactory(event=event, name="Ada", email="ada@example.kr", declining=True)

    result = services.import_attendees(
        event, data=b"Name,Email,Consent\nAda,ada@example.kr,yes\n", by=None
    )

    ada.refresh_from_db()
    assert result.unchanged == 1
    assert (ada.is_consenting_to_share, ada.is_consent_suggested) == (False, False)


def test_add_attendee_normalizes_email():
    attendee = services.add_attendee(EventFactory(), name=" Li Wei ", email=" Li@Example.COM ")

    assert (attendee.name, attendee.email) == ("Li Wei", "li@example.com")


def test_add_attendee_refuses_duplicate_email_with_a_clear_message():
    event = EventFactory()
    services.add_attendee(event, name="Li Wei", email="li@example.com")

    with pytest.raises(ValidationError) as error:
        services.add_attendee(event, name="Someone Else", email="LI@example.com")

    assert error.value.message_dict == {
        "email": ["Someone with this email is already at this event."]
    }
    assert event.attendees.count() == 1


def test_add_attendee_refuses_duplicate_email_with_a_code_that_finds_who_has_it():
    event = EventFactory()
    li = services.add_attendee(event, name="Li Wei", email="li@example.com")
    services.add_attendee(EventFactory(), name="Li Elsewhere", email="li2@example.com")

    with pytest.raises(ValidationError) as error:
        services.add_attendee(event, name="Someone Else", email="LI@example.com")

    assert [e.code for e in error.value.error_dict["email"]] == [services.DUPLICATE_EMAIL]
    assert queries.attendee_with_email(event, "Li@Example.com") == li
    assert queries.attendee_with_email(event, "li2@example.com") is None
    assert queries.attendee_with_email(event, "") is None


def test_add_attendee_refuses_bad_email():
    with pytest.raises(ValidationError) as error:
        services.add_attendee(EventFactory(), name="Li Wei", email="not-an-email")

    assert list(error.value.message_dict) == ["email"]


def test_check_in_sets_the_time_once_and_clears_left():
    attendee = AttendeeFactory(left=True)
    first_check_in = attendee.checked_in_at

    checked = services.check_in(attendee)

    assert checked.checked_in_at == first_check_in
    assert checked.left_at is None


def test_check_in_is_refused_when_the_event_is_closed():
    attendee = AttendeeFactory(event=EventFactory(closed=True))

    with pytest.raises(ValidationError):
        services.check_in(attendee)

    attendee.refresh_from_db()
    assert attendee.checked_in_at is None


@pytest.mark.django_db
def test_presence_push_that_leaves_late_tells_the_phone_what_is_true_then(
    listen, django_capture_on_commit_callbacks
):
    """Two organizers tick the same person (the door scans, the list on another laptop undoes):
    the check-in's push, held up after its commit (its counters push waiting on a slow channel
    layer), leaves after the undo's. The phone must not be left saying "You're checked in"."""
    from events.sockets import attendee_group

    person = AttendeeFactory(event=EventFactory(check_in=True))
    phone = listen(attendee_group(person.pk))
    with django_capture_on_commit_callbacks() as held:  # committed, pushes not sent yet
        services.check_in(person)
    with django_capture_on_commit_callbacks(execute=True):
        services.undo_check_in(person)
    for callback in held:
        callback()

    assert phone.messages()[-1] == {
        "type": "presence",
        "checked_in": False,
        "left": False,
        "removed": False,
        "sharing": None,
    }


@pytest.mark.parametrize("status", ["last_round", "mingle", "closed"])
def test_ask_apart_after_the_rounds_is_refused_and_saves_nothing(status):
    """No seating plan comes once no round is left to seat (the last one started, although
    the event is live until mingling starts): a keep-apart request cannot work."""
    me, other = AttendeeFactory.create_batch(2, event=EventFactory(**{status: True}))

    with pytest.raises(ValidationError) as refused:
        conduct_services.ask_apart(me, other_id=other.pk)

    assert refused.value.messages == [
        "No round is left to seat: no seating plan can keep you apart any more."
    ]
    assert not SeatingRequest.objects.exists()


@pytest.mark.parametrize(
    ("status", "removed", "said"),
    [
        ("check_in", False, ""),
        ("live", False, ""),
        ("mingle", False, "No round is left to seat: no seating plan can keep you apart any more."),
        ("check_in", True, "You have no more tables this evening. Please speak to an organizer."),
        ("closed", True, "You have no more tables this evening. Please speak to an organizer."),
    ],
)
def test_seating_refusal_is_one_rule_and_a_removal_outranks_the_end_of_the_rounds(
    status, removed, said
):
    """The phone's pages and the services read one rule: nothing while a plan can still seat
    the person; for someone taken out of the rounds, that they have no table left (whatever the
    event's state, so they are never told only that the rounds are over)."""
    me = AttendeeFactory(event=EventFactory(**{status: True}))
    if removed:
        me.removed_at = timezone.now()

    assert services.seating_refusal(me) == said
    assert services.seating_refusal(me, over=lambda: "over") == (
        "over" if said and not removed else said
    )


def test_ask_apart_from_someone_taken_out_of_the_rounds_is_refused_and_saves_nothing():
    """Removed after a report, they have no table left for a plan to keep apart from anyone,
    although the event still has rounds to seat; the attendee given may be a stale copy."""
    event = EventFactory(check_in=True)
    me, other = AttendeeFactory.create_batch(2, event=event, checked_in=True)
    Attendee.objects.filter(pk=me.pk).update(removed_at=timezone.now())

    with pytest.raises(ValidationError) as refused:
        conduct_services.ask_apart(me, other_id=other.pk)

    assert refused.value.messages == [
        "You have no more tables this evening. Please speak to an organizer."
    ]
    assert not SeatingRequest.objects.exists()


def test_join_event_sent_again_with_the_same_form_nonce_returns_the_same_attendee():
    event = EventFactory(check_in=True)
    nonce = "b3J0aGVyZS1ub25jZS0x"
    fields = {"name": "Li Wei", "email": "li@example.com", "company": "Harbor"}

    first = services.join_event(event, join_nonce=nonce, **fields)
    again = services.join_event(event, join_nonce=nonce, **fields)

    assert again.pk == first.pk
    assert again.token == first.token
    assert list(event.attendees.values_list("name", "email", "join_nonce")) == [
        ("Li Wei", "li@example.com", nonce)
    ]
    assert again.is_checked_in


def test_join_event_with_another_form_nonce_is_another_join_and_its_email_is_refused():
    event = EventFactory(check_in=True)
    services.join_event(event, name="Li Wei", email="li@example.com", join_nonce="a" * 22)

    with pytest.raises(ValidationError, match="This email is already registered"):
        services.join_event(event, name="Li Wei", email="li@example.com", join_nonce="b" * 22)

    assert event.attendees.count() == 1


def test_join_event_claiming_an_imported_record_twice_with_one_form_claims_it_once():
    event = EventFactory(check_in=True)
    imported = AttendeeFactory(event=event, name="Ana Costa", email="")
    nonce = "c" * 22

    first = services.join_event(event, name="Ana Costa", email="ana@example.com", join_nonce=nonce)
    again = services.join_event(event, name="Ana Costa", email="ana@example.com", join_nonce=nonce)

    assert first.pk == again.pk == imported.pk
    assert event.attendees.count() == 1
    assert event.attendees.get().email == "ana@example.com"


@pytest.mark.parametrize(
    "add",
    [
        lambda event: services.add_attendee(event, name="Zelda Quartermain"),
        lambda event: services.admit_walk_in(event, by=None, name="Zelda Quartermain"),
        lambda event: services.import_attendees(
            event, data=b"name,email\nZelda Quartermain,z@example.com\n", by=None
        ),
        lambda event: services.store_upload(
            event, data=b"name\nZelda Quartermain\n", file_name="p.csv", by=event.organizer
        ),
    ],
    ids=["add", "door", "import", "upload"],
)
@pytest.mark.parametrize(
    ("erased", "message"),
    [
        (True, "This event's personal data were deleted: no one can be added to it any more."),
        (False, "This event is closed: no one can be added to it any more."),
    ],
    ids=["erased", "closed"],
)
def test_no_one_new_is_added_once_the_event_is_closed_or_its_data_deleted(add, erased, message):
    event = EventFactory(closed=True, personal_data_erased_at=timezone.now() if erased else None)

    with pytest.raises(ValidationError) as refusal:
        add(event)

    assert message in refusal.value.messages[0]
    assert not event.attendees.exists()
    assert not ImportUpload.objects.exists()


# Blocked emails: an event applies its owner's blocks only.

BLOCK_ROWS = b"Name,Email\nS,stalker@example.com\nN,normal@example.com\n"


def blocked_by(user, email: str) -> None:
    from events import hygiene
    from events.models import EmailBlock

    EmailBlock.objects.create(organizer=user, email_hash=hygiene.email_digest(email))


def test_preview_import_ignores_a_co_organizers_own_blocks():
    helper, owner = UserFactory(), UserFactory()
    EventFactory(organizer=helper)
    event = EventFactory(organizer=owner)
    blocked_by(helper, "stalker@example.com")
    event.co_organizers.add(helper)

    _parsed, comparison = services.preview_import(event, data=BLOCK_ROWS)

    assert [row.name for row in comparison.new] == ["S", "N"]
    assert comparison.skipped == 0
    assert services.blocked_digests(event) == set()


def test_import_join_and_add_ignore_a_co_organizers_own_blocks():
    helper, owner = UserFactory(), UserFactory()
    blocked_by(helper, "stalker@example.com")
    imported = EventFactory(organizer=owner)
    joined = EventFactory(organizer=owner, check_in=True)
    added = EventFactory(organizer=owner, check_in=True)
    for event in (imported, joined, added):
        event.co_organizers.add(helper)

    result = services.import_attendees(imported, data=BLOCK_ROWS, by=helper)
    walk_in = services.join_event(joined, name="S", email="stalker@example.com")
    listed = services.add_attendee(added, name="S", email="stalker@example.com")

    assert (result.added, result.skipped) == (2, 0)
    assert walk_in.email == listed.email == "stalker@example.com"


def test_the_owners_own_blocks_still_apply_at_import_join_and_add():
    owner = UserFactory()
    blocked_by(owner, "stalker@example.com")
    event = EventFactory(organizer=owner, check_in=True)
    event.co_organizers.add(UserFactory())

    _parsed, comparison = services.preview_import(event, data=BLOCK_ROWS)
    with pytest.raises(ValidationError) as joining:
        services.join_event(event, name="S", email="stalker@example.com")
    with pytest.raises(ValidationError) as adding:
        services.add_attendee(event, name="S", email="stalker@example.com")

    assert [row.name for row in comparison.new] == ["N"]
    assert comparison.skipped == 1
    assert joining.value.messages == [services.neutral_refusal()]
    assert adding.value.message_dict == {"email": ["This email cannot be added to this event."]}
    assert not event.attendees.exists()


def invitation_to(email, *, event=None):
    event = event or EventFactory()
    return services.invite_co_organizer(
        event, email=email, by=event.organizer, accept_url=lambda token: f"/accept/{token}/"
    )


def accepted_with_proof(invitation, user):
    """Accept as the invited person does: the first call mails a confirmation (``None``), the
    proof in that mail's link accepts."""
    links = []
    assert (
        services.accept_co_organizer_invitation(
            invitation.token, user=user, confirm_url=lambda proof: links.append(proof) or "/c/"
        )
        is None
    )
    return services.accept_co_organizer_invitation(invitation.token, user=user, proof=links[0])


def test_accept_co_organizer_invitation_refuses_another_account_and_stays_usable():
    invitation = invitation_to("ada@example.com")
    stranger = UserFactory(email="mallory@example.com")
    invited = UserFactory(email="ada@example.com")

    with pytest.raises(ValidationError) as refusal:
        services.accept_co_organizer_invitation(invitation.token, user=stranger)
    event = accepted_with_proof(invitation, invited)

    assert refusal.value.messages == [
        "This invitation was sent to a•••@example.com. Sign in with that address."
    ]
    assert list(event.co_organizers.all()) == [invited]
    invitation.refresh_from_db()
    assert invitation.accepted_by == invited


def test_accept_co_organizer_invitation_refuses_an_account_without_an_email():
    invitation = invitation_to("ada@example.com")

    with pytest.raises(ValidationError):
        services.accept_co_organizer_invitation(invitation.token, user=UserFactory(email=""))

    invitation.refresh_from_db()
    assert (invitation.accepted_at, invitation.accepted_by) == (None, None)
    assert not invitation.event.co_organizers.exists()


@pytest.mark.parametrize(
    "account_email", ["Ada@Example.COM", "  ada@example.com ", "ADA@EXAMPLE.COM"]
)
def test_accept_co_organizer_invitation_matches_the_email_whatever_its_case_and_spaces(
    account_email,
):
    invitation = invitation_to("ada@example.com")
    invited = UserFactory(email=account_email)

    event = accepted_with_proof(invitation, invited)

    assert list(event.co_organizers.all()) == [invited]


def test_accept_co_organizer_invitation_refuses_the_right_account_once_used_or_expired():
    used = invitation_to("ada@example.com")
    expired = invitation_to("ada@example.com")
    invited = UserFactory(email="ada@example.com")
    accepted_with_proof(used, invited)
    CoOrganizerInvitation.objects.filter(pk=expired.pk).update(
        created_at=timezone.now() - timedelta(days=services.CO_ORGANIZER_INVITATION_DAYS, hours=1)
    )

    for invitation in (used, expired):
        with pytest.raises(ValidationError) as refusal:
            services.accept_co_organizer_invitation(invitation.token, user=invited)
        assert refusal.value.messages == [
            "This invitation link is used, expired or unknown: ask for a new one."
        ]
    assert not expired.event.co_organizers.exists()


def test_accept_co_organizer_invitation_lets_the_owner_follow_it_without_change():
    invitation = invitation_to("ada@example.com")
    owner = invitation.event.organizer

    event = services.accept_co_organizer_invitation(invitation.token, user=owner)

    assert (event.organizer, list(event.co_organizers.all())) == (owner, [])


def test_accept_co_organizer_invitation_mails_the_account_a_proof_before_it_accepts(
    django_capture_on_commit_callbacks, mailoutbox
):
    """Sign-up confirms no address: someone holding a forwarded link who signs up with the
    invited address gets only a mail sent to that mailbox, which is not theirs."""
    invitation = invitation_to("ada@example.com")
    mailoutbox.clear()
    squatter = UserFactory(username="squatter", email="ADA@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        answer = services.accept_co_organizer_invitation(
            invitation.token, user=squatter, confirm_url=lambda proof: f"/confirm/{proof}/"
        )

    assert answer is None
    assert not invitation.event.co_organizers.exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    [sent] = mailoutbox
    assert sent.to == ["ADA@example.com"]
    assert "squatter" in sent.body
    assert "/confirm/" in sent.body


@pytest.mark.parametrize("whose", ["forged", "other account", "other invitation", "moved", "old"])
def test_accept_co_organizer_invitation_refuses_a_proof_not_made_for_it(whose, monkeypatch):
    invitation = invitation_to("ada@example.com")
    invited = UserFactory(email="ada@example.com")
    twin = UserFactory(email="ada@example.com")  # another account typed with the same address
    other = invitation_to("ada@example.com")
    proof_for = {
        "forged": lambda: "x" + services.mailbox_proof(invitation, user=invited)[1:],
        "other account": lambda: services.mailbox_proof(invitation, user=twin),
        "other invitation": lambda: services.mailbox_proof(other, user=invited),
        "moved": lambda: services.mailbox_proof(invitation, user=invited),
        "old": lambda: services.mailbox_proof(invitation, user=invited),
    }
    proof = proof_for[whose]()
    if whose == "moved":  # the account's address changed after the mail left
        invited.email = "ada@elsewhere.example"
        invited.save()
        invitation.email = "ada@elsewhere.example"  # even if the invitation named the new one
        invitation.save()
    if whose == "old":  # the signature's clock, a day and a minute on
        later = time.time() + services.MAILBOX_PROOF_HOURS * 3600 + 60
        monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: later))

    with pytest.raises(ValidationError) as refusal:
        services.accept_co_organizer_invitation(invitation.token, user=invited, proof=proof)

    assert refusal.value.messages == [
        "This confirmation link is expired or was not made for this account: open the "
        "invitation link again to get a new one."
    ]
    assert not invitation.event.co_organizers.exists()
