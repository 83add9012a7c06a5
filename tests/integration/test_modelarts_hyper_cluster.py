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
        assert before["status"] == "Running" and before["name"] and before["network_info"], before
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
    assert run.result["diff"] == {"before": {"id": ECS, "name": "demo-ecs", "type": "ECS", "status": "Running"},
                                  "after": {}}
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


def test_cluster_already_deleting_is_unchanged_and_waited_for(sim, playbook_runner, tmp_path):
    # Both tasks in one run, so the second starts well within the deletion's 4 s even on a busy machine.
    sim.config(job_seconds=4)
    run = run_tasks(playbook_runner, tmp_path, [
        {"hpcops.clusters.modelarts_hyper_cluster": {"id": HPS, "wait": False}},
        {"hpcops.clusters.modelarts_hyper_cluster": {"id": HPS}},
    ])
    first, second = run.results
    assert first["changed"] and not second["changed"] and not second.get("failed"), run
    assert second["hyper_cluster"]["status"] == "Deleting", second
    assert [c["status"] for c in sim.writes()] == [204]  # no second DELETE
    assert HPS not in hyper_clusters(sim)
    assert modelarts_calls(sim, "GET", HPS)[-1]["status"] == 404


def test_wait_timeout_fails_naming_the_cluster_and_its_status(sim, module_runner):
    sim.config(job_seconds=60)
    run = module_runner("modelarts_hyper_cluster", {"id": HPS, "wait_timeout": 1})
    assert run.failed, run
    assert "timed out after 1s" in run.result["msg"], run
    assert HPS in run.result["msg"] and "Deleting" in run.result["msg"], run
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
    ]
    run = run_tasks(playbook_runner, tmp_path, tasks)
    assert len(run.results) == len(tasks) and not any(r.get("failed") for r in run.results), run
    listed, ecs_only, show_ecs, wrong_type, unknown, queried = run.results
    assert sorted(c["id"] for c in listed["hyper_clusters"]) == [ECS, HPS]
    assert [c["id"] for c in ecs_only["hyper_clusters"]] == [ECS]
    assert [(c["id"], c["type"], c["status"]) for c in show_ecs["hyper_clusters"]] == [(ECS, "ECS", "Running")]
    assert show_ecs["hyper_clusters"][0]["network_info"]
    assert wrong_type["hyper_clusters"] == [] and unknown["hyper_clusters"] == []
    assert queried["query_result"] == ["demo-hps"]
    assert "query_result" not in listed
    assert not any(r.get("changed") for r in run.results)
    assert sim.writes() == []
