"""What the server builds at start is kept out of the cyclic garbage collector's passes."""

from __future__ import annotations

import os
import subprocess
import sys


def test_the_server_freezes_what_it_built_at_start():
    """Full passes of the cyclic garbage collector stop every socket of the process; what the
    start built (Django, the apps, the routes: about 170,000 objects, a tenth of a second a
    pass on a laptop) lives as long as the process and is frozen out of them, so a pass goes
    over what the room made (docs/benchmarks-storm.md). In a process of its own: freezing is
    for the whole process."""
    probe = "import gc; import config.asgi; print(gc.get_freeze_count())"
    env = {**os.environ, "SPEEDNET_PRELOAD_GLOSSES": "0"}

    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )

    assert int(out.stdout.split()[-1]) > 100_000
