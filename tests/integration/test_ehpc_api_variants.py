"""ehpc_nodes and the ehpc_rolling_restart role against each reading of the EHPC API.

QingCloud's sources disagree on deleteNodes' id key (``node_ids`` in the SDK and the later doc
page, ``node_list`` in the seed's table) and on the restart route (``restartNodes`` in the SDK
and ``restartnodes.md``, ``resatrtNodes`` in the seed's page). The simulator serves one reading
at a time (tests/simulator/README.md, "variants"); the collection must work with each:
docs/api-decisions.md, "Where the sources disagree". Per variant: one scenario playbook (add,
scale-in, absent, restart) and one role run; and ``make demo``'s script in the seed pages' reading
(the default reading's demo is test_roles_playbooks.py's).
"""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.integration.ansible_runner import REPO_ROOT, run_playbook
from tests.integration.role_runs import PLAYBOOKS, SIM, task_results
from tests.integration.scenario import Scenario, sim_ehpc_nodes

CLUSTER = "ehpc-8jqdq0mz"
RESTART = "/api/cluster/restartNodes"
SEED_RESTART = "/api/cluster/resatrtNodes"
DELETE = "/api/cluster/deleteNodes"

VARIANTS = {
    # the SDK's and the later doc pages' reading (also the simulator's default)
    "node_ids+restartNodes": {"ehpc_delete_ids_key": "node_ids", "ehpc_restart_route": "restartNodes"},
    # the seed pages' reading
    "node_list+resatrtNodes": {"ehpc_delete_ids_key": "node_list", "ehpc_restart_route": "resatrtNodes"},
}


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def variant(request, simulator_session, tmp_path_factory):
    sim = simulator_session
    sim.reset()
    sim.config(**VARIANTS[request.param])
    world = sim.state()
    compute = [n["node_id"] for n in sorted(sim_ehpc_nodes(world, CLUSTER), key=lambda n: n["create_time"])]
    scenario = Scenario(sim, tmp_path_factory.mktemp("variant"))
    (scenario
     .world().task("scale out", "ehpc_nodes", {"cluster_id": CLUSTER, "count": 4})
     .task("scale in", "ehpc_nodes", {"cluster_id": CLUSTER, "count": 2})
     .world().task("absent", "ehpc_nodes", {"cluster_id": CLUSTER, "state": "absent", "nodes": [compute[0]]})
     .world().task("restart", "ehpc_nodes", {"cluster_id": CLUSTER, "state": "restarted", "nodes": compute}))
    run = scenario.run()
    run.compute = compute
    run.served = VARIANTS[request.param]
    # One role run: the rolling restart, one node a batch (one ehpc_nodes task each).
    sim.world()
    sim.clear_calls()
    run.role = run_playbook(PLAYBOOKS / "ehpc_rolling_restart.yml", sim.url,
                            SIM + ["-e", "ehpc_rolling_restart_batch_size=1",
                                   "-e", "ehpc_rolling_restart_nodes=compute01,compute02"])
    run.role_writes = sim.writes()
    run.role_state = sim.state()
    try:
        yield run
    finally:
        sim.reset()  # the next module's simulator serves the default reading again


def ok(result):
    return result["changed"] and not result.get("failed")


def test_scale_out_and_scale_in_work_whichever_id_key_delete_nodes_reads(variant):
    assert ok(variant["scale out"]), variant["scale out"]
    run = variant["scale in"]
    assert ok(run) and len(run["removed"]) == 2, run
    deletes = variant.writes_of("scale in", DELETE)
    assert [(c["status"], c["ret_code"]) for c in deletes] == [(200, 0)]
    left = sim_ehpc_nodes(variant.state, CLUSTER)
    assert all(node_id not in [n["node_id"] for n in left] for node_id in run["removed"])


def test_absent_removes_the_listed_node_whichever_id_key_delete_nodes_reads(variant):
    run = variant["absent"]
    assert ok(run) and run["removed"] == [variant.compute[0]], run
    assert [(c["status"], c["ret_code"]) for c in variant.writes_of("absent", DELETE)] == [(200, 0)]


def test_restart_uses_the_route_the_server_has_trying_the_seed_spelling_only_after_a_404(variant):
    run = variant["restart"]
    assert ok(run) and run["restarted"] == variant.compute, run
    writes = [(c["path"], c["status"]) for c in variant.writes_of("restart")]
    if variant.served["ehpc_restart_route"] == "restartNodes":
        assert writes == [(RESTART, 200)]
    else:
        assert writes == [(RESTART, 404), (SEED_RESTART, 200)]


def test_the_rolling_restart_role_restarts_every_node_whichever_route_is_served(variant):
    assert variant.role.rc == 0, variant.role
    restarted = [r["restarted"] for r in task_results(variant.role, "Restart the batch's nodes")]
    assert len(restarted) == 2 and all(len(batch) == 1 for batch in restarted)
    paths = [(c["path"], c["status"]) for c in variant.role_writes]
    # Each batch is a task of its own, with a client of its own: each finds the route once.
    if variant.served["ehpc_restart_route"] == "restartNodes":
        assert paths == [(RESTART, 200)] * 2
    else:
        assert paths == [(RESTART, 404), (SEED_RESTART, 200)] * 2
    assert all(n["transition_status"] == "" for n in variant.role_state["ehpc"]["clusters"][CLUSTER]["nodes"].values())


@pytest.mark.slow
def test_the_demo_passes_against_the_seed_pages_reading(tmp_path):
    # hack/demo.sh as `make demo` runs it, with its own simulator started with the flags given.
    flags = "--ehpc-delete-ids-key node_list --ehpc-restart-route resatrtNodes"
    env = dict(os.environ, HPCOPS_SIM_ARGS=flags, TMPDIR=str(tmp_path))
    proc = subprocess.run(["bash", str(REPO_ROOT / "hack" / "demo.sh")], cwd=str(REPO_ROOT), env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "(with %s)" % flags in proc.stdout
    recap = [line for line in proc.stdout.splitlines() if line.startswith("localhost ")]
    assert recap and "failed=0" in recap[-1], proc.stdout[-3000:]
