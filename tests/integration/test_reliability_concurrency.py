"""Two ansible-playbook runs scaling the same EHPC cluster at the same time."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.integration.ansible_runner import BIN_DIR, REPO_ROOT, base_env
from tests.integration.scenario import role_nodes, sim_ehpc_nodes
from tests.simulator.world import EHPC_CLUSTER_ID

# A long file: tests/conftest.py has pytest-xdist start the slow files first.
pytestmark = pytest.mark.slow

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
        result = results[0]
        # Never more than the run's own plan, made from the one read both runs did.
        assert result["plan"]["add"] <= max(0, wanted - start), result["plan"]
        assert len(result["plan"]["remove"]) <= max(0, start - wanted), result["plan"]
        # A run that ends off the count says why, and how to converge.
        have = len(role_nodes(result["nodes"]))
        warned = [w for w in result.get("warnings", []) if "because another change ran at the same time" in w]
        if have != wanted:
            assert warned and ("has %d compute nodes for count %d" % (have, wanted)) in warned[0], result
        else:
            assert not warned, result
    assert len(sim_ehpc_nodes(sim.state(), CLUSTER, "login")) == 1
    return [results[0] for results in runs]


def converges(sim, tmp_path, wanted):
    """A re-run brings the cluster to ``wanted``; one more run is a no-op."""
    task = {"name": "rerun", "hpcops.clusters.ehpc_nodes": {"cluster_id": CLUSTER, "count": wanted}}
    playbook = tmp_path / "rerun.json"
    playbook.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": [task, task]}]))
    rerun, again = finish(start(sim, playbook))
    assert not rerun.get("failed") and not rerun.get("warnings"), rerun
    assert len(role_nodes(rerun["nodes"])) == wanted, rerun["nodes"]
    assert not again.get("changed") and again["plan"] == {"add": 0, "add_batches": [], "remove": [], "restart": [],
                                                          "protected": {}}, again
    compute = sim_ehpc_nodes(sim.state(), CLUSTER)
    assert len(compute) == wanted and all(n["status"] == "active" for n in compute), compute
    return rerun


@pytest.mark.parametrize("delay", WRITE_DELAYS)
def test_two_runs_scaling_out_at_once_never_write_beyond_their_plans(sim, tmp_path, delay):
    runs = scale_at_once(sim, tmp_path, 2, 5, delay)
    added = sum(len(j["resource_ids"]) for j in ehpc_jobs(sim, "AddClusterNodes"))
    # Neither run removes the other's nodes (a write beyond its plan): what was added is
    # the sum of what the plans allowed.
    assert ehpc_jobs(sim, "DeleteClusterNodes") == [], sim.writes()
    assert added == sum(r["plan"]["add"] for r in runs), (added, runs)
    compute = len(sim_ehpc_nodes(sim.state(), CLUSTER))
    if sorted(r["plan"]["add"] for r in runs) == [3, 3]:
        # They raced (the usual case): both read 2 nodes and added 3; the cluster has 8,
        # and at least the run that saw both additions warns.
        assert compute == 8 and any(r.get("warnings") for r in runs), runs
    else:
        # On a loaded machine the second run may start after the first write landed: it
        # then finds 5 nodes and sends nothing.
        assert sorted(r["plan"]["add"] for r in runs) == [0, 3] and compute == 5, runs
    rerun = converges(sim, tmp_path, 5)
    assert len(rerun["removed"]) == compute - 5 and rerun["plan"]["add"] == 0


@pytest.mark.parametrize("delay", WRITE_DELAYS[:2])
def test_two_runs_scaling_in_at_once_remove_only_the_surplus(sim, tmp_path, delay):
    runs = scale_at_once(sim, tmp_path, 5, 3, delay)
    assert ehpc_jobs(sim, "AddClusterNodes") == []
    assert [len(j["resource_ids"]) for j in ehpc_jobs(sim, "DeleteClusterNodes")] == [2]
    # Both chose the same two newest nodes; the slower deleteNodes was refused (they were
    # already leaving): that run removed nothing itself and says so. On a loaded machine
    # the second run may start after the first removal landed: it then finds 3 nodes and
    # sends nothing.
    assert [c.get("ret_code") for c in sim.writes()] in ([0], [0, 1400], [0, 2100])
    assert sorted(len(r["removed"]) for r in runs) == [0, 2], runs
    assert len(sim_ehpc_nodes(sim.state(), CLUSTER)) == 3
    converges(sim, tmp_path, 3)
