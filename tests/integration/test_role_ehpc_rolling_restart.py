"""The ehpc_rolling_restart role through playbooks/ehpc_rolling_restart.yml against the simulator."""

from __future__ import annotations

import json
import threading
import time

import pytest

from tests.integration.role_runs import (PLAYBOOKS, EHPC_CLUSTER, RESTART_PATH, SIM, changed_count,
                                         failed_count, task_results, messages, ehpc_nodes, labels,
                                         restart_calls, poll)

# A long file: tests/conftest.py has pytest-xdist start the slow files first.
pytestmark = pytest.mark.slow


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
        sim.fault(kind="job_fail", path="restartNodes")
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
    sim.fault(kind="job_fail", path="restartNodes")
    compute = ehpc_nodes(sim, "compute")
    run = playbook_runner(PLAYBOOKS / "ehpc_rolling_restart.yml", SIM)
    assert run.rc != 0 and run.failed, run
    assert len(restart_calls(sim)) == 1
    assert run.result["msg"].endswith("restarted before the failure: none")
    report = messages(run, "Report how far")[0]
    assert report[2:6] == ["restart sent for the failed batch: yes, job(s) %s" % run.result["msg"].split("job(s) ")[1].split(")")[0],
                           "restarted in the failed batch: none",
                           "still restarting (restart not known to have finished): none",
                           "restart job failed: %s" % labels(compute[:1])]
    assert "not attempted: %s" % labels(compute[1:]) in report


def test_rolling_restart_batch_that_timed_out_is_changed_and_failed(sim, playbook_runner):
    sim.fault(kind="job_stuck", path="restartNodes")
    first = ehpc_nodes(sim, "compute")[0]
    run = playbook_runner(PLAYBOOKS / "ehpc_rolling_restart.yml", SIM + ["-e", "ehpc_rolling_restart_wait_timeout=1"])
    assert run.rc != 0 and run.failed, run
    assert len(restart_calls(sim)) == 1
    assert changed_count(run) == 1 and failed_count(run) == 1
    msg = run.result["msg"]
    assert msg.startswith("rolling restart of %s stopped at the batch %s (restart sent, job(s) j-" % (EHPC_CLUSTER, labels([first])))
    assert "timed out" in msg
    assert msg.endswith("still restarting (restart not known to have finished): %s; restarted before the failure: none"
                        % labels([first])), msg
    report = messages(run, "Report how far")[0]
    assert report[2].startswith("restart sent for the failed batch: yes, job(s) j-")
    assert report[3:5] == ["restarted in the failed batch: none",
                           "still restarting (restart not known to have finished): %s" % labels([first])]
    assert not any("Slurm" in line for line in report)


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
