"""A crowd of HTTP requests at once against one daphne process on PostgreSQL with a small pool.

Run by hand: ``.venv/bin/python bench/crowd.py --database-url postgres://.../speednet_bench``
(options: ``--requests``, ``--pool``, ``--concurrency``, ``--timeout``). The database is
migrated, one daphne process serves it with ``DATABASE_POOL_MAX_SIZE=--pool``, and
``--requests`` GETs (the home page and ``/healthz``, both read the database) leave at the same
moment. It prints how many got each status (only 200 and 503 are allowed, never 500), p50/p99
latency and the time until the last answer. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.live import free_port, wait_for_port  # noqa: E402


def fetch(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code
    except OSError:
        return -1


def run(base_url: str, count: int) -> tuple[Counter[int], list[float], float]:
    paths = ["/", "/healthz"]
    statuses: list[int] = [0] * count
    latencies: list[float] = [0.0] * count
    barrier = threading.Barrier(count + 1)

    def one(index: int) -> None:
        barrier.wait()
        started = time.perf_counter()
        statuses[index] = fetch(base_url + paths[index % len(paths)])
        latencies[index] = time.perf_counter() - started

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return Counter(statuses), sorted(latencies), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--pool", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=0, help="0: the pool's size")
    parser.add_argument("--timeout", type=float, default=10)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_POOL_MIN_SIZE="1",
        DATABASE_POOL_MAX_SIZE=str(args.pool),
        DATABASE_POOL_TIMEOUT=str(args.timeout),
        SPEEDNET_HTTP_CONCURRENCY=str(args.concurrency or args.pool),
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "daphne.log"
        with log.open("wb") as out:
            server = subprocess.Popen(
                [sys.executable, "-m", "daphne", "-p", str(port), "config.asgi:application"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for_port(port, server, log)
            statuses, latencies, wall = run(f"http://127.0.0.1:{port}", args.requests)
        finally:
            server.terminate()
            server.wait(30)
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(
        f"{args.requests} requests, pool {args.pool}, "
        f"concurrency {args.concurrency or args.pool}: "
        + ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items()))
        + f"; p50 {p50:.0f} ms, p99 {p99:.0f} ms, last answer after {wall:.2f} s"
    )


if __name__ == "__main__":
    main()
