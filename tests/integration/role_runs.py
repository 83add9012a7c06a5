"""Shared by the tests that run the roles' playbooks (it holds no test itself): the simulator
inventory, and readers of a run's results and of the simulator's state."""

from __future__ import annotations

import json
import time

from tests.integration.ansible_runner import REPO_ROOT, AnsibleRun

PLAYBOOKS = REPO_ROOT / "playbooks"
EHPC_CLUSTER = "ehpc-8jqdq0mz"
CCE_CLUSTER = "cce-demo"
RESTART_PATH = "/api/cluster/restartNodes"
# The playbooks meant for job templates have no default cluster; the simulator inventory names the
# simulator's (playbooks/vars/simulator.yml), as `make demo` does.
SIM = ["-i", str(PLAYBOOKS / "inventory" / "simulator.yml")]
CCE_KEY = ["-e", "cce_scale_in_ssh_key=KeyPair-demo"]


def changed_count(run: AnsibleRun) -> int:
    return run.stats.get("localhost", {}).get("changed", -1)


def task_results(run: AnsibleRun, name: str) -> list:
    """Host results of the tasks whose name contains ``name`` (the json callback keeps names)."""
    data = json.loads(run.stdout[run.stdout.index("{"):])
    found = []
    for play in data.get("plays", []):
        for task in play.get("tasks", []):
            if name in task["task"]["name"]:
                found.extend(task["hosts"].values())
    return found


def messages(run: AnsibleRun, name: str) -> list:
    return [r.get("msg") for r in task_results(run, name)]


def ehpc_nodes(sim, role: str | None = None) -> list:
    nodes = sim.state()["ehpc"]["clusters"][EHPC_CLUSTER]["nodes"].values()
    return sorted((n for n in nodes if (role is None or n["role"] == role) and n.get("transition_status") != "deleting"),
                  key=lambda n: n["create_time"])


def cce_node_names(sim) -> list:
    return sorted(n["name"] for n in sim.state()["cce"]["clusters"][CCE_CLUSTER]["nodes"].values()
                  if n["phase"] != "Deleting")


def labels(nodes: list) -> str:
    """How the roles name nodes in their messages: ``name (ID)``."""
    return ", ".join("%s (%s)" % (n["name"], n["node_id"]) for n in nodes)


def restart_calls(sim) -> list:
    return [c for c in sim.writes() if c["path"] == RESTART_PATH]


def poll(check, timeout: float, interval: float = 0.05):
    """``check()``'s first truthy value, or AssertionError at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError("condition not met within %.0f s" % timeout)
        time.sleep(interval)


def write_failing_cases(tmp_path, cases: list, name: str = "cases") -> str:
    """One playbook for many failing-input cases: one ansible-playbook start instead of one each.

    ``cases`` is a list of ``(role, role_vars)``. Each case includes the role with its variables
    (JSON keeps their types) in a block of its own; the block's rescue records the message the
    case failed with (``case_failures``), and the next case starts. A case that does not fail
    records nothing and runs the role to its end.
    """
    tasks = []
    for index, (role, role_vars) in enumerate(cases):
        tasks.append({"name": "case %d" % index, "block": [
            {"name": "case %d: include the role" % index,
             "ansible.builtin.include_role": {"name": "hpcops.clusters." + role}, "vars": role_vars}],
            "rescue": [{"name": "case %d failed" % index,
                        "ansible.builtin.debug": {"msg": "{{ ansible_failed_result.msg }}"}}]})
    play = [{"name": "failing cases", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]
    path = tmp_path / ("%s.json" % name)
    path.write_text(json.dumps(play))
    return str(path)


def case_failures(run: AnsibleRun, count: int) -> list:
    """Per case of ``write_failing_cases``: the message it failed with, None if it did not fail."""
    found = []
    for index in range(count):
        recorded = [r.get("msg") for r in task_results(run, "case %d failed" % index) if not r.get("skipped")]
        assert len(recorded) <= 1, recorded
        found.append(recorded[0] if recorded else None)
    return found
