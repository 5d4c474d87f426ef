"""The server process loads the matcher's glosses at start (config/asgi.py), unless told not to."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Import the application as daphne does, wait for the start-up load if one began, and say whether
# the glosses are loaded: a fresh process, since the application module is imported once.
PROBE = """
import threading
import config.asgi
from pitches import glosses
for thread in threading.enumerate():
    if thread.name == "gloss-load":
        thread.join(timeout=120)
print(glosses._loaded)
"""


@pytest.mark.parametrize(("setting", "loaded"), [("true", "True"), ("false", "False")])
def test_asgi_loads_the_glosses_at_start_only_when_set(setting: str, loaded: str) -> None:
    env = {**os.environ, "SPEEDNET_PRELOAD_GLOSSES": setting}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"

    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )

    assert result.stdout.strip() == loaded
