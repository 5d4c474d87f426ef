"""The second factor for "Delete my data" and My details: the browser that first opened the
personal link, or a code mailed to the attendee. The badge-photo case: someone with only the link
(a photographed QR) opens it in another browser and can neither delete nor change anything."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events import devices
from events.models import Attendee
from pitches.models import Pitch
from tests.factories import AttendeeFactory, UserFactory
from tests.feedback.links import open_link

pytestmark = pytest.mark.django_db


def details(**fields: str) -> dict[str, str]:
    return {"share": "yes", "email": "", "phone": "", "wechat_id": "", "linkedin_url": "", **fields}


@pytest.fixture
def owner():
    """An attendee with contact details and a pitch, whose own phone opened the link."""
    attendee = AttendeeFactory(
        name="Mara Lind", email="mara@example.com", phone="+44 20 7946 0958", wechat_id=""
    )
    Pitch.objects.create(attendee=attendee, need="A designer", offer="Rust", ask="Who?")
    return attendee


@pytest.fixture
def phone(owner):
    phone = Client()
    open_link(phone, owner.token)
    return phone


@pytest.fixture
def stranger(phone):
    """Another browser with only the link: a badge photographed by someone else."""
    return Client()


def erase(client: Client, attendee: Attendee):
    return client.post(reverse("attendee_erase", args=[attendee.token]), {"is_confirmed": "on"})


def send_code(client: Client, attendee: Attendee, next_page: str = "details"):
    return client.post(
        reverse("device_confirm", args=[attendee.token]),
        {"action": "send", "next_page": next_page},
    )


def enter_code(client: Client, attendee: Attendee, code: str, next_page: str = "details"):
    return client.post(
        reverse("device_confirm", args=[attendee.token]),
        {"action": "check", "code": code, "next_page": next_page},
    )


def mailed_code(mailoutbox) -> str:
    return re.search(r"\b(\d{6})\b", mailoutbox[-1].body).group(1)


def assert_unchanged(attendee: Attendee) -> None:
    fresh = Attendee.objects.get(pk=attendee.pk)
    assert (fresh.erased_at, fresh.name, fresh.email, fresh.phone, fresh.token) == (
        None,
        "Mara Lind",
        "mara@example.com",
        "+44 20 7946 0958",
        attendee.token,
    )
    assert fresh.consent_decided_at is None
    assert Pitch.objects.filter(attendee=attendee, need="A designer").exists()


def test_badge_photo_cannot_delete_or_change_details(owner, phone, stranger):
    erase_page = stranger.get(reverse("attendee_erase", args=[owner.token]))
    details_page = stranger.get(reverse("my_details", args=[owner.token]))

    erased = erase(stranger, owner)
    changed = stranger.post(
        reverse("my_details", args=[owner.token]), details(email="thief@example.com")
    )
    shared = stranger.post(reverse("consent_answer", args=[owner.token]), {"share": "yes"})

    assert erase_page.status_code == details_page.status_code == 200
    assert "Confirm it is you" in erase_page.text
    assert "m•••@example.com" in details_page.text
    assert "mara@example.com" not in details_page.text
    assert "7946" not in details_page.text
    assert (erased.status_code, changed.status_code) == (403, 403)
    assert shared.status_code == 302
    assert shared["Location"] == (
        reverse("device_confirm", args=[owner.token]) + "?next_page=sharing"
    )
    assert_unchanged(owner)


def test_badge_photo_still_opens_the_ordinary_pages(owner, phone, stranger):
    for name in ("room", "leads", "pitch_edit", "room_itinerary", "room_received"):
        assert stranger.get(reverse(name, args=[owner.token])).status_code == 200
    assert_unchanged(owner)


def test_a_form_sent_straight_to_an_action_binds_no_device(owner):
    stranger = Client()

    response = erase(stranger, owner)

    assert response.status_code == 403
    assert Attendee.objects.get(pk=owner.pk).device_hash == ""
    assert_unchanged(owner)


def test_the_first_phone_keeps_working_after_reloads(owner, phone, stranger):
    stranger.get(reverse("room", args=[owner.token]))
    for _reload in range(3):
        assert phone.get(reverse("room", args=[owner.token])).status_code == 200

    changed = phone.post(
        reverse("my_details", args=[owner.token]), details(email="mara@example.org")
    )
    erased = erase(phone, owner)

    assert changed.status_code == 302
    assert erased.status_code == 200
    assert Attendee.objects.get(pk=owner.pk).erased_at is not None


def test_the_device_cookie_is_signed_httponly_and_lax(owner):
    response = Client().get(reverse("room", args=[owner.token]))

    cookie = response.cookies["speednet_device"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert ":" in cookie.value  # signed
    stored = Attendee.objects.get(pk=owner.pk).device_hash
    assert len(stored) == 64
    assert cookie.value.split(":")[0] not in stored


def test_a_forged_device_cookie_is_not_the_phone(owner, phone, stranger):
    stranger.cookies["speednet_device"] = phone.cookies["speednet_device"].value + "x"

    assert erase(stranger, owner).status_code == 403
    assert_unchanged(owner)


def test_code_mailed_and_accepted_makes_this_browser_the_confirmed_device(
    owner, phone, stranger, mailoutbox
):
    sent = send_code(stranger, owner, next_page="erase")
    code = mailed_code(mailoutbox)
    stored = Attendee.objects.get(pk=owner.pk)

    confirmed = enter_code(stranger, owner, code, next_page="erase")
    erased = erase(stranger, owner)

    assert sent.status_code == 302
    assert [message.to for message in mailoutbox] == [["mara@example.com"]]
    assert code not in stored.confirmation_code_hash
    assert len(stored.confirmation_code_hash) == 64
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("attendee_erase", args=[owner.token])
    assert erased.status_code == 200
    assert Attendee.objects.get(pk=owner.pk).erased_at is not None


def test_lost_phone_the_new_browser_takes_over_and_the_old_phone_no_longer_counts(
    owner, phone, stranger, mailoutbox
):
    new_phone = stranger
    send_code(new_phone, owner)

    enter_code(new_phone, owner, mailed_code(mailoutbox))
    from_lost_phone = phone.post(
        reverse("my_details", args=[owner.token]), details(email="lost@example.com")
    )
    from_new_phone = new_phone.post(
        reverse("my_details", args=[owner.token]), details(email="mara@example.org")
    )

    assert from_lost_phone.status_code == 403
    assert from_new_phone.status_code == 302
    assert Attendee.objects.get(pk=owner.pk).email == "mara@example.org"


def test_a_code_is_used_once(owner, phone, stranger, mailoutbox):
    send_code(stranger, owner)
    code = mailed_code(mailoutbox)
    enter_code(stranger, owner, code)

    again = enter_code(Client(), owner, code)

    assert again.status_code == 400
    assert "Ask for a code first." in again.text


def test_wrong_codes_are_counted_and_then_a_new_code_is_needed(owner, phone, stranger, mailoutbox):
    send_code(stranger, owner)
    code = mailed_code(mailoutbox)
    wrong = "000000" if code != "000000" else "111111"

    answers = [enter_code(stranger, owner, wrong) for _try in range(devices.CODE_TRIES)]
    right_too_late = enter_code(stranger, owner, code)

    assert [answer.status_code for answer in answers] == [400] * devices.CODE_TRIES
    assert "Wrong code. Tries left: 4." in answers[0].text
    assert "Wrong code. No tries left: ask for a new one." in answers[-1].text
    assert "Too many wrong codes. Ask for a new one." in right_too_late.text
    assert Attendee.objects.get(pk=owner.pk).confirmation_code_tries == devices.CODE_TRIES
    assert erase(stranger, owner).status_code == 403
    assert_unchanged(owner)
    Attendee.objects.filter(pk=owner.pk).update(
        confirmation_code_sent_at=timezone.now() - timedelta(minutes=2)
    )
    send_code(stranger, owner)
    assert enter_code(stranger, owner, mailed_code(mailoutbox)).status_code == 302


def test_an_expired_code_is_refused(owner, phone, stranger, mailoutbox):
    send_code(stranger, owner)
    code = mailed_code(mailoutbox)
    Attendee.objects.filter(pk=owner.pk).update(
        confirmation_code_sent_at=timezone.now() - timedelta(minutes=devices.CODE_VALID_MINUTES + 1)
    )

    response = enter_code(stranger, owner, code)

    assert response.status_code == 400
    assert "This code has expired. Ask for a new one." in response.text
    assert erase(stranger, owner).status_code == 403
    assert_unchanged(owner)


def test_a_new_code_waits_a_minute(owner, phone, stranger, mailoutbox):
    send_code(stranger, owner)

    again = send_code(stranger, owner)

    assert again.status_code == 400
    assert "A code was sent less than a minute ago" in again.text
    assert len(mailoutbox) == 1


def test_without_mail_the_phone_is_told_and_no_code_is_kept(owner, phone, stranger, settings):
    settings.EMAIL_BACKEND = "config.mail.MailOffBackend"  # the venue without EMAIL_HOST

    asked = send_code(stranger, owner)
    again = send_code(stranger, owner)

    assert (asked.status_code, again.status_code) == (400, 400)
    assert "The code could not be sent: mail is not working here." in asked.text
    assert "The code could not be sent" in again.text  # not "a code was sent a minute ago"
    fresh = Attendee.objects.get(pk=owner.pk)
    assert (fresh.confirmation_code_hash, fresh.confirmation_code_sent_at) == ("", None)


def test_an_empty_code_is_a_form_error(owner, phone, stranger, mailoutbox):
    send_code(stranger, owner)

    response = enter_code(stranger, owner, "  ")

    assert response.status_code == 400
    assert "Enter the code from your email." in response.text
    assert Attendee.objects.get(pk=owner.pk).confirmation_code_tries == 0


def test_without_an_email_the_other_browser_is_sent_to_the_organizer(mailoutbox):
    attendee = AttendeeFactory(email="")
    open_link(Client(), attendee.token)
    stranger = Client()

    page = stranger.get(reverse("attendee_erase", args=[attendee.token]))
    asked = send_code(stranger, attendee, next_page="erase")

    assert "has no email address to send a code to. Ask the organizer" in page.text
    assert f'id="attendee-{attendee.pk}-send-code"' not in page.text
    assert asked.status_code == 400
    assert mailoutbox == []
    assert erase(stranger, attendee).status_code == 403
    assert Attendee.objects.get(pk=attendee.pk).erased_at is None


def test_the_confirmation_page_and_code_mail_speak_chinese(mailoutbox):
    attendee = AttendeeFactory(email="li@example.com", event__language="zh-hans")
    open_link(Client(), attendee.token)
    stranger = Client()

    page = stranger.get(reverse("my_details", args=[attendee.token]))
    send_code(stranger, attendee)

    assert "确认是你本人" in page.text
    assert "验证码" in mailoutbox[0].subject


# The organizer's path, for someone with neither their phone nor their mailbox.


def test_organizer_forgets_the_lost_phone_and_the_next_browser_becomes_theirs(owner, phone):
    organizer = Client()
    organizer.force_login(owner.event.organizer)
    new_phone = Client()

    page = organizer.get(reverse("attendee_link", args=[owner.event_id, owner.pk]))
    forgotten = organizer.post(reverse("attendee_forget_device", args=[owner.event_id, owner.pk]))
    open_link(new_phone, owner.token)

    assert "A phone has opened this link" in page.text
    assert forgotten.status_code == 302
    assert erase(phone, owner).status_code == 403
    assert (
        new_phone.post(
            reverse("my_details", args=[owner.token]), details(email="mara@example.org")
        ).status_code
        == 302
    )


def test_organizer_erases_one_attendee_from_the_dashboard(owner, phone):
    organizer = Client()
    organizer.force_login(owner.event.organizer)
    url = reverse("attendee_erase_by_organizer", args=[owner.event_id, owner.pk])

    unticked = organizer.post(url, {})
    assert_unchanged(owner)
    ticked = organizer.post(url, {"is_confirmed": "on"})

    assert unticked.status_code == ticked.status_code == 302
    assert ticked["Location"] == reverse("attendee_list", args=[owner.event_id])
    assert Attendee.objects.get(pk=owner.pk).erased_at is not None


def test_another_organizer_can_neither_erase_nor_forget_the_phone(owner, phone):
    intruder = Client()
    intruder.force_login(UserFactory())
    args = [owner.event_id, owner.pk]

    erased = intruder.post(
        reverse("attendee_erase_by_organizer", args=args), {"is_confirmed": "on"}
    )
    forgotten = intruder.post(reverse("attendee_forget_device", args=args))
    anonymous = Client().post(reverse("attendee_forget_device", args=args))

    assert (erased.status_code, forgotten.status_code, anonymous.status_code) == (404, 404, 302)
    assert Attendee.objects.get(pk=owner.pk).device_hash != ""
    assert_unchanged(owner)


def test_co_organizer_cannot_erase_one_attendee_and_is_not_offered_it(owner, phone):
    """Erasing someone's data is the owner's (as the whole event's); a co-organizer may still
    forget a lost phone at the door."""
    helper = UserFactory()
    owner.event.co_organizers.add(helper)
    organizer = Client()
    organizer.force_login(helper)
    args = [owner.event_id, owner.pk]

    page = organizer.get(reverse("attendee_link", args=args))
    erased = organizer.post(
        reverse("attendee_erase_by_organizer", args=args), {"is_confirmed": "on"}
    )

    assert reverse("attendee_erase_by_organizer", args=args) not in page.text
    assert "Only the event's owner can delete an attendee's data." in page.text
    assert erased.status_code == 403
    assert_unchanged(owner)
    forgotten = organizer.post(reverse("attendee_forget_device", args=args))
    assert forgotten.status_code == 302


@pytest.mark.parametrize("page", ["room", "pitch_edit"])
@pytest.mark.parametrize("role", ["organizer", "co_organizer"])
def test_organizer_opening_a_link_first_leaves_the_device_to_the_attendees_phone(page, role):
    """An organizer checking a person's link from their laptop before the person does: the
    laptop is not the person's device, and the person's own phone opens the wish list after."""
    organizer = UserFactory()
    event = AttendeeFactory().event
    if role == "organizer":
        event.organizer = organizer
        event.save(update_fields=["organizer"])
    else:
        event.co_organizers.add(organizer)
    me = AttendeeFactory(event=event)
    laptop = Client()
    laptop.force_login(organizer)

    assert laptop.get(reverse(page, args=[me.token])).status_code == 200
    assert Attendee.objects.get(pk=me.pk).device_hash == ""

    phone = Client()
    open_link(phone, me.token)
    added = phone.post(reverse("wish_add", args=[me.token]), {"text": "a CFO"})
    assert added.status_code == 302
    assert list(me.wishes.values_list("text", flat=True)) == ["a CFO"]
    assert laptop.get(reverse("pitch_edit", args=[me.token])).context["is_wish_owner"] is False


def test_signed_in_user_not_organizing_the_event_becomes_the_device_as_anyone():
    """Signed in, but organizer of another event only: the first to open the link, as anyone."""
    other = UserFactory()
    AttendeeFactory(event__organizer=other)
    me = AttendeeFactory()
    browser = Client()
    browser.force_login(other)

    open_link(browser, me.token)

    assert Attendee.objects.get(pk=me.pk).device_hash != ""
    added = browser.post(reverse("wish_add", args=[me.token]), {"text": "a CFO"})
    assert added.status_code == 302
    phone = Client()
    open_link(phone, me.token)
    assert phone.get(reverse("pitch_edit", args=[me.token])).context["is_wish_owner"] is False


def test_the_rooms_sharing_answer_on_another_browser_is_kept_until_the_code_comes_back(
    owner, phone, stranger, mailoutbox
):
    """The room opened in a second browser: "Yes, share" is not lost; it asks for the code and,
    once the code is right, saves the answer and goes back to the room."""
    room = reverse("room", args=[owner.token])

    answered = stranger.post(
        reverse("consent_answer", args=[owner.token]), {"share": "yes"}, follow=True
    )
    before = Attendee.objects.get(pk=owner.pk).is_sharing_contact
    send_code(stranger, owner, next_page="sharing")
    confirmed = enter_code(stranger, owner, mailed_code(mailoutbox), next_page="sharing")

    assert "Your answer about sharing contact details is kept" in answered.text
    assert f'id="attendee-{owner.pk}-send-code"' in answered.text
    assert before is False
    assert confirmed["Location"] == room
    assert Attendee.objects.get(pk=owner.pk).is_sharing_contact is True
    assert f'id="attendee-{owner.pk}-consent"' not in stranger.get(room).text
