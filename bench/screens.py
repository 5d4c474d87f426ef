"""Screenshots of a whole evening, for a person to look at: every phone (390×844) and the
projector (1280×720, and 1920×1080 with --wide) at every state, from check-in to the close.

It runs the whole-evening browser test (tests/browser/test_evening.py), which drives an organizer,
seven phones, a late arrival and the projector through a real daphne, and saves the PNGs:

    .venv/bin/python bench/screens.py [--out screens/] [--wide]

The PNGs are not committed; the folder is printed at the end.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "screens"), help="folder for the PNGs")
    parser.add_argument("--wide", action="store_true", help="projector at 1920×1080")
    args = parser.parse_args()
    out = Path(args.out).resolve()
    env = {**os.environ, "SPEEDNET_SCREENS": str(out)}
    if args.wide:
        env["SPEEDNET_SCREENS_PROJECTOR"] = "1920x1080"
    test = "tests/browser/test_evening.py"
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", test], cwd=ROOT, env=env)
    shots = sorted(out.glob("*.png")) if out.exists() else []
    print(f"{len(shots)} screenshots in {out}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
