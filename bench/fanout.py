"""Websocket fan-out: N phones on real daphne processes, the organizer changes the round.

For each case (channel layer, daphne processes, phones) this starts fresh daphne processes on a
bench database, connects N phones to ``/ws/a/<token>/`` from one or more load-generator processes
(each phone waits for its ``state`` snapshot), then clicks start, pause, resume, ... as the
signed-in organizer over HTTP and measures, per change:

- the delay from the POST leaving to each phone's receipt of the ``round`` message (p50, p99,
  last) and the phones that never got it within the timeout (missed);
- the server CPU per delivered message: utime+stime of the daphne processes from just before the
  POST until every phone has the message, minus the idle rate measured beforehand over the same
  length of time, divided by the messages delivered (the POST itself is included);
- the memory per connection: daphne RSS after connecting the phones minus before, divided by N.

Cases are ``layer:processes``: ``memory`` is the configured in-memory layer (config/env.py without
REDIS_URL), ``config-memory`` is ``config.layers.InMemoryChannelLayer``, ``redis`` the configured
Redis pub/sub layer (with 1 or more processes; phones are split evenly, the change goes through the
first). ``--variants`` puts earlier costs back for comparison (bench/_asgi.py), ``--gc-log``
reports daphne's garbage collections per change, ``--profile DIR`` records daphne with py-spy.

Run from the project root (PostgreSQL and Redis on 127.0.0.1)::

    .venv/bin/python bench/fanout.py        # every case with 1,000 and 2,000 phones, 7 changes
    .venv/bin/python bench/fanout.py --cases redis:1 --clients 2000 --variants - loop --gc-log

Everything runs on 127.0.0.1; the bench creates its own database (dropped at the end), uses Redis
db 15 under its own channel prefix, bounds every wait, and kills its daphne processes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = "bench._settings"
ASGI_APP = "bench._asgi:application"
PG = ("-h", "127.0.0.1", "-U", "postgres")
PG_DATABASE = "speednet_bench"
REDIS_URL = "redis://127.0.0.1:6379/15"
CLOCK_TICK = os.sysconf("SC_CLK_TCK")
STARTUP_S = 30
CONNECT_CONCURRENCY = 100
CONNECT_ATTEMPTS = 3
CONNECT_TIMEOUT_S = 30.0
READY_TIMEOUT_S = 180.0
CHANGE_TIMEOUT_S = 20.0
NOFILE = 16_384
ACCESS_LINE = re.compile(r'"(WSCONNECTING|WSCONNECT|WSDISCONNECT|WSREJECT|GET|POST) ')
GC_LINE = re.compile(r"bench-gc gen=(?P<gen>\d) ms=(?P<ms>\d+\.\d) at=(?P<at>\d+\.\d{3})")


# --- processes and /proc ----------------------------------------------------------------------


def raise_nofile(wanted: int = NOFILE) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads, live or finished)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICK


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def redis_server_pid() -> int | None:
    """The local redis-server, to report its CPU beside daphne's (None if not visible)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == "redis-server":
                    return int(entry.name)
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@dataclass
class Daphne:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid


def start_daphne(env: dict[str, str], log_dir: Path) -> Daphne:
    port = free_port()
    log = log_dir / f"daphne-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), ASGI_APP],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=raise_nofile,
        )
    server = Daphne(port, process, log)
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited with {process.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.05)
    stop_daphne(server)
    raise RuntimeError(f"daphne did not listen on {port} within {STARTUP_S}s")


def stop_daphne(server: Daphne) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


# --- the load generator (a separate process) ---------------------------------------------------


class Phones:
    """Many phones in one asyncio loop; each records when every ``round`` version arrives."""

    def __init__(self, targets: list[tuple[str, str]]) -> None:
        self.targets = targets
        self.sockets: list[Any] = []
        self.connected = 0
        self.failed = 0
        self.closed_early = 0
        self.receipts: dict[int, list[float]] = {}
        self.server_times: dict[int, float] = {}
        self.complete: dict[int, asyncio.Event] = {}
        self.all_tried = asyncio.Event()
        self.gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    def tried(self) -> None:
        if self.connected + self.failed == len(self.targets):
            self.all_tried.set()

    def complete_event(self, version: int) -> asyncio.Event:
        return self.complete.setdefault(version, asyncio.Event())

    async def connect(self, ws_url: str, origin: str) -> Any:
        from websockets.asyncio.client import connect

        for attempt in range(CONNECT_ATTEMPTS):
            try:
                async with self.gate:
                    ws = await asyncio.wait_for(
                        connect(
                            ws_url,
                            origin=origin,
                            ping_interval=None,  # phones do not send protocol pings
                            compression=None,  # daphne does not negotiate permessage-deflate
                            open_timeout=CONNECT_TIMEOUT_S,
                            close_timeout=2,
                        ),
                        CONNECT_TIMEOUT_S,
                    )
                    state = json.loads(await asyncio.wait_for(ws.recv(), CONNECT_TIMEOUT_S))
                if state.get("type") != "state":
                    raise RuntimeError(f"first message is not a state: {state}")
                return ws
            except (OSError, TimeoutError, RuntimeError, ValueError) as error:
                last = error
            except Exception as error:  # websockets' InvalidStatus, ConnectionClosed, ...
                last = error
            await asyncio.sleep(0.5 * (attempt + 1))
        print(f"[generator] could not connect {ws_url}: {last!r}", file=sys.stderr)
        return None

    async def phone(self, base_url: str, token: str) -> None:
        ws_url = base_url.replace("http://", "ws://") + f"/ws/a/{token}/"
        ws = await self.connect(ws_url, base_url)
        if ws is None:
            self.failed += 1
            self.tried()
            return
        self.sockets.append(ws)
        self.connected += 1
        self.tried()
        try:
            async for text in ws:
                now = time.time()
                message = json.loads(text)
                if message.get("type") != "round":
                    continue
                self.server_times.setdefault(message["version"], message["server_time"] / 1000)
                times = self.receipts.setdefault(message["version"], [])
                times.append(now)
                if len(times) == self.connected:
                    self.complete_event(message["version"]).set()
        except Exception:  # a socket closed under us is a phone that will miss messages
            self.closed_early += 1

    async def close_all(self) -> None:
        async def close(ws: Any) -> None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(), 3)

        for start in range(0, len(self.sockets), 200):
            await asyncio.gather(*(close(ws) for ws in self.sockets[start : start + 200]))


async def generator_loop(conn: Connection, targets: list[tuple[str, str]]) -> None:
    loop = asyncio.get_running_loop()
    phones = Phones(targets)
    started = time.monotonic()
    tasks = [asyncio.create_task(phones.phone(url, token)) for url, token in targets]
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(phones.all_tried.wait(), READY_TIMEOUT_S)
    conn.send(
        {
            "connected": phones.connected,
            "failed": phones.failed + len(targets) - phones.connected - phones.failed,
            "seconds": time.monotonic() - started,
        }
    )
    try:
        for _ in range(1000):  # bounded: the coordinator sends a few dozen commands at most
            command = await loop.run_in_executor(None, conn.recv)
            if command[0] == "wait":
                _, version, timeout = command
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(phones.complete_event(version).wait(), timeout)
                usage = resource.getrusage(resource.RUSAGE_SELF)
                conn.send(
                    {
                        "times": list(phones.receipts.get(version, [])),
                        "server_time": phones.server_times.get(version),
                        "connected": phones.connected,
                        "closed_early": phones.closed_early,
                        "cpu": usage.ru_utime + usage.ru_stime,
                    }
                )
            elif command[0] == "close":
                break
    finally:
        await phones.close_all()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        conn.send({"closed": True})


def generator_main(conn: Connection, targets: list[tuple[str, str]]) -> None:
    raise_nofile()
    asyncio.run(generator_loop(conn, targets))


# --- the coordinator ---------------------------------------------------------------------------


def django_env(database_url: str, layer: str, variant: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE=SETTINGS,
        DJANGO_LOG_LEVEL="WARNING",
        BENCH_LAYER=layer,
        BENCH_VARIANT=variant,
        PYTHONUNBUFFERED="1",
    )
    redis_url = REDIS_URL if layer == "redis" else None
    env.pop("DJANGO_DEBUG", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


@contextlib.contextmanager
def bench_database(kind: str, work_dir: Path, name: str = PG_DATABASE) -> Iterator[str]:
    """A fresh bench database: SQLite in ``work_dir``, or the PostgreSQL database ``name``
    (dropped first if it exists, and at the end: never name a database someone else uses)."""
    if kind == "sqlite":
        yield f"sqlite:///{work_dir / 'bench.sqlite3'}"
        return
    subprocess.run(["dropdb", *PG, "--if-exists", "--force", name], check=True)
    subprocess.run(["createdb", *PG, name], check=True)
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        from django.conf import settings

        if settings.configured:
            from django.db import connections

            connections.close_all()
        subprocess.run(["dropdb", *PG, "--if-exists", "--force", name], check=False)


def setup_django(database_url: str) -> None:
    env = django_env(database_url, "memory", "")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    os.environ.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE=SETTINGS)
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


@dataclass
class Fixture:
    event_id: int
    tokens: list[str]
    cookie: str
    csrf: str


def create_event(clients: int) -> Fixture:
    """An event open for check-in with one planned round, ``clients`` attendees and a session."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from events.codes import new_attendee_token
    from events.models import Attendee, Event
    from rounds.models import Round, Seat, Table

    tag = secrets.token_hex(4)
    organizer = get_user_model().objects.create_user(f"bench-{tag}", password=secrets.token_hex())
    event = Event.objects.create(
        organizer=organizer,
        title=f"Fan-out bench {tag}",
        slug=f"fanout-bench-{tag}",
        starts_at=timezone.now(),
        status=Event.Status.CHECK_IN,
        rounds_count=1,
        round_seconds=3600,
    )
    people = Attendee.objects.bulk_create(
        Attendee(
            event=event,
            name=f"Phone {n}",
            token=new_attendee_token(),
            checked_in_at=timezone.now(),
        )
        for n in range(clients)
    )
    round_ = Round.objects.create(event=event, number=1)
    table = Table.objects.create(round=round_, number=1)
    Seat.objects.bulk_create(
        Seat(round=round_, table=table, attendee=person, speaking_order=order)
        for order, person in enumerate(people[:6])
    )
    client = Client()
    client.force_login(organizer)
    return Fixture(
        event_id=event.pk,
        tokens=[person.token for person in people],
        cookie=client.cookies[settings.SESSION_COOKIE_NAME].value,
        csrf=secrets.token_hex(16),
    )


def state_version(event_id: int) -> int:
    from events.models import Event

    return Event.objects.values_list("state_version", flat=True).get(pk=event_id)


def organizer_request(base_url: str, fixture: Fixture, path: str, data: dict | None) -> bytes:
    from django.conf import settings

    request = urllib.request.Request(
        f"{base_url}{path}",
        data=urllib.parse.urlencode(data).encode() if data is not None else None,
        headers={
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={fixture.cookie}; csrftoken={fixture.csrf}",
            "X-CSRFToken": fixture.csrf,
            "HX-Request": "true",
        },
        method="POST" if data is not None else "GET",
    )
    with urllib.request.urlopen(request, timeout=CHANGE_TIMEOUT_S) as response:
        return response.read()


def warm_up(base_url: str, fixture: Fixture) -> None:
    """Load what the first request and the first socket load (templates, URL routes, sessions)."""
    organizer_request(base_url, fixture, f"/events/{fixture.event_id}/control/", None)

    async def one_phone() -> None:
        from websockets.asyncio.client import connect

        url = base_url.replace("http://", "ws://") + f"/ws/a/{fixture.tokens[0]}/"
        async with connect(url, origin=base_url, ping_interval=None, open_timeout=10) as ws:
            await asyncio.wait_for(ws.recv(), 10)

    asyncio.run(one_phone())


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest rank."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(fraction * len(sorted_values) + 0.5 - 1e-9))
    return sorted_values[min(rank, len(sorted_values)) - 1]


@dataclass
class Change:
    action: str
    latencies_ms: list[float]
    missed: int
    cpu_s: float  # daphne CPU in the window, idle baseline subtracted
    raw_cpu_s: float
    window_s: float
    generator_cpu_s: float
    redis_cpu_s: float | None
    broadcast_ms: float  # from the POST leaving to the message's server_time (built after commit)
    post_ms: float  # the POST's round trip
    sent_at: float  # wall clock
    gc_ms: float = 0.0  # daphne's garbage collections of 5 ms or more inside the window
    gc_runs: list[str] = field(default_factory=list)  # their generation and duration

    @property
    def delivered(self) -> int:
        return len(self.latencies_ms)

    def row(self) -> dict[str, Any]:
        values = sorted(self.latencies_ms)
        return {
            "p50": percentile(values, 0.50),
            "p99": percentile(values, 0.99),
            "last": values[-1] if values else float("nan"),
            "missed": self.missed,
            "cpu_ms_per_msg": 1000 * self.cpu_s / max(1, self.delivered),
        }


@dataclass
class Case:
    layer: str
    processes: int
    clients: int
    generators: int
    variant: str
    connected: int = 0
    connect_s: float = 0.0
    kb_per_connection: float = 0.0
    idle_cpu_per_s: float = 0.0
    changes: list[Change] = field(default_factory=list)
    load: str = ""
    log_problems: list[str] = field(default_factory=list)
    full_collections: list[str] = field(default_factory=list)  # gen2, when relative to changes

    def summary(self) -> dict[str, Any]:
        latencies = sorted(x for change in self.changes for x in change.latencies_ms)
        delivered = sum(change.delivered for change in self.changes)
        cpu = sum(change.cpu_s for change in self.changes)
        redis = [change.redis_cpu_s for change in self.changes if change.redis_cpu_s is not None]
        return {
            "layer": self.layer,
            "processes": self.processes,
            "clients": self.clients,
            "variant": self.variant or "-",
            "p50": percentile(latencies, 0.50),
            "p99": percentile(latencies, 0.99),
            "last": latencies[-1] if latencies else float("nan"),
            "missed": sum(change.missed for change in self.changes),
            "cpu_ms_per_msg": 1000 * cpu / max(1, delivered),
            "redis_ms_per_msg": 1000 * sum(redis) / max(1, delivered) if redis else None,
            "kb_per_connection": self.kb_per_connection,
            "generator_cpu_share": sum(c.generator_cpu_s for c in self.changes)
            / max(1e-9, sum(c.window_s for c in self.changes)),
            "load": self.load,
        }


def send_to_all(pipes: list[Connection], message: tuple) -> None:
    for pipe in pipes:
        pipe.send(message)


def receive_from_all(pipes: list[Connection], timeout: float) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    answers = []
    for pipe in pipes:
        if not pipe.poll(max(0.0, deadline - time.monotonic())):
            raise RuntimeError("a load generator did not answer in time")
        answers.append(pipe.recv())
    return answers


def run_case(case: Case, args: argparse.Namespace, database_url: str, log_dir: Path) -> Case:
    env = django_env(database_url, case.layer, case.variant)
    if args.gc_log:
        env["BENCH_GC_LOG"] = "1"
    fixture = create_event(case.clients)
    case.load = load_average()
    servers: list[Daphne] = []
    generators: list[tuple[Any, Connection]] = []
    profilers: list[Any] = []
    redis_pid = redis_server_pid() if case.layer == "redis" else None
    try:
        for _ in range(case.processes):
            servers.append(start_daphne(env, log_dir))
        for server in servers:
            warm_up(server.base_url, fixture)
        time.sleep(1.0)
        rss_before = sum(rss_kb(server.pid) for server in servers)

        # Phone i talks to server i % processes and lives in generator i % generators.
        shares: list[list[tuple[str, str]]] = [[] for _ in range(case.generators)]
        for i, token in enumerate(fixture.tokens):
            shares[i % case.generators].append((servers[i % case.processes].base_url, token))
        context = mp.get_context("spawn")
        for share in shares:
            parent, child = context.Pipe()
            process = context.Process(target=generator_main, args=(child, share), daemon=True)
            process.start()
            generators.append((process, parent))
        pipes = [pipe for _, pipe in generators]
        ready = receive_from_all(pipes, READY_TIMEOUT_S + 30)
        case.connected = sum(answer["connected"] for answer in ready)
        case.connect_s = max(answer["seconds"] for answer in ready)
        if case.connected != case.clients:
            raise RuntimeError(f"only {case.connected} of {case.clients} phones connected")

        time.sleep(args.settle)
        case.kb_per_connection = (
            sum(rss_kb(server.pid) for server in servers) - rss_before
        ) / case.clients
        case.idle_cpu_per_s = idle_cpu_per_second(servers, args.idle)

        profilers += [start_profiler(server, case, args.profile) for server in servers]
        version = state_version(fixture.event_id)
        for n in range(args.changes):  # start, then pause and resume in turn
            action = "start" if n == 0 else ("pause", "resume")[(n - 1) % 2]
            version += 1
            case.changes.append(change(case, action, version, servers, pipes, fixture, redis_pid))
            if state_version(fixture.event_id) != version:
                raise RuntimeError(f"{action} did not move the event to version {version}")
            time.sleep(args.gap)
        send_to_all(pipes, ("close",))
        receive_from_all(pipes, 60)
    except BaseException:
        for server in servers:
            lines = server.log.read_text(errors="replace").splitlines()
            lines = [line for line in lines if not ACCESS_LINE.search(line)]
            tail = "\n".join(lines[-80:])
            print(
                f"--- daphne :{server.port} log, without access lines ---\n{tail}", file=sys.stderr
            )
        raise
    finally:
        for profiler in profilers:
            stop_profiler(profiler)
        for process, pipe in generators:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
            pipe.close()
        for server in servers:
            stop_daphne(server)
            lines = server.log.read_text(errors="replace").splitlines()
            case.log_problems += [
                line
                for line in lines
                if any(word in line for word in ("Traceback", "ERROR", "Error", "xception"))
            ]
            add_collections(case, lines)
    return case


def add_collections(case: Case, log_lines: list[str]) -> None:
    """Charge the garbage collections daphne logged (``--gc-log``) to the change windows."""
    first = case.changes[0].sent_at if case.changes else 0.0
    for line in log_lines:
        found = GC_LINE.search(line)
        if found:
            ended = float(found["at"])
            if found["gen"] == "2":
                case.full_collections.append(f"{float(found['ms']):.0f}ms@{ended - first:+.1f}s")
            for item in case.changes:
                if item.sent_at <= ended <= item.sent_at + item.window_s:
                    item.gc_ms += float(found["ms"])
                    item.gc_runs.append(f"gen{found['gen']}:{float(found['ms']):.0f}ms")


def idle_cpu_per_second(servers: list[Daphne], seconds: float) -> float:
    """The servers' CPU per second with every phone connected and quiet: the median of one-second
    samples, so that a stray garbage collection does not count as idle load."""
    samples = []
    for _ in range(max(1, round(seconds))):
        before = sum(cpu_seconds(server.pid) for server in servers)
        time.sleep(1.0)
        samples.append(sum(cpu_seconds(server.pid) for server in servers) - before)
    return statistics.median(samples)


def start_profiler(server: Daphne, case: Case, directory: Path | None) -> Any:
    """py-spy (if asked for) on a daphne process during the changes: on-CPU samples only."""
    if directory is None:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{case.layer}-{case.processes}-{case.clients}-{case.variant or 'app'}-{server.port}"
    command = [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(server.pid)]
    command += ["--rate", "500", "--format", "raw", "--output", str(directory / f"{name}.txt")]
    profiler = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    return profiler


def stop_profiler(profiler: Any) -> None:
    if profiler is None:
        return
    profiler.send_signal(signal.SIGINT)
    try:
        profiler.wait(timeout=30)
    except subprocess.TimeoutExpired:
        profiler.kill()
        profiler.wait(timeout=5)


def change(
    case: Case,
    action: str,
    version: int,
    servers: list[Daphne],
    pipes: list[Connection],
    fixture: Fixture,
    redis_pid: int | None,
) -> Change:
    path = f"/events/{fixture.event_id}/control/act/"
    outcome: dict[str, Any] = {}

    def post() -> None:
        try:
            organizer_request(servers[0].base_url, fixture, path, {"action": action})
            outcome["returned"] = time.time()
        except Exception as error:
            outcome["error"] = error

    generator_cpu_before = receive_generator_cpu(pipes)
    send_to_all(pipes, ("wait", version, CHANGE_TIMEOUT_S))
    cpu_before = sum(cpu_seconds(server.pid) for server in servers)
    redis_before = cpu_seconds(redis_pid) if redis_pid else 0.0
    sent = time.time()
    started = time.monotonic()
    poster = threading.Thread(target=post)
    poster.start()
    answers = receive_from_all(pipes, CHANGE_TIMEOUT_S + 10)
    poster.join(CHANGE_TIMEOUT_S)
    window = time.monotonic() - started
    cpu_after = sum(cpu_seconds(server.pid) for server in servers)
    redis_after = cpu_seconds(redis_pid) if redis_pid else 0.0
    if "error" in outcome:
        raise RuntimeError(f"{action} failed: {outcome['error']!r}")
    latencies = [1000 * (t - sent) for answer in answers for t in answer["times"]]
    raw = cpu_after - cpu_before
    server_times = [a["server_time"] for a in answers if a["server_time"] is not None]
    return Change(
        action=action,
        latencies_ms=latencies,
        missed=case.clients - len(latencies),
        cpu_s=max(0.0, raw - case.idle_cpu_per_s * window),
        raw_cpu_s=raw,
        window_s=window,
        generator_cpu_s=sum(a["cpu"] for a in answers) - generator_cpu_before,
        redis_cpu_s=(redis_after - redis_before) if redis_pid else None,
        broadcast_ms=1000 * (min(server_times) - sent) if server_times else float("nan"),
        post_ms=1000 * (outcome.get("returned", float("nan")) - sent),
        sent_at=sent,
    )


def receive_generator_cpu(pipes: list[Connection]) -> float:
    """The generators' CPU so far: they answer a zero-length wait for version 0 at once."""
    send_to_all(pipes, ("wait", 0, 0))
    return sum(answer["cpu"] for answer in receive_from_all(pipes, 10))


# --- output and the command line ---------------------------------------------------------------

COLUMNS = (
    ("layer", "{:<13}"),
    ("processes", "{:>5}"),
    ("clients", "{:>7}"),
    ("variant", "{:<14}"),
    ("p50", "{:>7.0f}"),
    ("p99", "{:>7.0f}"),
    ("last", "{:>7.0f}"),
    ("missed", "{:>6}"),
    ("cpu_ms_per_msg", "{:>9.3f}"),
    ("kb_per_connection", "{:>7.1f}"),
)
HEADER = (
    f"{'layer':<13} {'procs':>5} {'clients':>7} {'variant':<14} {'p50 ms':>7} {'p99 ms':>7} "
    f"{'last ms':>7} {'missed':>6} {'CPU ms/msg':>9} {'KB/conn':>7}  redis ms/msg  gen CPU  load"
)


LAYERS = {
    "memory": "the configured in-memory layer (config/env.py without REDIS_URL)",
    "config-memory": "config.layers.InMemoryChannelLayer",
    "redis": "the configured Redis layer (config/env.py with REDIS_URL)",
}


def backend(layer: str) -> str:
    from config.env import read_channel_layers

    if layer == "config-memory":
        return "config.layers.InMemoryChannelLayer"
    env = {"REDIS_URL": REDIS_URL} if layer == "redis" else {}
    return read_channel_layers(env, prefix="bench")["default"]["BACKEND"]


def format_row(row: dict[str, Any]) -> str:
    cells = " ".join(template.format(row[key]) for key, template in COLUMNS)
    redis = row["redis_ms_per_msg"]
    redis_cell = f"{redis:>12.3f}" if redis is not None else f"{'-':>12}"
    return f"{cells}  {redis_cell}  {row['generator_cpu_share']:>6.0%}  {row['load']}"


def print_case(case: Case) -> None:
    print(
        f"\n## {case.layer} ({backend(case.layer)}), {case.processes} process(es), "
        f"{case.clients} phones "
        f"(variant {case.variant or '-'}; {case.generators} generator(s)); connected "
        f"{case.connected} in {case.connect_s:.1f}s; idle daphne CPU "
        f"{1000 * case.idle_cpu_per_s:.0f} ms/s; {case.kb_per_connection:.1f} KB/connection; "
        f"load {case.load}"
    )
    print(
        f"  {'change':<7} {'p50 ms':>7} {'p99 ms':>7} {'last ms':>7} {'missed':>6} "
        f"{'CPU ms':>7} {'ms/msg':>7} {'window':>7} {'gen CPU':>7} {'redis ms':>8} "
        f"{'bcast@':>7} {'POST':>7} {'GC':>6}"
    )
    if case.full_collections:
        print(
            f"  full collections (duration@seconds from the first change): "
            f"{' '.join(case.full_collections)}"
        )
    if case.log_problems:
        print(f"  daphne logged {len(case.log_problems)} problem line(s), first:")
        for line in case.log_problems[:5]:
            print(f"    {line}")
    else:
        print("  daphne logged no errors")
    for item in case.changes:
        row = item.row()
        redis = f"{1000 * item.redis_cpu_s:>8.0f}" if item.redis_cpu_s is not None else f"{'-':>8}"
        print(
            f"  {item.action:<7} {row['p50']:>7.0f} {row['p99']:>7.0f} {row['last']:>7.0f} "
            f"{row['missed']:>6} {1000 * item.cpu_s:>7.0f} {row['cpu_ms_per_msg']:>7.3f} "
            f"{1000 * item.window_s:>6.0f}ms {1000 * item.generator_cpu_s:>5.0f}ms {redis} "
            f"{item.broadcast_ms:>5.0f}ms {item.post_ms:>5.0f}ms {item.gc_ms:>4.0f}ms "
            f"{' '.join(item.gc_runs)}"
        )
    sys.stdout.flush()


def parse_case(text: str) -> tuple[str, int]:
    layer, _, processes = text.partition(":")
    if layer not in LAYERS or not processes.isdigit() or int(processes) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected memory:1, redis:1, redis:2, ...")
    if layer != "redis" and int(processes) != 1:
        raise argparse.ArgumentTypeError("the in-memory layer only works inside one process")
    return layer, int(processes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--cases",
        nargs="+",
        type=parse_case,
        default=[("memory", 1), ("config-memory", 1), ("redis", 1), ("redis", 2)],
        help="layer:processes, layer one of memory, config-memory, redis "
        "(default: memory:1 config-memory:1 redis:1 redis:2)",
    )
    parser.add_argument("--clients", nargs="+", type=int, default=[1000, 2000])
    parser.add_argument("--changes", type=int, default=7, help="round changes per case")
    parser.add_argument("--generators", type=int, default=1, help="load-generator processes")
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument(
        "--variants",
        nargs="+",
        default=["-"],
        help="run each case as the app is (-) and/or with earlier costs put back: any of loop, "
        "hop, dumps, comma-separated, e.g. --variants - loop loop,hop,dumps (bench/_asgi.py)",
    )
    parser.add_argument("--settle", type=float, default=2.0, help="seconds after connecting")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of idle CPU baseline")
    parser.add_argument("--gap", type=float, default=1.5, help="seconds between changes")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--gc-log", action="store_true", help="log daphne's garbage collections (5 ms or more)"
    )
    parser.add_argument(
        "--profile", type=Path, help="record daphne with py-spy during the changes into this dir"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.changes <= 50 or not all(1 <= n <= 5000 for n in args.clients):
        parser.error("1-50 changes and 1-5,000 clients")

    if str(ROOT) not in sys.path:  # run as a script: bench/fanout.py
        sys.path.insert(0, str(ROOT))
    raise_nofile()
    print(f"load average before: {load_average()}; {os.cpu_count()} CPUs", flush=True)
    results: list[Case] = []
    work_dir = Path(tempfile.mkdtemp(prefix="speednet-fanout-"))
    try:
        with bench_database(args.db, work_dir) as database_url:
            setup_django(database_url)
            for layer, processes in args.cases:
                for clients in args.clients:
                    for variant in args.variants:
                        variant = "" if variant == "-" else variant
                        case = Case(layer, processes, clients, args.generators, variant)
                        results.append(run_case(case, args, database_url, work_dir))
                        print_case(case)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
        report(results, args.json)  # what was measured, also when a case failed
    missed = sum(case.summary()["missed"] for case in results)
    return 1 if missed else 0


def report(results: list[Case], json_path: Path | None) -> None:
    print(f"\nload average after: {load_average()}\n")
    print(HEADER)
    for case in results:
        print(format_row(case.summary()))
    if json_path:
        summaries = [
            {**case.summary(), "changes": [{"action": c.action, **c.row()} for c in case.changes]}
            for case in results
        ]
        json_path.write_text(json.dumps(summaries, indent=2))


if __name__ == "__main__":
    sys.exit(main())
