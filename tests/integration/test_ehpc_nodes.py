"""ehpc_nodes and ehpc_nodes_info against the simulator."""

from __future__ import annotations

import subprocess

from tests.integration.ansible_runner import BIN_DIR, REPO_ROOT, base_env

CLUSTER = "ehpc-8jqdq0mz"


def ehpc_nodes(sim, role=None, include_deleting=False):
    nodes = sim.state()["ehpc"]["clusters"][CLUSTER]["nodes"].values()
    return sorted((n for n in nodes if (role is None or n["role"] == role)
                   and (include_deleting or n.get("transition_status") != "deleting")),
                  key=lambda n: n["create_time"])


def ehpc_writes(sim, action=None):
    return [c for c in sim.writes() if c["path"].startswith("/api/cluster/")
            and (action is None or c["path"].endswith(action))]


def ehpc_calls(sim):
    return [c for c in sim.calls() if c["path"].startswith("/api/")]


def test_scale_out_adds_missing_nodes_then_second_run_is_unchanged(sim, module_runner):
    first = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 5})
    assert first.changed, first
    assert len(first.result["added"]) == 3
    assert len(first.result["job_ids"]) == 1
    assert [c["path"] for c in ehpc_writes(sim)] == ["/api/cluster/addNodes"]
    compute = ehpc_nodes(sim, "compute")
    assert len(compute) == 5 and all(n["status"] == "active" for n in compute)
    returned = [n for n in first.result["nodes"] if n["role"] == "compute"]
    assert len(returned) == 5 and all(n["status"] == "active" for n in returned)

    before = len(sim.calls())
    second = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 5})
    assert not second.changed and not second.failed, second
    new_calls = sim.calls()[before:]
    assert [c["path"] for c in new_calls] == ["/api/cluster/listNodes"]
    assert second.result["job_ids"] == [] and second.result["added"] == []


def test_check_mode_reports_the_plan_and_makes_no_write(sim, module_runner):
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 4}, check=True, diff=True)
    assert run.changed and not run.failed, run
    assert run.result["plan"]["add"] == 2
    assert run.result["plan"]["add_batches"] == [2]
    assert sim.writes() == []
    diff = run.result["diff"]
    assert len(diff["before"]["compute"]) == 2
    assert len(diff["after"]["compute"]) == 4
    assert len(ehpc_nodes(sim, "compute")) == 2


def test_check_mode_scale_in_names_the_nodes_it_would_remove(sim, module_runner):
    newest = ehpc_nodes(sim, "compute")[-1]["node_id"]
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 1}, check=True, diff=True)
    assert run.changed, run
    assert run.result["removed"] == [newest]
    assert newest not in run.result["diff"]["after"]["compute"]
    assert sim.writes() == []


def test_scale_out_beyond_99_uses_as_few_add_calls_as_allowed(sim, module_runner):
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 252})
    assert run.changed, run
    assert run.result["plan"]["add_batches"] == [99, 99, 52]
    assert len(ehpc_writes(sim, "addNodes")) == 3
    assert len(ehpc_nodes(sim, "compute")) == 252


def test_scale_in_removes_the_newest_nodes_in_one_call(sim, module_runner):
    module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 5})
    newest = [n["node_id"] for n in ehpc_nodes(sim, "compute")][-3:]
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 2}, diff=True)
    assert run.changed, run
    assert sorted(run.result["removed"]) == sorted(newest)
    assert len(ehpc_writes(sim, "deleteNodes")) == 1
    assert len(ehpc_nodes(sim, "compute", include_deleting=True)) == 2
    assert sorted(run.result["diff"]["after"]["compute"]) == sorted(
        n["node_id"] for n in ehpc_nodes(sim, "compute"))


def test_absent_deletes_listed_nodes_and_second_run_is_unchanged(sim, module_runner):
    target = ehpc_nodes(sim, "compute")[0]["node_id"]
    first = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "state": "absent", "nodes": [target]})
    assert first.changed and first.result["removed"] == [target], first
    assert target not in [n["node_id"] for n in ehpc_nodes(sim, include_deleting=True)]
    second = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "state": "absent", "nodes": [target]})
    assert not second.changed and not second.failed, second
    assert len(ehpc_writes(sim)) == 1


def test_absent_refuses_to_delete_the_last_login_node(sim, module_runner):
    login = ehpc_nodes(sim, "login")[0]["node_id"]
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "state": "absent", "nodes": [login]})
    assert run.failed
    assert "login" in run.result["msg"] and "at least one" in run.result["msg"]
    assert sim.writes() == []


def test_absent_refuses_to_delete_every_compute_node(sim, module_runner):
    compute = [n["node_id"] for n in ehpc_nodes(sim, "compute")]
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "state": "absent", "nodes": compute})
    assert run.failed and "compute" in run.result["msg"], run
    assert sim.writes() == []


def test_restarted_restarts_the_nodes_through_resatrt_nodes(sim, module_runner):
    target = ehpc_nodes(sim, "compute")[0]["node_id"]
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "state": "restarted", "nodes": [target]})
    assert run.changed and run.result["restarted"] == [target], run
    assert [c["path"] for c in ehpc_writes(sim)] == ["/api/cluster/resatrtNodes"]
    assert ehpc_nodes(sim, "compute")[0]["transition_status"] == ""


def test_restart_of_an_unknown_node_fails_before_any_write(sim, module_runner):
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "state": "restarted", "nodes": ["cln-zzzzzzzz"]})
    assert run.failed and "cln-zzzzzzzz" in run.result["msg"], run
    assert sim.writes() == []


def test_check_mode_restart_makes_no_write(sim, module_runner):
    target = ehpc_nodes(sim, "compute")[0]["node_id"]
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "state": "restarted", "nodes": [target]}, check=True)
    assert run.changed and run.result["restarted"] == [target], run
    assert sim.writes() == []


def test_failed_job_fails_the_task_naming_the_job(sim, module_runner):
    sim.fault(path="/api/cluster/addNodes", kind="job_fail")
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 3})
    assert run.failed, run
    job_id = run.result["failure"]["job_id"]
    assert job_id and job_id in run.result["msg"] and "failed" in run.result["msg"]
    assert run.result["failure"]["status"] == "failed"


def test_wait_timeout_fails_the_task_with_the_job_and_status(sim, module_runner):
    sim.config(job_seconds=60)
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 3, "wait_timeout": 1})
    assert run.failed, run
    assert "timed out" in run.result["msg"]
    assert run.result["failure"]["job_id"] in run.result["msg"]
    assert run.result["failure"]["status"] == "pending"


def test_wait_false_returns_job_ids_at_once(sim, module_runner):
    sim.config(job_seconds=60)
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 3, "wait": False})
    assert run.changed and len(run.result["job_ids"]) == 1, run
    pending = [n for n in run.result["nodes"] if n["status"] == "pending"]
    assert len(pending) == 1


def test_waits_for_a_slow_job(sim, module_runner):
    sim.config(job_seconds=3)
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 3})
    assert run.changed and not run.failed, run
    assert all(n["status"] == "active" for n in ehpc_nodes(sim))


def test_bad_input_fails_clearly_before_any_call(sim, module_runner):
    cases = [
        ({"cluster_id": CLUSTER, "count": 0}, "count must be at least 1"),
        ({"cluster_id": CLUSTER}, "count"),
        ({"cluster_id": CLUSTER, "count": 2, "role": "master"}, "role"),
        ({"cluster_id": "cluster-1", "count": 2}, "not an EHPC cluster ID"),
        ({"cluster_id": CLUSTER, "state": "absent"}, "nodes"),
        ({"cluster_id": CLUSTER, "state": "restarted", "nodes": []}, "at least one node"),
        ({"cluster_id": CLUSTER, "state": "absent", "nodes": ["", "cln-abcd1234"]}, "empty entries"),
        ({"cluster_id": CLUSTER, "count": 1, "protected_nodes": [" "]}, "protected_nodes must not contain empty entries"),
        ({"cluster_id": CLUSTER, "count": 1, "return_nodes": "some"}, "return_nodes"),
        ({"cluster_id": CLUSTER, "count": "three"}, "count"),
    ]
    for args, expected in cases:
        run = module_runner("ehpc_nodes", args)
        assert run.failed, (args, run)
        assert expected in run.result["msg"], (args, run.result["msg"])
    assert sim.calls() == []


def test_private_ips_shorter_than_the_nodes_to_add_fails_before_any_write(sim, module_runner):
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 4, "private_ips": ["192.168.100.50"]})
    assert run.failed and "private_ips" in run.result["msg"], run
    assert sim.writes() == []


def test_added_nodes_take_the_given_private_ips(sim, module_runner):
    ips = ["192.168.100.51", "192.168.100.52"]
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 4, "private_ips": ips})
    assert run.changed, run
    added = [n for n in run.result["nodes"] if n["id"] in run.result["added"]]
    assert sorted(n["private_ip"] for n in added) == ips


def test_ad_hoc_command_scales_the_cluster(sim):
    env = base_env(sim.url)
    env["ANSIBLE_LOAD_CALLBACK_PLUGINS"] = "0"
    env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.builtin.minimal"
    proc = subprocess.run([str(BIN_DIR / "ansible"), "localhost", "-m", "hpcops.clusters.ehpc_nodes",
                           "-a", "cluster_id=%s role=login count=2" % CLUSTER],
                          env=env, capture_output=True, text=True, cwd=str(REPO_ROOT), timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "CHANGED" in proc.stdout
    assert len(ehpc_nodes(sim, "login")) == 2


def test_info_lists_filters_and_queries_nodes(sim, module_runner):
    run = module_runner("ehpc_nodes_info", {"cluster_id": CLUSTER, "role": "compute",
                                            "query": "[?status=='active'].name"})
    assert not run.changed and not run.failed, run
    assert [n["name"] for n in run.result["nodes"]] == ["compute01", "compute02"]
    assert run.result["query_result"] == ["compute01", "compute02"]
    assert all(n["busy"] is False for n in run.result["nodes"])
    assert sim.writes() == []


def test_info_rejects_a_bad_query_before_any_call(sim, module_runner):
    run = module_runner("ehpc_nodes_info", {"cluster_id": CLUSTER, "query": "[?"})
    assert run.failed and "JMESPath" in run.result["msg"], run
    assert sim.calls() == []


def test_wrong_secret_fails_with_the_authentication_error(sim, module_runner):
    run = module_runner("ehpc_nodes", {"cluster_id": CLUSTER, "count": 2},
                        env={"QINGCLOUD_SECRET_ACCESS_KEY": "not-the-secret"})
    assert run.failed, run
    assert run.result["failure"]["code"] == 1200
    assert "authentication failed" in run.result["msg"]
    assert "not-the-secret" not in run.output
    assert sim.writes() == []
