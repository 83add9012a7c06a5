"""Run a Makefile target from a test (tests/checks): ``make sanity``, ``make integration
INTEGRATION_GROUP=2`` ..., so that the Makefile stays the one definition of how each is run, and
add its time to ``make test``'s stage summary (tests/conftest.py prints it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# What `make pytest` exports for the tests; the targets set up their own environment.
NOT_FOR_THE_TARGETS = ("PYTHONPATH", "ANSIBLE_COLLECTIONS_PATH", "PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT",
                       "PYTEST_CURRENT_TEST", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")


def run_target(target: str, *variables: str, stage: str = "") -> subprocess.CompletedProcess:
    """``make TARGET [VARIABLE=value ...]``; its time is reported as ``stage`` (default: the target)."""
    make = shutil.which("make")
    if make is None:
        pytest.fail("make is not installed: the static checks run through the Makefile (apt-get install make)")
    env = {name: value for name, value in os.environ.items() if name not in NOT_FOR_THE_TARGETS}
    started = time.monotonic()
    proc = subprocess.run([make, "--no-print-directory", target] + list(variables), cwd=str(REPO_ROOT), env=env,
                          capture_output=True, text=True, timeout=1800, check=False)
    record_stage_time(stage or target, time.monotonic() - started)
    return proc


def record_stage_time(target: str, seconds: float) -> None:
    """Add the check's time to `make test`'s stage summary (see tests/conftest.py)."""
    stage_times = os.environ.get("HPCOPS_STAGE_TIMES")
    if stage_times:
        with open(stage_times, "a", encoding="utf-8") as handle:
            handle.write("pytest/%s %d\n" % (target, round(seconds)))


def tail(proc: subprocess.CompletedProcess) -> str:
    return (proc.stdout[-6000:] + "\n" + proc.stderr[-4000:]).strip()
