"""Job-aware scale-in: ehpc_nodes never removes a node running an HPC job while an idle one can go.

Every case is a task of one scenario run (see tests/integration/scenario.py): the HPC jobs are
started from the playbook itself, just before the task that must see them.
"""

from __future__ import annotations

import pytest

from tests.integration.scenario import Scenario
from tests.simulator.world import EHPC_CLUSTER_ID as CLUSTER


def compute_nodes(state: dict) -> list:
    """Compute nodes not on their way out, oldest first."""
    nodes = state["ehpc"]["clusters"][CLUSTER]["nodes"].values()
    return sorted((n for n in nodes if n["role"] == "compute" and n.get("transition_status") != "deleting"),
                  key=lambda n: n["create_time"])


def compute_names(state: dict) -> list:
    return [n["name"] for n in compute_nodes(state)]


@pytest.fixture(scope="module")
def busy(simulator_session, tmp_path_factory):
    sim = simulator_session
    sim.reset()
    world = sim.state()  # every .world() below rebuilds this one (fixed-seed node ids)
    job_id = world["next_hpc_job_id"]  # the first HPC job of a fresh world
    nodes = compute_nodes(world)  # compute01, compute02, oldest first
    names = [n["name"] for n in nodes]
    scenario = Scenario(sim, tmp_path_factory.mktemp("busy_nodes"))
    # The two newest would be picked first without the guard.
    scenario.world().task("scale out", "ehpc_nodes", {"cluster_id": CLUSTER, "count": 4})
    scenario.hpc_job(["compute03", "compute04"]).task("scale in", "ehpc_nodes", {"cluster_id": CLUSTER, "count": 2})
    scenario.snapshot("scale in")
    scenario.world().hpc_job(names).task("only busy surplus", "ehpc_nodes", {"cluster_id": CLUSTER, "count": 1})
    scenario.world().hpc_job(names).task("override", "ehpc_nodes",
                                         {"cluster_id": CLUSTER, "count": 1, "busy_nodes": "remove"})
    scenario.world().hpc_job([names[0]]).task("absent busy", "ehpc_nodes",
                                              {"cluster_id": CLUSTER, "state": "absent", "nodes": [nodes[0]["node_id"]]})
    scenario.world().hpc_job([names[-1]]).task("check mode", "ehpc_nodes", {"cluster_id": CLUSTER, "count": 1},
                                               check=True)
    scenario.world().hpc_job([names[-1]]).finish_hpc_job(job_id).task("finished job", "ehpc_nodes",
                                                                      {"cluster_id": CLUSTER, "count": 1})
    scenario.world().hpc_job([names[0]]).task("info", "ehpc_nodes_info", {"cluster_id": CLUSTER, "query": "[?busy].id"})
    run = scenario.run()
    run.job_id, run.nodes = job_id, nodes
    return run


def test_scale_in_removes_idle_nodes_and_keeps_busy_ones(busy):
    assert not busy["scale out"].get("failed"), busy["scale out"]
    result = busy["scale in"]
    assert result.get("changed"), result
    assert sorted(compute_names(busy.state_at("scale in"))) == ["compute03", "compute04"]
    protected = result["plan"]["protected"]
    assert len(protected) == 2 and all(jobs == [busy.job_id] for jobs in protected.values())


def test_scale_in_refuses_when_only_busy_nodes_are_surplus_and_writes_nothing(busy):
    result = busy["only busy surplus"]
    assert result.get("failed"), result
    assert "busy" in result["msg"] and str(busy.job_id) in result["msg"]
    for node in busy.nodes:
        assert node["node_id"] in result["msg"]
    assert busy.writes_of("only busy surplus") == []


def test_busy_nodes_remove_overrides_the_guard(busy):
    result = busy["override"]
    newest = busy.nodes[-1]["node_id"]
    assert result.get("changed") and result["removed"] == [newest], result
    assert len(busy.writes_of("override", "deleteNodes")) == 1


def test_absent_refuses_an_explicit_busy_node(busy):
    result = busy["absent busy"]
    target = busy.nodes[0]["node_id"]
    assert result.get("failed") and target in result["msg"] and str(busy.job_id) in result["msg"], result
    assert busy.writes_of("absent busy") == []


def test_check_mode_reports_picked_and_protected_nodes(busy):
    result = busy["check mode"]
    nodes = busy.nodes
    assert result.get("changed"), result
    assert result["removed"] == [nodes[0]["node_id"]]
    assert result["plan"]["protected"] == {nodes[-1]["node_id"]: [busy.job_id]}
    assert busy.writes_of("check mode") == []


def test_finished_jobs_do_not_protect_nodes(busy):
    result = busy["finished job"]
    assert result.get("changed") and result["removed"] == [busy.nodes[-1]["node_id"]], result


def test_info_reports_busy_flag_and_job_ids(busy):
    result = busy["info"]
    assert result["query_result"] == [busy.nodes[0]["node_id"]], result
    flagged = [n for n in result["nodes"] if n["busy"]]
    assert flagged[0]["jobs"] == [str(busy.job_id)]
