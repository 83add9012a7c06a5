"""The simulator's world state in the middle of a scenario (tests/integration/scenario.py).

A scenario's ``ScenarioRun.state`` is the world after its last task only. A test that
checks the world right after ITS task gets a snapshot task placed just after it: a
``set_fact`` whose value is the simulator's ``/_sim/state``, read through the ``pipe``
lookup on the controller. It starts no module (no AnsiballZ) and makes no cloud call
(the control API is not logged), so the calls of every other task stay as they were.
"""

from __future__ import annotations

import json
import shlex

from tests.integration.scenario import CURL

STATE_FACT = "hpcops_sim_state"


def add_state_snapshot(scenario, name: str):
    """Add task ``name``: the world state at that point of the run (read it with ``state_at``)."""
    command = [CURL, "-sS", "-f"]
    if scenario.sim.cafile:
        command += ["--cacert", scenario.sim.cafile]
    command.append(scenario.sim.url + "/_sim/state")
    value = "{{ lookup('ansible.builtin.pipe', %s) | from_json }}" % json.dumps(shlex.join(command))
    return scenario.task(name, "ansible.builtin.set_fact", {STATE_FACT: value})


def state_at(run, name: str) -> dict:
    """The world state snapshot task ``name`` took; fails loudly if the snapshot did not work."""
    result = run[name]
    assert not result.get("failed") and STATE_FACT in result.get("ansible_facts", {}), result
    return result["ansible_facts"][STATE_FACT]
