"""Reconnect storm: N phones (re)connecting at once to one daphne process.

The venue Wi-Fi comes back and every phone reconnects in the same second. This starts one fresh
daphne process on a bench database (``bench/fanout.py``'s helpers: SQLite by default, the
in-memory channel layer), creates an event with N attendees, then, for each wave, opens all N
sockets to ``/ws/a/<token>/`` at the same moment (no gate: every handshake starts together) and
measures:

- the time from the start of the wave until the last phone has its ``state`` snapshot (and the
  p50 and p99 over the phones);
- handshakes dropped: sockets refused or cut before they were accepted (daphne's connect
  timeout, a reset, a full backlog), with no retry;
- errors: sockets accepted whose first message is not a ``state`` or that close before it.

The first wave is a cold connect; the next waves close every socket at once and reconnect them
all (the storm after a network drop). The load generator runs in its own process.

Since the times move with whatever else the machine does, each wave also prints figures that do
not: the CPU seconds the daphne processes spent on it, on its connects (until every phone has
sat in the room a second: "CPU s") and on its closes (every phone closes at once, then a second
for the server to see it: "close CPU s"), with Redis (``--processes`` above 1) the commands
Redis processed meanwhile and its own CPU seconds; and the handshakes the kernel turned away
because a listen queue was full (Linux's ``TcpExt ListenOverflows``, machine-wide: the phone's
TCP tries again after 1, 3, 7, 15 s).

    .venv/bin/python bench/storm.py                      # 2,000 phones, 3 waves, SQLite
    .venv/bin/python bench/storm.py --clients 500 2000 --waves 2
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import multiprocessing as mp
import os
import shutil
import signal
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: bench/storm.py
    sys.path.insert(0, str(ROOT))

from bench import fanout, rawws  # noqa: E402

WAVE_TIMEOUT_S = 60.0


async def one_phone(ws_url: str, origin: str, started: float) -> tuple[str, float, Any]:
    """Connect once (no retry) and wait for the snapshot: ("ok", seconds, socket),
    ("dropped", seconds, None) or ("error", seconds, None)."""
    from websockets.asyncio.client import connect

    try:
        ws = await asyncio.wait_for(
            connect(
                ws_url,
                origin=origin,
                ping_interval=None,
                compression=None,
                open_timeout=WAVE_TIMEOUT_S,
                close_timeout=2,
            ),
            WAVE_TIMEOUT_S,
        )
    except Exception:  # refused, reset, timed out, InvalidStatus: the handshake was dropped
        return "dropped", time.monotonic() - started, None
    try:
        first = json.loads(await asyncio.wait_for(ws.recv(), WAVE_TIMEOUT_S))
    except Exception:
        with contextlib.suppress(Exception):
            await ws.close()
        return "error", time.monotonic() - started, None
    if first.get("type") != "state":
        return "error", time.monotonic() - started, ws
    return "ok", time.monotonic() - started, ws


async def raw_phone(ws_url: str, origin: str, started: float) -> tuple[str, float, Any]:
    """``one_phone`` with ``bench.rawws`` (a minimal RFC 6455 client: the generator shares the
    cores with the server, and the ``websockets`` library costs it about three times the CPU)."""
    loop = asyncio.get_running_loop()
    first: asyncio.Future[Any] = loop.create_future()

    def on_message(message: Any) -> None:
        if not first.done():
            first.set_result(message)

    try:
        phone = await rawws.connect(ws_url, origin, on_message, timeout=WAVE_TIMEOUT_S)
    except Exception:  # refused, reset, timed out, a refused upgrade: the handshake dropped
        return "dropped", time.monotonic() - started, None
    await asyncio.wait([first, phone.lost], timeout=WAVE_TIMEOUT_S, return_when="FIRST_COMPLETED")
    if not first.done():  # closed, or no message in time
        await phone.close()
        return "error", time.monotonic() - started, None
    message = first.result()
    outcome = "ok" if isinstance(message, dict) and message.get("type") == "state" else "error"
    return outcome, time.monotonic() - started, phone


async def close_all(sockets: list[Any]) -> None:
    async def close(ws: Any) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(ws.close(), 5)  # a websockets client or a RawPhone

    await asyncio.gather(*(close(ws) for ws in sockets))


async def generator_loop(
    conn: Connection, base_urls: list[str], tokens: list[str], waves: int, client: str
) -> None:
    """Phone ``i`` connects to ``base_urls[i % len(base_urls)]`` (a proxy's round robin);
    ``client``: "raw" (``raw_phone``) or "websockets" (``one_phone``). Each wave's answer
    carries the results and the CPU seconds this process spent until the last snapshot."""
    loop = asyncio.get_running_loop()
    phone = raw_phone if client == "raw" else one_phone
    for _wave in range(waves):
        command = await loop.run_in_executor(None, conn.recv)
        if command != "go":
            break
        started = time.monotonic()
        cpu_before = time.process_time()
        results = await asyncio.gather(
            *(
                phone(
                    f"{base_urls[i % len(base_urls)].replace('http://', 'ws://')}/ws/a/{token}/",
                    base_urls[i % len(base_urls)],
                    started,
                )
                for i, token in enumerate(tokens)
            )
        )
        sockets = [ws for _outcome, _t, ws in results if ws is not None]
        cpu = time.process_time() - cpu_before
        conn.send(([(outcome, seconds) for outcome, seconds, _ws in results], cpu))
        # every phone sits in the room a moment; the coordinator says when to close (having
        # taken the servers' CPU figures), and hears when the server has seen the disconnects
        command = await loop.run_in_executor(None, conn.recv)
        await close_all(sockets)
        await asyncio.sleep(1.0)
        conn.send("closed")
        if command != "close":
            break
    conn.send("done")


def generator_main(
    conn: Connection, base_urls: list[str], tokens: list[str], waves: int, client: str
) -> None:
    fanout.raise_nofile()
    asyncio.run(generator_loop(conn, base_urls, tokens, waves, client))


def summarize(results: list[tuple[str, float]]) -> dict[str, Any]:
    times = sorted(seconds for outcome, seconds in results if outcome == "ok")
    return {
        "phones": len(results),
        "snapshots": len(times),
        "dropped": sum(1 for outcome, _ in results if outcome == "dropped"),
        "errors": sum(1 for outcome, _ in results if outcome == "error"),
        "p50_s": fanout.percentile(times, 0.5) if times else None,
        "p99_s": fanout.percentile(times, 0.99) if times else None,
        "last_s": times[-1] if times else None,
    }


def run(
    clients: int,
    waves: int,
    database_url: str,
    work_dir: Path,
    *,
    processes: int = 1,
    generators: int = 1,
    client: str = "raw",
) -> list[dict[str, Any]]:
    """``waves`` storms of ``clients`` phones on ``processes`` daphne processes (sharing the
    room through Redis when more than one), the phones spread over ``generators`` load
    generator processes that start each wave together; one row per wave."""
    fixture = fanout.create_event(clients)
    layer = "redis" if processes > 1 else "memory"
    servers = [
        fanout.start_daphne(fanout.django_env(database_url, layer, ""), work_dir)
        for _ in range(processes)
    ]
    base_urls = [server.base_url for server in servers]
    rows: list[dict[str, Any]] = []
    pipes: list[Connection] = []
    workers: list[mp.Process] = []
    redis_pid = fanout.redis_server_pid() if layer == "redis" else None
    try:
        for url in base_urls:
            fanout.warm_up(url, fixture)
        for g in range(generators):
            ours, theirs = mp.Pipe()
            share = fixture.tokens[g::generators]
            # phone i of the room goes to process i % processes whichever generator opens it
            targets = base_urls[g % processes :] + base_urls[: g % processes]
            worker = mp.Process(target=generator_main, args=(theirs, targets, share, waves, client))
            worker.start()
            pipes.append(ours)
            workers.append(worker)
        for wave in range(waves):
            load = fanout.load_average()
            before = wave_costs(servers, redis_pid)
            for pipe in pipes:
                pipe.send("go")
            results: list[tuple[str, float]] = []
            generator_cpu = 0.0
            for pipe in pipes:
                if not pipe.poll(WAVE_TIMEOUT_S * 2):
                    raise RuntimeError("a load generator did not answer")
                phones, cpu = pipe.recv()
                results.extend(phones)
                generator_cpu += cpu
            time.sleep(1.0)  # every phone sits in the room a moment
            connected = wave_costs(servers, redis_pid)
            for pipe in pipes:
                pipe.send("close")
            for pipe in pipes:
                if not pipe.poll(WAVE_TIMEOUT_S) or pipe.recv() != "closed":
                    raise RuntimeError("a load generator did not close its phones")
            after = wave_costs(servers, redis_pid)
            row = {
                "clients": clients,
                "processes": processes,
                "wave": wave + 1,
                "load": load,
                **summarize(results),
                "cpu_s": connected[0] - before[0],
                "close_cpu_s": after[0] - connected[0],
                "generator_cpu_s": generator_cpu,
                "overflows": after[3] - before[3],
            }
            if redis_pid:
                row["redis_commands"] = after[1] - before[1]
                row["redis_cpu_s"] = after[2] - before[2]
            rows.append(row)
            print(format_row(row), flush=True)
        for pipe in pipes:
            pipe.poll(30)
    finally:
        for worker in workers:
            worker.join(30)
            if worker.is_alive():
                worker.kill()
        for server in servers:
            fanout.stop_daphne(server)
    return rows


def listen_overflows() -> int:
    """Connections the kernel turned away so far because a listen queue was full (Linux's
    ``TcpExt ListenOverflows`` of ``/proc/net/netstat``, machine-wide); 0 where it is not kept."""
    try:
        lines = Path("/proc/net/netstat").read_text().splitlines()
    except OSError:
        return 0
    for names, values in itertools.pairwise(lines):
        if names.startswith("TcpExt:") and values.startswith("TcpExt:"):
            counters = dict(zip(names.split()[1:], values.split()[1:], strict=True))
            return int(counters.get("ListenOverflows", 0))
    return 0


def wave_costs(servers: list[Any], redis_pid: int | None) -> tuple[float, int, float, int]:
    """(the daphne processes' CPU seconds, Redis's commands processed, Redis's CPU seconds,
    ``listen_overflows``) so far; the Redis figures 0 without Redis."""
    cpu = sum(fanout.cpu_seconds(server.pid) for server in servers)
    if os.environ.get("BENCH_DIAG"):  # bench/_asgi.py: what each process holds, into a file
        for server in servers:
            os.kill(server.pid, signal.SIGUSR1)
    overflows = listen_overflows()
    if redis_pid is None:
        return cpu, 0, 0.0, overflows
    import redis

    client = redis.Redis.from_url(fanout.REDIS_URL)
    try:
        commands = int(client.info("stats")["total_commands_processed"])
    finally:
        client.close()
    return cpu, commands, fanout.cpu_seconds(redis_pid), overflows


HEADER = (
    "phones  procs  wave  snapshots  dropped  errors   p50 s   p99 s  last s  "
    "CPU s  close CPU s  gen CPU s  Redis cmds  Redis CPU s  queue full  load(1,5,15)"
)


def seconds(value: float | None) -> str:
    return "     -" if value is None else f"{value:6.2f}"


def format_row(row: dict[str, Any]) -> str:
    return (
        f"{row['clients']:6d}  {row['processes']:5d}  {row['wave']:4d}  "
        f"{row['snapshots']:9d}  {row['dropped']:7d}  "
        f"{row['errors']:6d}  {seconds(row['p50_s'])}  {seconds(row['p99_s'])}  "
        f"{seconds(row['last_s'])}  {row.get('cpu_s', 0):5.1f}  {row.get('close_cpu_s', 0):11.1f}  "
        f"{row.get('generator_cpu_s', 0):9.1f}  "
        f"{row.get('redis_commands', 0):10d}  {row.get('redis_cpu_s', 0):11.2f}  "
        f"{row.get('overflows', 0):10d}  {row['load']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", nargs="+", type=int, default=[2000])
    parser.add_argument("--waves", type=int, default=3, help="a cold connect, then reconnects")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="daphne processes sharing the room through Redis (phones spread round robin)",
    )
    parser.add_argument(
        "--generators", type=int, default=1, help="load generator processes (phones split)"
    )
    parser.add_argument(
        "--pg-database",
        default=fanout.PG_DATABASE,
        help="the PostgreSQL database to create (dropped first and at the end: one of your own)",
    )
    parser.add_argument(
        "--redis-prefix",
        help="the channel layer's Redis prefix (default speednet-bench; another for a second "
        "bench running at once against the same Redis)",
    )
    parser.add_argument(
        "--client",
        choices=["raw", "websockets"],
        default="raw",
        help="the phones' socket code: a minimal RFC 6455 client (default) or the websockets "
        "library (costlier for the generator, which shares the cores with the server)",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    if args.redis_prefix:
        os.environ["BENCH_REDIS_PREFIX"] = args.redis_prefix
    if not 1 <= args.processes <= 8 or not 1 <= args.generators <= 8:
        parser.error("1-8 processes and 1-8 generators")
    if not all(1 <= n <= 5000 for n in args.clients) or not 1 <= args.waves <= 10:
        parser.error("1-5,000 clients and 1-10 waves")
    fanout.raise_nofile()
    print(f"load average before: {fanout.load_average()}; {os.cpu_count()} CPUs", flush=True)
    rows: list[dict[str, Any]] = []
    work_dir = Path(tempfile.mkdtemp(prefix="speednet-storm-"))
    try:
        with fanout.bench_database(args.db, work_dir, args.pg_database) as database_url:
            fanout.setup_django(database_url)
            print(HEADER, flush=True)
            for clients in args.clients:
                rows.extend(
                    run(
                        clients,
                        args.waves,
                        database_url,
                        work_dir,
                        processes=args.processes,
                        generators=args.generators,
                        client=args.client,
                    )
                )
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    print(f"\nload average after: {fanout.load_average()}\n{HEADER}")
    for row in rows:
        print(format_row(row))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 1 if any(row["dropped"] or row["errors"] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
