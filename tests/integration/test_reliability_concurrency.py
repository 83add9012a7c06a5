"""Two ansible-playbook runs scaling the same EHPC cluster at the same time."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.integration.ansible_runner import BIN_DIR, REPO_ROOT, base_env
from tests.integration.scenario import role_nodes, sim_ehpc_nodes
from tests.simulator.world import EHPC_CLUSTER_ID

CLUSTER = EHPC_CLUSTER_ID
# Started at once, two runs still reach the cluster a few hundred milliseconds apart, and
# read-then-write takes milliseconds: they would hardly ever race. Holding each write
# back (a "delay" fault, applied before the simulator acts) makes both runs read the
# same cluster and both write; the three rounds hold them back for different times. At
# least 1 s: under pytest-xdist another worker's ansible-playbook competes for the CPUs,
# and the two runs' starts were seen more than 0.5 s apart (so they did not race).
WRITE_DELAYS = (1.0, 2.0, 3.0)


def start(sim, playbook):
    command = [str(BIN_DIR / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(playbook)]
    return subprocess.Popen(command, env=base_env(sim.url), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=str(REPO_ROOT))


def finish(process) -> list:
    """Wait for the run; its task results (the runner's JSON callback output)."""
    stdout, stderr = process.communicate(timeout=300)
    try:
        data = json.loads(stdout[stdout.index("{"):])
    except ValueError:
        pytest.fail("no JSON output (rc %s): %s %s" % (process.returncode, stdout[-2000:], stderr[-2000:]))
    return [result for play in data["plays"] for task in play["tasks"] for result in task["hosts"].values()]


def concurrent_runs(sim, tmp_path, tasks) -> list:
    playbook = tmp_path / "concurrent.json"
    playbook.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
    processes = [start(sim, playbook), start(sim, playbook)]
    return [finish(process) for process in processes]


def ehpc_jobs(sim, action) -> list:
    return [j for j in sim.state()["jobs"].values() if j["action"] == action and j["status"] == "successful"]


def scale_at_once(sim, tmp_path, start, wanted, delay) -> list:
    """Both runs scale the compute nodes from ``start`` to ``wanted``; returns their results."""
    if start != 2:
        sim.world(ehpc_compute_nodes=start)
    sim.faults([{"kind": "delay", "seconds": delay, "path": path, "times": 2}
                for path in ("/api/cluster/addNodes", "/api/cluster/deleteNodes")])
    task = {"name": "scale", "hpcops.clusters.ehpc_nodes": {"cluster_id": CLUSTER, "count": wanted}}
    runs = concurrent_runs(sim, tmp_path, [task])
    for results in runs:
        assert len(results) == 1 and not results[0].get("failed"), (delay, results, sim.writes())
        # Each run returns only once the cluster, settled, has the count it asked for.
        assert len(role_nodes(results[0]["nodes"])) == wanted, results[0]["nodes"]
    compute = sim_ehpc_nodes(sim.state(), CLUSTER)
    assert len(compute) == wanted and all(n["status"] == "active" for n in compute), compute
    assert len(sim_ehpc_nodes(sim.state(), CLUSTER, "login")) == 1
    return runs


@pytest.mark.parametrize("delay", WRITE_DELAYS)
def test_two_runs_scaling_out_at_once_end_at_the_wanted_count(sim, tmp_path, delay):
    scale_at_once(sim, tmp_path, 2, 5, delay)
    added = sum(len(j["resource_ids"]) for j in ehpc_jobs(sim, "AddClusterNodes"))
    deleted = sum(len(j["resource_ids"]) for j in ehpc_jobs(sim, "DeleteClusterNodes"))
    # Both runs read 2 nodes and added 3 each; the surplus went once, and no more.
    assert (added, deleted) == (6, 3), sim.writes()


@pytest.mark.parametrize("delay", WRITE_DELAYS[:2])
def test_two_runs_scaling_in_at_once_remove_only_the_surplus(sim, tmp_path, delay):
    scale_at_once(sim, tmp_path, 5, 3, delay)
    assert ehpc_jobs(sim, "AddClusterNodes") == []
    assert [len(j["resource_ids"]) for j in ehpc_jobs(sim, "DeleteClusterNodes")] == [2]
    # Both chose the same two newest nodes; the slower deleteNodes was refused (they were
    # already leaving) and that run took the cluster as it found it.
    assert [c.get("ret_code") for c in sim.writes()] in ([0, 1400], [0, 2100])
