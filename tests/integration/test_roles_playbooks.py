"""The roles and playbooks (playbooks/*.yml, roles/*) run through ansible-playbook against the simulator."""

from __future__ import annotations

import json
import threading
import time

import pytest

from tests.integration.ansible_runner import REPO_ROOT, AnsibleRun, run_playbook
from tests.simulator.fixture import running_simulator

PLAYBOOKS = REPO_ROOT / "playbooks"
EHPC_CLUSTER = "ehpc-8jqdq0mz"
CCE_CLUSTER = "cce-demo"
RESTART_PATH = "/api/cluster/resatrtNodes"
# The playbooks meant for job templates have no default cluster; the simulator inventory names the
# simulator's (playbooks/vars/simulator.yml), as `make demo` does.
SIM = ["-i", str(PLAYBOOKS / "inventory" / "simulator.yml")]
CCE_KEY = ["-e", "cce_scale_in_ssh_key=KeyPair-demo"]


# --- helpers -------------------------------------------------------------------------------

def changed_count(run: AnsibleRun) -> int:
    return run.stats.get("localhost", {}).get("changed", -1)


def failed_count(run: AnsibleRun) -> int:
    return run.stats.get("localhost", {}).get("failures", 0)


def task_results(run: AnsibleRun, name: str) -> list:
    """Host results of the tasks whose name contains ``name`` (the json callback keeps names)."""
    data = json.loads(run.stdout[run.stdout.index("{"):])
    found = []
    for play in data.get("plays", []):
        for task in play.get("tasks", []):
            if name in task["task"]["name"]:
                found.extend(task["hosts"].values())
    return found


def messages(run: AnsibleRun, name: str) -> list:
    return [r.get("msg") for r in task_results(run, name)]


def ehpc_nodes(sim, role: str | None = None) -> list:
    nodes = sim.state()["ehpc"]["clusters"][EHPC_CLUSTER]["nodes"].values()
    return sorted((n for n in nodes if (role is None or n["role"] == role) and n.get("transition_status") != "deleting"),
                  key=lambda n: n["create_time"])


def cce_node_names(sim) -> list:
    return sorted(n["name"] for n in sim.state()["cce"]["clusters"][CCE_CLUSTER]["nodes"].values()
                  if n["phase"] != "Deleting")


def labels(nodes: list) -> str:
    """How the roles name nodes in their messages: ``name (ID)``."""
    return ", ".join("%s (%s)" % (n["name"], n["node_id"]) for n in nodes)


def restart_calls(sim) -> list:
    return [c for c in sim.writes() if c["path"] == RESTART_PATH]


def poll(check, timeout: float, interval: float = 0.05):
    """``check()``'s first truthy value, or AssertionError at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError("condition not met within %.0f s" % timeout)
        time.sleep(interval)


def write_playbook(tmp_path, role: str, role_vars: dict) -> str:
    play = [{"name": "role under test", "hosts": "localhost", "gather_facts": False,
             "roles": [{"role": "hpcops.clusters." + role, "vars": role_vars}]}]
    path = tmp_path / ("%s.json" % role)
    path.write_text(json.dumps(play))
    return str(path)


# --- ehpc_scale ----------------------------------------------------------------------------

def test_ehpc_scale_playbook_scales_out_then_a_second_run_changes_nothing(sim, playbook_runner):
    first = playbook_runner(PLAYBOOKS / "ehpc_scale.yml", SIM + ["-e", "ehpc_scale_count=5"])
    assert first.rc == 0, first
    assert changed_count(first) == 1
    assert len(ehpc_nodes(sim, "compute")) == 5
    added = ehpc_nodes(sim, "compute")[2:]
    # counted from the nodes read after the change, each added node named with its ID
    assert messages(first, "Summarise") == ["compute nodes of %s: 2 -> 5; added %s" % (EHPC_CLUSTER, labels(added))]

    sim.clear_calls()
    second = playbook_runner(PLAYBOOKS / "ehpc_scale.yml", SIM + ["-e", "ehpc_scale_count=5"])
    assert second.rc == 0, second
    assert changed_count(second) == 0
    assert sim.writes() == []
    assert messages(second, "Summarise") == ["compute nodes of %s: 5 -> 5" % EHPC_CLUSTER]


def test_ehpc_scale_check_mode_makes_no_write(sim, playbook_runner):
    run = playbook_runner(PLAYBOOKS / "ehpc_scale.yml", SIM + ["--check", "-e", "ehpc_scale_count=4"])
    assert run.rc == 0, run
    assert changed_count(run) == 1
    assert sim.writes() == []
    assert len(ehpc_nodes(sim, "compute")) == 2
    assert messages(run, "Summarise") == ["compute nodes of %s: 2 now, 4 wanted (check mode: nothing was changed); "
                                          "would add 2 node(s)" % EHPC_CLUSTER]


def test_ehpc_scale_scales_in_login_role(sim, playbook_runner):
    sim.world(ehpc_login_nodes=3)
    gone = ehpc_nodes(sim, "login")[-1:]
    run = playbook_runner(PLAYBOOKS / "ehpc_scale.yml", SIM + ["-e", "ehpc_scale_role=login", "-e", "ehpc_scale_count=2"])
    assert run.rc == 0, run
    assert len(ehpc_nodes(sim, "login")) == 2
    assert len(ehpc_nodes(sim, "compute")) == 2
    assert messages(run, "Summarise") == ["login nodes of %s: 3 -> 2; removed %s" % (EHPC_CLUSTER, labels(gone))]


def test_ehpc_scale_above_max_nodes_fails_before_any_call(sim, playbook_runner):
    run = playbook_runner(PLAYBOOKS / "ehpc_scale.yml", SIM + ["-e", "ehpc_scale_count=60", "-e", "ehpc_scale_max_nodes=10"])
    assert run.rc != 0 and run.failed, run
    assert "guard rails allow 1 to 10" in run.result["msg"]
    assert [c for c in sim.calls() if c["path"].startswith("/api/")] == []


def test_ehpc_scale_below_min_nodes_fails_before_any_call(sim, playbook_runner):
    run = playbook_runner(PLAYBOOKS / "ehpc_scale.yml", SIM + ["-e", "ehpc_scale_count=1", "-e", "ehpc_scale_min_nodes=2"])
    assert run.rc != 0 and run.failed, run
    assert "refusing to scale the compute nodes of %s to 1" % EHPC_CLUSTER in run.result["msg"]
    assert "guard rails allow 2 to any number" in run.result["msg"]
    assert sim.writes() == []


def test_ehpc_scale_job_that_fails_after_the_write_is_changed_and_failed(sim, playbook_runner):
    sim.fault(kind="job_fail", path="addNodes")
    run = playbook_runner(PLAYBOOKS / "ehpc_scale.yml", SIM + ["-e", "ehpc_scale_count=3"])
    assert run.rc != 0 and run.failed, run
    assert len([w for w in sim.writes() if w["path"].endswith("addNodes")]) == 1
    # the addNodes call was accepted: the recap says the cluster changed although the job failed
    assert changed_count(run) == 1 and failed_count(run) == 1
    assert messages(run, "Report what was changed")[0].startswith("sent before the failure: job(s) j-")


def test_ehpc_scale_failure_before_any_write_is_not_changed(sim, playbook_runner):
    sim.start_hpc_job(["compute01", "compute02"])
    run = playbook_runner(PLAYBOOKS / "ehpc_scale.yml", SIM + ["-e", "ehpc_scale_count=1"])
    assert run.rc != 0 and run.failed, run
    assert "set ehpc_scale_busy_nodes=remove to remove them anyway" in run.result["msg"]
    assert changed_count(run) == 0 and sim.writes() == []
    assert messages(run, "Report what was changed") == ["nothing was changed"]


# --- ehpc_rolling_restart ------------------------------------------------------------------

def test_rolling_restart_of_four_nodes_in_batches_of_two_makes_two_restart_calls(sim, playbook_runner):
    sim.world(ehpc_compute_nodes=4)
    compute = [n["node_id"] for n in ehpc_nodes(sim, "compute")]
    run = playbook_runner(PLAYBOOKS / "ehpc_rolling_restart.yml", SIM + ["-e", "ehpc_rolling_restart_batch_size=2"])
    assert run.rc == 0, run
    assert len(restart_calls(sim)) == 2
    assert [w["path"] for w in sim.writes()] == [RESTART_PATH, RESTART_PATH]
    restarted = [r["restarted"] for r in task_results(run, "Restart the batch's nodes") if not r.get("skipped")]
    assert restarted == [compute[:2], compute[2:]]
    assert changed_count(run) == 2
    assert messages(run, "Summarise the rolling restart")[0].startswith(
        "restarted 4 of 4 nodes of %s in 2 batch(es) of up to 2" % EHPC_CLUSTER)
    assert all(n["transition_status"] == "" for n in ehpc_nodes(sim))


def test_rolling_restart_of_listed_nodes_by_name_and_id(sim, playbook_runner):
    nodes = ehpc_nodes(sim)
    login, compute2 = nodes[0], nodes[2]
    extra = json.dumps({"ehpc_rolling_restart_nodes": [compute2["name"], login["node_id"]]})
    run = playbook_runner(PLAYBOOKS / "ehpc_rolling_restart.yml", SIM + ["-e", extra])
    assert run.rc == 0, run
    restarted = [r["restarted"] for r in task_results(run, "Restart the batch's nodes")]
    assert restarted == [[compute2["node_id"]], [login["node_id"]]]


def test_rolling_restart_takes_a_comma_separated_node_list_from_the_command_line(sim, playbook_runner):
    nodes = {n["name"]: n["node_id"] for n in ehpc_nodes(sim)}
    run = playbook_runner(PLAYBOOKS / "ehpc_rolling_restart.yml", SIM + ["-e", "ehpc_rolling_restart_nodes=compute02,login01"])
    assert run.rc == 0, run
    restarted = [r["restarted"] for r in task_results(run, "Restart the batch's nodes")]
    assert restarted == [[nodes["compute02"]], [nodes["login01"]]]


def test_rolling_restart_of_unknown_node_fails_before_any_restart(sim, playbook_runner):
    extra = json.dumps({"ehpc_rolling_restart_nodes": ["compute01", "no-such-node"]})
    run = playbook_runner(PLAYBOOKS / "ehpc_rolling_restart.yml", SIM + ["-e", extra])
    assert run.rc != 0 and run.failed, run
    assert run.result["msg"] == "nodes not in cluster %s: no-such-node" % EHPC_CLUSTER
    assert sim.writes() == []


def test_rolling_restart_check_mode_makes_no_write(sim, playbook_runner):
    run = playbook_runner(PLAYBOOKS / "ehpc_rolling_restart.yml", SIM + ["--check", "-e", "ehpc_rolling_restart_batch_size=2"])
    assert run.rc == 0, run
    assert sim.writes() == []
    assert messages(run, "Summarise the rolling restart")[0].startswith("would restart 2 of 2 nodes")


def test_rolling_restart_stops_at_the_failed_batch_and_names_the_nodes_done(sim, playbook_runner):
    sim.world(ehpc_compute_nodes=4)
    compute = ehpc_nodes(sim, "compute")
    outcome = {}
    args = ["-e", "ehpc_rolling_restart_batch_size=2", "-e", "ehpc_rolling_restart_pause_seconds=2"]
    worker = threading.Thread(target=lambda: outcome.setdefault(
        "run", playbook_runner(PLAYBOOKS / "ehpc_rolling_restart.yml", SIM + args)))
    worker.start()
    try:
        # Let the first batch through, then make the next restart job fail.
        poll(lambda: restart_calls(sim), timeout=120)
        sim.fault(kind="job_fail", path="resatrtNodes")
    finally:
        worker.join(timeout=300)
    run = outcome["run"]
    assert run.rc != 0 and run.failed, run
    assert len(restart_calls(sim)) == 2
    msg = run.result["msg"]
    assert msg.startswith("rolling restart of %s stopped at the batch %s (restart sent, job(s) j-"
                          % (EHPC_CLUSTER, labels(compute[2:])))
    assert msg.endswith("restarted before the failure: %s" % labels(compute[:2]))
    assert "failed" in msg and "\n" not in msg
    report = messages(run, "Report how far")[0]
    assert report[0] == "restarted before the failure: %s" % labels(compute[:2])
    assert report[1] == "failed batch: %s" % labels(compute[2:])
    assert report[2].startswith("restart sent for the failed batch: yes, job(s) j-")
    assert run.stats["localhost"]["rescued"] == 1
    # Both batches' restarts were sent: the recap says so although the second one failed.
    assert changed_count(run) == 2


def test_rolling_restart_stops_at_a_failed_first_batch_before_the_other_batches(sim, playbook_runner):
    sim.fault(kind="job_fail", path="resatrtNodes")
    compute = ehpc_nodes(sim, "compute")
    run = playbook_runner(PLAYBOOKS / "ehpc_rolling_restart.yml", SIM)
    assert run.rc != 0 and run.failed, run
    assert len(restart_calls(sim)) == 1
    assert run.result["msg"].endswith("restarted before the failure: none")
    assert messages(run, "Report how far")[0][3] == "not attempted: %s" % labels(compute[1:])


def test_rolling_restart_batch_that_timed_out_is_changed_and_failed(sim, playbook_runner):
    sim.fault(kind="job_stuck", path="resatrtNodes")
    first = ehpc_nodes(sim, "compute")[0]
    run = playbook_runner(PLAYBOOKS / "ehpc_rolling_restart.yml", SIM + ["-e", "ehpc_rolling_restart_wait_timeout=1"])
    assert run.rc != 0 and run.failed, run
    assert len(restart_calls(sim)) == 1
    assert changed_count(run) == 1 and failed_count(run) == 1
    msg = run.result["msg"]
    assert msg.startswith("rolling restart of %s stopped at the batch %s (restart sent, job(s) j-" % (EHPC_CLUSTER, labels([first])))
    assert "timed out" in msg
    report = messages(run, "Report how far")[0]
    assert report[2].startswith("restart sent for the failed batch: yes, job(s) j-")
    assert report[2].endswith("these nodes may still be restarting: %s" % labels([first]))


def test_rolling_restart_waits_for_a_running_hpc_job_then_restarts(sim, playbook_runner):
    first = ehpc_nodes(sim, "compute")[0]
    started = time.time()
    sim.start_hpc_job([first["name"]], seconds=3)
    run = playbook_runner(PLAYBOOKS / "ehpc_rolling_restart.yml", SIM + [
        "-e", "ehpc_rolling_restart_batch_size=2", "-e", "ehpc_rolling_restart_wait_for_idle=true",
        "-e", "ehpc_rolling_restart_idle_poll_seconds=1"])
    assert run.rc == 0, run
    calls = restart_calls(sim)
    assert len(calls) == 1
    assert calls[0]["time"] >= started + 3
    assert task_results(run, "Restart the batch's nodes")[0]["restarted"] == [n["node_id"] for n in ehpc_nodes(sim, "compute")]
    assert "skipped" not in messages(run, "Summarise the rolling restart")[0]


def test_rolling_restart_keeps_looking_while_the_batch_is_busy(sim, playbook_runner):
    busy = ehpc_nodes(sim, "compute")[0]
    job_id = sim.start_hpc_job([busy["name"]], seconds=60)
    outcome = {}
    args = ["-e", "ehpc_rolling_restart_wait_for_idle=true", "-e", "ehpc_rolling_restart_idle_poll_seconds=1"]
    worker = threading.Thread(target=lambda: outcome.setdefault(
        "run", playbook_runner(PLAYBOOKS / "ehpc_rolling_restart.yml", SIM + args)))
    worker.start()
    try:
        # Two looks at the HPC jobs while the node is busy, then the job ends.
        poll(lambda: len([c for c in sim.calls() if c["path"] == "/api/job/list"]) >= 2, timeout=120)
        assert restart_calls(sim) == []
        finished = time.time()
        sim.finish_hpc_job(job_id)
    finally:
        worker.join(timeout=300)
    run = outcome["run"]
    assert run.rc == 0, run
    calls = restart_calls(sim)
    assert len(calls) == 2 and calls[0]["time"] >= finished
    assert task_results(run, "Wait until the batch's nodes run no HPC job")[0]["attempts"] >= 2


@pytest.mark.parametrize("allow_skipped", [False, True])
def test_rolling_restart_nodes_still_busy_at_the_idle_timeout_fail_the_run_unless_allowed(sim, playbook_runner, allow_skipped):
    busy, idle = ehpc_nodes(sim, "compute")
    job_id = sim.start_hpc_job([busy["name"]])
    run = playbook_runner(PLAYBOOKS / "ehpc_rolling_restart.yml", SIM + [
        "-e", "ehpc_rolling_restart_batch_size=2", "-e", "ehpc_rolling_restart_wait_for_idle=true",
        "-e", "ehpc_rolling_restart_idle_poll_seconds=1", "-e", "ehpc_rolling_restart_idle_timeout=2",
        "-e", "ehpc_rolling_restart_allow_skipped=%s" % allow_skipped])
    # The idle node was restarted either way, and the summary names the busy one.
    assert len(restart_calls(sim)) == 1
    assert task_results(run, "Restart the batch's nodes")[0]["restarted"] == [idle["node_id"]]
    summary = messages(run, "Summarise the rolling restart")[0]
    assert summary.startswith("restarted 1 of 2 nodes")
    assert summary.endswith("skipped because still busy: %s" % labels([busy]))
    if allow_skipped:
        assert run.rc == 0, run
    else:
        assert run.rc != 0 and run.failed, run
        assert run.result["msg"] == (
            "1 node(s) of %s were not restarted because they still ran HPC jobs after 2 s: %s jobs %s; run again later, "
            "or set ehpc_rolling_restart_allow_skipped=true to accept this" % (EHPC_CLUSTER, labels([busy]), job_id))


# --- cce_scale_in --------------------------------------------------------------------------

def cce_label(sim, name: str) -> str:
    uid = [n["uid"] for n in sim.state()["cce"]["clusters"][CCE_CLUSTER]["nodes"].values() if n["name"] == name][0]
    return "%s (%s)" % (name, uid)


def test_cce_scale_in_removes_the_node_then_a_second_run_fails_on_the_name_unless_absent_is_allowed(sim, playbook_runner):
    node3 = cce_label(sim, "cce-demo-node-3")
    first = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", SIM + CCE_KEY + ["-e", "cce_scale_in_nodes=cce-demo-node-3"])
    assert first.rc == 0, first
    assert changed_count(first) == 1
    assert cce_node_names(sim) == ["cce-demo-node-1", "cce-demo-node-2"]
    # the count comes from the nodes read after the removal
    assert messages(first, "Summarise")[0] == "removed %s from CCE cluster cce-demo: 3 -> 2 nodes" % node3

    # The name is gone now: as good as a typo, unless the caller says a re-run is meant.
    sim.clear_calls()
    second = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", SIM + CCE_KEY + ["-e", "cce_scale_in_nodes=cce-demo-node-3"])
    assert second.rc != 0 and second.failed, second
    assert second.result["msg"].startswith("not in CCE cluster cce-demo: cce-demo-node-3 ")
    assert sim.writes() == []

    third = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", SIM + CCE_KEY + [
        "-e", "cce_scale_in_nodes=cce-demo-node-3", "-e", "cce_scale_in_allow_absent=yes"])
    assert third.rc == 0, third
    assert changed_count(third) == 0
    assert sim.writes() == []
    assert messages(third, "Summarise")[0] == (
        "nothing to remove from CCE cluster cce-demo: 2 -> 2 nodes; not in the cluster (taken as removed): cce-demo-node-3")


def test_cce_scale_in_check_mode_makes_no_write(sim, playbook_runner):
    run = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", SIM + CCE_KEY + ["--check", "-e", "cce_scale_in_nodes=cce-demo-node-3"])
    assert run.rc == 0, run
    assert changed_count(run) == 1
    assert sim.writes() == []
    assert len(cce_node_names(sim)) == 3
    assert messages(run, "Summarise")[0] == (
        "would remove %s from CCE cluster cce-demo: 3 nodes now, 2 would stay (check mode: nothing was changed)"
        % cce_label(sim, "cce-demo-node-3"))


@pytest.mark.parametrize("nodes", [
    ["cce-demo-node-1", "cce-demo-node-9"],
    "cce-demo-node-9",
    "cce-demo-node-1\ncce-demo-node-9\n",
], ids=["list", "string", "text-area"])
@pytest.mark.parametrize("check", [False, True], ids=["run", "check"])
def test_cce_scale_in_unknown_names_fail_before_any_write(sim, playbook_runner, nodes, check):
    run = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", SIM + CCE_KEY + ["-e", json.dumps({"cce_scale_in_nodes": nodes})]
                          + (["--check"] if check else []))
    assert run.rc != 0 and run.failed, run
    assert run.result["msg"] == ("not in CCE cluster cce-demo: cce-demo-node-9 (a typo, or removed already; set "
                                 "cce_scale_in_allow_absent=true to take them as removed); nothing was removed")
    assert sim.writes() == []
    assert len(cce_node_names(sim)) == 3


def test_cce_scale_in_ambiguous_name_stays_refused(sim, tmp_path):
    # The default world has unique names: start a simulator whose saved world has two nodes named alike.
    state = sim.state()
    nodes = state["cce"]["clusters"][CCE_CLUSTER]["nodes"]
    for node in nodes.values():
        if node["name"] == "cce-demo-node-2":
            node["name"] = "cce-demo-node-1"
    state_file = tmp_path / "world.json"
    state_file.write_text(json.dumps(state))
    with running_simulator(extra_args=["--state", str(state_file)]) as twins:
        run = run_playbook(PLAYBOOKS / "cce_scale_in.yml", twins.url, SIM + CCE_KEY + ["-e", "cce_scale_in_nodes=cce-demo-node-1"])
        assert run.rc != 0 and run.failed, run
        assert "cce-demo-node-1" in run.result["msg"], run.result
        assert twins.writes() == []
        assert len(twins.state()["cce"]["clusters"][CCE_CLUSTER]["nodes"]) == 3


def test_cce_scale_in_refuses_to_remove_every_node(sim, playbook_runner):
    extra = json.dumps({"cce_scale_in_nodes": ["cce-demo-node-1", "cce-demo-node-2", "cce-demo-node-3"]})
    run = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", SIM + CCE_KEY + ["-e", extra])
    assert run.rc != 0 and run.failed, run
    assert run.result["msg"].startswith("refusing to remove every node of CCE cluster cce-demo")
    assert sim.writes() == []
    assert len(cce_node_names(sim)) == 3


def test_cce_scale_in_removal_job_that_fails_is_changed_and_failed(sim, playbook_runner):
    sim.fault(kind="job_fail", path="/nodes/operation/remove$")
    run = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", SIM + CCE_KEY + ["-e", "cce_scale_in_nodes=cce-demo-node-3"])
    assert run.rc != 0 and run.failed, run
    assert len(sim.writes()) == 1
    assert changed_count(run) == 1 and failed_count(run) == 1
    assert messages(run, "Report what was changed")[0].startswith("removal sent before the failure: job(s) ")


@pytest.mark.parametrize("login", [
    {"cce_scale_in_user_password": {"username": "root", "password": "$6$saltsalt$notarealhashbutlongenough"}},
    {"cce_scale_in_password": "$6$saltsalt$notarealhashbutlongenough", "cce_scale_in_ssh_key": ""},
], ids=["dict", "flat"])
def test_cce_scale_in_with_a_password_login_keeps_the_password_out_of_the_output(sim, playbook_runner, login):
    extra = json.dumps(dict(login, cce_scale_in_nodes=["cce-demo-node-1"]))
    run = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", SIM + ["-e", extra])
    assert run.rc == 0, run
    assert cce_node_names(sim) == ["cce-demo-node-2", "cce-demo-node-3"]
    assert "notarealhash" not in run.output
    remove = [c for c in sim.writes() if c["path"].endswith("/nodes/operation/remove")]
    assert len(remove) == 1


def test_cce_scale_in_takes_a_node_name_from_the_command_line_without_matching_substrings(sim, playbook_runner):
    sim.world(cce_nodes=11)
    node11 = cce_label(sim, "cce-demo-node-11")
    run = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", SIM + CCE_KEY + ["-e", "cce_scale_in_nodes=cce-demo-node-11"])
    assert run.rc == 0, run
    assert len(cce_node_names(sim)) == 10 and "cce-demo-node-11" not in cce_node_names(sim)
    assert messages(run, "Summarise")[0] == "removed %s from CCE cluster cce-demo: 11 -> 10 nodes" % node11


@pytest.mark.parametrize("login, named", [
    ({}, ""),
    ({"cce_scale_in_ssh_key": " ", "cce_scale_in_password": ""}, ""),
    ({"cce_scale_in_ssh_key": "KeyPair-demo", "cce_scale_in_user_password": {"username": "root", "password": "x"}},
     ": got cce_scale_in_ssh_key and cce_scale_in_user_password"),
    ({"cce_scale_in_ssh_key": "KeyPair-demo", "cce_scale_in_password": "x"},
     ": got cce_scale_in_ssh_key and cce_scale_in_password"),
], ids=["neither", "blanks", "key-and-dict", "key-and-password"])
def test_cce_scale_in_needs_exactly_one_login_method(sim, playbook_runner, login, named):
    run = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", SIM + ["-e", json.dumps(dict(login, cce_scale_in_nodes="cce-demo-node-3"))])
    assert run.rc != 0 and run.failed, run
    assert run.result["msg"] == ("give exactly one of cce_scale_in_ssh_key and cce_scale_in_password (or cce_scale_in_user_password), "
                                 "the login method of the removed nodes" + named)
    assert sim.calls() == []


# --- argument specs ------------------------------------------------------------------------

@pytest.mark.parametrize("role,role_vars,expected", [
    ("ehpc_scale", {"ehpc_scale_cluster_id": EHPC_CLUSTER, "ehpc_scale_count": "lots"},
     "argument 'ehpc_scale_count' is of type str and we were unable to convert to int"),
    ("ehpc_scale", {"ehpc_scale_cluster_id": EHPC_CLUSTER, "ehpc_scale_count": 3, "ehpc_scale_role": "gpu"},
     "value of ehpc_scale_role must be one of: compute, login, got: gpu"),
    ("ehpc_scale", {"ehpc_scale_count": 3}, "missing required arguments: ehpc_scale_cluster_id"),
    ("ehpc_rolling_restart", {"ehpc_rolling_restart_cluster_id": EHPC_CLUSTER, "ehpc_rolling_restart_batch_size": "two"},
     "argument 'ehpc_rolling_restart_batch_size' is of type str"),
    ("ehpc_rolling_restart", {"ehpc_rolling_restart_cluster_id": EHPC_CLUSTER, "ehpc_rolling_restart_wait_for_idle": "maybe"},
     "argument 'ehpc_rolling_restart_wait_for_idle' is of type str"),
    ("cce_scale_in", {"cce_scale_in_nodes": ["cce-demo-node-3"], "cce_scale_in_ssh_key": "KeyPair-demo"},
     "missing required arguments: cce_scale_in_cluster_id"),
    ("cce_scale_in", {"cce_scale_in_cluster_id": CCE_CLUSTER, "cce_scale_in_nodes": ["cce-demo-node-3"],
                      "cce_scale_in_user_password": {"username": "root"}},
     "missing required arguments: password found in cce_scale_in_user_password"),
], ids=["scale-count-not-int", "scale-bad-role", "scale-no-cluster", "restart-batch-not-int",
        "restart-idle-not-bool", "cce-no-cluster", "cce-password-missing"])
def test_bad_role_variables_fail_at_the_start_with_a_clear_message(sim, playbook_runner, tmp_path, role, role_vars,
                                                                   expected):
    run = playbook_runner(write_playbook(tmp_path, role, role_vars))
    assert run.rc != 0 and run.failed, run
    assert run.result["msg"].startswith("Validation of arguments failed")
    assert expected in run.result["msg"]
    assert sim.calls() == []


# --- demo and module_defaults --------------------------------------------------------------

@pytest.mark.slow
def test_demo_playbook_runs_green_end_to_end(sim, playbook_runner):
    run = playbook_runner(PLAYBOOKS / "demo.yml", ["-i", str(PLAYBOOKS / "inventory" / "simulator.yml")])
    assert run.rc == 0, run
    assert failed_count(run) == 0
    assert len(ehpc_nodes(sim, "compute")) == 4
    assert cce_node_names(sim) == ["cce-demo-node-1", "cce-demo-node-2"]
    assert sorted(sim.state()["hyper_clusters"]) == ["hc-demo-hps"]
    summary = messages(run, "Step 8 - summary")[0]
    assert summary[0] == "EHPC %s: 2 -> 4 compute nodes, 4 restarted in batches of 2" % EHPC_CLUSTER
    assert summary[1] == "CCE cce-demo: 3 -> 2 nodes (cce-demo-node-1, cce-demo-node-2)"
    assert summary[2] == "ModelArts: hc-demo-ecs deleted; hyper clusters left: hc-demo-hps"


def test_module_defaults_playbook_passes_credentials_through_the_action_groups(sim, playbook_runner):
    # No credential in the environment: everything reaches the modules through module_defaults.
    extra = {
        "qingcloud_access_key_id": "QYACCESSKEYIDEXAMPLE", "qingcloud_secret_access_key": "SECRETACCESSKEY",
        "qingcloud_zone": "jn1a", "qingcloud_ehpc_endpoint": sim.url,
        "huaweicloud_region": "cn-north-4", "huaweicloud_project_id": "0123456789abcdef0123456789abcdef",
        "huaweicloud_access_key": "HWSIMACCESSKEY", "huaweicloud_secret_key": "HWSIMSECRETKEY",
        "huaweicloud_cce_endpoint": sim.url, "huaweicloud_modelarts_endpoint": sim.url, "huaweicloud_iam_endpoint": sim.url,
    }
    run = playbook_runner(PLAYBOOKS / "module_defaults.yml", ["-e", json.dumps(extra)], credentials=False)
    assert run.rc == 0, run
    assert changed_count(run) == 0
    found = messages(run, "Show what the three calls found")[0]
    assert found == ["EHPC %s: login01, compute01, compute02" % EHPC_CLUSTER,
                     "CCE cce-demo: cce-demo-node-1, cce-demo-node-2, cce-demo-node-3",
                     "ModelArts: hc-demo-hps, hc-demo-ecs"]


def test_module_defaults_playbook_runs_with_credentials_from_the_environment(sim, playbook_runner):
    run = playbook_runner(PLAYBOOKS / "module_defaults.yml")
    assert run.rc == 0, run
    assert sim.writes() == []


# --- protected nodes -------------------------------------------------------------------------

def test_ehpc_scale_in_never_removes_a_protected_node(sim, playbook_runner):
    sim.world(ehpc_compute_nodes=4)
    newest = ehpc_nodes(sim, "compute")[-1]
    # A scale-in takes the newest idle node first; protected (here from a survey text area), it stays.
    run = playbook_runner(PLAYBOOKS / "ehpc_scale.yml", SIM + [
        "-e", "ehpc_scale_count=3", "-e", json.dumps({"ehpc_scale_protected_nodes": "%s\n" % newest["name"]})])
    assert run.rc == 0, run
    names = [n["name"] for n in ehpc_nodes(sim, "compute")]
    assert len(names) == 3 and newest["name"] in names


def test_ehpc_scale_in_fails_before_any_write_when_only_protected_nodes_could_go(sim, playbook_runner):
    protected = [n["name"] for n in ehpc_nodes(sim, "compute")]
    run = playbook_runner(PLAYBOOKS / "ehpc_scale.yml", SIM + [
        "-e", "ehpc_scale_count=1", "-e", json.dumps({"ehpc_scale_protected_nodes": protected})])
    assert run.rc != 0 and run.failed, run
    assert sim.writes() == []
    assert len(ehpc_nodes(sim, "compute")) == 2


def test_cce_scale_in_refuses_a_protected_node_before_any_write(sim, playbook_runner):
    run = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", SIM + CCE_KEY + [
        "-e", "cce_scale_in_nodes=cce-demo-node-3", "-e", "cce_scale_in_protected_nodes=cce-demo-node-3"])
    assert run.rc != 0 and run.failed, run
    assert "cce-demo-node-3" in run.result["msg"] and "protected" in run.result["msg"], run.result
    assert sim.writes() == []
    assert cce_node_names(sim) == ["cce-demo-node-1", "cce-demo-node-2", "cce-demo-node-3"]
