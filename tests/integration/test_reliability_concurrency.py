"""Two ansible-playbook runs scaling the same EHPC cluster at the same time."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.integration.ansible_runner import BIN_DIR, REPO_ROOT, base_env
from tests.integration.test_reliability_support import role_nodes, sim_ehpc_nodes
from tests.simulator.world import EHPC_CLUSTER_ID

CLUSTER = EHPC_CLUSTER_ID
# Started at once, two runs still reach the cluster a few hundred milliseconds apart, and
# read-then-write takes milliseconds: they would hardly ever race. Holding each write
# back (a "delay" fault, applied before the simulator acts) makes both runs read the
# same cluster and both write; the three rounds hold them back for different times.
WRITE_DELAYS = (0.5, 1.0, 2.0)


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


@pytest.mark.parametrize("delay", WRITE_DELAYS)
def test_two_runs_scaling_the_same_cluster_at_once_end_at_the_wanted_count(sim, tmp_path, delay):
    sim.faults([{"kind": "delay", "seconds": delay, "path": path, "times": 2}
                for path in ("/api/cluster/addNodes", "/api/cluster/deleteNodes")])
    tasks = [
        {"name": "scale out", "hpcops.clusters.ehpc_nodes": {"cluster_id": CLUSTER, "count": 5}},
        {"name": "scale in", "hpcops.clusters.ehpc_nodes": {"cluster_id": CLUSTER, "count": 3}},
    ]
    runs = concurrent_runs(sim, tmp_path, tasks)
    for results in runs:
        assert len(results) == 2 and not any(r.get("failed") for r in results), (delay, [r.get("msg") for r in results], sim.writes())
        # Each run's last look saw the cluster at the count it asked for.
        assert len(role_nodes(results[-1]["nodes"])) == 3, results[-1]["nodes"]
    compute = sim_ehpc_nodes(sim.state(), CLUSTER)
    assert len(compute) == 3 and all(n["status"] == "active" for n in compute), compute
    assert len(sim_ehpc_nodes(sim.state(), CLUSTER, "login")) == 1
    writes = [c["path"].rsplit("/", 1)[-1] for c in sim.writes()]
    print("delay %s: writes %s" % (delay, writes))
