"""ehpc_nodes and ehpc_nodes_info against the simulator.

All module tasks but the ad-hoc command run in one ansible-playbook (see
tests/integration/scenario.py); each test reads its own task's result, its own task's calls,
and, where it checks the world right after its task, a state snapshot taken there
(``Scenario.snapshot``).
"""

from __future__ import annotations

import subprocess

import pytest

from tests.integration.ansible_runner import BIN_DIR, REPO_ROOT, base_env
from tests.integration.scenario import Scenario

CLUSTER = "ehpc-8jqdq0mz"

# Refused before any call. The cases of this module with the same arguments and (at least)
# the same message words are in tests/integration/test_security.py's BAD_INPUT and not
# run again here: count 0, no count, role master, cluster_id cluster-1, restarted with
# nodes [], count "three".
BAD_INPUT = [
    ({"cluster_id": CLUSTER, "state": "absent"}, "nodes"),
    ({"cluster_id": CLUSTER, "state": "absent", "nodes": ["", "cln-abcd1234"]}, "empty entries"),
    ({"cluster_id": CLUSTER, "count": 1, "protected_nodes": [" "]}, "protected_nodes must not contain empty entries"),
    ({"cluster_id": CLUSTER, "count": 1, "return_nodes": "some"}, "return_nodes"),
]


def ehpc_nodes(state, role=None, include_deleting=False):
    nodes = state["ehpc"]["clusters"][CLUSTER]["nodes"].values()
    return sorted((n for n in nodes if (role is None or n["role"] == role)
                   and (include_deleting or n.get("transition_status") != "deleting")),
                  key=lambda n: n["create_time"])


def ehpc_writes(run, name, action=None):
    return [c for c in run.writes_of(name) if c["path"].startswith("/api/cluster/")
            and (action is None or c["path"].endswith(action))]


@pytest.fixture(scope="module")
def ehpc(simulator_session, tmp_path_factory):
    sim = simulator_session
    sim.reset()
    default_job_seconds = sim.config()["job_seconds"]
    world = sim.state()  # the default world: .world() brings back these node ids
    first_compute = ehpc_nodes(world, "compute")[0]["node_id"]
    scenario = Scenario(sim, tmp_path_factory.mktemp("ehpc_nodes"))
    (scenario
     .world().task("scale out", "ehpc_nodes", {"cluster_id": CLUSTER, "count": 5}))
    scenario.snapshot("after scale out")
    (scenario
     .task("scale out again", "ehpc_nodes", {"cluster_id": CLUSTER, "count": 5})
     .world().task("check scale out", "ehpc_nodes", {"cluster_id": CLUSTER, "count": 4}, check=True, diff=True))
    scenario.snapshot("after check scale out")
    (scenario
     .world().task("check scale in", "ehpc_nodes", {"cluster_id": CLUSTER, "count": 1}, check=True, diff=True)
     .world().task("scale out 252", "ehpc_nodes", {"cluster_id": CLUSTER, "count": 252}))
    scenario.snapshot("after scale out 252")
    scenario.world().task("scale in setup", "ehpc_nodes", {"cluster_id": CLUSTER, "count": 5})
    scenario.snapshot("after scale in setup")
    scenario.task("scale in", "ehpc_nodes", {"cluster_id": CLUSTER, "count": 2}, diff=True)
    scenario.snapshot("after scale in")
    absent = {"cluster_id": CLUSTER, "state": "absent", "nodes": [first_compute]}
    scenario.world().task("absent", "ehpc_nodes", absent)
    scenario.snapshot("after absent")
    (scenario
     .task("absent again", "ehpc_nodes", absent)
     .world().task("absent last login", "ehpc_nodes",
                   {"cluster_id": CLUSTER, "state": "absent", "nodes": [ehpc_nodes(world, "login")[0]["node_id"]]})
     .task("absent every compute", "ehpc_nodes",
           {"cluster_id": CLUSTER, "state": "absent", "nodes": [n["node_id"] for n in ehpc_nodes(world, "compute")]})
     .world().task("restart", "ehpc_nodes", {"cluster_id": CLUSTER, "state": "restarted", "nodes": [first_compute]}))
    scenario.snapshot("after restart")
    (scenario
     .world().task("restart unknown", "ehpc_nodes",
                   {"cluster_id": CLUSTER, "state": "restarted", "nodes": ["cln-zzzzzzzz"]})
     .task("check restart", "ehpc_nodes",
           {"cluster_id": CLUSTER, "state": "restarted", "nodes": [first_compute]}, check=True)
     .world().task("failed job", "ehpc_nodes", {"cluster_id": CLUSTER, "count": 3},
                   [{"kind": "job_fail", "path": "/api/cluster/addNodes"}])
     .world().config(job_seconds=60)
     .task("wait timeout", "ehpc_nodes", {"cluster_id": CLUSTER, "count": 3, "wait_timeout": 1})
     .world().task("wait false", "ehpc_nodes", {"cluster_id": CLUSTER, "count": 3, "wait": False})
     .world().config(job_seconds=3)
     .task("slow job", "ehpc_nodes", {"cluster_id": CLUSTER, "count": 3}))
    scenario.snapshot("after slow job")
    scenario.world().config(job_seconds=default_job_seconds)
    for index, (args, _expected) in enumerate(BAD_INPUT):
        scenario.task("bad input %d" % index, "ehpc_nodes", args)
    (scenario
     .task("private ips short", "ehpc_nodes",
           {"cluster_id": CLUSTER, "count": 4, "private_ips": ["192.168.100.50"]})
     .task("private ips", "ehpc_nodes",
           {"cluster_id": CLUSTER, "count": 4, "private_ips": ["192.168.100.51", "192.168.100.52"]})
     .world().task("info", "ehpc_nodes_info",
                   {"cluster_id": CLUSTER, "role": "compute", "query": "[?status=='active'].name"})
     .task("info bad query", "ehpc_nodes_info", {"cluster_id": CLUSTER, "query": "[?"})
     .task("wrong secret", "ehpc_nodes", {"cluster_id": CLUSTER, "count": 2},
           environment={"QINGCLOUD_SECRET_ACCESS_KEY": "not-the-secret"}))
    run = scenario.run()
    run.world = world
    return run


def test_scale_out_adds_missing_nodes_then_second_run_is_unchanged(ehpc):
    first = ehpc["scale out"]
    assert first["changed"] and not first.get("failed"), first
    assert len(first["added"]) == 3
    assert len(first["job_ids"]) == 1
    assert [c["path"] for c in ehpc_writes(ehpc, "scale out")] == ["/api/cluster/addNodes"]
    compute = ehpc_nodes(ehpc.state_at("after scale out"), "compute")
    assert len(compute) == 5 and all(n["status"] == "active" for n in compute)
    returned = [n for n in first["nodes"] if n["role"] == "compute"]
    assert len(returned) == 5 and all(n["status"] == "active" for n in returned)

    second = ehpc["scale out again"]
    assert not second["changed"] and not second.get("failed"), second
    assert [c["path"] for c in ehpc.calls_of("scale out again")] == ["/api/cluster/listNodes"]
    assert second["job_ids"] == [] and second["added"] == []


def test_check_mode_reports_the_plan_and_makes_no_write(ehpc):
    run = ehpc["check scale out"]
    assert run["changed"] and not run.get("failed"), run
    assert run["plan"]["add"] == 2
    assert run["plan"]["add_batches"] == [2]
    assert ehpc.writes_of("check scale out") == []
    diff = run["diff"]
    assert len(diff["before"]["compute"]) == 2
    assert len(diff["after"]["compute"]) == 4
    assert len(ehpc_nodes(ehpc.state_at("after check scale out"), "compute")) == 2


def test_check_mode_scale_in_names_the_nodes_it_would_remove(ehpc):
    newest = ehpc_nodes(ehpc.world, "compute")[-1]["node_id"]
    run = ehpc["check scale in"]
    assert run["changed"], run
    assert run["removed"] == [newest]
    assert newest not in run["diff"]["after"]["compute"]
    assert ehpc.writes_of("check scale in") == []


def test_scale_out_beyond_99_uses_as_few_add_calls_as_allowed(ehpc):
    run = ehpc["scale out 252"]
    assert run["changed"], run
    assert run["plan"]["add_batches"] == [99, 99, 52]
    assert len(ehpc_writes(ehpc, "scale out 252", "addNodes")) == 3
    assert len(ehpc_nodes(ehpc.state_at("after scale out 252"), "compute")) == 252


def test_scale_in_removes_the_newest_nodes_in_one_call(ehpc):
    assert ehpc["scale in setup"]["changed"] and not ehpc["scale in setup"].get("failed"), ehpc["scale in setup"]
    newest = [n["node_id"] for n in ehpc_nodes(ehpc.state_at("after scale in setup"), "compute")][-3:]
    run = ehpc["scale in"]
    assert run["changed"], run
    assert sorted(run["removed"]) == sorted(newest)
    assert len(ehpc_writes(ehpc, "scale in", "deleteNodes")) == 1
    after = ehpc.state_at("after scale in")
    assert len(ehpc_nodes(after, "compute", include_deleting=True)) == 2
    assert sorted(run["diff"]["after"]["compute"]) == sorted(n["node_id"] for n in ehpc_nodes(after, "compute"))


def test_absent_deletes_listed_nodes_and_second_run_is_unchanged(ehpc):
    target = ehpc_nodes(ehpc.world, "compute")[0]["node_id"]
    first = ehpc["absent"]
    assert first["changed"] and first["removed"] == [target], first
    assert target not in [n["node_id"] for n in ehpc_nodes(ehpc.state_at("after absent"), include_deleting=True)]
    second = ehpc["absent again"]
    assert not second["changed"] and not second.get("failed"), second
    assert len(ehpc_writes(ehpc, "absent") + ehpc_writes(ehpc, "absent again")) == 1


def test_absent_refuses_to_delete_the_last_login_node(ehpc):
    run = ehpc["absent last login"]
    assert run.get("failed")
    assert "login" in run["msg"] and "at least one" in run["msg"]
    assert ehpc.writes_of("absent last login") == []


def test_absent_refuses_to_delete_every_compute_node(ehpc):
    run = ehpc["absent every compute"]
    assert run.get("failed") and "compute" in run["msg"], run
    assert ehpc.writes_of("absent every compute") == []


def test_restarted_restarts_the_nodes_through_restart_nodes(ehpc):
    target = ehpc_nodes(ehpc.world, "compute")[0]["node_id"]
    run = ehpc["restart"]
    assert run["changed"] and run["restarted"] == [target], run
    # The SDK's route, served by default; the seed's spelling only after a 404 (test_ehpc_api_variants.py).
    assert [c["path"] for c in ehpc_writes(ehpc, "restart")] == ["/api/cluster/restartNodes"]
    assert ehpc_nodes(ehpc.state_at("after restart"), "compute")[0]["transition_status"] == ""


def test_restart_of_an_unknown_node_fails_before_any_write(ehpc):
    run = ehpc["restart unknown"]
    assert run.get("failed") and "cln-zzzzzzzz" in run["msg"], run
    assert ehpc.writes_of("restart unknown") == []


def test_check_mode_restart_makes_no_write(ehpc):
    target = ehpc_nodes(ehpc.world, "compute")[0]["node_id"]
    run = ehpc["check restart"]
    assert run["changed"] and run["restarted"] == [target], run
    assert ehpc.writes_of("check restart") == []


def test_failed_job_fails_the_task_naming_the_job(ehpc):
    run = ehpc["failed job"]
    assert run.get("failed"), run
    job_id = run["failure"]["job_id"]
    assert job_id and job_id in run["msg"] and "failed" in run["msg"]
    assert run["failure"]["status"] == "failed"


def test_wait_timeout_fails_the_task_with_the_job_and_status(ehpc):
    run = ehpc["wait timeout"]
    assert run.get("failed"), run
    assert "timed out" in run["msg"]
    assert run["failure"]["job_id"] in run["msg"]
    assert run["failure"]["status"] == "pending"


def test_wait_false_returns_job_ids_at_once(ehpc):
    run = ehpc["wait false"]
    assert run["changed"] and len(run["job_ids"]) == 1, run
    pending = [n for n in run["nodes"] if n["status"] == "pending"]
    assert len(pending) == 1


def test_waits_for_a_slow_job(ehpc):
    run = ehpc["slow job"]
    assert run["changed"] and not run.get("failed"), run
    assert all(n["status"] == "active" for n in ehpc_nodes(ehpc.state_at("after slow job")))


def test_bad_input_fails_clearly_before_any_call(ehpc):
    for index, (args, expected) in enumerate(BAD_INPUT):
        run = ehpc["bad input %d" % index]
        assert run.get("failed"), (args, run)
        assert expected in run["msg"], (args, run["msg"])
        assert ehpc.calls_of("bad input %d" % index) == [], args


def test_private_ips_shorter_than_the_nodes_to_add_fails_before_any_write(ehpc):
    run = ehpc["private ips short"]
    assert run.get("failed") and "private_ips" in run["msg"], run
    assert ehpc.writes_of("private ips short") == []


def test_added_nodes_take_the_given_private_ips(ehpc):
    ips = ["192.168.100.51", "192.168.100.52"]
    run = ehpc["private ips"]
    assert run["changed"], run
    added = [n for n in run["nodes"] if n["id"] in run["added"]]
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
    assert len(ehpc_nodes(sim.state(), "login")) == 2


def test_info_lists_filters_and_queries_nodes(ehpc):
    run = ehpc["info"]
    assert not run["changed"] and not run.get("failed"), run
    assert [n["name"] for n in run["nodes"]] == ["compute01", "compute02"]
    assert run["query_result"] == ["compute01", "compute02"]
    assert all(n["busy"] is False for n in run["nodes"])
    assert ehpc.writes_of("info") == []


def test_info_rejects_a_bad_query_before_any_call(ehpc):
    run = ehpc["info bad query"]
    assert run.get("failed") and "JMESPath" in run["msg"], run
    assert ehpc.calls_of("info bad query") == []


def test_wrong_secret_fails_with_the_authentication_error(ehpc):
    run = ehpc["wrong secret"]
    assert run.get("failed"), run
    assert run["failure"]["code"] == 1200
    assert "authentication failed" in run["msg"]
    # The whole run's output: no task may show it.
    assert "not-the-secret" not in ehpc.output
    assert ehpc.writes_of("wrong secret") == []
