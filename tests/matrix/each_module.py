"""One integration test per module, for ``make matrix`` (run in each ansible-core venv by
tests/matrix/test_ansible_core_matrix.py; the name does not start with ``test_``, so ``make test``
and the matrix itself do not collect it: ``make test`` runs the full integration tests instead).

Each test runs its module through ``ansible-playbook`` (tests/integration/ansible_runner.py)
against the simulator, or for ``slurm_node`` a real Slurm (tests/integration/slurm_cluster.py):
the module's main path, a write and its idempotent second run where the module writes, checked
against the simulator's call log. The full integration tests of a module run the whole file's
scenario at once (minutes); these take seconds each.
"""

from __future__ import annotations

from tests.integration.ansible_runner import run_module, run_module_tasks
from tests.integration.slurm_cluster import poll, slurm, slurm_session  # noqa: F401 pylint: disable=unused-import
from tests.simulator.world import CCE_CLUSTER_ID, CCE_POOL_CLUSTER_ID

EHPC_CLUSTER = "ehpc-8jqdq0mz"
HPS, ECS = "hc-demo-hps", "hc-demo-ecs"


def writes(sim) -> list:
    return [call for call in sim.calls() if call["method"] != "GET" and not call["path"].startswith("/_sim")]


def test_ehpc_nodes_scales_compute_out_then_second_run_is_unchanged(sim, tmp_path):
    run = run_module_tasks("ehpc_nodes", [{"cluster_id": EHPC_CLUSTER, "role": "compute", "count": 3}] * 2,
                           sim.url, tmp_dir=tmp_path)
    first, second = run.results
    assert first["changed"] and not first.get("failed"), run
    assert not second["changed"] and not second.get("failed"), run


def test_ehpc_nodes_info_lists_the_cluster_nodes(sim, tmp_path):
    run = run_module("ehpc_nodes_info", {"cluster_id": EHPC_CLUSTER}, sim.url, tmp_dir=tmp_path)
    assert not run.failed and not run.changed, run
    assert {"login", "compute"} <= {node["role"] for node in run.result["nodes"]}, run
    assert writes(sim) == []


def test_cce_nodes_info_lists_the_cluster_nodes(sim, tmp_path):
    run = run_module("cce_nodes_info", {"cluster_id": CCE_CLUSTER_ID}, sim.url, tmp_dir=tmp_path)
    assert not run.failed and not run.changed, run
    assert "cce-demo-node-1" in [node["name"] for node in run.result["nodes"]], run


def test_cce_node_remove_removes_a_node_then_second_run_is_unchanged(sim, tmp_path):
    args = {"cluster_id": CCE_CLUSTER_ID, "nodes": ["cce-demo-node-3"], "login": {"ssh_key": "KeyPair-demo"}}
    run = run_module_tasks("cce_node_remove", [args, args], sim.url, tmp_dir=tmp_path)
    first, second = run.results
    assert first["changed"] and not first.get("failed") and len(first["removed"]) == 1, run
    assert not second["changed"] and not second.get("failed"), run
    assert len([call for call in writes(sim) if call["path"].endswith("nodes/operation/remove")]) == 1


def test_modelarts_hyper_cluster_deletes_then_second_run_is_unchanged(sim, tmp_path):
    args = {"id": ECS, "type": "ECS", "state": "absent", "wait": True}
    run = run_module_tasks("modelarts_hyper_cluster", [args, args], sim.url, tmp_dir=tmp_path)
    first, second = run.results
    assert first["changed"] and not first.get("failed"), run
    assert not second["changed"] and not second.get("failed") and second["not_found"] == [ECS], run
    assert [call["method"] for call in writes(sim)] == ["DELETE"]


def test_modelarts_hyper_cluster_info_lists_the_hyper_clusters(sim, tmp_path):
    run = run_module("modelarts_hyper_cluster_info", {}, sim.url, tmp_dir=tmp_path)
    assert not run.failed and not run.changed, run
    assert {HPS, ECS} <= {cluster["id"] for cluster in run.result["hyper_clusters"]}, run


def test_cce_node_pool_scales_a_pool_out_then_second_run_is_unchanged(sim, tmp_path):
    args = {"cluster_id": CCE_POOL_CLUSTER_ID, "node_pool": "pool-compute", "count": 3, "wait": True}
    run = run_module_tasks("cce_node_pool", [args, args], sim.url, tmp_dir=tmp_path)
    first, second = run.results
    assert first["changed"] and not first.get("failed") and len(first["added_nodes"]) == 1, run
    assert not second["changed"] and not second.get("failed"), run
    assert len([call for call in writes(sim) if call["path"].endswith("/operation/scale")]) == 1


def test_cce_node_pool_info_lists_the_node_pools(sim, tmp_path):
    run = run_module("cce_node_pool_info", {"cluster_id": CCE_POOL_CLUSTER_ID}, sim.url, tmp_dir=tmp_path)
    assert not run.failed and not run.changed, run
    assert "pool-compute" in [pool["name"] for pool in run.result["node_pools"]], run
    assert writes(sim) == []


def test_slurm_node_resumes_a_drained_node_then_second_run_is_unchanged(slurm, tmp_path):  # noqa: F811
    slurm.run("scontrol", "update", "NodeName=compute01", "State=DRAIN", "Reason=before the test")
    args = {"nodes": ["compute01"], "state": "resumed"}
    run = run_module("slurm_node", args, "", env=dict(slurm.env), credentials=False, tmp_dir=tmp_path)
    assert run.changed and not run.failed and run.result["changed_nodes"] == ["compute01"], run
    poll(lambda: slurm.node_state() == "IDLE", 60, "compute01 to be IDLE")
    again = run_module("slurm_node", args, "", env=dict(slurm.env), credentials=False, tmp_dir=tmp_path)
    assert not again.changed and not again.failed, again
