from __future__ import annotations

# pytest fixtures for the simulator. Import them into a conftest.py, e.g.
#     from simulator.pytest_fixtures import sim, simulator_session  # noqa: F401
# Several conftest files may import them: the session fixture then still shares one process.

import contextlib
from typing import Iterator

import pytest

from .fixture import Simulator, running_simulator


class _Shared:
    """Reference-counted session simulator (a fixture registered twice starts it once)."""

    def __init__(self) -> None:
        self.users = 0
        self.sim: Simulator | None = None
        self.stack = contextlib.ExitStack()

    def acquire(self) -> Simulator:
        if self.sim is None:
            self.sim = self.stack.enter_context(running_simulator(job_seconds=0.2))
        self.users += 1
        return self.sim

    def release(self) -> None:
        self.users -= 1
        if self.users == 0:
            self.sim = None
            self.stack.close()


_SHARED = _Shared()


@pytest.fixture(scope="session")
def simulator_session() -> Iterator[Simulator]:
    """One simulator for the whole session (job_seconds 0.2).

    Under pytest-xdist each worker is a session of its own, so each gets its own simulator:
    on a free port (``--port 0``) with its scratch files in a fresh temporary directory, and
    no state file, so workers never see each other's world, calls or faults.
    """
    simulator = _SHARED.acquire()
    try:
        yield simulator
    finally:
        _SHARED.release()


@pytest.fixture
def sim(simulator_session: Simulator) -> Iterator[Simulator]:  # pylint: disable=redefined-outer-name
    """The session simulator, reset to the default world (calls, faults and config too)."""
    simulator_session.reset()
    yield simulator_session
