"""Shared pytest fixtures: the local cloud simulator, one per test session (under
pytest-xdist: one per worker, each on a free port of its own).

Also prints the time of each ``make test`` stage before pytest's summary line, and that of the
static checks that run as tests (tests/checks).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests.simulator.pytest_fixtures import sim, simulator_session  # noqa: F401 pylint: disable=unused-import


SESSION_START = time.time()


def pytest_collection_modifyitems(session, config, items):  # pylint: disable=unused-argument
    """Files with a ``slow`` test first, each file's tests kept together and in order.

    ``make pytest`` runs pytest-xdist with ``--dist loadfile --no-loadscope-reorder``: a worker
    takes a whole file, in this order. By default xdist hands out the files with the most tests
    first, and the longest files (the static checks, the Slurm drains) have few: they started
    last and kept one worker busy for minutes after the others were done.
    """
    slow_files = {item.nodeid.split("::")[0] for item in items if item.get_closest_marker("slow")}
    items[:] = sorted(items, key=lambda item: item.nodeid.split("::")[0] not in slow_files)  # stable


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # pylint: disable=unused-argument
    """``make test`` stage times (written by hack/timed_stage.sh), then pytest's own."""
    stage_times = Path(os.environ.get("HPCOPS_STAGE_TIMES") or "/nonexistent")
    if not stage_times.is_file():
        return  # not run by `make test`
    stages, checks = {}, {}
    for line in stage_times.read_text().splitlines():
        name, _space, seconds = line.partition(" ")
        if seconds.isdigit():
            # "pytest/<check>": a check that ran inside pytest (tests/checks), beside other tests.
            into = checks if name.startswith("pytest/") else stages
            into[name.split("/", 1)[-1]] = into.get(name.split("/", 1)[-1], 0) + int(seconds)
    stages["pytest"] = int(time.time() - SESSION_START)
    terminalreporter.write_sep("-", "make test stages")
    terminalreporter.write_line("  ".join("%s %d:%02d" % (n, s // 60, s % 60) for n, s in stages.items())
                                + "  total %d:%02d" % divmod(sum(stages.values()), 60))
    if checks:
        terminalreporter.write_line("  within pytest, beside the other tests: "
                                    + "  ".join("%s %d:%02d" % (n, s // 60, s % 60) for n, s in checks.items()))
