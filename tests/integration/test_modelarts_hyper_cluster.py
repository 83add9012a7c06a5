"""modelarts_hyper_cluster and modelarts_hyper_cluster_info against the simulator."""

from __future__ import annotations

import json


HPS = "hc-demo-hps"
ECS = "hc-demo-ecs"
PROJECT = "0123456789abcdef0123456789abcdef"
ITEM_PATH = "/v1/%s/dev-servers/hyper-clusters/" % PROJECT


def hyper_clusters(sim) -> dict:
    return sim.state()["hyper_clusters"]


def modelarts_calls(sim, method=None, cluster_id=None) -> list:
    return [c for c in sim.calls() if c["path"].startswith("/v1/")
            and (method is None or c["method"] == method)
            and (cluster_id is None or c["path"] == ITEM_PATH + cluster_id)]


def run_tasks(playbook_runner, tmp_path, tasks, extra_args=None):
    """Several tasks in one ansible-playbook run (one process start instead of one per task)."""
    playbook = tmp_path / "play.json"
    playbook.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
    return playbook_runner(playbook, extra_args)


# --- modelarts_hyper_cluster --------------------------------------------------------------

def test_delete_hps_and_ecs_sends_one_delete_each_answered_204_and_waits_until_gone(sim, playbook_runner, tmp_path):
    run = run_tasks(playbook_runner, tmp_path, [
        {"hpcops.clusters.modelarts_hyper_cluster": {"id": HPS}},
        {"hpcops.clusters.modelarts_hyper_cluster": {"id": ECS, "type": "ECS"}},
    ])
    assert len(run.results) == 2, run
    for result, cluster_id, cluster_type in zip(run.results, (HPS, ECS), ("HPS", "ECS")):
        assert result.get("changed") and not result.get("failed"), result
        before = result["hyper_cluster"]
        assert before["id"] == cluster_id and before["type"] == cluster_type, before
        assert sorted(before) == ["id", "name", "network_info", "type"] and before["name"], before
        assert before["network_info"][0]["is_default"] is True, before
        assert result["not_found"] == [], result
        assert [c["status"] for c in modelarts_calls(sim, "DELETE", cluster_id)] == [204]
        # wait=true: the last thing the module saw was the cluster gone.
        assert modelarts_calls(sim, "GET", cluster_id)[-1]["status"] == 404
    assert hyper_clusters(sim) == {}
    deletes = [c["path"] for c in sim.calls() if c["method"] == "DELETE"]
    assert [c["path"] for c in sim.writes()] == deletes and len(deletes) == 2


def test_second_run_is_unchanged_and_sends_no_write(sim, playbook_runner, tmp_path):
    task = {"hpcops.clusters.modelarts_hyper_cluster": {"id": HPS}}
    run = run_tasks(playbook_runner, tmp_path, [task, task], ["--diff"])
    first, second = run.results
    assert first["changed"] and not second["changed"] and not second.get("failed"), run
    assert second["hyper_cluster"] is None
    assert second["diff"] == {"before": {}, "after": {}}
    # Gone now: said, with a warning, yet the re-run succeeds.
    assert second["not_found"] == [HPS]
    assert any("%s (type HPS) does not exist" % HPS in w for w in second["warnings"]), second
    assert len(sim.writes()) == 1  # the first run's DELETE only
    calls = modelarts_calls(sim)
    after_delete = calls[[c["method"] for c in calls].index("DELETE") + 1:]
    # The first run's wait ended on a 404; the second run read once, got 404, and stopped.
    assert {c["method"] for c in after_delete} == {"GET"}
    assert [c["status"] for c in after_delete[-2:]] == [404, 404]


def test_check_mode_reports_the_deletion_and_sends_no_write(sim, module_runner):
    run = module_runner("modelarts_hyper_cluster", {"hyper_cluster_id": ECS, "type": "ECS"}, check=True, diff=True)
    assert run.changed and not run.failed, run
    assert sim.writes() == []
    assert run.result["diff"] == {"before": {"id": ECS, "name": "demo-ecs", "type": "ECS"}, "after": {}}
    assert run.result["hyper_cluster"]["id"] == ECS
    assert hyper_clusters(sim)[ECS]["status"] == "Running"


def test_invalid_id_project_id_or_query_fails_before_any_call(sim, playbook_runner, tmp_path):
    bad = [
        {"id": "../hc-demo-hps"},
        {"hyper_cluster_id": "x" * 65},
        {"id": HPS, "project_id": "0123/../abc"},
    ]
    tasks = [{"hpcops.clusters.modelarts_hyper_cluster": args, "ignore_errors": True} for args in bad]
    tasks += [{"hpcops.clusters.modelarts_hyper_cluster_info": {"id": "hc_demo"}, "ignore_errors": True},
              {"hpcops.clusters.modelarts_hyper_cluster_info": {"query": "[?"}, "ignore_errors": True}]
    run = run_tasks(playbook_runner, tmp_path, tasks)
    assert len(run.results) == len(tasks), run
    assert run.results[-1].get("failed"), run.results[-1]
    assert "query is not a valid JMESPath expression" in run.results[-1]["msg"], run.results[-1]
    for result, task in zip(run.results[:-1], tasks):
        assert result.get("failed"), (task, result)
        assert "1 to 64 letters, digits and hyphens" in result["msg"], (task, result)
        name = "project_id" if "project_id" in list(task.values())[0] else "id"
        assert result["msg"].startswith(name + " "), (task, result)
    assert sim.calls() == []


def test_wrong_type_means_absent_and_nothing_is_deleted(sim, module_runner):
    run = module_runner("modelarts_hyper_cluster", {"id": HPS, "type": "ECS"})
    assert not run.changed and not run.failed, run
    assert run.result["hyper_cluster"] is None
    assert run.result["not_found"] == [HPS]
    assert "%s (type ECS) does not exist" % HPS in " ".join(run.result["warnings"]), run.result
    assert sim.writes() == []
    assert hyper_clusters(sim)[HPS]["status"] == "Running"


def test_wait_returns_only_once_the_cluster_reads_as_404(sim, module_runner):
    sim.config(job_seconds=1)
    run = module_runner("modelarts_hyper_cluster", {"id": HPS})
    assert run.changed and not run.failed, run
    assert HPS not in hyper_clusters(sim)
    gets = modelarts_calls(sim, "GET", HPS)
    # The first read saw it, the waiter read it while it was deleting, the last read saw 404.
    assert gets[0]["status"] == 200 and gets[-1]["status"] == 404 and len(gets) >= 3


def test_without_wait_returns_while_the_cluster_is_deleting(sim, module_runner):
    sim.config(job_seconds=30)
    run = module_runner("modelarts_hyper_cluster", {"id": HPS, "wait": False})
    assert run.changed and not run.failed, run
    assert hyper_clusters(sim)[HPS]["status"] == "Deleting"
    assert [c["status"] for c in modelarts_calls(sim, "DELETE")] == [204]


def test_cluster_still_deleting_is_deleted_again_and_waited_for(sim, playbook_runner, tmp_path):
    # ModelArts answers no status: a hyper cluster that still reads gets a second DELETE
    # (harmless, the API answers 204 and starts nothing new) and is awaited until 404.
    sim.config(job_seconds=4)
    run = run_tasks(playbook_runner, tmp_path, [
        {"hpcops.clusters.modelarts_hyper_cluster": {"id": HPS, "wait": False}},
        {"hpcops.clusters.modelarts_hyper_cluster": {"id": HPS}},
    ])
    first, second = run.results
    assert first["changed"] and not second.get("failed"), run
    assert second["hyper_cluster"]["id"] == HPS, second
    assert [c["status"] for c in sim.writes()] in ([204, 204], [204])  # [204]: gone before the second read
    assert len(sim.state()["jobs"]) == 1  # one deletion, whatever the second DELETE
    assert HPS not in hyper_clusters(sim)
    assert modelarts_calls(sim, "GET", HPS)[-1]["status"] == 404


def test_wait_timeout_fails_naming_the_cluster_and_its_status(sim, module_runner):
    sim.config(job_seconds=60)
    run = module_runner("modelarts_hyper_cluster", {"id": HPS, "wait_timeout": 1})
    assert run.failed, run
    assert "timed out after 1s" in run.result["msg"], run
    assert HPS in run.result["msg"] and "still there" in run.result["msg"], run
    assert run.result["failure"]["timed_out"] is True
    assert run.result["changed"] is True  # the deletion was accepted and goes on
    assert hyper_clusters(sim)[HPS]["status"] == "Deleting"


def test_read_only_iam_user_gets_a_clear_permission_error_without_secrets(sim, module_runner):
    args = {"id": HPS, "iam_user": "viewer", "iam_password": "viewer-password", "iam_domain": "demo",
            "iam_endpoint": sim.url}
    # Drop the default AK/SK so the IAM user is the credential used.
    run = module_runner("modelarts_hyper_cluster", args, verbosity=3,
                        env={"HW_ACCESS_KEY": None, "HW_SECRET_KEY": None})
    assert run.failed, run
    msg = run.result["msg"]
    assert "permission denied" in msg and HPS in msg, msg
    assert run.result["failure"]["status"] == 403
    assert [c["status"] for c in modelarts_calls(sim, "DELETE")] == [403]
    assert run.result["changed"] is False  # refused: nothing was deleted
    assert [c["status"] for c in sim.calls() if c["path"] == "/v3/auth/tokens"] == [201]
    assert "viewer-password" not in run.output
    assert "MIIsim" not in run.output  # the IAM token
    assert hyper_clusters(sim)[HPS]["status"] == "Running"


def test_read_503_is_retried_and_the_deletion_succeeds(sim, module_runner):
    sim.fault(path=ITEM_PATH + HPS + "$", method="GET", kind="status", status=503, times=2)
    run = module_runner("modelarts_hyper_cluster", {"id": HPS})
    assert run.changed and not run.failed, run
    gets = [c["status"] for c in modelarts_calls(sim, "GET", HPS)]
    assert gets[:3] == [503, 503, 200], gets
    assert [c["status"] for c in modelarts_calls(sim, "DELETE")] == [204]
    assert HPS not in hyper_clusters(sim)


def test_persistent_5xx_fails_clearly_after_retries(sim, module_runner):
    sim.fault(path=ITEM_PATH + HPS + "$", method="DELETE", kind="status", status=500, times=20)
    run = module_runner("modelarts_hyper_cluster", {"id": HPS, "wait": False})
    assert run.failed, run
    assert "cannot delete hyper cluster %s" % HPS in run.result["msg"], run
    assert "HTTP 500" in run.result["msg"], run
    assert len(modelarts_calls(sim, "DELETE")) > 1  # retried (a repeated DELETE is harmless)


def test_delete_answered_404_counts_as_done(sim, module_runner):
    # Another client deleted it between our read and our DELETE.
    sim.fault(path=ITEM_PATH + HPS + "$", method="DELETE", kind="status", status=404)
    run = module_runner("modelarts_hyper_cluster", {"id": HPS, "wait": False})
    assert run.changed and not run.failed, run
    assert [c["status"] for c in modelarts_calls(sim, "DELETE")] == [404]


# --- modelarts_hyper_cluster_info ---------------------------------------------------------

def test_info_lists_shows_filters_and_queries(sim, playbook_runner, tmp_path):
    info = "hpcops.clusters.modelarts_hyper_cluster_info"
    tasks = [
        {"name": "list", info: {}},
        {"name": "list ECS", info: {"type": "ECS"}},
        {"name": "show ECS", info: {"id": ECS, "type": "ECS"}},
        {"name": "show defaults to HPS, so the ECS one is not found", info: {"id": ECS}},
        {"name": "show unknown", info: {"id": "hc-nope"}},
        {"name": "query", info: {"query": "[?type=='HPS'].name"}},
        {"name": "query networks", info: {"query": "[].network_info[?is_default].hyper_cluster_subnet_id[]"}},
    ]
    run = run_tasks(playbook_runner, tmp_path, tasks)
    assert len(run.results) == len(tasks) and not any(r.get("failed") for r in run.results), run
    listed, ecs_only, show_ecs, wrong_type, unknown, queried, networks = run.results
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
    assert not any(r.get("changed") for r in run.results)
    assert sim.writes() == []


def test_info_lists_each_type_with_one_call_and_sends_no_paging(sim, playbook_runner, tmp_path):
    info = "hpcops.clusters.modelarts_hyper_cluster_info"
    run = run_tasks(playbook_runner, tmp_path, [{info: {}}, {info: {"type": "ECS"}}])
    both, ecs = run.results
    assert not both.get("failed") and not ecs.get("failed"), run
    lists = [c for c in modelarts_calls(sim, "GET") if c["path"] == ITEM_PATH.rstrip("/")]
    # No type given: HPS then ECS, one call each; then the ECS-only task's one call.
    assert [c["query"] for c in lists] == ["type=HPS", "type=ECS", "type=ECS"]
    assert [c["id"] for c in both["hyper_clusters"]] == [HPS, ECS]
    assert [c["id"] for c in ecs["hyper_clusters"]] == [ECS]


def test_deletion_relies_on_no_status_field(sim, module_runner):
    # The answers carry id, name and network_info only; the module waits for the 404.
    run = module_runner("modelarts_hyper_cluster", {"id": ECS, "type": "ECS"})
    assert run.changed and not run.failed, run
    assert "status" not in run.result["hyper_cluster"]
    gets = modelarts_calls(sim, "GET", ECS)
    assert gets[-1]["status"] == 404 and all(c["query"] == "type=ECS" for c in gets)
    assert ECS not in hyper_clusters(sim)
