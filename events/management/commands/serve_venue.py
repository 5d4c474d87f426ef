"""Serve the event from this laptop to the phones on the venue Wi-Fi (``make venue``).

Listens on every interface, prints the address phones use ("Phones join at
http://192.168.1.20:8000/join/ABC123/") with a QR code of it in the terminal, then replaces
itself with daphne. The daphne process is told where it listens (``SPEEDNET_BIND``,
``SPEEDNET_PORT``), so its QR codes, printed links and projector show the same address, and runs
in venue mode (``SPEEDNET_VENUE=1``, config/venue.py): DEBUG off, so that no phone on the Wi-Fi
ever sees a traceback, with plain HTTP, SQLite and the in-memory channel layer allowed.
"""

from __future__ import annotations

import io
import os
import socket
import sys
from typing import Any

import segno
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils import timezone

from config import network, site
from config import venue as config_venue
from events import queries
from events.demo import DEMO_PASSWORD, DEMO_USERNAME


def check_port_free(bind: str, port: int) -> None:
    """Raise ``CommandError`` when another program already listens on ``bind``:``port``."""
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((bind, port))
        except OSError as error:
            raise CommandError(
                f"Cannot listen on port {port} ({error.strerror}): another server is running. "
                f"Stop it, or choose another port: make venue PORT={port + 1}"
            ) from None


def terminal_qr(text: str) -> str:
    """A QR code of ``text`` in Unicode half blocks, two rows of modules per line: light
    modules are drawn, so it reads right on the usual dark terminal."""
    out = io.StringIO()
    segno.make(text, error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue()


def has_demo_sign_in() -> bool:
    """True when the demo organizer (whose password ``make run`` prints) can still sign in."""
    user = get_user_model().objects.filter(username=DEMO_USERNAME).first()
    return user is not None and user.check_password(DEMO_PASSWORD)


class Command(BaseCommand):
    help = (
        "Serve on every interface for the phones on the venue Wi-Fi; print the address they "
        "join at and its QR code."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=site.DEFAULT_PORT)
        parser.add_argument(
            "--bind", default="0.0.0.0", help="Address to listen on (default: every interface)."
        )
        parser.add_argument(
            "--print-only",
            action="store_true",
            help="Print the address and the QR code, then exit without serving.",
        )

    def handle(self, *args: Any, port: int, bind: str, print_only: bool, **options: Any) -> None:
        environ = {
            **os.environ,
            "SPEEDNET_BIND": bind,
            "SPEEDNET_PORT": str(port),
            config_venue.VENUE_VARIABLE: "1",
        }
        try:
            # The address the server started below will compute from the same environment.
            debug, venue = config_venue.read_mode(environ)
            site_url = site.read_public_url(environ, debug=debug or venue, network=network.detect())
            site.check_mail_settings(environ, debug=debug, site_url=site_url)
        except ImproperlyConfigured as error:  # a bad --bind or --port, DJANGO_DEBUG=true, mail
            raise CommandError(str(error)) from None
        if not print_only:
            check_port_free(bind, port)
        self.announce(site_url)
        if print_only:
            return
        self.stdout.flush()
        sys.stderr.flush()
        daphne = [sys.executable, "-m", "daphne", "--bind", bind, "--port", str(port)]
        os.execve(sys.executable, [*daphne, "config.asgi:application"], environ)

    def announce(self, site_url: str) -> None:
        """Print where phones join, a QR code of it, and what would stop them."""
        events = queries.events_at_the_door(now=timezone.now())
        main = queries.join_url(events[0], site_url=site_url) if events else site_url + "/join/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Phones join at {main}"))
        if events:
            self.stdout.write(f"  ({events[0].title}, code {events[0].join_code})")
        for event in events[1:]:
            url = queries.join_url(event, site_url=site_url)
            self.stdout.write(f"  Also: {event.title}: {url}")
        self.stdout.write(terminal_qr(main), ending="")
        self.stdout.write(f"Organizer pages: {site_url}{reverse('event_list')}")
        host = site.unreachable_host(site_url)
        if host is not None:
            self.stderr.write(
                self.style.WARNING(
                    f"Phones cannot reach {host}: connect this laptop to the venue Wi-Fi (or a "
                    "phone hotspot) and start again, or set SPEEDNET_SITE_URL."
                )
            )
        else:
            self.stdout.write(
                "Test with one phone on the same Wi-Fi first. If it cannot open the page, the "
                "Wi-Fi isolates its clients: see “At the venue” in docs/deployment.md."
            )
        if has_demo_sign_in():
            self.stderr.write(
                self.style.WARNING(
                    f"The demo sign-in ({DEMO_USERNAME} / {DEMO_PASSWORD}) works for everyone on "
                    "this network: change its password with "
                    f"`manage.py changepassword {DEMO_USERNAME}`."
                )
            )
        self.stdout.write("")
