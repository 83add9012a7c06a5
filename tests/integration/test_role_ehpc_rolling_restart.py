"""The ehpc_rolling_restart role through playbooks/ehpc_rolling_restart.yml against the simulator:
the cases that need a change to the simulator in the middle of a run (a fault after the first
batch, a job that ends once the role has looked twice), which a thread here makes. The other
cases are the ehpc_rolling_restart integration target (tests/integration/targets/ehpc_rolling_restart)."""

from __future__ import annotations

import threading
import time

import pytest

from tests.integration.role_runs import (PLAYBOOKS, EHPC_CLUSTER, SIM, changed_count, task_results, messages,
                                         ehpc_nodes, labels, restart_calls, poll)

# A long file: tests/conftest.py has pytest-xdist start the slow files first.
pytestmark = pytest.mark.slow


# The fault must land after the first batch's restart and before the second's: no fault
# setting says "the second call", so the test adds it once the first restart call is logged.
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


# A timed job can't stand in for the thread: on a loaded machine the role's first look came
# more than 5 s after the job started, so a job that ends by itself may end before two looks.
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
