"""Clock agreement between phones: N headless Chromium pages run static/js/live.js as served.

Every page gets its own clock skew (``Date.now`` shifted by a random amount within ±10 minutes)
and connects to a real daphne on a bench SQLite database, either straight over loopback or through
a TCP proxy that delays every chunk by a random, asymmetric amount (phone→server 5–60 ms,
server→phone 5–150 ms; order kept, as TCP does). The organizer starts a round through
``rounds.services`` (pushed to the pages over Redis); then, per scenario:

- **estimate spread**: each page reports ``serverNow() − real now`` (its error: the pages and
  daphne share this machine's clock, so the true server time is known); the spread is max − min
  over the pages at one instant. One sample after each of ``--trials`` rounds in which every page
  reconnects at a random moment within a second (a new clock sync burst; the module keeps its
  best samples of the last 2 minutes);
- **flip spread**: the real instant each page's countdown text changed to a given value (a
  MutationObserver on the clock), max − min over the pages, for every second seen by all;
- **timer lag**: how late a 100 ms timer chain fires on the pages: what the renderers add on top
  of the clock estimate (this machine's load, not the module);
- **pause**: the organizer pauses (``paused_at`` 0.5 s ahead); the spread of the real instants at
  which the pages froze, the span over which the message arrived, and the frozen texts.

Run from the project root (Redis on 127.0.0.1 for the pushes; without it the round starts
before the pages connect and the pause is skipped)::

    .venv/bin/python bench/clock.py                    # 20 pages, 6 samples
    .venv/bin/python bench/clock.py --clients 50 --trials 10

Everything runs on 127.0.0.1; the database is a temporary file, Redis db 15 under the bench
prefix (bench/_settings.py), every wait is bounded and the daphne process is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SETTINGS = "bench._settings"
REDIS_URL = "redis://127.0.0.1:6379/15"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SKEW_MS = 600_000
UP_MS = (5.0, 60.0)
DOWN_MS = (5.0, 150.0)
SYNC_WAIT_S = 2.0
WAIT_S = 30.0
EVENT_ID_BASE = 970_000  # far from test databases' ids, in case they share Redis

PAGE = """<!doctype html><meta charset="utf-8"><title>clock bench</title>
<section data-live data-live-url="/ws/a/{token}/"><p data-live-clock></p></section>
<script type="module" src="/static/js/live.js"></script>"""

# Runs before the page's own scripts: a skewed Date.now, and logs of what the bench measures.
INIT = """(() => {
  const realNow = Date.now.bind(Date);
  window.__realNow = realNow;
  Date.now = () => realNow() + %d;
  window.__flips = {};
  window.__froze = null;
  window.__gotRound = [];
  // How late this renderer's timers fire (a 100 ms chain): the floor under any flip spread.
  window.__lag = {n: 0, over: []};
  let due = performance.now() + 100;
  const beat = () => {
    const late = performance.now() - due;
    __lag.n += 1;
    if (late > 4) __lag.over.push(Math.round(late));
    due = performance.now() + 100;
    setTimeout(beat, 100);
  };
  setTimeout(beat, 100);
  // Called once the room is in place (set_content's document.open drops earlier listeners).
  window.__watch = () => {
    const root = document.querySelector('[data-live]');
    const clock = root.querySelector('[data-live-clock]');
    let shown = clock.textContent; // the first text, shown at connect, is not a flip
    new MutationObserver(() => {
      if (shown) __flips[clock.textContent] ??= realNow();
      shown = clock.textContent;
    }).observe(clock, {childList: true, characterData: true, subtree: true});
    new MutationObserver(() => {
      if (root.dataset.phase === 'paused' && __froze === null) {
        __froze = [realNow(), clock.textContent];
      }
    }).observe(root, {attributes: true, attributeFilter: ['data-phase']});
    root.addEventListener('speednet:state', () => __gotRound.push(realNow()));
  };
})();"""

ROOM = (
    "async () => (await import('/static/js/live.js')).start(document.querySelector('[data-live]'))"
)
ERROR = f"async () => {{ const room = await ({ROOM})(); return room.serverNow() - __realNow(); }}"
# Reconnect after a random pause within a second: phones do not all reconnect in the same
# millisecond (their backoff has full jitter), but 30 pages on one machine would.
RECONNECT = f"""async () => {{
  const room = await ({ROOM})();
  setTimeout(() => room.reconnect(), Math.random() * 1000);
}}"""


# --- setup: database, daphne, proxy -----------------------------------------------------------


def setup_django(database: Path, redis: bool) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    if redis:
        os.environ["REDIS_URL"] = REDIS_URL
    else:
        os.environ.pop("REDIS_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def daphne(log: Path) -> Iterator[int]:
    """daphne on 127.0.0.1 with this process's environment; yields its port."""
    port = free_port()
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "config.asgi:application"], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + WAIT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"daphne exited:\n{log.read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("daphne did not start") from None
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def pipe(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay_ms: tuple[float, float]
) -> None:
    """Copy bytes, each chunk delayed by a random amount; chunks never overtake each other."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def deliver() -> None:
        while True:
            due, data = await queue.get()
            await asyncio.sleep(max(0.0, due - loop.time()))
            if not data:
                break
            writer.write(data)
            await writer.drain()
        writer.close()

    task = asyncio.create_task(deliver())
    last_due = 0.0
    try:
        while data := await reader.read(65536):
            last_due = max(last_due, loop.time() + random.uniform(*delay_ms) / 1000)
            queue.put_nowait((last_due, data))
    except ConnectionError:
        pass
    queue.put_nowait((last_due, b""))
    await task


@asynccontextmanager
async def jitter_proxy(target_port: int) -> AsyncIterator[int]:
    """A TCP proxy on 127.0.0.1 in front of ``target_port``; yields its port."""

    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection("127.0.0.1", target_port)
        await asyncio.gather(
            pipe(client_r, server_w, UP_MS),
            pipe(server_r, client_w, DOWN_MS),
            return_exceptions=True,
        )

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()


# --- the event ----------------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    via_proxy: bool
    event_id: int
    tokens: list[str] = field(default_factory=list)


def create_event(event_id: int, clients: int) -> tuple[Any, list[str]]:
    """A live event with round 1 planned: every client seated, six to a table."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from events.codes import new_attendee_token, new_join_code
    from events.models import Attendee, Event
    from rounds.models import Round, Seat, Table

    user, _ = get_user_model().objects.get_or_create(username="bench-organizer")
    event = Event.objects.create(
        id=event_id,
        organizer=user,
        title=f"Clock bench {event_id}",
        slug=f"clock-bench-{event_id}",
        starts_at=timezone.now(),
        join_code=new_join_code(),
        status=Event.Status.LIVE,
    )
    round_ = Round.objects.create(event=event, number=1)
    tokens = []
    for n in range(clients):
        attendee = Attendee.objects.create(
            event=event, name=f"Phone {n}", token=new_attendee_token(), checked_in_at=timezone.now()
        )
        if n % 6 == 0:
            table = Table.objects.create(round=round_, number=n // 6 + 1)
        Seat.objects.create(round=round_, table=table, attendee=attendee, speaking_order=n % 6)
        tokens.append(attendee.token)
    return user, tokens


def round_service(event_id: int, action: str) -> None:
    from django.contrib.auth import get_user_model

    from rounds import services
    from rounds.models import Round

    round_ = Round.objects.get(event_id=event_id, number=1)
    user = get_user_model().objects.get(username="bench-organizer")
    getattr(services, f"{action}_round")(round_, by=user)


# --- measuring ------------------------------------------------------------------------------------


def spread(values: list[float]) -> float:
    return max(values) - min(values)


def p50_max(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} / {max(values):.1f}"


async def until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def all_pages(pages: list[Any], script: str) -> list[Any]:
    return await asyncio.gather(*(page.evaluate(script) for page in pages))


async def phases(pages: list[Any]) -> set[str]:
    values = await all_pages(pages, "document.querySelector('[data-live]').dataset.phase")
    return set(values)


async def open_page(browser: Any, base: str, token: str) -> Any:
    """A phone: its own browser context, because Chromium lets a context have one websocket
    handshake in flight per host (RFC 6455 4.1), which would queue the phones' reconnects."""
    context = await browser.new_context(viewport={"width": 360, "height": 640})
    page = await context.new_page()
    await page.add_init_script(INIT % random.randint(-SKEW_MS, SKEW_MS))
    await page.goto(base + "/healthz")
    await page.set_content(PAGE.format(token=token))
    await page.evaluate("__watch()")
    return page


async def open_pages(browser: Any, base: str, tokens: list[str]) -> list[Any]:
    pages = []
    for start in range(0, len(tokens), 10):
        batch = tokens[start : start + 10]
        pages += await asyncio.gather(*(open_page(browser, base, token) for token in batch))
    return pages


async def run_scenario(
    scenario: Scenario, browser: Any, daphne_port: int, trials: int, redis: bool
) -> dict[str, Any]:
    async with jitter_proxy(daphne_port) as proxy_port:
        port = proxy_port if scenario.via_proxy else daphne_port
        pages: list[Any] = []
        try:
            if not redis:  # no pushes: the pages see the running round in their snapshot
                await asyncio.to_thread(round_service, scenario.event_id, "start")
            pages = await open_pages(browser, f"http://127.0.0.1:{port}", scenario.tokens)
            await until(lambda: _ready(pages), "connections")
            await reconnect(pages)  # after the storm of page loads
            if redis:
                await asyncio.to_thread(round_service, scenario.event_id, "start")
            await until(lambda: _all_in(pages, {"running"}), "the round to run")
            errors: list[list[float]] = []
            for trial in range(trials):
                if trial:
                    await reconnect(pages)
                errors.append(await all_pages(pages, ERROR))
            flips = await all_pages(pages, "__flips")
            lags = await all_pages(pages, "__lag")
            result: dict[str, Any] = {
                "errors": errors,
                "flips": flip_spreads(flips),
                "lag": timer_lag(lags),
            }
            if redis:
                result["pause"] = await pause(scenario, pages)
            return result
        finally:
            await asyncio.gather(*(page.context.close() for page in pages))


async def reconnect(pages: list[Any]) -> None:
    """Every page reconnects within a second; then time for the clock sync."""
    await all_pages(pages, RECONNECT)
    await asyncio.sleep(1.1)
    await until(lambda: _ready(pages), "reconnections")
    await asyncio.sleep(SYNC_WAIT_S)


async def _ready(pages: list[Any]) -> bool:
    states = await all_pages(pages, "document.querySelector('[data-live]').dataset.connection")
    return set(states) == {"open"}


async def _all_in(pages: list[Any], wanted: set[str]) -> bool:
    return await phases(pages) <= wanted


def timer_lag(lags: list[dict[str, Any]]) -> tuple[float, float]:
    """p99 and max lateness of the pages' timers, in ms (lateness ≤ 4 ms is not recorded)."""
    over = sorted((late for lag in lags for late in lag["over"]), reverse=True)
    ticks = sum(lag["n"] for lag in lags)
    index = ticks // 100
    return (over[index] if index < len(over) else 4.0), (over[0] if over else 4.0)


def flip_spreads(flips: list[dict[str, float]]) -> list[float]:
    """For every countdown text all pages showed: max − min of the instants it appeared."""
    common = set.intersection(*(set(f) for f in flips)) - {"3:00"}  # 3:00: shown at connect
    return [spread([f[text] for f in flips]) for text in sorted(common)]


async def pause(scenario: Scenario, pages: list[Any]) -> dict[str, Any]:
    from rounds.models import Round

    before = [len(got) for got in await all_pages(pages, "__gotRound")]
    await asyncio.to_thread(round_service, scenario.event_id, "pause")
    paused = await asyncio.to_thread(Round.objects.get, event_id=scenario.event_id, number=1)
    await until(lambda: _all_in(pages, {"paused"}), "the pause")
    paused_at = paused.paused_at.timestamp() * 1000
    froze = await all_pages(pages, "__froze")
    got_round = await all_pages(pages, "__gotRound")
    arrived = [got[n] for got, n in zip(got_round, before, strict=True)]
    return {
        "froze_after": [at - paused_at for at, _ in froze],
        "texts": sorted({text for _, text in froze}),
        "arrived_before": [paused_at - at for at in arrived],
        "remaining": paused.paused_remaining,
    }


def row(*cells: str) -> str:
    return f"{cells[0]:<26}" + "".join(f"{cell:>17}" for cell in cells[1:])


def report(clients: int, trials: int, results: dict[str, dict[str, Any]]) -> None:
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nload average at the end (1 / 5 / 15 min): {load} on {os.cpu_count()} CPUs")
    print(f"{clients} pages (headless Chromium, live.js as served), clock skew uniform ±10 min,")
    print(f"{trials} samples per scenario, each after every page reconnected (a clock sync).\n")
    print(row("scenario", "estimate spread", "|error|", "flip spread", "timer lag"))
    print(row("(ms)", "p50 / max", "max", "p50 / max", "p99 / max"))
    for name, r in results.items():
        spreads = [spread(e) for e in r["errors"]]
        worst = max(abs(x) for e in r["errors"] for x in e)
        flips = p50_max(r["flips"]) if r["flips"] else "n/a"
        lag = "{:.0f} / {:.0f}".format(*r["lag"])
        print(row(name, p50_max(spreads), f"{worst:.1f}", flips, lag))
    for name, r in results.items():
        per_sample = " ".join(f"{spread(e):.1f}" for e in r["errors"])
        print(f"  {name}: estimate spread per sample: {per_sample}")
    for name, r in results.items():
        if "pause" not in r:
            continue
        p = r["pause"]
        left = p["remaining"] / timedelta(milliseconds=1)
        print(
            f"\npause, {name}: the message arrived {min(p['arrived_before']):.0f}–"
            f"{max(p['arrived_before']):.0f} ms before paused_at; the pages froze "
            f"{min(p['froze_after']):+.1f} to {max(p['froze_after']):+.1f} ms from it "
            f"(spread {spread(p['froze_after']):.1f} ms), showing {', '.join(p['texts'])} "
            f"({left:.0f} ms left)"
        )


async def bench(clients: int, trials: int, redis: bool, workdir: Path) -> None:
    from playwright.async_api import async_playwright

    scenarios = [
        Scenario("loopback", via_proxy=False, event_id=EVENT_ID_BASE + 1),
        Scenario("proxy 5–60 up, 5–150 down", via_proxy=True, event_id=EVENT_ID_BASE + 2),
    ]
    for scenario in scenarios:
        _, scenario.tokens = await asyncio.to_thread(create_event, scenario.event_id, clients)
    results: dict[str, dict[str, Any]] = {}
    with daphne(workdir / "daphne.log") as port:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                for scenario in scenarios:
                    print(f"running {scenario.name} ...", flush=True)
                    results[scenario.name] = await asyncio.wait_for(
                        run_scenario(scenario, browser, port, trials, redis), timeout=180
                    )
            finally:
                await browser.close()
    report(clients, trials, results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--trials", type=int, default=6)
    args = parser.parse_args()
    redis = redis_available()
    if not redis:
        print("no Redis on 127.0.0.1:6379: the round starts before connecting; no pause test")
    with tempfile.TemporaryDirectory(prefix="speednet-clock-") as tmp:
        workdir = Path(tmp)
        setup_django(workdir / "bench.sqlite3", redis)
        asyncio.run(bench(args.clients, args.trials, redis, workdir))


if __name__ == "__main__":
    main()
