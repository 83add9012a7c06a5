"""The collection's static gates, run as tests: ``ansible-test sanity``, ``ansible-test units`` and
ansible-lint's production profile on roles/ and playbooks/ (the ``ansible-test integration``
targets: test_integration_targets.py).

Why inside pytest and not as stages before it: each of them keeps one CPU busy for a minute or
so, and run one after another before pytest they left the second CPU of a 2-CPU machine idle.
As tests they run on one pytest-xdist worker while the other workers run the Ansible tests (this
directory comes first in ``testpaths``, so the worker starts on them at once). Each runs the
Makefile target of the same name, so ``make sanity``, ``make units`` and ``make lint`` stay the
one definition of how they are run. They are in one file because sanity and units share the
ansible-test copy of the tree (``.tmp/ansible-test``): one worker runs them one after the other.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

# A long file: tests/conftest.py has pytest-xdist start the slow files first.
pytestmark = pytest.mark.slow

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


def test_ansible_test_sanity_passes():
    proc = run_target("sanity")
    assert proc.returncode == 0, tail(proc)
    # Every sanity test ran (none skipped for a missing requirement): ansible-test names each one.
    assert 'Running sanity test "validate-modules"' in proc.stdout and 'Running sanity test "pylint"' in proc.stdout, tail(proc)


def test_ansible_test_units_pass():
    proc = run_target("units")
    assert proc.returncode == 0, tail(proc)
    # ansible-test runs pytest once for module_utils and once for the controller code: each
    # summary line says only "N passed" (no failed, skipped or error).
    summaries = re.findall(r"^=+ (.+) in [0-9.]+s(?: \([0-9:]+\))? =+$", proc.stdout, re.MULTILINE)
    assert summaries and all(re.fullmatch(r"[0-9]+ passed", line) for line in summaries), tail(proc)


def test_roles_and_playbooks_pass_ansible_lint_production_profile():
    proc = run_target("lint")
    assert proc.returncode == 0, tail(proc)
    assert "Passed: 0 failure(s), 0 warning(s)" in proc.stdout + proc.stderr, tail(proc)
    # No warning at all, ansible-core's included (a Jinja filter falling back under lint's mock values).
    assert "WARNING" not in proc.stdout + proc.stderr, tail(proc)
