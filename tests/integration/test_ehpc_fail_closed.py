"""ehpc_nodes and ehpc_nodes_info fail closed on answers the EHPC API never gives.

Each read is answered with a 2xx that is an HTML page, ``{}`` or the real answer less one
documented key (the simulator's ``bad_answer`` fault): the task fails, names the endpoint,
and writes nothing.

All the tasks are one ansible-playbook run (see tests/integration/scenario.py); each starts
from the default world, so each test reads its own task's result and calls.
"""

from __future__ import annotations

import pytest

from tests.integration.scenario import Scenario

CLUSTER = "ehpc-8jqdq0mz"
LIST_NODES = "/api/cluster/listNodes$"
JOB_LIST = "/api/job/list$"
BODIES = ["html", "empty", "missing:hpc_app_nodes_set", "missing:total_count", "missing:ret_code"]
JOB_BODIES = ["html", "empty", "missing:hpc_job_set", "missing:total_count"]


def bad_answer(path, body, times=1):
    return [{"path": path, "kind": "bad_answer", "body": body, "times": times}]


@pytest.fixture(scope="module")
def ehpc(simulator_session, tmp_path_factory):
    sim = simulator_session
    sim.reset()
    state = sim.state()["ehpc"]["clusters"][CLUSTER]["nodes"]
    node_id = sorted(state)[0]
    used_ip = next(n["private_ip"] for n in state.values())
    scale = {"cluster_id": CLUSTER, "count": 3}
    scenario = Scenario(sim, tmp_path_factory.mktemp("ehpc_fail_closed"))
    for body in BODIES:
        scenario.world().task("scale out " + body, "ehpc_nodes", scale, bad_answer(LIST_NODES, body, times=10))
    for state_wanted in ("absent", "restarted"):
        scenario.world().task(state_wanted, "ehpc_nodes", {"cluster_id": CLUSTER, "state": state_wanted,
                                                           "nodes": [node_id]}, bad_answer(LIST_NODES, "html"))
    scenario.world().task("check mode", "ehpc_nodes", scale, bad_answer(LIST_NODES, "empty"), check=True)
    for body in JOB_BODIES:
        scenario.world().task("scale in " + body, "ehpc_nodes", {"cluster_id": CLUSTER, "count": 1},
                              bad_answer(JOB_LIST, body))
    for body in BODIES:
        scenario.world().task("info " + body, "ehpc_nodes_info", {"cluster_id": CLUSTER}, bad_answer(LIST_NODES, body))
    for body in JOB_BODIES:
        scenario.world().task("info jobs " + body, "ehpc_nodes_info", {"cluster_id": CLUSTER, "jobs": True},
                              bad_answer(JOB_LIST, body))
    (scenario
     .world().task("bad job status", "ehpc_nodes", dict(scale, wait_timeout=30),
                   bad_answer("/api/operation$", "missing:job_set", times=20))
     .world().task("refused write", "ehpc_nodes", scale,
                   [{"path": "/api/cluster/addNodes$", "kind": "ret_code", "ret_code": 1400}])
     # The cluster right after the refused write (compute nodes, whatever their transition).
     .task("refused write: nodes after", "ehpc_nodes_info", {"cluster_id": CLUSTER, "role": "compute", "jobs": False})
     # The first addNodes batch (99 nodes) is accepted, the second refused.
     .world().task("partial", "ehpc_nodes", dict(scale, count=103),
                   [{"path": "/api/cluster/addNodes$", "kind": "delay", "seconds": 0},
                    {"path": "/api/cluster/addNodes$", "kind": "ret_code", "ret_code": 1100}])
     .world().task("private ips", "ehpc_nodes", dict(scale, count=4, private_ips=["10.99.0.1", used_ip]))
     .world().task("absent not found", "ehpc_nodes",
                   {"cluster_id": CLUSTER, "state": "absent", "nodes": ["cln-zzzzzzzz"]})
     .task("restart not found", "ehpc_nodes", {"cluster_id": CLUSTER, "state": "restarted", "nodes": ["cln-zzzzzzzz"]})
     # Last: the added nodes stay "creating" for the rest of the run.
     .world().config(job_seconds=60)
     .task("creating: scale out", "ehpc_nodes", dict(scale, count=4, wait=False))
     .task("creating: scale in to 1", "ehpc_nodes", dict(scale, count=1, wait=False))
     .task("creating: nodes", "ehpc_nodes_info", {"cluster_id": CLUSTER, "role": "compute", "jobs": False})
     .task("creating: scale in to 3", "ehpc_nodes", dict(scale, count=3, wait=False)))
    run = scenario.run()
    run.url = sim.url
    run.used_ip = used_ip
    return run


def assert_failed_closed(run, name, call):
    result = run[name]
    assert result.get("failed"), result
    assert "unexpected answer from %s to %s" % (run.url, call) in result["msg"], result["msg"]
    assert "is `endpoint` right?" in result["msg"]
    assert run.writes_of(name) == []
    assert not result.get("changed")


@pytest.mark.parametrize("body", BODIES)
def test_scale_out_fails_closed_on_a_bad_node_list(ehpc, body):
    assert_failed_closed(ehpc, "scale out " + body, "EHPC listNodes")


def test_a_node_list_that_is_only_ret_code_zero_creates_nothing(ehpc):
    # 0.1 read {"ret_code": 0} as "no nodes" and created 9 nodes for count 3.
    name = "scale out missing:hpc_app_nodes_set"
    assert_failed_closed(ehpc, name, "EHPC listNodes")
    assert "no `hpc_app_nodes_set`" in ehpc[name]["msg"]
    assert [c["path"] for c in ehpc.calls_of(name, "/api/")] == ["/api/cluster/listNodes"]


@pytest.mark.parametrize("state", ["absent", "restarted"])
def test_removal_and_restart_fail_closed_on_a_bad_node_list(ehpc, state):
    assert_failed_closed(ehpc, state, "EHPC listNodes")


def test_check_mode_fails_closed_too(ehpc):
    assert_failed_closed(ehpc, "check mode", "EHPC listNodes")


@pytest.mark.parametrize("body", JOB_BODIES)
def test_scale_in_fails_closed_on_a_bad_job_list(ehpc, body):
    assert_failed_closed(ehpc, "scale in " + body, "EHPC job/list")


@pytest.mark.parametrize("body", BODIES)
def test_info_fails_closed_on_a_bad_node_list(ehpc, body):
    assert_failed_closed(ehpc, "info " + body, "EHPC listNodes")
    result = ehpc["info " + body]
    assert "nodes" not in result or result["nodes"] != []


@pytest.mark.parametrize("body", JOB_BODIES)
def test_info_fails_closed_on_a_bad_job_list(ehpc, body):
    assert_failed_closed(ehpc, "info jobs " + body, "EHPC job/list")


def test_a_bad_job_status_answer_fails_the_wait_and_reports_the_job(ehpc):
    result = ehpc["bad job status"]
    assert result.get("failed"), result
    assert "unexpected answer from %s to EHPC operation: no `job_set`" % ehpc.url in result["msg"]
    # The write happened before the bad answer: it is not hidden.
    assert [c["path"] for c in ehpc.writes_of("bad job status")] == ["/api/cluster/addNodes"]


def test_a_refused_write_is_not_a_change(ehpc):
    result = ehpc["refused write"]
    assert result.get("failed"), result
    assert result["changed"] is False
    after = ehpc["refused write: nodes after"]
    assert not after.get("failed"), after
    assert len(after["nodes"]) == 2, after["nodes"]


def test_partial_scale_out_is_reported(ehpc):
    result = ehpc["partial"]
    assert result.get("failed"), result
    assert result["changed"] is True
    assert len(result["job_ids"]) == 1
    assert "99 of 101 nodes were added before addNodes failed" in result["msg"], result["msg"]


def test_scale_in_never_picks_nodes_still_being_created(ehpc):
    first = ehpc["creating: scale out"]
    assert first["changed"] and not first.get("failed"), first
    result = ehpc["creating: scale in to 1"]
    assert result.get("failed"), result
    assert "would have to remove nodes in transition" in result["msg"]
    assert "(creating)" in result["msg"]
    assert ehpc.writes_of("creating: scale in to 1") == []  # nothing sent
    # Two settled nodes and two creating ones: scale-in to 3 removes a settled node only.
    nodes = ehpc["creating: nodes"]
    assert not nodes.get("failed"), nodes
    creating = set(n["id"] for n in nodes["nodes"] if n.get("transition_status") == "creating")
    assert len(creating) == 2, nodes["nodes"]
    result = ehpc["creating: scale in to 3"]
    assert result["changed"] and not result.get("failed"), result
    assert result["plan"]["remove"] and not set(result["plan"]["remove"]) & creating


def test_private_ips_already_in_use_fail_before_the_first_write(ehpc):
    result = ehpc["private ips"]
    assert result.get("failed"), result
    assert "private_ips already used by nodes of cluster %s: %s" % (CLUSTER, ehpc.used_ip) in result["msg"]
    assert ehpc.writes_of("private ips") == []


def test_nodes_not_in_the_cluster_are_reported_not_silently_skipped(ehpc):
    result = ehpc["absent not found"]
    assert not result.get("failed") and not result["changed"], result
    assert result["not_found"] == ["cln-zzzzzzzz"]
    assert any("cln-zzzzzzzz" in w for w in result.get("warnings", []))
    assert ehpc.writes_of("absent not found") == []
    restart = ehpc["restart not found"]
    assert restart.get("failed") and restart["not_found"] == ["cln-zzzzzzzz"], restart
