"""How late a server's event loop runs while the process preloads the Chinese glosses.

    .venv/bin/python bench/preload_lag.py [--runs N] [--empty-cache]

Each run is a fresh process that imports the application as daphne does (``config.asgi``, which
starts the gloss preload in a thread), then runs an event loop that asks to wake every
millisecond for ``--seconds`` from before the import, and prints: the seconds until the glosses
were loaded ("-": not within the window), the loop's total lateness (the sum over its wake-ups
of how late each came: time the loop could not run, the interpreter held by the preload or the
CPU taken by other processes; ``--off``, no preload, gives the latter alone) and its worst single
stall, and the process's CPU seconds (the child that builds a missing table not included). The
gloss cache is the user's (a warm cache after any earlier run), or with ``--empty-cache`` a new
empty directory per run (a machine where nothing was set up: the table is built). Run from the
project root; the settings are the app's own (SQLite, no server started).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import asyncio, json, sys, time
window = float(sys.argv[1])
t0 = time.monotonic()
import config.asgi
from pitches import glosses

async def main():
    worst = late = 0.0
    loaded_at = None
    while time.monotonic() - t0 < window:
        start = time.monotonic()
        await asyncio.sleep(0.001)
        lag = max(0.0, time.monotonic() - start - 0.001)
        worst, late = max(worst, lag), late + lag
        if loaded_at is None and glosses._loaded:
            loaded_at = time.monotonic() - t0
    return worst, late, loaded_at

worst, late, loaded_at = asyncio.run(main())
print(json.dumps({"loaded_s": loaded_at, "late_s": late, "worst_ms": 1000 * worst,
                  "cpu_s": time.process_time()}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--empty-cache", action="store_true", help="a new empty cache per run")
    parser.add_argument("--off", action="store_true", help="no preload (the baseline)")
    parser.add_argument("--seconds", type=float, default=20.0, help="the window measured")
    args = parser.parse_args()
    print("loaded s  loop late s  worst stall ms  process CPU s")
    for _ in range(args.runs):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
        env["SPEEDNET_PRELOAD_GLOSSES"] = "0" if args.off else "1"
        with tempfile.TemporaryDirectory() as empty:
            if args.empty_cache:
                env["SPEEDNET_GLOSS_CACHE_DIR"] = empty
            out = subprocess.run(
                [sys.executable, "-c", PROBE, str(args.seconds)],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
                timeout=600,
            ).stdout
        row = json.loads(out.splitlines()[-1])
        loaded = "       -" if row["loaded_s"] is None else f"{row['loaded_s']:8.2f}"
        print(
            f"{loaded}  {row['late_s']:11.2f}  {row['worst_ms']:14.0f}  {row['cpu_s']:13.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
