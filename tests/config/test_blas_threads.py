"""The server's NumPy runs one BLAS thread (config/__init__.py), unless the environment says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
PROBE = (
    "import config, numpy, threadpoolctl; "
    "print(sorted({i['num_threads'] for i in threadpoolctl.threadpool_info() "
    "if i['user_api'] == 'blas'}))"
)


def blas_threads(**environment: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=PROJECT,
        env={**env, **environment},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip()


def test_numpy_runs_one_blas_thread_under_the_project() -> None:
    assert blas_threads() == "[1]"


def test_a_deployment_may_give_blas_more_threads() -> None:
    assert blas_threads(OPENBLAS_NUM_THREADS="2") == "[2]"
