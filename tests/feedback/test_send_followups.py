from __future__ import annotations

import smtplib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from events.models import Attendee
from feedback import followups
from feedback.models import Digest, Introduction
from tests.factories import (
    AttendeeFactory,
    CardFactory,
    DigestFactory,
    EventFactory,
    IntroductionFactory,
    RoundFactory,
)
from tests.feedback import mail as test_mail

pytestmark = pytest.mark.django_db


def closed(minutes_ago: float, **fields):
    return EventFactory(
        closed=True, closed_at=timezone.now() - timedelta(minutes=minutes_ago), **fields
    )


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("send_followups", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def recipients(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


@pytest.fixture
def refusing(settings):
    settings.EMAIL_BACKEND = "tests.feedback.mail.RefusingBackend"
    yield test_mail.REFUSED
    test_mail.REFUSED.clear()


def test_send_followups_sends_each_digest_once_over_two_runs(mailoutbox):
    event = closed(60, title="Harbour night")
    ana = AttendeeFactory(checked_in=True, event=event, name="Ana", email="ana@example.com")
    AttendeeFactory(checked_in=True, event=event, name="Bo", email="bo@example.com")

    first, _ = run()
    second, _ = run()

    assert recipients(mailoutbox) == ["Ana <ana@example.com>", "Bo <bo@example.com>"]
    assert first == f"Harbour night (#{event.pk}) digests: 2 sent, 0 skipped, 0 failed\n"
    assert second == (
        f"Harbour night (#{event.pk}) digests: 0 sent, 2 skipped (2 already sent), 0 failed\n"
    )
    assert Digest.objects.filter(attendee=ana, kind="digest").count() == 1


def test_send_followups_skips_no_email_unsubscribed_and_erased(mailoutbox):
    event = closed(60, title="Harbour night")
    AttendeeFactory(checked_in=True, event=event, email="")
    AttendeeFactory(checked_in=True, event=event, unsubscribed_at=timezone.now())
    AttendeeFactory(checked_in=True, event=event, erased_at=timezone.now())
    AttendeeFactory(checked_in=True, event=event, email="ok@example.com", name="Ok")

    out, _ = run()

    assert recipients(mailoutbox) == ["Ok <ok@example.com>"]
    assert out == (
        f"Harbour night (#{event.pk}) digests: 1 sent, "
        "3 skipped (1 no email, 1 unsubscribed, 1 erased), 0 failed\n"
    )
    assert Digest.objects.count() == 1


@pytest.mark.parametrize("fields", [{"live": True}, {"mingle": True}])
def test_send_followups_sends_nothing_for_an_event_not_closed(mailoutbox, fields):
    AttendeeFactory(checked_in=True, event=EventFactory(**fields))

    out, _ = run()

    assert (out, mailoutbox) == ("", [])


def test_send_followups_waits_for_the_grace(mailoutbox):
    event = closed(10)
    AttendeeFactory(checked_in=True, event=event)

    default, _ = run()
    shorter, _ = run("--grace-minutes", "5")

    assert default == ""
    assert len(mailoutbox) == 1
    assert "1 sent" in shorter


def test_send_followups_still_sends_a_few_days_late_but_not_after_a_week(mailoutbox):
    late = closed(60 * 24 * 6)
    AttendeeFactory(checked_in=True, event=late, email="late@example.com")
    too_late = closed(60 * 24 * 8)
    AttendeeFactory(checked_in=True, event=too_late, email="stale@example.com")

    run()
    out, _ = run("--event", str(too_late.pk))

    assert [message.to[0].endswith("<late@example.com>") for message in mailoutbox] == [True]
    assert "closed more than 7 days ago, too late for digests" in out


def test_send_followups_event_option_limits_to_one_event(mailoutbox):
    one, other = closed(60), closed(60)
    AttendeeFactory(checked_in=True, event=one, email="one@example.com")
    AttendeeFactory(checked_in=True, event=other, email="other@example.com")

    out, _ = run("--event", str(one.pk))

    assert [message.to[0].endswith("<one@example.com>") for message in mailoutbox] == [True]
    assert f"(#{one.pk})" in out
    assert f"(#{other.pk})" not in out


def test_send_followups_event_option_refuses_an_unknown_event():
    with pytest.raises(CommandError, match="There is no event 999"):
        run("--event", "999")


def test_send_followups_event_option_says_why_an_open_event_gets_nothing(mailoutbox):
    event = EventFactory(live=True)

    out, _ = run("--event", str(event.pk))

    assert out == f"{event.title} (#{event.pk}): not closed, no digests yet.\n"


def test_send_followups_dry_run_prints_and_sends_nothing(mailoutbox):
    event = closed(60, title="Harbour night")
    AttendeeFactory(checked_in=True, event=event, email="ana@example.com")

    out, _ = run("--dry-run")

    assert out == (
        f"Harbour night (#{event.pk}) digests: 1 would be sent, 0 skipped, 0 failed\n"
        "  would send to ana@example.com\n"
    )
    assert mailoutbox == []
    assert not Digest.objects.exists()


def test_send_followups_reports_a_failed_send_and_sends_it_next_run(mailoutbox, refusing):
    event = closed(60, title="Harbour night")
    for name in ("ana", "bo", "cy"):
        AttendeeFactory(
            checked_in=True, event=event, name=name.title(), email=f"{name}@example.com"
        )
    refusing.add("bo@example.com")

    out, err = run()
    refusing.clear()
    Digest.objects.update(claimed_at=timezone.now() - timedelta(minutes=11))
    again, _ = run()

    assert out == f"Harbour night (#{event.pk}) digests: 2 sent, 0 skipped, 1 failed\n"
    assert err == (
        "  failed: bo@example.com: SMTPRecipientsRefused: "
        "{'Bo <bo@example.com>': (550, b'No such user')}\n"
    )
    assert "1 sent, 2 skipped (2 already sent), 0 failed" in again
    assert recipients(mailoutbox) == [
        "Ana <ana@example.com>",
        "Bo <bo@example.com>",
        "Cy <cy@example.com>",
    ]
    assert Digest.objects.count() == 3


def test_send_digest_a_failed_send_is_recorded_on_the_claim(refusing):
    attendee = AttendeeFactory(checked_in=True, event=closed(60), name="Bo", email="bo@example.com")
    refusing.add("bo@example.com")

    with pytest.raises(followups.MessageFailed) as failure:
        followups.send_digest(attendee)

    assert isinstance(failure.value.__cause__, smtplib.SMTPRecipientsRefused)
    claim = Digest.objects.get()
    assert (claim.status, claim.attempts, claim.sent_at) == ("failed", 1, None)
    assert claim.error == ("SMTPRecipientsRefused: {'Bo <bo@example.com>': (550, b'No such user')}")


def test_send_digest_twice_sends_once(mailoutbox):
    attendee = AttendeeFactory(checked_in=True, event=closed(60))

    assert followups.send_digest(attendee) is True
    assert followups.send_digest(attendee) is False
    assert len(mailoutbox) == 1


# The reminder


@pytest.fixture
def promise():
    """An open introduction promised by an attendee whose digest went out 8 days ago."""
    event = closed(60 * 24 * 9, title="Harbour night")
    round_ = RoundFactory(event=event, number=1, done=True)
    introducer = AttendeeFactory(checked_in=True, event=event, name="Ina", email="ina@example.com")
    card = CardFactory(round=round_, giver=introducer, introduce=True)
    introduction = IntroductionFactory(card=card)
    for attendee in event.attendees.all():
        DigestFactory(attendee=attendee)
    Digest.objects.update(sent_at=timezone.now() - timedelta(days=8))
    return introduction


def reminders(mailoutbox) -> list[str]:
    return [m.to[0] for m in mailoutbox if m.subject.startswith("The introductions you promised")]


def test_send_followups_reminds_an_open_promise_once_and_stamps_it(mailoutbox, promise):
    first, _ = run()
    second, _ = run()

    event = promise.card.round.event
    assert reminders(mailoutbox) == ["Ina <ina@example.com>"]
    assert first == f"Harbour night (#{event.pk}) reminders: 1 sent, 0 skipped, 0 failed\n"
    assert "0 sent, 1 skipped (1 already sent)" in second
    promise.refresh_from_db()
    assert promise.reminded_at is not None
    assert Digest.objects.filter(kind="reminder").count() == 1


def test_send_followups_reminder_to_an_unconfirmed_email_carries_no_ones_contact_details(
    mailoutbox, promise
):
    """The digest's rule holds for the reminder too: an address typed at the event and never
    confirmed may be a stranger's; the pitcher's email and phone stay out, and it says why."""
    Attendee.objects.filter(pk=promise.card.giver_id).update(
        is_email_unconfirmed=True, is_consenting_to_share=True, consent_decided_at=timezone.now()
    )
    Attendee.objects.filter(pk=promise.card.receiver_id).update(
        email="pia@example.com",
        phone="+1 555 0199",
        is_consenting_to_share=True,
        consent_decided_at=timezone.now(),
    )

    run()

    [message] = [m for m in mailoutbox if m.subject.startswith("The introductions you promised")]
    [(html, _)] = message.alternatives
    for body in (message.body, html):
        assert "pia@example.com" not in body
        assert "+1 555 0199" not in body
        assert "Contact details are not in this mail: this email address was typed" in body


def test_send_followups_reminds_an_accepted_promise(mailoutbox, promise):
    Introduction.objects.update(status="accepted", accepted_at=timezone.now())

    run()

    assert reminders(mailoutbox) == ["Ina <ina@example.com>"]


def test_send_followups_reminds_nobody_before_seven_days(mailoutbox, promise):
    Digest.objects.update(sent_at=timezone.now() - timedelta(days=6, hours=23))

    out, _ = run()

    assert (out, reminders(mailoutbox)) == ("", [])


def test_send_followups_reminds_nobody_two_weeks_after_the_digest(mailoutbox, promise):
    Digest.objects.update(sent_at=timezone.now() - timedelta(days=15))

    run()

    assert reminders(mailoutbox) == []


@pytest.mark.parametrize(
    "status", [("made", "made_at"), ("declined", "declined_at"), ("met", "met_at")]
)
def test_send_followups_reminds_nobody_without_an_open_promise(mailoutbox, promise, status):
    name, stamp = status
    Introduction.objects.update(status=name, **{stamp: timezone.now()})

    run()

    assert reminders(mailoutbox) == []
    assert not Digest.objects.filter(kind="reminder").exists()


def test_send_followups_reminds_only_the_introducer(mailoutbox, promise):
    run()

    assert reminders(mailoutbox) == ["Ina <ina@example.com>"]
    pitcher = promise.card.receiver
    assert not pitcher.digests.filter(kind="reminder").exists()


def test_send_followups_reminds_nobody_without_a_digest(mailoutbox, promise):
    Digest.objects.all().delete()

    run("--event", str(promise.card.round.event_id))

    assert reminders(mailoutbox) == []


def test_send_followups_reminds_nobody_unsubscribed(mailoutbox, promise):
    Attendee.objects.filter(pk=promise.card.giver_id).update(unsubscribed_at=timezone.now())

    out, _ = run()

    assert reminders(mailoutbox) == []
    assert "1 skipped (1 unsubscribed)" in out
