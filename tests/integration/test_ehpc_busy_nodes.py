"""Job-aware scale-in: ehpc_nodes never removes a node running an HPC job while an idle one can go."""

from __future__ import annotations

from tests.integration.test_ehpc_nodes import CLUSTER, ehpc_nodes, ehpc_writes


def compute_names(sim):
    return [n["name"] for n in ehpc_nodes(sim, "compute")]


def test_scale_in_removes_idle_nodes_and_keeps_busy_ones(sim, module_runner):
    module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 4})
    names = compute_names(sim)  # compute01..04, oldest first
    busy = names[-2:]  # the two newest would be picked first without the guard
    job_id = sim.start_hpc_job(busy)
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 2})
    assert run.changed, run
    assert sorted(compute_names(sim)) == sorted(busy)
    protected = run.result["plan"]["protected"]
    assert len(protected) == 2 and all(jobs == [job_id] for jobs in protected.values())


def test_scale_in_refuses_when_only_busy_nodes_are_surplus_and_writes_nothing(sim, module_runner):
    job_id = sim.start_hpc_job(compute_names(sim))
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 1})
    assert run.failed, run
    assert "busy" in run.result["msg"] and str(job_id) in run.result["msg"]
    for node in ehpc_nodes(sim, "compute"):
        assert node["node_id"] in run.result["msg"]
    assert sim.writes() == []


def test_busy_nodes_remove_overrides_the_guard(sim, module_runner):
    sim.start_hpc_job(compute_names(sim))
    newest = ehpc_nodes(sim, "compute")[-1]["node_id"]
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 1, "busy_nodes": "remove"})
    assert run.changed and run.result["removed"] == [newest], run
    assert len(ehpc_writes(sim, "deleteNodes")) == 1


def test_absent_refuses_an_explicit_busy_node(sim, module_runner):
    target = ehpc_nodes(sim, "compute")[0]
    job_id = sim.start_hpc_job([target["name"]])
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "state": "absent", "nodes": [target["node_id"]]})
    assert run.failed and target["node_id"] in run.result["msg"] and str(job_id) in run.result["msg"], run
    assert sim.writes() == []


def test_check_mode_reports_picked_and_protected_nodes(sim, module_runner):
    nodes = ehpc_nodes(sim, "compute")
    job_id = sim.start_hpc_job([nodes[-1]["name"]])
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 1}, check=True)
    assert run.changed, run
    assert run.result["removed"] == [nodes[0]["node_id"]]
    assert run.result["plan"]["protected"] == {nodes[-1]["node_id"]: [job_id]}
    assert sim.writes() == []


def test_finished_jobs_do_not_protect_nodes(sim, module_runner):
    newest = ehpc_nodes(sim, "compute")[-1]
    job_id = sim.start_hpc_job([newest["name"]])
    sim.finish_hpc_job(job_id)
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 1})
    assert run.changed and run.result["removed"] == [newest["node_id"]], run


def test_info_reports_busy_flag_and_job_ids(sim, module_runner):
    nodes = ehpc_nodes(sim, "compute")
    job_id = sim.start_hpc_job([nodes[0]["name"]])
    run = module_runner("ehpc_nodes_info", {"cluster_id": CLUSTER, "query": "[?busy].id"})
    assert run.result["query_result"] == [nodes[0]["node_id"]], run
    busy = [n for n in run.result["nodes"] if n["busy"]]
    assert busy[0]["jobs"] == [str(job_id)]
