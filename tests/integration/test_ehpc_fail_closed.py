"""ehpc_nodes and ehpc_nodes_info fail closed on answers the EHPC API never gives.

Each read is answered with a 2xx that is an HTML page, ``{}`` or the real answer less one
documented key (the simulator's ``bad_answer`` fault): the task fails, names the endpoint,
and writes nothing.
"""

from __future__ import annotations

import pytest

CLUSTER = "ehpc-8jqdq0mz"
LIST_NODES = "/api/cluster/listNodes$"
JOB_LIST = "/api/job/list$"
BODIES = ["html", "empty", "missing:hpc_app_nodes_set", "missing:total_count", "missing:ret_code"]
JOB_BODIES = ["html", "empty", "missing:hpc_job_set", "missing:total_count"]


def assert_failed_closed(run, sim, call):
    assert run.failed, run
    assert "unexpected answer from %s to %s" % (sim.url, call) in run.result["msg"], run.result["msg"]
    assert "is `endpoint` right?" in run.result["msg"]
    assert sim.writes() == []
    assert not run.result.get("changed")


@pytest.mark.parametrize("body", BODIES)
def test_scale_out_fails_closed_on_a_bad_node_list(sim, module_runner, body):
    sim.fault(path=LIST_NODES, kind="bad_answer", body=body, times=10)
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 3})
    assert_failed_closed(run, sim, "EHPC listNodes")


def test_a_node_list_that_is_only_ret_code_zero_creates_nothing(sim, module_runner):
    # 0.1 read {"ret_code": 0} as "no nodes" and created 9 nodes for count 3.
    sim.fault(path=LIST_NODES, kind="bad_answer", body="missing:hpc_app_nodes_set", times=10)
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 3})
    assert_failed_closed(run, sim, "EHPC listNodes")
    assert "no `hpc_app_nodes_set`" in run.result["msg"]
    assert [c["path"] for c in sim.calls() if c["path"].startswith("/api/")] == ["/api/cluster/listNodes"]


@pytest.mark.parametrize("state", ["absent", "restarted"])
def test_removal_and_restart_fail_closed_on_a_bad_node_list(sim, module_runner, state):
    node_id = sorted(sim.state()["ehpc"]["clusters"][CLUSTER]["nodes"])[0]
    sim.fault(path=LIST_NODES, kind="bad_answer", body="html")
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "state": state, "nodes": [node_id]})
    assert_failed_closed(run, sim, "EHPC listNodes")


def test_check_mode_fails_closed_too(sim, module_runner):
    sim.fault(path=LIST_NODES, kind="bad_answer", body="empty")
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 3}, check=True)
    assert_failed_closed(run, sim, "EHPC listNodes")


@pytest.mark.parametrize("body", JOB_BODIES)
def test_scale_in_fails_closed_on_a_bad_job_list(sim, module_runner, body):
    sim.fault(path=JOB_LIST, kind="bad_answer", body=body)
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 1})
    assert_failed_closed(run, sim, "EHPC job/list")


@pytest.mark.parametrize("body", BODIES)
def test_info_fails_closed_on_a_bad_node_list(sim, module_runner, body):
    sim.fault(path=LIST_NODES, kind="bad_answer", body=body)
    run = module_runner("ehpc_nodes_info", {"cluster_id": CLUSTER})
    assert_failed_closed(run, sim, "EHPC listNodes")
    assert "nodes" not in run.result or run.result["nodes"] != []


@pytest.mark.parametrize("body", JOB_BODIES)
def test_info_fails_closed_on_a_bad_job_list(sim, module_runner, body):
    sim.fault(path=JOB_LIST, kind="bad_answer", body=body)
    run = module_runner("ehpc_nodes_info", {"cluster_id": CLUSTER, "jobs": True})
    assert_failed_closed(run, sim, "EHPC job/list")


def test_a_bad_job_status_answer_fails_the_wait_and_reports_the_job(sim, module_runner):
    sim.fault(path="/api/operation$", kind="bad_answer", body="missing:job_set", times=20)
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 3, "wait_timeout": 30})
    assert run.failed, run
    assert "unexpected answer from %s to EHPC operation: no `job_set`" % sim.url in run.result["msg"]
    # The write happened before the bad answer: it is not hidden.
    assert [c["path"] for c in sim.writes()] == ["/api/cluster/addNodes"]


def test_a_refused_write_is_not_a_change(sim, module_runner):
    sim.fault(path="/api/cluster/addNodes$", kind="ret_code", ret_code=1400)
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 3})
    assert run.failed, run
    assert run.result["changed"] is False
    assert len([n for n in sim.state()["ehpc"]["clusters"][CLUSTER]["nodes"].values() if n["role"] == "compute"]) == 2


def test_partial_scale_out_is_reported(sim, module_runner):
    # The first addNodes batch (99 nodes) is accepted, the second refused.
    sim.faults([{"path": "/api/cluster/addNodes$", "kind": "delay", "seconds": 0},
                {"path": "/api/cluster/addNodes$", "kind": "ret_code", "ret_code": 1100}])
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 103})
    assert run.failed, run
    assert run.result["changed"] is True
    assert len(run.result["job_ids"]) == 1
    assert "99 of 101 nodes were added before addNodes failed" in run.result["msg"], run.result["msg"]


def test_scale_in_never_picks_nodes_still_being_created(sim, module_runner):
    sim.config(job_seconds=60)  # the added nodes stay "creating" for the rest of the test
    first = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 4, "wait": False})
    assert first.changed and not first.failed, first
    writes = len(sim.writes())
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 1, "wait": False})
    assert run.failed, run
    assert "would have to remove nodes in transition" in run.result["msg"]
    assert "(creating)" in run.result["msg"]
    assert len(sim.writes()) == writes  # nothing sent
    # Two settled nodes and two creating ones: scale-in to 3 removes a settled node only.
    creating = set(n for n, node in sim.state()["ehpc"]["clusters"][CLUSTER]["nodes"].items()
                   if node.get("transition_status") == "creating")
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 3, "wait": False})
    assert run.changed and not run.failed, run
    assert run.result["plan"]["remove"] and not set(run.result["plan"]["remove"]) & creating


def test_private_ips_already_in_use_fail_before_the_first_write(sim, module_runner):
    used = next(n["private_ip"] for n in sim.state()["ehpc"]["clusters"][CLUSTER]["nodes"].values())
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 4, "private_ips": ["10.99.0.1", used]})
    assert run.failed, run
    assert "private_ips already used by nodes of cluster %s: %s" % (CLUSTER, used) in run.result["msg"]
    assert sim.writes() == []


def test_nodes_not_in_the_cluster_are_reported_not_silently_skipped(sim, module_runner):
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "state": "absent", "nodes": ["cln-zzzzzzzz"]})
    assert not run.failed and not run.changed, run
    assert run.result["not_found"] == ["cln-zzzzzzzz"]
    assert any("cln-zzzzzzzz" in w for w in run.result.get("warnings", []))
    assert sim.writes() == []
    restart = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "state": "restarted", "nodes": ["cln-zzzzzzzz"]})
    assert restart.failed and restart.result["not_found"] == ["cln-zzzzzzzz"], restart
