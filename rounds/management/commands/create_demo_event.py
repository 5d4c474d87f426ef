"""Create (or bring up to date) the demo event: an organizer, an event, 36 checked-in attendees
with pitches, and the rotation plan, ready for round 1.

Idempotent: running it again finds what it made before and only adds what is missing. A demo
event already played (its rounds started, mingle or closed) cannot take people any more: it is
kept, under a slug of its own, and a new demo event is made beside it.

The demo organizer is a superuser with a published password, so with DEBUG off the command
refuses to make or reset it: ``--organizer USERNAME`` puts the demo event under an existing
account instead, whose password is left alone.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify

from config.site import public_url
from events import services
from events.demo import DEMO_PASSWORD, DEMO_USERNAME, PEOPLE
from events.models import Event
from pitches import services as pitch_services
from rounds import services as round_services

DEMO_SLUG = "demo-speed-networking"


class Command(BaseCommand):
    help = "Create the demo event with 36 checked-in attendees and print how to sign in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--base-url",
            default=None,
            help="Where the server will answer, for the printed links (default: the public "
            "address, SPEEDNET_SITE_URL or the development server's).",
        )
        parser.add_argument(
            "--organizer",
            default=None,
            help="An existing username to own the demo event; without it a superuser "
            f"{DEMO_USERNAME!r} with the published password is made, in development only.",
        )

    @transaction.atomic
    def handle(
        self, *args: Any, base_url: str | None, organizer: str | None = None, **options: Any
    ) -> None:
        if organizer is not None:
            account = get_user_model().objects.filter(username=organizer).first()
            if account is None:
                raise CommandError(f"No account named {organizer!r}: create it first.")
        elif not settings.DEBUG:
            raise CommandError(
                f"DEBUG is off: refusing to create or reset the superuser {DEMO_USERNAME!r} with "
                "the published demo password. Pass --organizer USERNAME to put the demo event "
                "under an existing account."
            )
        else:
            account, _ = get_user_model().objects.get_or_create(
                username=DEMO_USERNAME,
                defaults={"email": "organizer@example.com", "is_staff": True, "is_superuser": True},
            )
            account.set_password(DEMO_PASSWORD)
            account.save(update_fields=["password"])

        event = Event.objects.filter(slug=DEMO_SLUG).first()
        if event is not None and event.status not in (Event.Status.DRAFT, Event.Status.CHECK_IN):
            played = event.get_status_display()
            event.slug = f"{DEMO_SLUG}-{event.pk}"
            event.save(update_fields=["slug"])
            self.stdout.write(
                f"The demo event #{event.pk} was played ({played}): it is kept, and a new "
                "demo event is made."
            )
            event = None
        if event is None:
            event = services.create_event(
                account,
                title="Demo Speed Networking Night",
                slug=DEMO_SLUG,
                venue="Town Hall, Room 2",
                starts_at=(timezone.now() + timedelta(hours=1)).replace(second=0, microsecond=0),
                rounds_count=6,
                round_seconds=180,
                # 36 people at 8 tables of 4–5: six rounds in which nobody meets twice.
                table_size=5,
                pitch_seconds=30,
            )
        if event.status == Event.Status.DRAFT:
            event = round_services.open_check_in(event, by=account)
        if not event.has_conduct:
            # The short default code of conduct: each phone accepts it once.
            with translation.override(event.language):
                text = services.default_conduct()
            event = services.set_conduct(event, text=text, is_mailing_reports=False, by=account)

        existing = {a.email: a for a in event.attendees.all()}
        created = 0
        for index, person in enumerate(PEOPLE):
            email = f"{slugify(person.name)}@example.com"
            attendee = existing.get(email)
            if attendee is None:
                attendee = services.add_attendee(
                    event,
                    name=person.name,
                    email=email,
                    company=person.company,
                    job_title=person.job_title,
                    is_consenting_to_share=True,
                )
                pitch_services.save_pitch(
                    attendee, need=person.need, offer=person.offer, ask=person.ask
                )
                # Demo people say yes to the guest list (a real attendee does on their own
                # phone), all but every sixth, so a wish list has people to pick and the
                # demo shows someone who said no.
                if index % 6 != 5:
                    services.set_guest_listing(attendee, is_listed=True)
                created += 1
            if not attendee.is_checked_in:
                services.check_in(attendee)

        if not event.rounds.exists():
            round_services.make_plan(event, by=account)

        base = (base_url or public_url()).rstrip("/")
        total = event.attendees.count()
        self.stdout.write(
            self.style.SUCCESS(f"Demo event “{event.title}”: {total} attendees ({created} new).")
        )
        self.stdout.write(f"  Organizer sign-in: {base}{reverse('login')}")
        self.stdout.write(f"  Live control: {base}{reverse('control', args=[event.pk])}")
        self.stdout.write(f"    username: {account.get_username()}")
        if organizer is None:
            self.stdout.write(f"    password: {DEMO_PASSWORD}")
        self.stdout.write(f"  Admin (staff accounts, for the records): {base}/admin/")
        self.stdout.write(f"  Join code: {event.join_code}")
        self.stdout.write(f"  Join link: {base}{reverse('join', args=[event.join_code])}")
        sample = event.attendees.order_by("pk").first()
        phone = reverse("room", args=[sample.token])
        self.stdout.write(f"  A demo attendee's phone ({sample.name}): {base}{phone}")
