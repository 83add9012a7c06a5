"""modelarts_hyper_cluster and modelarts_hyper_cluster_info against the simulator.

Every case is a task of one scenario run (see tests/integration/scenario.py); a case that checks
the world after its task reads the simulator's state saved right after it.
"""

from __future__ import annotations

import pytest

from tests.integration.scenario import Scenario

HPS = "hc-demo-hps"
ECS = "hc-demo-ecs"
PROJECT = "0123456789abcdef0123456789abcdef"
ITEM_PATH = "/v1/%s/dev-servers/hyper-clusters/" % PROJECT
INFO = "modelarts_hyper_cluster_info"
MODULE = "modelarts_hyper_cluster"
VIEWER_PASSWORD = "viewer-password"

BAD = [
    ("bad id", MODULE, {"id": "../hc-demo-hps"}),
    ("bad long id", MODULE, {"hyper_cluster_id": "x" * 65}),
    ("bad project id", MODULE, {"id": HPS, "project_id": "0123/../abc"}),
    ("bad info id", INFO, {"id": "hc_demo"}),
    ("bad query", INFO, {"query": "[?"}),
]
INFO_TASKS = [
    ("list", {}),
    ("list ECS", {"type": "ECS"}),
    ("show ECS", {"id": ECS, "type": "ECS"}),
    ("show defaults to HPS, so the ECS one is not found", {"id": ECS}),
    ("show unknown", {"id": "hc-nope"}),
    ("query", {"query": "[?type=='HPS'].name"}),
    ("query networks", {"query": "[].network_info[?is_default].hyper_cluster_subnet_id[]"}),
]


def modelarts_calls(calls: list, method=None, cluster_id=None) -> list:
    return [c for c in calls if c["path"].startswith("/v1/")
            and (method is None or c["method"] == method)
            and (cluster_id is None or c["path"] == ITEM_PATH + cluster_id)]


def item_fault(method: str, status: int, times: int = 1) -> list:
    return [{"path": ITEM_PATH + HPS + "$", "method": method, "kind": "status", "status": status, "times": times}]


@pytest.fixture(scope="module")
def hc(simulator_session, tmp_path_factory):
    sim = simulator_session
    sim.reset()
    default_job_seconds = sim.config()["job_seconds"]
    s = Scenario(sim, tmp_path_factory.mktemp("modelarts_hyper_cluster"))
    s.world().task("delete HPS", MODULE, {"id": HPS}).task("delete ECS", MODULE, {"id": ECS, "type": "ECS"})
    s.snapshot("deleted both")
    s.world().task("first run", MODULE, {"id": HPS}, diff=True).task("second run", MODULE, {"id": HPS}, diff=True)
    s.world().task("check mode", MODULE, {"hyper_cluster_id": ECS, "type": "ECS"}, check=True, diff=True)
    s.snapshot("check mode")
    for name, module, args in BAD:
        s.task(name, module, args)
    s.world().task("wrong type", MODULE, {"id": HPS, "type": "ECS"}).snapshot("wrong type")
    s.world().config(job_seconds=1).task("wait", MODULE, {"id": HPS}).snapshot("wait")
    s.world().config(job_seconds=30).task("no wait", MODULE, {"id": HPS, "wait": False}).snapshot("no wait")
    s.world().config(job_seconds=4).task("still deleting first", MODULE, {"id": HPS, "wait": False})
    s.task("still deleting second", MODULE, {"id": HPS}).snapshot("still deleting")
    s.world().config(job_seconds=60).task("wait timeout", MODULE, {"id": HPS, "wait_timeout": 1})
    s.snapshot("wait timeout")
    # From here on the default job length again.
    # The AK/SK from the environment blanked, so the IAM user is the credential used.
    s.world().config(job_seconds=default_job_seconds).task(
        "read-only IAM user", MODULE, {"id": HPS, "iam_user": "viewer", "iam_password": VIEWER_PASSWORD,
                                       "iam_domain": "demo", "iam_endpoint": sim.url},
        environment={"HW_ACCESS_KEY": "", "HW_SECRET_KEY": ""})
    s.snapshot("read-only IAM user")
    s.world().task("read 503", MODULE, {"id": HPS}, item_fault("GET", 503, 2)).snapshot("read 503")
    s.world().task("persistent 5xx", MODULE, {"id": HPS, "wait": False}, item_fault("DELETE", 500, 20))
    s.world().task("delete 404", MODULE, {"id": HPS, "wait": False}, item_fault("DELETE", 404))
    s.world()
    for name, args in INFO_TASKS:
        s.task(name, INFO, args)
    s.task("one call: both types", INFO, {}).task("one call: ECS", INFO, {"type": "ECS"})
    s.world().task("no status field", MODULE, {"id": ECS, "type": "ECS"})
    # The read-only IAM user's task is checked for secrets in verbose output.
    run = s.run(extra_args=["-vvv"])
    return run


def hyper_clusters(state: dict) -> dict:
    return state["hyper_clusters"]


# --- modelarts_hyper_cluster --------------------------------------------------------------

def test_delete_hps_and_ecs_sends_one_delete_each_answered_204_and_waits_until_gone(hc):
    names = ["delete HPS", "delete ECS"]
    for name, cluster_id, cluster_type in zip(names, (HPS, ECS), ("HPS", "ECS")):
        result, calls = hc[name], hc.calls_of(name)
        assert result.get("changed") and not result.get("failed"), result
        before = result["hyper_cluster"]
        assert before["id"] == cluster_id and before["type"] == cluster_type, before
        assert sorted(before) == ["id", "name", "network_info", "type"] and before["name"], before
        assert before["network_info"][0]["is_default"] is True, before
        assert result["not_found"] == [], result
        assert [c["status"] for c in modelarts_calls(calls, "DELETE", cluster_id)] == [204]
        # wait=true: the last thing the module saw was the cluster gone.
        assert modelarts_calls(calls, "GET", cluster_id)[-1]["status"] == 404
    assert hyper_clusters(hc.state_at("deleted both")) == {}
    calls = hc.calls_of(names[0]) + hc.calls_of(names[1])
    deletes = [c["path"] for c in calls if c["method"] == "DELETE"]
    assert [c["path"] for c in calls if c["write"]] == deletes and len(deletes) == 2


def test_second_run_is_unchanged_and_sends_no_write(hc):
    first, second = hc["first run"], hc["second run"]
    assert first["changed"] and not second["changed"] and not second.get("failed"), (first, second)
    assert second["hyper_cluster"] is None
    assert second["diff"] == {"before": {}, "after": {}}
    # Gone now: said, with a warning, yet the re-run succeeds.
    assert second["not_found"] == [HPS]
    assert any("%s (type HPS) does not exist" % HPS in w for w in second["warnings"]), second
    assert len(hc.writes_of("first run") + hc.writes_of("second run")) == 1  # the first run's DELETE only
    calls = modelarts_calls(hc.calls_of("first run") + hc.calls_of("second run"))
    after_delete = calls[[c["method"] for c in calls].index("DELETE") + 1:]
    # The first run's wait ended on a 404; the second run read once, got 404, and stopped.
    assert {c["method"] for c in after_delete} == {"GET"}
    assert [c["status"] for c in after_delete[-2:]] == [404, 404]


def test_check_mode_reports_the_deletion_and_sends_no_write(hc):
    result = hc["check mode"]
    assert result.get("changed") and not result.get("failed"), result
    assert hc.writes_of("check mode") == []
    assert result["diff"] == {"before": {"id": ECS, "name": "demo-ecs", "type": "ECS"}, "after": {}}
    assert result["hyper_cluster"]["id"] == ECS
    assert hyper_clusters(hc.state_at("check mode"))[ECS]["status"] == "Running"


def test_invalid_id_project_id_or_query_fails_before_any_call(hc):
    last = hc[BAD[-1][0]]
    assert last.get("failed"), last
    assert "query is not a valid JMESPath expression" in last["msg"], last
    for name, _module, args in BAD[:-1]:
        result = hc[name]
        assert result.get("failed"), (args, result)
        assert "1 to 64 letters, digits and hyphens" in result["msg"], (args, result)
        option = "project_id" if "project_id" in args else "id"
        assert result["msg"].startswith(option + " "), (args, result)
    for name, _module, _args in BAD:
        assert hc.calls_of(name) == [], name


def test_wrong_type_means_absent_and_nothing_is_deleted(hc):
    result = hc["wrong type"]
    assert not result.get("changed") and not result.get("failed"), result
    assert result["hyper_cluster"] is None
    assert result["not_found"] == [HPS]
    assert "%s (type ECS) does not exist" % HPS in " ".join(result["warnings"]), result
    assert hc.writes_of("wrong type") == []
    assert hyper_clusters(hc.state_at("wrong type"))[HPS]["status"] == "Running"


def test_wait_returns_only_once_the_cluster_reads_as_404(hc):
    result = hc["wait"]
    assert result.get("changed") and not result.get("failed"), result
    assert HPS not in hyper_clusters(hc.state_at("wait"))
    gets = modelarts_calls(hc.calls_of("wait"), "GET", HPS)
    # The first read saw it, the waiter read it while it was deleting, the last read saw 404.
    assert gets[0]["status"] == 200 and gets[-1]["status"] == 404 and len(gets) >= 3


def test_without_wait_returns_while_the_cluster_is_deleting(hc):
    result = hc["no wait"]
    assert result.get("changed") and not result.get("failed"), result
    assert hyper_clusters(hc.state_at("no wait"))[HPS]["status"] == "Deleting"
    assert [c["status"] for c in modelarts_calls(hc.calls_of("no wait"), "DELETE")] == [204]


def test_cluster_still_deleting_is_deleted_again_and_waited_for(hc):
    # ModelArts answers no status: a hyper cluster that still reads gets a second DELETE
    # (harmless, the API answers 204 and starts nothing new) and is awaited until 404.
    first, second = hc["still deleting first"], hc["still deleting second"]
    assert first["changed"] and not second.get("failed"), (first, second)
    assert second["hyper_cluster"]["id"] == HPS, second
    writes = hc.writes_of("still deleting first") + hc.writes_of("still deleting second")
    assert [c["status"] for c in writes] in ([204, 204], [204])  # [204]: gone before the second read
    state = hc.state_at("still deleting")
    assert len(state["jobs"]) == 1  # one deletion, whatever the second DELETE
    assert HPS not in hyper_clusters(state)
    calls = hc.calls_of("still deleting first") + hc.calls_of("still deleting second")
    assert modelarts_calls(calls, "GET", HPS)[-1]["status"] == 404


def test_wait_timeout_fails_naming_the_cluster_and_its_status(hc):
    result = hc["wait timeout"]
    assert result.get("failed"), result
    assert "timed out after 1s" in result["msg"], result
    assert HPS in result["msg"] and "still there" in result["msg"], result
    assert result["failure"]["timed_out"] is True
    assert result["changed"] is True  # the deletion was accepted and goes on
    assert hyper_clusters(hc.state_at("wait timeout"))[HPS]["status"] == "Deleting"


def test_read_only_iam_user_gets_a_clear_permission_error_without_secrets(hc):
    name = "read-only IAM user"
    result = hc[name]
    assert result.get("failed"), result
    msg = result["msg"]
    assert "permission denied" in msg and HPS in msg, msg
    assert result["failure"]["status"] == 403
    assert [c["status"] for c in modelarts_calls(hc.calls_of(name), "DELETE")] == [403]
    assert result["changed"] is False  # refused: nothing was deleted
    assert [c["status"] for c in hc.calls_of(name) if c["path"] == "/v3/auth/tokens"] == [201]
    # The whole run's -vvv output, this task's included.
    assert VIEWER_PASSWORD not in hc.output
    assert "MIIsim" not in hc.output  # the IAM token
    assert hyper_clusters(hc.state_at(name))[HPS]["status"] == "Running"


def test_read_503_is_retried_and_the_deletion_succeeds(hc):
    result = hc["read 503"]
    assert result.get("changed") and not result.get("failed"), result
    gets = [c["status"] for c in modelarts_calls(hc.calls_of("read 503"), "GET", HPS)]
    assert gets[:3] == [503, 503, 200], gets
    assert [c["status"] for c in modelarts_calls(hc.calls_of("read 503"), "DELETE")] == [204]
    assert HPS not in hyper_clusters(hc.state_at("read 503"))


def test_persistent_5xx_fails_clearly_after_retries(hc):
    result = hc["persistent 5xx"]
    assert result.get("failed"), result
    assert "cannot delete hyper cluster %s" % HPS in result["msg"], result
    assert "HTTP 500" in result["msg"], result
    assert len(modelarts_calls(hc.calls_of("persistent 5xx"), "DELETE")) > 1  # retried (a repeated DELETE is harmless)


def test_delete_answered_404_counts_as_done(hc):
    # Another client deleted it between our read and our DELETE.
    result = hc["delete 404"]
    assert result.get("changed") and not result.get("failed"), result
    assert [c["status"] for c in modelarts_calls(hc.calls_of("delete 404"), "DELETE")] == [404]


# --- modelarts_hyper_cluster_info ---------------------------------------------------------

def test_info_lists_shows_filters_and_queries(hc):
    results = [hc[name] for name, _args in INFO_TASKS]
    assert not any(r.get("failed") for r in results), results
    listed, ecs_only, show_ecs, wrong_type, unknown, queried, networks = results
    assert [(c["id"], c["type"]) for c in listed["hyper_clusters"]] == [(HPS, "HPS"), (ECS, "ECS")]
    assert [c["id"] for c in ecs_only["hyper_clusters"]] == [ECS]
    assert [(c["id"], c["type"], c["name"]) for c in show_ecs["hyper_clusters"]] == [(ECS, "ECS", "demo-ecs")]
    assert show_ecs["hyper_clusters"][0]["network_info"] == [
        {"hyper_cluster_subnet_id": "subnet-demo-0002", "is_default": True},
        {"hyper_cluster_subnet_id": "subnet-demo-0102", "is_default": False}]
    assert networks["query_result"] == ["subnet-demo-0001", "subnet-demo-0002"]
    assert wrong_type["hyper_clusters"] == [] and unknown["hyper_clusters"] == []
    # Not found is said: the ID comes back in not_found, with a warning naming it.
    assert wrong_type["not_found"] == [ECS] and unknown["not_found"] == ["hc-nope"]
    assert any("hc-nope" in w and "does not exist" in w for w in unknown.get("warnings", [])), unknown
    assert show_ecs["not_found"] == [] and listed["not_found"] == [] and not show_ecs.get("warnings")
    assert queried["query_result"] == ["demo-hps"]
    assert "query_result" not in listed
    assert not any(r.get("changed") for r in results)
    assert [w for name, _args in INFO_TASKS for w in hc.writes_of(name)] == []


def test_info_lists_each_type_with_one_call_and_sends_no_paging(hc):
    both, ecs = hc["one call: both types"], hc["one call: ECS"]
    assert not both.get("failed") and not ecs.get("failed"), (both, ecs)
    calls = hc.calls_of("one call: both types") + hc.calls_of("one call: ECS")
    lists = [c for c in modelarts_calls(calls, "GET") if c["path"] == ITEM_PATH.rstrip("/")]
    # No type given: HPS then ECS, one call each; then the ECS-only task's one call.
    assert [c["query"] for c in lists] == ["type=HPS", "type=ECS", "type=ECS"]
    assert [c["id"] for c in both["hyper_clusters"]] == [HPS, ECS]
    assert [c["id"] for c in ecs["hyper_clusters"]] == [ECS]


def test_deletion_relies_on_no_status_field(hc):
    # The answers carry id, name and network_info only; the module waits for the 404.
    result = hc["no status field"]
    assert result.get("changed") and not result.get("failed"), result
    assert "status" not in result["hyper_cluster"]
    gets = modelarts_calls(hc.calls_of("no status field"), "GET", ECS)
    assert gets[-1]["status"] == 404 and all(c["query"] == "type=ECS" for c in gets)
    assert ECS not in hyper_clusters(hc.state)
