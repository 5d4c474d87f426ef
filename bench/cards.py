"""Cards under load: 1,000 attendees each give 5 cards within 30 seconds, against a real daphne.

Run by hand: ``.venv/bin/python bench/cards.py`` (options: ``--attendees``, ``--cards``,
``--seconds``, ``--databases sqlite,postgres``, ``--via socket,http``). For each database and each
way in (the phone's websocket, as the phones do when it is open, or the HTTP endpoint they fall
back on) it prints throughput, p50/p99 latency (tap to answer) and the number of cards stored,
once with every tap sent once and once with every tap sent twice at the same moment (a double
tap, or a retry racing the first attempt): the count must equal the cards given, never fewer and
never more.

``--during-plan`` adds two socket runs with every tap sent once while the organizer re-plans the
rounds still to come (a second of search for the whole room, started a third of the way in):
``plan`` as the app does it (the search with no transaction open, then a short write), and
``locked`` as it was (the search inside the transaction that holds the event's lock: on SQLite
the database's write lock), so the taps' latency can be compared.

``--server deployed`` (the default) serves as each database is deployed: SQLite as ``make venue``
serves the venue laptop (DEBUG off, the in-memory channel layer), PostgreSQL as the scale path
(DEBUG off, channels_redis on ``--redis`` with a prefix of its own); ``--server development``
serves as ``make run`` does (DEBUG on: every statement is also recorded and logged).

PostgreSQL: a database ``speednet_bench_cards`` is created on ``--postgres`` (default
postgres://postgres@127.0.0.1:5432) and dropped afterwards; a URL with a database name
(``…:5432/mine``) uses that name instead, so that two benchmarks on one server do not drop each
other's database. Traffic goes to 127.0.0.1 only.

The load generator runs at a lower priority than the server (``--generator-nice``, 10 by default:
the niceness of the thread that plays the phones, for the taps' runs only; 0 leaves it as it
is). In a room each phone is a device of its own; here the thousand phones share the machine's
cores with daphne and PostgreSQL, and whenever the generator takes the core the server needed,
every tap queues behind it: an artefact of the bench, not something a room does. The server and
PostgreSQL keep their normal priority. The re-plan runs of ``--during-plan`` are not lowered (the
re-plan stands for the organizer's request and takes its core as it would).
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import functools
import gc
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import fanout, rawws  # noqa: E402

PG_DATABASE = "speednet_bench_cards"
CONNECTIONS = 64
SETTLE_S = 2.0


@dataclass
class Result:
    database: str
    via: str
    mode: str
    taps: int
    requests: int = 0
    failures: int = 0
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    stored: int = 0
    server_cpu: float = 0.0
    database_cpu: float = 0.0

    def row(self) -> str:
        ordered = sorted(self.latencies)

        def pct(q: float) -> float:
            return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0

        return (
            f"{self.database:<9} {self.via:<6} {self.mode:<6} {self.taps:>6} {self.requests:>8} "
            f"{self.requests / self.elapsed:>8.0f} {pct(0.5):>8.1f} {pct(0.99):>8.1f} "
            f"{max(ordered) * 1000 if ordered else 0:>8.1f} {self.failures:>5} {self.stored:>7} "
            f"{'ok' if self.stored == self.taps and not self.failures else 'MISMATCH':>8} "
            f"{self.server_cpu * 1000 / max(1, self.requests):>9.2f} "
            f"{self.database_cpu * 1000 / max(1, self.requests):>7.2f}"
        )


HEADER = (
    f"{'database':<9} {'via':<6} {'sent':<6} {'cards':>6} {'requests':>8} {'req/s':>8} "
    f"{'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'fail':>5} {'stored':>7} {'check':>8} "
    f"{'server ms':>9} {'db ms':>7}"
)
"""The last two columns: CPU milliseconds per request (tap frame or HTTP request) of the daphne
processes and of the PostgreSQL server's processes (0 on SQLite, which works inside daphne).
Unlike latency they hardly move with what else the machine is doing."""


@contextmanager
def lowered_priority(niceness: int) -> Iterator[None]:
    """The calling thread (the load generator's event loop, and threads it starts meanwhile) at
    ``niceness`` (Linux: a thread's own nice value, -20..19; 0: no change) inside, its own
    again after. Raising a thread's priority back needs CAP_SYS_NICE (root) or RLIMIT_NICE;
    without either it stays lowered, with a line saying so on stderr."""
    if not niceness:
        yield
        return
    thread = threading.get_native_id()
    before = os.getpriority(os.PRIO_PROCESS, thread)
    os.setpriority(os.PRIO_PROCESS, thread, min(19, before + niceness))
    try:
        yield
    finally:
        try:
            os.setpriority(os.PRIO_PROCESS, thread, before)
        except PermissionError:
            print("the load generator's priority stays lowered (no CAP_SYS_NICE)", file=sys.stderr)


def server_pids(base_urls: list[str]) -> list[int]:
    """The daphne processes serving ``base_urls`` (found by the port on their command line)."""
    ports = {url.rsplit(":", 1)[1] for url in base_urls}
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"daphne" in b" ".join(args) and any(port.encode() in args for port in ports):
            pids.append(int(cmdline.parent.name))
    return pids


def postgres_cpu() -> float:
    """CPU seconds of every PostgreSQL server process now running (the bench's connections
    among them)."""
    total = 0.0
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == "postgres":
                total += fanout.cpu_seconds(int(comm.parent.name))
        except (OSError, ValueError):
            continue
    return total


class Meter:
    """CPU seconds of the servers and of PostgreSQL from ``start`` (called by a load once its
    phones or connections are open, so connecting is not counted) to ``stop``; with
    ``profile`` (a file path without its suffix), py-spy records each server meanwhile
    (on-CPU samples, collapsed stacks: ``<profile>-<pid>.txt``)."""

    def __init__(self, base_urls: list[str], *, postgres: bool, profile: str | None = None) -> None:
        self.pids, self.postgres = server_pids(base_urls), postgres
        self.server = self.database = 0.0
        self.profile = profile
        self.profilers: list[subprocess.Popen[bytes]] = []

    def read(self) -> tuple[float, float]:
        server = sum(map(fanout.cpu_seconds, self.pids))
        return server, postgres_cpu() if self.postgres else 0.0

    def start(self) -> None:
        if self.profile:
            command = [shutil.which("py-spy") or "py-spy", "record", "--rate", "250"]
            command += ["--format", "raw"]
            self.profilers = [
                subprocess.Popen(
                    [*command, "--pid", str(pid), "--output", f"{self.profile}-{pid}.txt"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for pid in self.pids
            ]
        self.started = self.read()

    def stop(self) -> None:
        now = self.read()
        self.server, self.database = now[0] - self.started[0], now[1] - self.started[1]
        for profiler in self.profilers:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=30)


class Client:
    """A tiny HTTP/1.1 keep-alive client: enough for form POSTs, no dependency."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = (
            asyncio.Queue()
        )

    async def open(self, count: int) -> None:
        for _ in range(count):
            self.pool.put_nowait(await asyncio.open_connection(self.host, self.port))

    async def post(self, path: str, form: dict[str, str], cookie: str, csrf: str) -> int:
        body = urlencode(form).encode()
        request = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
            f"Cookie: {cookie}\r\nX-CSRFToken: {csrf}\r\nConnection: keep-alive\r\n\r\n"
        ).encode() + body
        reader, writer = await self.pool.get()
        try:
            writer.write(request)
            await writer.drain()
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            await reader.readexactly(length)
            return int(status_line.split()[1])
        except (OSError, asyncio.IncompleteReadError, IndexError, ValueError):
            writer.close()
            reader, writer = await asyncio.open_connection(self.host, self.port)
            return 599
        finally:
            self.pool.put_nowait((reader, writer))


def deployed_env(database: str, args: argparse.Namespace) -> dict[str, str]:
    """The environment ``--server`` asks for, for this process and the daphne processes it
    starts: empty for ``development``; venue mode for SQLite; DEBUG off with Redis for
    PostgreSQL."""
    if args.server == "development":
        return {}
    if database == "sqlite":
        return {"SPEEDNET_VENUE": "1"}
    env = {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SPEEDNET_SITE_URL": "https://127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
    }
    if args.redis:
        env["REDIS_URL"] = args.redis
        env["SPEEDNET_REDIS_PREFIX"] = f"speednet-bench-cards-{os.getpid()}"
    else:  # one process with the in-memory layer, as the venue laptop serves
        env["SPEEDNET_VENUE"] = "1"
    return env


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seat_everyone(
    attendees: int, table_size: int, *, rounds: int = 1
) -> list[tuple[str, int, list[int]]]:
    """An event with one running round, everyone seated, and ``rounds - 1`` planned rounds
    seated the same way (something for a re-plan to repair); returns (token, id, tablemate
    ids)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from events.models import Attendee, Event
    from rounds.models import Round, Seat, Table

    organizer = get_user_model().objects.create_user("bench", password="bench-password-1")
    event = Event.objects.create(
        organizer=organizer,
        title="Cards bench",
        slug=f"cards-bench-{secrets.token_hex(4)}",
        starts_at=timezone.now(),
        status=Event.Status.LIVE,
        table_size=table_size,
        round_seconds=600,
    )
    people = Attendee.objects.bulk_create(
        Attendee(event=event, name=f"Bench {i}", checked_in_at=timezone.now())
        for i in range(attendees)
    )
    now = timezone.now()
    round_ = Round.objects.create(
        event=event,
        number=1,
        status=Round.Status.RUNNING,
        started_at=now,
        turns_started_at=now,
        ends_at=now + timezone.timedelta(seconds=600),
    )
    groups = [people[i : i + table_size] for i in range(0, len(people), table_size)]
    later = Round.objects.bulk_create(Round(event=event, number=n) for n in range(2, rounds + 1))
    for seated in (round_, *later):
        tables = Table.objects.bulk_create(
            Table(round=seated, number=n + 1) for n in range(len(groups))
        )
        Seat.objects.bulk_create(
            Seat(round=seated, table=table, attendee=person, speaking_order=order)
            for table, group in zip(tables, groups, strict=True)
            for order, person in enumerate(group)
        )
    return [
        (person.token, person.pk, [mate.pk for mate in group if mate.pk != person.pk])
        for group in groups
        for person in group
    ]


def schedule_taps(
    people: list[tuple[str, int, list[int]]], *, cards: int, seconds: float
) -> list[tuple[float, str, int]]:
    """(when, giver's token, receiver id) for every tap, in order: the same for every run."""
    rng = random.Random(7)
    taps = []
    for token, _pk, mates in people:
        for receiver in rng.sample(mates, min(cards, len(mates))):
            taps.append((rng.uniform(0, seconds), token, receiver))
    return sorted(taps)


async def at_their_moments(
    taps: list[tuple[float, str, int]], tap: Callable[[str, int], Awaitable[None]]
) -> None:
    """Run ``tap(token, receiver)`` for each (seconds from now, token, receiver) of ``taps`` at
    its moment; return when all are done. Each waits as a timer, not as a task: 5,000 tasks
    made at the start and sleeping cost the generator its first few tenths of a second, which
    the first taps' latencies then showed."""
    loop = asyncio.get_running_loop()
    running: set[asyncio.Future[None]] = set()

    def start(token: str, receiver: int) -> None:
        task = asyncio.ensure_future(tap(token, receiver))
        running.add(task)
        task.add_done_callback(running.discard)

    origin = loop.time()
    for at, token, receiver in taps:
        loop.call_at(origin + at, start, token, receiver)
    await asyncio.sleep(max((at for at, _token, _receiver in taps), default=0.0))
    while running:
        await asyncio.gather(*list(running))


async def run_load(
    base_urls: list[str],
    people: list[tuple[str, int, list[int]]],
    *,
    cards: int,
    seconds: float,
    twice: bool,
    meter: Meter | None = None,
) -> tuple[list[float], int, int, float]:
    clients = []
    for base_url in base_urls:
        parts = urlsplit(base_url)
        clients.append(Client(parts.hostname, parts.port))
        await clients[-1].open(CONNECTIONS // len(base_urls))
    # Each attendee talks to one server, as behind a load balancer.
    client_of = {token: clients[i % len(clients)] for i, (token, _pk, _m) in enumerate(people)}
    csrf = secrets.token_hex(16)
    cookie = f"csrftoken={csrf}"
    taps = schedule_taps(people, cards=cards, seconds=seconds)
    latencies: list[float] = []
    failures = 0
    if meter:
        meter.start()
    started = time.perf_counter()

    async def send(token: str, form: dict[str, str]) -> None:
        nonlocal failures
        t0 = time.perf_counter()
        status = await client_of[token].post(f"/a/{token}/cards/", form, cookie, csrf)
        latencies.append(time.perf_counter() - t0)
        if status != 200:
            failures += 1

    async def tap(token: str, receiver: int) -> None:
        form = {
            "action": "give",
            "client_id": str(uuid.uuid4()),
            "receiver": str(receiver),
            "round": "1",
            "kind": "see_me",
        }
        sends = [send(token, form), send(token, form)] if twice else [send(token, form)]
        await asyncio.gather(*sends)

    await at_their_moments(taps, tap)
    elapsed = time.perf_counter() - started
    return latencies, failures, len(taps), elapsed


class Phone:
    """One attendee's websocket: sends card frames and matches each ``card_ack`` to its tap.
    ``client``: "raw" (``bench.rawws``: the load generator shares the cores with the server,
    and the ``websockets`` library costs it several times the CPU) or "websockets"."""

    def __init__(self) -> None:
        self.connection: Any = None
        self.reader: asyncio.Future[None] | None = None
        self.waiting: dict[str, list[asyncio.Future[dict[str, Any]]]] = {}

    def received(self, message: dict[str, Any]) -> None:
        if message.get("type") == "card_ack" and self.waiting.get(message["client_id"]):
            self.waiting[message["client_id"]].pop(0).set_result(message)

    async def open(self, url: str, origin: str, client: str) -> None:
        """Connect and wait for the snapshot."""
        if client == "raw":
            snapshot = asyncio.get_running_loop().create_future()

            def on_message(message: dict[str, Any]) -> None:
                if not snapshot.done():
                    snapshot.set_result(message)
                else:
                    self.received(message)

            self.connection = await rawws.connect(url, origin, on_message, timeout=120)
            await asyncio.wait_for(snapshot, 120)
            return
        from websockets.asyncio.client import connect

        self.connection = await connect(url, origin=origin, open_timeout=120, max_queue=None)
        await self.connection.recv()  # the snapshot
        self.reader = asyncio.ensure_future(self.read())

    async def read(self) -> None:
        async for raw in self.connection:
            self.received(json.loads(raw))

    async def tap(self, frame: dict[str, Any]) -> dict[str, Any]:
        done = asyncio.get_running_loop().create_future()
        self.waiting.setdefault(frame["client_id"], []).append(done)
        if isinstance(self.connection, rawws.RawSocket):
            self.connection.send(frame)
        else:
            await self.connection.send(json.dumps(frame))
        return await asyncio.wait_for(done, 120)

    async def close(self) -> None:
        await self.connection.close()
        if self.reader is not None:
            self.reader.cancel()


async def open_phones(base_urls: list[str], tokens: list[str], client: str) -> dict[str, Phone]:
    """Every attendee's socket, spread over the servers as behind a load balancer."""
    phones: dict[str, Phone] = {}
    limit = asyncio.Semaphore(50)

    async def open_one(index: int, token: str) -> None:
        origin = base_urls[index % len(base_urls)].rstrip("/")
        socket_url = origin.replace("http://", "ws://")
        phone = Phone()
        async with limit:
            await phone.open(f"{socket_url}/ws/a/{token}/", origin, client)
        phones[token] = phone

    await asyncio.gather(*(open_one(index, token) for index, token in enumerate(tokens)))
    return phones


async def run_socket_load(
    base_urls: list[str],
    people: list[tuple[str, int, list[int]]],
    *,
    cards: int,
    seconds: float,
    twice: bool,
    meter: Meter | None = None,
    client: str = "raw",
    at_start: Callable[[], None] | None = None,
) -> tuple[list[float], int, int, float]:
    """Every attendee's socket opened, a moment's wait, then the taps at their moments (each
    sent twice at once if ``twice``); ``at_start`` is called as the first tap's clock starts.
    (latencies in seconds, failures, taps, seconds the taps took)."""
    phones = await open_phones(base_urls, [token for token, _pk, _mates in people], client)
    taps = schedule_taps(people, cards=cards, seconds=seconds)
    # the room sits a moment before the first card, as phones that joined minutes before: the
    # server's answers to the last connects (presence, the "phone connected" keys) are done
    await asyncio.sleep(SETTLE_S)
    if meter:
        meter.start()
    if at_start:
        at_start()
    latencies: list[float] = []
    failures = 0
    started = time.perf_counter()

    async def send(phone: Phone, frame: dict[str, Any]) -> None:
        nonlocal failures
        t0 = time.perf_counter()
        try:
            ack = await phone.tap(frame)
        except (TimeoutError, OSError):
            ack = {"ok": False}
        latencies.append(time.perf_counter() - t0)
        if not ack.get("ok"):
            failures += 1

    async def tap(token: str, receiver: int) -> None:
        frame = {
            "type": "card",
            "action": "give",
            "client_id": str(uuid.uuid4()),
            "receiver": receiver,
            "round": 1,
            "kind": "see_me",
        }
        sends = [send(phones[token], frame) for _ in range(2 if twice else 1)]
        await asyncio.gather(*sends)

    await at_their_moments(taps, tap)
    elapsed = time.perf_counter() - started
    if meter:
        meter.stop()
    for phone in phones.values():
        await phone.close()
    return latencies, failures, len(taps), elapsed


def run_database(database: str, args: argparse.Namespace) -> list[Result]:
    """One database, in this process (Django is set up once per process); SQLite's file in a
    folder of its own, removed afterwards."""
    if database != "sqlite":
        return run_database_at(database, pg_database_url(args.postgres), args)
    with tempfile.TemporaryDirectory(prefix="cards-bench-") as folder:
        return run_database_at(database, f"sqlite:///{folder}/bench.sqlite3", args)


def run_database_at(database: str, url: str, args: argparse.Namespace) -> list[Result]:
    """``run_database`` on the database at ``url``."""
    from tests.live import daphne

    os.environ.pop("DJANGO_DEBUG", None)
    os.environ.update(deployed_env(database, args))
    setup_django(url)
    from feedback.models import Card

    people = seat_everyone(args.attendees, args.table_size, rounds=6 if args.during_plan else 1)
    # The load generator's own heap (Django, the room just seated) out of its collector's sight:
    # a full pass over it stalls every phone the generator plays, and the stall is measured as
    # the server's latency (an artefact of the bench; the server freezes its own start,
    # config/asgi.py).
    gc.collect()
    gc.freeze()
    results = []
    redis_url = args.redis if args.processes > 1 or "REDIS_URL" in os.environ else None
    with tempfile.TemporaryDirectory() as logs, ExitStack() as servers:
        base_urls = [
            servers.enter_context(daphne(Path(logs), redis_url=redis_url))
            for _ in range(args.processes)
        ]
        for via in args.via.split(","):
            load = (
                functools.partial(run_socket_load, client=args.client)
                if via == "socket"
                else run_load
            )
            for mode in ("once", "twice"):
                Card.objects.all().delete()
                profile = args.profile and f"{args.profile}/{database}-{via}-{mode}"
                meter = Meter(base_urls, postgres=database == "postgres", profile=profile)
                with lowered_priority(args.generator_nice):
                    latencies, failures, taps, elapsed = asyncio.run(
                        load(
                            base_urls,
                            people,
                            cards=args.cards,
                            seconds=args.seconds,
                            twice=mode == "twice",
                            meter=meter,
                        )
                    )
                result = Result(
                    database, via, mode, taps, len(latencies), failures, latencies, elapsed
                )
                result.server_cpu, result.database_cpu = meter.server, meter.database
                result.stored = Card.objects.count()
                results.append(result)
        if args.during_plan:
            for mode in ("plan", "locked"):
                Card.objects.all().delete()
                planner = threading.Timer(args.seconds / 3, replan, (mode == "locked",))
                latencies, failures, taps, elapsed = asyncio.run(
                    run_socket_load(
                        base_urls,
                        people,
                        cards=args.cards,
                        seconds=args.seconds,
                        twice=False,
                        client=args.client,
                        at_start=planner.start,
                    )
                )
                planner.join()
                result = Result(
                    database, "socket", mode, taps, len(latencies), failures, latencies, elapsed
                )
                result.stored = Card.objects.count()
                results.append(result)
    return results


def replan(locked: bool) -> None:
    """Re-plan the rounds to come, as the app does or (``locked``) inside the transaction that
    holds the event's lock, as it did before; prints how long it took."""
    from django.db import connection, transaction

    from events.models import Event
    from rounds import services

    event = Event.objects.get(title="Cards bench")
    started = time.perf_counter()
    if locked:
        with transaction.atomic():
            Event.objects.select_for_update().get(pk=event.pk)
            services.replan(event, by=None, time_limit=1.0)
    else:
        services.replan(event, by=None, time_limit=1.0)
    print(
        f"re-plan ({'locked' if locked else 'plan'}): {time.perf_counter() - started:.2f} s",
        file=sys.stderr,
    )
    connection.close()


def pg_server_and_database(url: str) -> tuple[str, str]:
    """``--postgres`` as the server's URL and the benchmark's database name: the URL's path if
    it names one, else ``PG_DATABASE``."""
    parts = urlsplit(url)
    name = parts.path.strip("/")
    return urlunsplit(parts._replace(path="")), name or PG_DATABASE


def pg_database_url(url: str) -> str:
    """The benchmark database's URL on ``--postgres``'s server."""
    server, name = pg_server_and_database(url)
    return f"{server}/{name}"


def create_pg_database(url: str, *, drop: bool) -> None:
    import psycopg
    from psycopg import sql

    server, name = pg_server_and_database(url)
    with psycopg.connect(f"{server}/test", autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if not drop:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def time_batches(database: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    """``--batches``: ``write_taps`` timed in this process as the sockets' database thread calls
    it (``live_database_sync_to_async``: stale connections closed around each call), for each
    batch size, ``--repeats`` batches of distinct "give" taps; median wall and CPU milliseconds
    a batch. No server, no load generator: the database part of a tap alone."""
    import cProfile
    import pstats
    import statistics

    from asgiref.sync import async_to_sync

    if database == "sqlite":
        folder = tempfile.mkdtemp(prefix="cards-bench-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        url = f"sqlite:///{folder}/bench.sqlite3"
    else:
        url = pg_database_url(args.postgres)
    os.environ.pop("DJANGO_DEBUG", None)
    os.environ.update(deployed_env(database, args))
    setup_django(url)
    try:
        from config.livedb import live_database_sync_to_async
    except ImportError:  # a tree before it, measured for comparison
        from channels.db import database_sync_to_async as live_database_sync_to_async
    from feedback.consumers import Tap, write_taps

    people = seat_everyone(args.attendees, args.table_size)
    rng = random.Random(1)
    rows = []
    for size in [int(part) for part in args.batches.split(",")]:

        def one_batch(batch: list[Tap]) -> float:
            started = time.process_time()
            write_taps(batch)
            return time.process_time() - started

        def counted(batch: list[Tap]) -> int:
            profile = cProfile.Profile()
            profile.runcall(write_taps, batch)
            return pstats.Stats(profile).total_calls

        walls, cpus, calls = [], [], []
        for _ in range(args.repeats):
            batch = []
            for _ in range(size):
                _token, giver, mates = rng.choice(people)
                data = {
                    "action": "give",
                    "client_id": uuid.uuid4(),
                    "receiver": rng.choice(mates),
                    "round": 1,
                    "kind": "see_me",
                    "note": "",
                }
                batch.append(Tap(attendee_id=giver, data=data))
            if len(calls) < args.counted:
                calls.append(async_to_sync(live_database_sync_to_async(counted))(batch))
                continue
            started = time.perf_counter()
            cpus.append(async_to_sync(live_database_sync_to_async(one_batch))(batch))
            walls.append(time.perf_counter() - started)
        rows.append(
            {
                "database": database,
                "size": size,
                "wall_ms": statistics.median(walls) * 1000,
                "cpu_ms": statistics.median(cpus) * 1000,
                "calls": statistics.median(calls) if calls else None,
            }
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attendees", type=int, default=1000)
    parser.add_argument("--cards", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--table-size", type=int, default=6)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--via", default="socket,http", help="socket, http or both")
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="daphne processes sharing the room through Redis (the production path)",
    )
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/0",
        help="Redis for PostgreSQL's runs; empty: the in-memory channel layer (one process)",
    )
    parser.add_argument(
        "--server",
        choices=("deployed", "development"),
        default="deployed",
        help="deployed: SQLite as make venue, PostgreSQL with DEBUG off and Redis; "
        "development: as make run (DEBUG on)",
    )
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--during-plan",
        action="store_true",
        help="also tap while the rounds to come are re-planned",
    )
    parser.add_argument(
        "--batches",
        help="instead of a server: time write_taps in-process for these batch sizes, e.g. 1,50",
    )
    parser.add_argument("--repeats", type=int, default=200, help="batches timed per size")
    parser.add_argument(
        "--counted",
        type=int,
        default=20,
        help="with --batches: the first this many of each size's --repeats batches are not "
        "timed; their Python function calls are counted (cProfile), a figure the machine's "
        "load does not move",
    )
    parser.add_argument(
        "--client",
        choices=["raw", "websockets"],
        default="raw",
        help="the phones' socket code: a minimal RFC 6455 client (bench/rawws.py, the default) "
        "or the websockets library (costlier for the load generator, which shares the cores)",
    )
    parser.add_argument(
        "--generator-nice",
        type=int,
        default=10,
        help="niceness added to the load generator's thread during the taps (0: none): the "
        "phones are devices of their own in a room, not a process taking the server's core",
    )
    parser.add_argument(
        "--profile",
        help="a directory: py-spy (on PATH) records each daphne process during each run's "
        "taps, on-CPU samples as collapsed stacks, <database>-<via>-<sent>-<pid>.txt",
    )
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run = time_batches if args.batches else run_database
        print(json.dumps([getattr(r, "__dict__", r) for r in run(args.one, args)]))
        return 0
    if args.batches:
        return print_batches(args)
    print(
        f"{args.attendees} attendees × {args.cards} cards within {args.seconds:.0f} s; "
        f"{args.processes} daphne process(es), {args.server}; "
        f"generator nice +{args.generator_nice}; load average {os.getloadavg()[0]:.1f}"
    )
    print(HEADER)
    ok = True
    for database in args.databases.split(","):
        try:
            rows = run_in_child(database, args)
        except subprocess.CalledProcessError:
            return 1
        for raw in rows:
            result = Result(**raw)
            ok &= result.stored == result.taps and not result.failures
            print(result.row())
    return 0 if ok else 1


def run_in_child(database: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    """This script again with ``--one database`` in a child process (Django is set up once per
    process), on a PostgreSQL database made for it and dropped afterwards: the rows it printed.
    Raises ``CalledProcessError`` when the child fails."""
    if database == "postgres":
        create_pg_database(args.postgres, drop=False)
    try:
        command = [sys.executable, __file__, *sys.argv[1:], "--one", database]
        output = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True).stdout
    finally:
        if database == "postgres":
            create_pg_database(args.postgres, drop=True)
    return json.loads(output.strip().splitlines()[-1])


def print_batches(args: argparse.Namespace) -> int:
    print(f"write_taps in-process; load average {os.getloadavg()[0]:.1f}")
    print(
        f"{'database':<9} {'taps':>5} {'wall ms':>8} {'cpu ms':>7} {'cpu ms/tap':>10} {'calls':>7}"
    )
    for database in args.databases.split(","):
        for row in run_in_child(database, args):
            calls = "—" if row["calls"] is None else f"{row['calls']:.0f}"
            print(
                f"{row['database']:<9} {row['size']:>5} {row['wall_ms']:>8.2f} "
                f"{row['cpu_ms']:>7.2f} {row['cpu_ms'] / row['size']:>10.3f} {calls:>7}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
