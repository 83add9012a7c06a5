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

import re

import pytest

from tests.checks.make_targets import run_target, tail

# A long file: tests/conftest.py has pytest-xdist start the slow files first.
pytestmark = pytest.mark.slow


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
