"""Fixtures for tests that run the collection's modules against the simulator."""

from __future__ import annotations

import pytest

from tests.integration.ansible_runner import run_module, run_playbook
from tests.integration.slurm_cluster import slurm, slurm_session  # noqa: F401 pylint: disable=unused-import


@pytest.fixture
def module_runner(sim, tmp_path):
    """``module_runner("ehpc_nodes", {...}, check=True)`` runs one task against the simulator."""

    def runner(module, args, **kwargs):
        kwargs.setdefault("tmp_dir", tmp_path)
        return run_module(module, args, sim.url, **kwargs)

    return runner


@pytest.fixture
def playbook_runner(sim):
    def runner(playbook, extra_args=None, **kwargs):
        return run_playbook(playbook, sim.url, extra_args, **kwargs)

    return runner
