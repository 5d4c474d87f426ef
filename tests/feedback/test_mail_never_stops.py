"""One bad value never stops mail for anyone else: poisoned values written straight to the
database (past any entry check), in the middle of a run, across two events of two organizers."""

from __future__ import annotations

from datetime import timedelta
from email.utils import getaddresses
from io import StringIO
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from events.models import Attendee, Event, LogEntry
from feedback import followups
from feedback.models import Digest
from tests.factories import AttendeeFactory, EventFactory, UserFactory
from tests.feedback import mail as test_mail

pytestmark = pytest.mark.django_db

FIELD_CASES = Path(__file__).parent / "field_cases"
TEMPLATES_DIR = Path(django_settings.BASE_DIR) / "templates"
BOOM = "Boom Template"


def closed_event(title: str, **fields) -> Event:
    return EventFactory(
        organizer=UserFactory(),
        title=title,
        status=Event.Status.CLOSED,
        closed_at=timezone.now() - timedelta(hours=1),
        **fields,
    )


def came(event: Event, name: str, email: str) -> Attendee:
    return AttendeeFactory(event=event, name=name, email=email, checked_in=True)


def poison(attendee: Attendee, **fields) -> None:
    """Write values straight to the database, as a script or an old row would have them."""
    Attendee.objects.filter(pk=attendee.pk).update(**fields)


def run() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("send_followups", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def later() -> None:
    """Let the retry wait pass, as the next cron runs would."""
    Digest.objects.update(claimed_at=timezone.now() - timedelta(days=1))


def sent_to(mailoutbox) -> list[str]:
    """The bare addresses the messages went to (what the SMTP envelope would name)."""
    return sorted(
        address for message in mailoutbox for _name, address in getaddresses(message.recipients())
    )


@pytest.fixture
def refusing(settings):
    settings.EMAIL_BACKEND = "tests.feedback.mail.RefusingBackend"
    yield test_mail.REFUSED
    test_mail.REFUSED.clear()


@pytest.fixture
def broken_template(settings):
    """The digest fails to render for one name (an include of a template that does not
    exist), as a template error in production would."""
    original = (TEMPLATES_DIR / "feedback/email/digest.txt").read_text()
    broken = (
        '{% if attendee.name == "' + BOOM + '" %}{% include "feedback/email/missing.txt" %}'
        "{% endif %}" + original
    )
    engine = {**settings.TEMPLATES[0]}
    engine["APP_DIRS"] = False
    engine["OPTIONS"] = {
        **engine["OPTIONS"],
        "loaders": [
            ("django.template.loaders.locmem.Loader", {"feedback/email/digest.txt": broken}),
            "django.template.loaders.filesystem.Loader",
            "django.template.loaders.app_directories.Loader",
        ],
    }
    settings.TEMPLATES = [engine]


@pytest.fixture
def two_poisoned_events(refusing, broken_template):
    """Two closed events of two organizers, each with good attendees before and after the
    poisoned ones. The first: a CR/LF name with a Bcc header, an address with an international
    (IDN) domain, an address no IDNA encoder takes, and an SMTP refusal. The second: a CR/LF
    title, and someone whose card fails to render (a template error)."""
    first = closed_event("Harbour night")
    second = closed_event("Night\r\nBcc: everyone@example.net")
    first_people = [
        came(first, "Ana", "ana@example.com"),
        came(first, "Mallory", "mallory@example.org"),
        came(first, "Li", "li@example.com"),
        came(first, "Xi", "xi@example.com"),
        came(first, "Ref Used", "refused@example.com"),
        came(first, "Zed", "zed@example.com"),
    ]
    poison(first_people[1], name="Mallory\nBcc: list@example.net")
    poison(first_people[2], email="li@例え.jp")
    poison(first_people[3], email="xi@" + "\u00df" * 70 + ".com")  # a label past 63 characters
    refusing.add("refused@example.com")
    second_people = [
        came(second, "Bo", "bo@example.com"),
        came(second, "Cy", "cy@example.com"),
        came(second, "Di", "di@example.com"),
    ]
    # The second event's template error comes from a name that renders it.
    poison(second_people[1], name=BOOM)
    return first, second


def test_send_followups_poisoned_values_fail_alone_across_two_events(
    mailoutbox, two_poisoned_events
):
    first, second = two_poisoned_events

    out, err = run()

    assert sent_to(mailoutbox) == [
        "ana@example.com",
        "bo@example.com",
        "di@example.com",
        "li@xn--r8jz45g.jp",
        "mallory@example.org",
        "zed@example.com",
    ]
    assert out == (
        f"Harbour night (#{first.pk}) digests: 4 sent, 0 skipped, 2 failed\n"
        # a title cannot forge a line of the report
        f"Night Bcc: everyone@example.net (#{second.pk}) digests: 2 sent, 0 skipped, 1 failed\n"
    )
    failures = err.splitlines()
    assert len(failures) == 3
    assert failures[0].startswith("  failed: xi@")
    assert "UnsendableAddress: " in failures[0]
    assert "is not a valid domain." in failures[0]
    assert failures[1] == (
        "  failed: refused@example.com: SMTPRecipientsRefused: "
        "{'Ref Used <refused@example.com>': (550, b'No such user')}"
    )
    assert failures[2].startswith(
        "  failed: cy@example.com: TemplateDoesNotExist: feedback/email/missing.txt"
    )


def test_send_followups_headers_stay_one_line_whatever_the_values(mailoutbox, two_poisoned_events):
    run()

    headers = {message.to[0]: message.message() for message in mailoutbox}
    mallory = headers['"Mallory Bcc: list@example.net" <mallory@example.org>']
    night = headers["Bo <bo@example.com>"]
    assert mallory["Bcc"] is None
    assert night["Bcc"] is None
    assert night["Subject"] == "Your follow-ups from Night Bcc: everyone@example.net"
    for message in headers.values():
        assert "list@example.net" not in message.get_all("To", [""])[0].split("<")[-1]
        assert message.get_all("Bcc") is None


def test_send_followups_failures_are_recorded_on_each_claim_and_in_the_event_log(
    mailoutbox, two_poisoned_events
):
    first, second = two_poisoned_events

    run()

    claims = {
        claim.attendee.name: (claim.status, claim.attempts, claim.error.split(":")[0])
        for claim in Digest.objects.select_related("attendee")
    }
    assert claims == {
        "Ana": ("sent", 1, ""),
        "Mallory\nBcc: list@example.net": ("sent", 1, ""),
        "Li": ("sent", 1, ""),
        "Xi": ("failed", 1, "UnsendableAddress"),
        "Ref Used": ("failed", 1, "SMTPRecipientsRefused"),
        "Zed": ("sent", 1, ""),
        "Bo": ("sent", 1, ""),
        BOOM: ("failed", 1, "TemplateDoesNotExist"),
        "Di": ("sent", 1, ""),
    }
    logged = LogEntry.objects.filter(action="mail_failed")
    assert sorted((entry.event_id, entry.message.split(" failed")[0]) for entry in logged) == [
        (first.pk, "digest to Ref Used <refused@example.com>"),
        (first.pk, "digest to Xi <xi@" + "\u00df" * 70 + ".com>"),
        (second.pk, f"digest to {BOOM} <cy@example.com>"),
    ]
    assert all("\n" not in entry.message and "\r" not in entry.message for entry in logged)


def test_send_followups_retries_a_failed_message_a_bounded_number_of_times(mailoutbox, refusing):
    event = closed_event("Harbour night")
    came(event, "Ana", "ana@example.com")
    came(event, "Bo", "bo@example.com")
    refusing.add("bo@example.com")

    outs = []
    for _ in range(Digest.MAX_ATTEMPTS + 1):
        outs.append(run()[0])
        later()

    assert outs == [
        f"Harbour night (#{event.pk}) digests: 1 sent, 0 skipped, 1 failed\n",
        f"Harbour night (#{event.pk}) digests: 0 sent, 1 skipped (1 already sent), 1 failed\n",
        f"Harbour night (#{event.pk}) digests: 0 sent, 1 skipped (1 already sent), 1 failed\n",
        f"Harbour night (#{event.pk}) digests: 0 sent, 2 skipped (1 already sent, 1 gave up), "
        "0 failed\n",
    ]
    claim = Digest.objects.get(attendee__email="bo@example.com")
    assert (claim.status, claim.attempts) == ("failed", Digest.MAX_ATTEMPTS)
    assert sent_to(mailoutbox) == ["ana@example.com"]


def test_send_followups_a_retry_after_the_fault_is_fixed_sends_once(mailoutbox, refusing):
    event = closed_event("Harbour night")
    bo = came(event, "Bo", "bo@example.com")
    refusing.add("bo@example.com")

    run()
    refusing.clear()
    waiting, _ = run()
    later()
    out, _ = run()
    again, _ = run()

    assert "0 sent, 1 skipped (1 waiting to retry), 0 failed" in waiting
    assert out == f"Harbour night (#{event.pk}) digests: 1 sent, 0 skipped, 0 failed\n"
    assert "1 skipped (1 already sent)" in again
    claim = Digest.objects.get(attendee=bo)
    assert (claim.status, claim.attempts, claim.error) == ("sent", 2, "")
    assert claim.sent_at is not None
    assert sent_to(mailoutbox) == ["bo@example.com"]


def test_send_followups_a_message_being_sent_by_another_run_is_not_sent_again(mailoutbox):
    event = closed_event("Harbour night")
    bo = came(event, "Bo", "bo@example.com")
    Digest.objects.create(attendee=bo, kind="digest", status="sending", sent_at=None)

    out, _ = run()

    assert "0 sent, 1 skipped (1 being sent), 0 failed" in out
    assert mailoutbox == []


def test_send_followups_takes_over_a_claim_left_by_a_run_that_was_killed(mailoutbox):
    """A run killed mid-send (cron's timeout, a restart) leaves its claim "being sent"; once it
    is older than any real send, a later run sends the message instead of skipping it for ever."""
    event = closed_event("Harbour night")
    bo = came(event, "Bo", "bo@example.com")
    long_ago = timezone.now() - followups.STALE_CLAIM - timedelta(minutes=1)
    Digest.objects.create(
        attendee=bo, kind="digest", status="sending", attempts=1, claimed_at=long_ago
    )

    out, _ = run()

    assert "1 sent, 0 skipped, 0 failed" in out
    assert sent_to(mailoutbox) == ["bo@example.com"]
    claim = Digest.objects.get(attendee=bo)
    assert (claim.status, claim.attempts) == ("sent", 2)


def test_send_followups_an_unreachable_mail_server_costs_no_attempt(settings, mailoutbox):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    event = closed_event("Harbour night")
    came(event, "Bo", "bo@example.com")

    out, err = run()

    assert out == f"Harbour night (#{event.pk}) digests: 0 sent, 0 skipped, 1 failed\n"
    assert err.startswith("  failed: (mail server): ConnectionRefusedError")
    assert not Digest.objects.exists()


# The field case: a join request whose name holds a newline and a header.


def field_case_name() -> tuple[str, str]:
    lines = (FIELD_CASES / "join-post-newline-name.txt").read_text().splitlines()
    body = next(line for line in lines if line and not line.startswith("#"))
    fields = parse_qs(body)
    return fields["name"][0], fields["email"][0]


def test_field_case_join_post_newline_name_never_breaks_the_mail(mailoutbox):
    name, email = field_case_name()
    event = closed_event("Harbour night")
    came(event, "Ana", "ana@example.com")
    poisoned = came(event, "placeholder", "placeholder@example.com")
    poison(poisoned, name=name, email=email)
    came(event, "Zed", "zed@example.com")
    assert name == "Mallory\nBcc: list@example.net"

    out, err = run()

    assert out == f"Harbour night (#{event.pk}) digests: 3 sent, 0 skipped, 0 failed\n"
    assert err == ""
    assert sent_to(mailoutbox) == ["ana@example.com", "m@example.org", "zed@example.com"]
    mallory = next(m for m in mailoutbox if m.to[0].endswith("<m@example.org>")).message()
    assert mallory["To"] == '"Mallory Bcc: list@example.net" <m@example.org>'
    assert mallory["Bcc"] is None
    assert "Hello Mallory\nBcc: list@example.net," in mallory.get_payload()[0].get_payload(
        decode=True
    ).decode("utf-8")


def test_send_once_a_build_error_leaves_a_failed_claim_and_raises_one_line(db):
    attendee = came(closed_event("Harbour night"), "Ana", "ana@example.com")

    def build(person):
        raise ValueError("bad\r\nvalue")

    with pytest.raises(followups.MessageFailed) as failure:
        followups.send_once(attendee, Digest.Kind.DIGEST, build)

    assert failure.value.reason == "ValueError: bad value"
    claim = Digest.objects.get()
    assert (claim.status, claim.error) == ("failed", "ValueError: bad value")


def test_event_report_shows_the_organizer_each_failed_message_with_its_reason(
    client, mailoutbox, refusing
):
    event = closed_event("Harbour night")
    came(event, "Ana", "ana@example.com")
    came(event, "Bo", "bo@example.com")
    refusing.add("bo@example.com")
    run()
    client.force_login(event.organizer)

    page = client.get(reverse("event_report", args=[event.pk]))

    mail = page.context["mail"]
    assert mail.sent == 1
    assert [(f.attendee.name, f.attempts, f.is_final) for f in mail.failures] == [("Bo", 1, False)]
    assert "SMTPRecipientsRefused" in page.text
    assert "tried again on the next run" in page.text


def test_claim_waits_longer_before_each_retry(refusing):
    event = closed_event("Harbour night")
    bo = came(event, "Bo", "bo@example.com")
    refusing.add("bo@example.com")
    failed = Digest.objects.create(
        attendee=bo, kind="digest", status="failed", attempts=2, sent_at=None, error="x"
    )
    at = failed.claimed_at

    assert failed.retry_at == at + timedelta(minutes=20)
    assert followups.claim(bo, "digest", now=at + timedelta(minutes=19)) is None
    retried = followups.claim(bo, "digest", now=at + timedelta(minutes=20))
    assert (retried.status, retried.attempts) == ("sending", 3)


def test_admin_try_again_gives_failed_messages_their_attempts_back(client, mailoutbox, refusing):
    event = closed_event("Harbour night")
    came(event, "Bo", "bo@example.com")
    came(event, "Cy", "cy@example.com")
    refusing.add("bo@example.com")
    for _ in range(Digest.MAX_ATTEMPTS):
        run()
        later()
    refusing.clear()
    organizer = event.organizer
    organizer.is_staff = True
    organizer.is_superuser = True
    organizer.save()
    client.force_login(organizer)
    rows = list(Digest.objects.values_list("pk", flat=True))

    client.post(
        reverse("admin:feedback_digest_changelist"),
        {"action": "try_again", "_selected_action": rows},
    )
    out, _ = run()

    assert "1 sent, 1 skipped (1 already sent), 0 failed" in out
    assert sent_to(mailoutbox) == ["bo@example.com", "cy@example.com"]
    assert Digest.objects.get(attendee__name="Bo").attempts == 1


def test_send_followups_with_mail_off_sends_nothing_and_keeps_everything_due(settings, mailoutbox):
    """A production server without EMAIL_HOST: nothing counts as sent, no attempt is used, and
    once mail is configured the next run sends the digests."""
    settings.EMAIL_BACKEND = "config.mail.MailOffBackend"
    event = closed_event("Harbour night")
    came(event, "Bo", "bo@example.com")

    out, err = run()

    assert "0 sent" in out
    assert "mail is off: set EMAIL_HOST" in err
    assert not Digest.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    out, _ = run()
    assert "1 sent" in out
    assert sent_to(mailoutbox) == ["bo@example.com"]
