"""Shared pytest fixtures: the local cloud simulator, one per test session (under
pytest-xdist: one per worker, each on a free port of its own).

Also keeps the tests that share a module-scoped fixture on one xdist worker, starts the
longest tests first, and prints the time of each ``make test`` stage before pytest's
summary line.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.simulator.pytest_fixtures import sim, simulator_session  # noqa: F401 pylint: disable=unused-import


SESSION_START = time.time()
# Fixture scopes whose setup (a playbook run of many tasks, a docs build, a simulator of
# its own) is paid once per module: all tests sharing one go to the same xdist worker.
SHARED_SCOPES = {"module", "package", "class"}


def _shared_fixtures(item) -> set:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return set()
    return {name for name in info.names_closure
            if info.name2fixturedefs.get(name) and info.name2fixturedefs[name][-1].scope in SHARED_SCOPES}


def _xdist_groups(items, root: Path) -> dict:
    """{item: group name} for tests that share a module-scoped fixture with other tests.

    Tests of one file that share such fixtures, directly or through a chain of tests, form
    one group (a union-find over the fixtures); independent fixtures of one file stay
    separate groups, so e.g. two scenario playbooks of a file still run on two workers.
    """
    parent: dict = {}

    def find(key):
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    shared = {}
    for item in items:
        names = sorted(_shared_fixtures(item))
        if not names:
            continue
        keys = [(os.path.relpath(item.path, root), name) for name in names]
        shared[item] = keys[0]
        for key in keys[1:]:
            parent[find(key)] = find(keys[0])
    return {item: "%s::%s" % find(key) for item, key in shared.items()}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Group tests for ``--dist loadgroup`` and start the tests marked slow first.

    Runs before pytest-xdist's own hook, which appends each group to the test's node id.
    Without xdist the markers do nothing. xdist hands out the groups first (largest first)
    and then single tests in collection order: moving the slow ones to the front keeps a
    long test from starting last while the other worker idles. A slow test that shares a
    module-scoped fixture stays where it is: moved away from its module, it would make
    plain pytest set that fixture up twice.
    """
    groups = _xdist_groups(items, config.rootpath)
    if config.pluginmanager.hasplugin("xdist"):
        for item, group in groups.items():
            item.add_marker(pytest.mark.xdist_group(group))
    items.sort(key=lambda item: item in groups or item.get_closest_marker("slow") is None)


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # pylint: disable=unused-argument
    """``make test`` stage times (written by hack/timed_stage.sh), then pytest's own."""
    stage_times = Path(os.environ.get("HPCOPS_STAGE_TIMES") or "/nonexistent")
    if not stage_times.is_file():
        return  # not run by `make test`
    stages = {}
    for line in stage_times.read_text().splitlines():
        name, _space, seconds = line.partition(" ")
        if seconds.isdigit():
            stages[name] = stages.get(name, 0) + int(seconds)
    stages["pytest"] = int(time.time() - SESSION_START)
    terminalreporter.write_sep("-", "make test stages")
    terminalreporter.write_line("  ".join("%s %d:%02d" % (n, s // 60, s % 60) for n, s in stages.items())
                                + "  total %d:%02d" % divmod(sum(stages.values()), 60))
