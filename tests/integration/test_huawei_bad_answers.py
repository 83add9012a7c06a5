"""Every read of every Huawei module, answered HTTP 2xx but wrongly, fails the task.

An endpoint that answers 200 with an HTML page (a captive portal, a wrong `endpoint`),
with `{}`, or with JSON lacking the one key a success always carries (the simulator's
`bad_answer` fault) must never read as "no nodes" or "absent": the task fails, names the
endpoint, and writes nothing. The shapes are declared in
plugins/module_utils/answer_shapes.py.

The tasks are two ansible-playbook runs (see tests/integration/scenario.py): the tasks that
must write nothing, one after another in one unchanged world, then those that write.
"""

from __future__ import annotations

import pytest

from tests.integration.scenario import Scenario
from tests.integration.cce_world import CLUSTER, IAM_USER_ENV, KEY_LOGIN
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
IAM_BODIES = ["html", "empty", "missing:X-Subject-Token"]
IAM_MODULES = [REMOVE, DELETE, NODES_INFO]
JOB_BODIES = ["html", "empty", "missing:status.phase"]


def cases():
    for (module, args), path, call, key in READS:
        for body in ("html", "empty", "missing"):
            yield pytest.param(module, args, path, call, key, body, id="%s-%s-%s" % (module, call.split()[-1], body))


def read_name(module, call, body):
    return "read %s %s %s" % (module, call, body)


def iam_name(module, body):
    return "iam %s %s" % (module, body)


@pytest.fixture(scope="module")
def no_write(simulator_session, tmp_path_factory):
    """The tasks that must write nothing, in one world never rebuilt: the state after the
    run is the state after each of them (nothing brings back what a task would remove)."""
    sim = simulator_session
    sim.reset()
    scenario = Scenario(sim, tmp_path_factory.mktemp("huawei_no_write"))
    for (module, args), path, call, key in READS:
        for body in ("html", "empty", "missing"):
            scenario.task(read_name(module, call, body), module, args, [
                {"kind": "bad_answer", "method": "GET", "path": path,
                 "body": "missing:" + key if body == "missing" else body}])
    environment = IAM_USER_ENV
    for module, args in IAM_MODULES:
        for body in IAM_BODIES:
            scenario.task(iam_name(module, body), module, args,
                          [{"kind": "bad_answer", "method": "POST", "path": IAM, "body": body}],
                          environment=environment)
    # API Gateway's "no such API" is a 404 of the gateway, not of the hyper cluster.
    scenario.task("wrong endpoint", "modelarts_hyper_cluster", {"id": HYPER_CLUSTER_HPS},
                  environment={"HW_MODELARTS_ENDPOINT": sim.url + "/wrong-prefix"})
    run = scenario.run()
    run.url = sim.url
    return run


@pytest.fixture(scope="module")
def writes(simulator_session, tmp_path_factory):
    sim = simulator_session
    sim.reset()
    default_job_seconds = sim.config()["job_seconds"]
    # CCE uids come from a fixed seed: the same again after each world().
    uid3 = next(n["uid"] for n in sim.state()["cce"]["clusters"][CLUSTER]["nodes"].values()
                if n["name"] == "cce-demo-node-3")
    scenario = Scenario(sim, tmp_path_factory.mktemp("huawei_writes")).config(job_seconds=5)
    for body in JOB_BODIES:
        scenario.world().task("job poll " + body, *REMOVE, faults=[
            {"kind": "bad_answer", "method": "GET", "path": "/jobs/", "body": body}])
    # Last, so that the state after the run is the state after it.
    scenario.config(job_seconds=default_job_seconds).world().task("no job id", *REMOVE, faults=[
        {"kind": "bad_answer", "method": "PUT", "path": "/operation/remove", "body": "missing:status.jobID"}])
    run = scenario.run()
    run.url = sim.url
    run.uid3 = uid3
    return run


def assert_unexpected_answer(run, name, call, what, option="endpoint"):
    result = run[name]
    assert result.get("failed"), result
    msg = result["msg"]
    assert "unexpected answer from %s to %s: %s" % (run.url, call, what) in msg, msg
    assert "is `%s` right?" % option in msg, msg


def cce_node_names(state):
    return sorted(node["name"] for node in state["cce"]["clusters"][CLUSTER]["nodes"].values())


@pytest.mark.parametrize("module, args, path, call, key, body", list(cases()))
def test_a_wrong_2xx_answer_to_a_read_fails_the_task_before_any_write(
        no_write, module, args, path, call, key, body):  # pylint: disable=unused-argument
    name = read_name(module, call, body)
    result = no_write[name]
    # {} lacks the shape's first key, which for ListNodes is `kind`.
    first = "kind" if body == "empty" and call == "CCE ListNodes" else key
    what = BODIES[body] % first if "%s" in BODIES[body] else BODIES[body]
    assert_unexpected_answer(no_write, name, call, what)
    assert not result.get("changed"), result
    assert no_write.writes_of(name) == []
    assert [c["path"] for c in no_write.calls_of(name) if path.rstrip("$") in c["path"]], no_write.calls_of(name)
    # The world after the run, never rebuilt, is the world after this task.
    assert len(cce_node_names(no_write.state)) == 3 and HYPER_CLUSTER_HPS in no_write.state["hyper_clusters"]
    # Nothing read as "no nodes" / "absent".
    assert not result.get("nodes") and not result.get("hyper_clusters") and not result.get("not_found")


@pytest.mark.parametrize("body", IAM_BODIES)
@pytest.mark.parametrize("module, args", IAM_MODULES)
def test_a_wrong_answer_of_iam_fails_before_any_call_of_the_service(
        no_write, module, args, body):  # pylint: disable=unused-argument
    name = iam_name(module, body)
    assert_unexpected_answer(no_write, name, "IAM token", "no X-Subject-Token header", option="iam_endpoint")
    assert [c["path"] for c in no_write.calls_of(name)] == ["/v3/auth/tokens"]  # no CCE/ModelArts call at all
    assert no_write.writes_of(name) == []


def test_a_404_page_from_a_wrong_endpoint_is_not_taken_as_absent(no_write):
    result = no_write["wrong endpoint"]
    assert result.get("failed") and not result.get("changed"), result
    assert "HTTP 404" in result["msg"] and "APIGW.0101" in result["msg"], result["msg"]
    assert result.get("not_found", []) == [] and result.get("hyper_cluster") is None
    assert no_write.writes_of("wrong endpoint") == []


def test_the_tasks_that_must_not_write_wrote_nothing(no_write):
    assert no_write.writes() == []


@pytest.mark.parametrize("body", JOB_BODIES)
def test_a_wrong_answer_to_the_job_poll_fails_the_removal_naming_the_job(writes, body):
    name = "job poll " + body
    what = {"html": "the body is not JSON", "empty": "no `status`", "missing:status.phase": "no `status.phase`"}[body]
    assert_unexpected_answer(writes, name, "CCE ShowJob", what)
    # The one write was made before: the failure says so.
    result = writes[name]
    assert result["changed"] is True and len(result["job_ids"]) == 1, result
    assert len(writes.writes_of(name)) == 1


def test_a_task_answer_without_a_job_id_is_settled_by_reading_the_nodes(writes):
    # The API took the task (its nodes are Deleting) but the answer lacks status.jobID:
    # not sent again, awaited by reading the nodes.
    result = writes["no job id"]
    assert result.get("changed") and not result.get("failed"), result
    assert result["removed"] == [writes.uid3] and result["job_ids"] == []
    assert len(writes.writes_of("no job id")) == 1
    assert cce_node_names(writes.state) == ["cce-demo-node-1", "cce-demo-node-2"]
