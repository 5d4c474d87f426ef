"""``make venue``: serve on every interface and print where phones join, with a QR code."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from email.message import Message
from http.cookiejar import CookieJar
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import (
    HTTPCookieProcessor,
    HTTPRedirectHandler,
    OpenerDirector,
    Request,
    build_opener,
    urlopen,
)

import pytest
import websockets
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from config import network
from config import venue as config_venue
from events import queries
from events.demo import DEMO_PASSWORD, DEMO_USERNAME
from tests import qr
from tests.factories import AttendeeFactory, EventFactory, UserFactory
from tests.live import database_url, free_port

ROOT = Path(__file__).resolve().parents[2]
JOIN_LINE = re.compile(r"Phones join at (http://\S+)")
STARTUP_SECONDS = 30


def lan_url(port: int) -> str:
    """What the venue server should print on this machine (loopback when it has no network)."""
    return f"http://{network.detect().lan_address or '127.0.0.1'}:{port}"


def serve(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("serve_venue", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def no_site_url(monkeypatch):
    monkeypatch.delenv("SPEEDNET_SITE_URL", raising=False)
    monkeypatch.delenv("SITE_URL", raising=False)


@pytest.mark.django_db
def test_serve_venue_prints_the_lan_join_link_and_its_terminal_qr_code(no_site_url):
    EventFactory(check_in=True, join_code="CG26VP", title="Founders Night")

    out, _ = serve("--print-only", "--port", "8123")

    join_url = f"{lan_url(8123)}/join/CG26VP/"
    assert f"Phones join at {join_url}\n  (Founders Night, code CG26VP)\n" in out
    assert qr.decode_terminal(out) == [join_url]
    assert f"Organizer pages: {lan_url(8123)}/events/" in out


@pytest.mark.django_db
def test_serve_venue_prints_the_configured_address_when_there_is_one(monkeypatch):
    monkeypatch.setenv("SPEEDNET_SITE_URL", "https://speednet.example.com/")
    EventFactory(live=True, join_code="CG26VP")

    out, err = serve("--print-only")

    assert "Phones join at https://speednet.example.com/join/CG26VP/" in out
    assert qr.decode_terminal(out) == ["https://speednet.example.com/join/CG26VP/"]
    assert err == ""


@pytest.mark.django_db
def test_serve_venue_without_an_event_points_phones_at_the_code_page(no_site_url):
    out, _ = serve("--print-only", "--port", "8123")

    assert f"Phones join at {lan_url(8123)}/join/\n" in out
    assert qr.decode_terminal(out) == [f"{lan_url(8123)}/join/"]


@pytest.mark.django_db
def test_serve_venue_lists_the_other_open_events(no_site_url):
    soon = timezone.now() + timedelta(hours=2)
    EventFactory(join_code="DRAFT2", title="Draft night", starts_at=soon)
    EventFactory(live=True, join_code="LIVE01", title="Live night")

    out, _ = serve("--print-only", "--port", "8123")

    assert f"Phones join at {lan_url(8123)}/join/LIVE01/\n" in out
    assert f"  Also: Draft night: {lan_url(8123)}/join/DRAFT2/\n" in out


@pytest.mark.django_db
def test_serve_venue_on_loopback_warns_that_phones_cannot_reach_it(no_site_url):
    _, err = serve("--print-only", "--bind", "127.0.0.1")

    assert "Phones cannot reach 127.0.0.1: connect this laptop to the venue Wi-Fi" in err


@pytest.mark.django_db
def test_serve_venue_warns_while_the_demo_sign_in_still_works(no_site_url):
    demo = UserFactory(username=DEMO_USERNAME)
    demo.set_password(DEMO_PASSWORD)
    demo.save()
    _, warned = serve("--print-only")
    demo.set_password("a-better-password-for-tonight")
    demo.save()
    _, quiet = serve("--print-only")

    assert f"The demo sign-in ({DEMO_USERNAME} / {DEMO_PASSWORD}) works for everyone" in warned
    assert "demo sign-in" not in quiet


@pytest.mark.django_db
def test_serve_venue_refuses_a_port_in_use_before_printing(no_site_url, monkeypatch):
    def never_exec(*args):
        raise AssertionError("serve_venue tried to start daphne")

    monkeypatch.setattr(os, "execve", never_exec)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = StringIO()

        with pytest.raises(CommandError, match=f"Cannot listen on port {port}"):
            call_command("serve_venue", "--bind", "127.0.0.1", "--port", str(port), stdout=out)

    assert out.getvalue() == ""


@pytest.mark.django_db
def test_serve_venue_starts_daphne_in_venue_mode(no_site_url, monkeypatch):
    started = []
    monkeypatch.delenv("DJANGO_DEBUG", raising=False)
    monkeypatch.setattr(os, "execve", lambda path, argv, environ: started.append((argv, environ)))
    port = free_port()

    serve("--bind", "127.0.0.1", "--port", str(port))

    [(argv, environ)] = started
    assert argv[-5:] == ["--bind", "127.0.0.1", "--port", str(port), "config.asgi:application"]
    assert environ["SPEEDNET_VENUE"] == "1"
    assert config_venue.read_mode(environ) == (False, True)


@pytest.mark.django_db
def test_serve_venue_refuses_debug_on_before_starting(no_site_url, monkeypatch):
    def never_exec(*args):
        raise AssertionError("serve_venue tried to start daphne")

    monkeypatch.setattr(os, "execve", never_exec)
    monkeypatch.setenv("DJANGO_DEBUG", "true")

    with pytest.raises(CommandError, match="venue mode serves the room with DEBUG off"):
        serve("--bind", "127.0.0.1", "--port", str(free_port()))


@pytest.mark.django_db
def test_serve_venue_refuses_mail_with_links_to_the_lan_before_printing(no_site_url, monkeypatch):
    monkeypatch.setenv("EMAIL_HOST", "smtp.example.com")
    monkeypatch.setenv("DEFAULT_FROM_EMAIL", "speednet <noreply@events.example.com>")
    out = StringIO()

    with pytest.raises(CommandError, match="points at this machine or this network"):
        call_command("serve_venue", "--print-only", "--bind", "192.168.1.20", stdout=out)

    assert out.getvalue() == ""


@pytest.mark.django_db
def test_serve_venue_refuses_a_bind_that_is_not_an_address(no_site_url):
    with pytest.raises(CommandError, match="SPEEDNET_BIND='venue-laptop' is not an IP address"):
        serve("--print-only", "--bind", "venue-laptop")


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_events_at_the_door_open_events_first_no_closed_or_old_drafts(
    count, django_assert_num_queries
):
    now = timezone.now()
    EventFactory(closed=True)
    EventFactory(starts_at=now - timedelta(days=3))
    drafts = [EventFactory(starts_at=now + timedelta(hours=i + 1)) for i in range(count)]
    live = EventFactory(live=True, starts_at=now + timedelta(days=5))

    with django_assert_num_queries(1):
        found = queries.events_at_the_door(now=now, limit=10)

    assert found == [live, *drafts]


def test_makefile_venue_runs_serve_venue_on_the_given_port():
    if shutil.which("make") is None:
        pytest.skip("no make")

    result = subprocess.run(
        ["make", "-n", "venue", "PORT=8123"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )

    assert ".venv/bin/python manage.py serve_venue --port 8123" in result.stdout


def read_lines(stream, lines: list[str]) -> None:
    for line in iter(stream.readline, ""):
        lines.append(line)


@contextmanager
def venue_server(port: int, *, settings_module: str = "config.settings") -> Iterator[str]:
    """``manage.py serve_venue`` on every interface against the test database, as ``make venue``
    runs it; yields the join link it printed, once it printed it."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SPEEDNET_", "DATABASE_", "DJANGO_", "REDIS_", "EMAIL_"))
    }
    env.update(
        DATABASE_URL=database_url(),
        DJANGO_SETTINGS_MODULE=settings_module,
        PYTHONUNBUFFERED="1",
        SPEEDNET_PRELOAD_GLOSSES="0",
    )
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve_venue", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    threading.Thread(target=read_lines, args=(process.stdout, lines), daemon=True).start()
    try:
        yield wait_for_join_line(lines, process)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def test_serve_venue_starts_prints_the_address_and_phones_get_the_same_one(
    transactional_db, no_site_url
):
    event = EventFactory(check_in=True, join_code="CG26VP")
    port = free_port()
    with venue_server(port) as printed:
        origin = printed.split("/join/")[0]
        page = fetch_when_up(origin + reverse("projector", args=[event.projector_key]))

    assert printed == f"{lan_url(port)}/join/CG26VP/"
    assert qr.decode_svgs(page) == [printed]


class NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Answer:
    status: int
    headers: Message
    body: str


def fetch(opener: OpenerDirector, url: str, **request: Any) -> Answer:
    """The answer as it is, errors and redirects included (nothing followed)."""
    try:
        with opener.open(Request(url, **request), timeout=30) as response:
            return Answer(response.status, response.headers, response.read().decode())
    except HTTPError as error:
        return Answer(error.code, error.headers, error.read().decode())


DEBUG_PAGE_MARKS = ("Traceback", "URLconf", "urlpatterns", "DEBUG = True", "Request information")


def test_serve_venue_serves_the_room_with_debug_off_over_plain_http(transactional_db, no_site_url):
    """The whole room reaches the laptop: no error page shows a traceback or the URL list,
    static files are served, and pages, cookies and the phone's socket work over plain HTTP
    at the LAN address."""
    event = EventFactory(check_in=True, join_code="VN26OK")
    attendee = AttendeeFactory(event=event, email="mara@example.com")
    cookies = CookieJar()
    phone = build_opener(NoRedirects, HTTPCookieProcessor(cookies))
    port = free_port()
    with venue_server(port, settings_module="tests.venue_failing_settings") as printed:
        origin = printed.split("/join/")[0]
        fetch_when_up(printed)
        join = fetch(phone, printed)
        room = fetch(phone, f"{origin}/a/{attendee.token}/")
        unknown_page = fetch(phone, f"{origin}/no/such/page/")
        unknown_token = fetch(phone, f"{origin}/a/no-such-token-0123456789/")
        # No mail server at the venue: the phone is told, nothing fails.
        csrf = next(c.value for c in cookies if c.name == "csrftoken")
        no_mail = fetch(
            phone,
            f"{origin}/a/{attendee.token}/confirm/",
            data=b"action=send&next_page=details",
            headers={
                "X-CSRFToken": csrf,
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept-Language": "zh-CN,zh;q=0.9",
            },
            method="POST",
        )
        error = fetch(
            phone,
            f"{origin}/test-failure/{attendee.token}/",
            headers={"Accept-Language": "zh-CN,zh;q=0.9"},
        )
        stylesheet = fetch(phone, f"{origin}/static/css/app.css")
        pushed = asyncio.run(first_message(origin, attendee.token))

    assert (join.status, room.status) == (200, 200)
    assert "content-security-policy" in {name.lower() for name in room.headers}
    assert "strict-transport-security" not in {name.lower() for name in room.headers}
    set_cookies = room.headers.get_all("Set-Cookie") or []
    assert any(c.startswith("csrftoken=") for c in set_cookies)
    assert [c for c in set_cookies if "; secure" in c.lower()] == []
    assert (unknown_page.status, unknown_token.status) == (404, 404)
    for answer in (unknown_page, unknown_token):
        assert [mark for mark in DEBUG_PAGE_MARKS if mark in answer.body] == []
        assert "<h1>Page not found</h1>" in answer.body
    assert no_mail.status == 400
    assert "无法发送验证码" in no_mail.body
    assert error.status == 500
    assert "<h1>出错了</h1>" in error.body
    assert [mark for mark in DEBUG_PAGE_MARKS if mark in error.body] == []
    assert attendee.token not in error.body
    assert "mara@example.com" not in error.body
    assert "FailureForTests" not in error.body
    assert stylesheet.status == 200
    assert stylesheet.headers["Content-Type"].startswith("text/css")
    assert stylesheet.body == (ROOT / "static/css/app.css").read_text()
    assert json.loads(pushed)["type"] == "state"


async def first_message(origin: str, token: str) -> str:
    """The phone's socket at the LAN address: the first message it gets (the snapshot)."""
    ws_url = origin.replace("http://", "ws://") + f"/ws/a/{token}/"
    async with websockets.connect(ws_url, origin=origin) as socket_:
        return await asyncio.wait_for(socket_.recv(), timeout=30)


def wait_for_join_line(lines: list[str], process: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        for line in lines:
            if found := JOIN_LINE.search(line):
                return found[1]
        if process.poll() is not None:
            raise AssertionError("serve_venue exited:\n" + "".join(lines))
        time.sleep(0.05)
    raise AssertionError("no join line:\n" + "".join(lines))


def fetch_when_up(url: str) -> str:
    """GET ``url`` from the address phones use, once daphne listens there."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            with urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
