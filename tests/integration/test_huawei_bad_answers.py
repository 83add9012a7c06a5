"""Every read of every Huawei module, answered HTTP 2xx but wrongly, fails the task.

An endpoint that answers 200 with an HTML page (a captive portal, a wrong `endpoint`),
with `{}`, or with JSON lacking the one key a success always carries (the simulator's
`bad_answer` fault) must never read as "no nodes" or "absent": the task fails, names the
endpoint, and writes nothing. The shapes are declared in
plugins/module_utils/answer_shapes.py.
"""

from __future__ import annotations

import pytest

from tests.integration.test_cce_node_remove import CLUSTER, KEY_LOGIN, auth_env, cce_nodes
from tests.simulator.world import HYPER_CLUSTER_HPS

NODES = "/clusters/%s/nodes$" % CLUSTER
SHOW = "/dev-servers/hyper-clusters/%s$" % HYPER_CLUSTER_HPS
LIST = "/dev-servers/hyper-clusters$"
IAM = "/v3/auth/tokens$"

REMOVE = ("cce_node_remove", {"cluster_id": CLUSTER, "nodes": ["cce-demo-node-3"], "login": KEY_LOGIN})
NODES_INFO = ("cce_nodes_info", {"cluster_id": CLUSTER})
DELETE = ("modelarts_hyper_cluster", {"id": HYPER_CLUSTER_HPS})
SHOW_INFO = ("modelarts_hyper_cluster_info", {"id": HYPER_CLUSTER_HPS})
LIST_INFO = ("modelarts_hyper_cluster_info", {})

# (module and args, the read's path, its call name, the key its success must carry)
READS = [
    (REMOVE, NODES, "CCE ListNodes", "items"),
    (NODES_INFO, NODES, "CCE ListNodes", "items"),
    (DELETE, SHOW, "ModelArts ShowHyperCluster", "id"),
    (SHOW_INFO, SHOW, "ModelArts ShowHyperCluster", "id"),
    (LIST_INFO, LIST, "ModelArts ListHyperCluster", "hyper_clusters"),
]
BODIES = {"html": "the body is not JSON (it starts '<!DOCTYPE html>", "empty": "no `%s`", "missing": "no `%s`"}


def cases():
    for (module, args), path, call, key in READS:
        for body in ("html", "empty", "missing"):
            yield pytest.param(module, args, path, call, key, body, id="%s-%s-%s" % (module, call.split()[-1], body))


def assert_unexpected_answer(run, sim, call, what, option="endpoint"):
    assert run.failed, run
    msg = run.result["msg"]
    assert "unexpected answer from %s to %s: %s" % (sim.url, call, what) in msg, msg
    assert "is `%s` right?" % option in msg, msg


@pytest.mark.parametrize("module, args, path, call, key, body", list(cases()))
def test_a_wrong_2xx_answer_to_a_read_fails_the_task_before_any_write(
        sim, module_runner, module, args, path, call, key, body):
    sim.fault(kind="bad_answer", method="GET", path=path, body="missing:" + key if body == "missing" else body)
    run = module_runner(module, args)
    # {} lacks the shape's first key, which for ListNodes is `kind`.
    first = "kind" if body == "empty" and call == "CCE ListNodes" else key
    what = BODIES[body] % first if "%s" in BODIES[body] else BODIES[body]
    assert_unexpected_answer(run, sim, call, what)
    assert not run.changed, run
    assert sim.writes() == []
    assert len(cce_nodes(sim)) == 3 and HYPER_CLUSTER_HPS in sim.state()["hyper_clusters"]
    # Nothing read as "no nodes" / "absent".
    assert not run.result.get("nodes") and not run.result.get("hyper_clusters") and not run.result.get("not_found")


@pytest.mark.parametrize("body", ["html", "empty", "missing:X-Subject-Token"])
@pytest.mark.parametrize("module, args", [REMOVE, DELETE, NODES_INFO])
def test_a_wrong_answer_of_iam_fails_before_any_call_of_the_service(sim, module_runner, module, args, body):
    sim.fault(kind="bad_answer", method="POST", path=IAM, body=body)
    run = module_runner(module, args, env=auth_env("iam_user", sim))
    assert_unexpected_answer(run, sim, "IAM token", "no X-Subject-Token header", option="iam_endpoint")
    assert [c["path"] for c in sim.calls()] == ["/v3/auth/tokens"]  # no CCE/ModelArts call at all
    assert sim.writes() == []


@pytest.mark.parametrize("body", ["html", "empty", "missing:status.phase"])
def test_a_wrong_answer_to_the_job_poll_fails_the_removal_naming_the_job(sim, module_runner, body):
    sim.config(job_seconds=5)
    sim.fault(kind="bad_answer", method="GET", path="/jobs/", body=body)
    run = module_runner(*REMOVE)
    what = {"html": "the body is not JSON", "empty": "no `status`", "missing:status.phase": "no `status.phase`"}[body]
    assert_unexpected_answer(run, sim, "CCE ShowJob", what)
    # The one write was made before: the failure says so.
    assert run.result["changed"] is True and len(run.result["job_ids"]) == 1, run.result
    assert len(sim.writes()) == 1


def test_a_404_page_from_a_wrong_endpoint_is_not_taken_as_absent(sim, module_runner):
    # API Gateway's "no such API" is a 404 of the gateway, not of the hyper cluster.
    run = module_runner("modelarts_hyper_cluster", {"id": HYPER_CLUSTER_HPS},
                        env={"HW_MODELARTS_ENDPOINT": sim.url + "/wrong-prefix"})
    assert run.failed and not run.changed, run
    assert "HTTP 404" in run.result["msg"] and "APIGW.0101" in run.result["msg"], run.result["msg"]
    assert run.result.get("not_found", []) == [] and run.result.get("hyper_cluster") is None
    assert sim.writes() == []


def test_a_task_answer_without_a_job_id_is_settled_by_reading_the_nodes(sim, module_runner):
    # The API took the task (its nodes are Deleting) but the answer lacks status.jobID:
    # not sent again, awaited by reading the nodes.
    sim.fault(kind="bad_answer", method="PUT", path="/operation/remove", body="missing:status.jobID")
    uid3 = cce_nodes(sim)["cce-demo-node-3"]["uid"]
    run = module_runner(*REMOVE)
    assert run.changed and not run.failed, run
    assert run.result["removed"] == [uid3] and run.result["job_ids"] == []
    assert len(sim.writes()) == 1
    assert sorted(cce_nodes(sim)) == ["cce-demo-node-1", "cce-demo-node-2"]
