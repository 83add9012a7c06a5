"""The ehpc_queue event source and the autoscale rulebook under the real ansible-rulebook.

ansible-rulebook (with Java 17) lives in .tmp/eda-venv, made by hack/eda_rulebook.sh. Without
it the test skips locally and FAILS under CI=true. The deadline bounds the wait; it is not
a performance assertion.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.integration.ansible_runner import BIN_DIR, REPO_ROOT, collections_path
from tests.integration.role_runs import EHPC_CLUSTER, ehpc_nodes

EDA_BIN = REPO_ROOT / ".tmp" / "eda-venv" / "bin"
RULEBOOK = REPO_ROOT / "extensions" / "eda" / "rulebooks" / "ehpc_autoscale.yml"
DEADLINE = 180


def rulebook_or_fail():
    if (EDA_BIN / "ansible-rulebook").exists():
        return str(EDA_BIN / "ansible-rulebook")
    message = "ansible-rulebook missing: run bash hack/eda_rulebook.sh (needs Java 17: openjdk-17-jre-headless)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def start_rulebook(sim, tmp_path, poll_interval="1"):
    """ansible-rulebook on the autoscale rulebook, its output in tmp_path/rulebook.log."""
    rulebook = rulebook_or_fail()
    (tmp_path / "inventory.yml").write_text("all:\n  hosts:\n    localhost:\n      ansible_connection: local\n"
                                            "      ansible_python_interpreter: %s\n" % sys.executable)
    (tmp_path / "vars.yml").write_text("ehpc_cluster_id: %s\nehpc_poll_interval: %s\n" % (EHPC_CLUSTER, poll_interval))
    env = dict(os.environ, **sim.env())
    env.update(PATH="%s:%s:%s" % (EDA_BIN, BIN_DIR, os.environ["PATH"]),
               ANSIBLE_COLLECTIONS_PATH=str(collections_path()), PYTHONPATH=str(collections_path()))
    log = (tmp_path / "rulebook.log").open("w")
    proc = subprocess.Popen([rulebook, "-r", str(RULEBOOK), "-i", str(tmp_path / "inventory.yml"),
                             "--vars", str(tmp_path / "vars.yml"), "-S", str(REPO_ROOT / "extensions/eda/plugins/event_source")],
                            cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    proc.log = log
    return proc


def stop_rulebook(proc, sim):
    """Stop ansible-rulebook and all it started, so that nothing of it calls the simulator in the
    next test: its own process group, then, since a playbook it ran lives in a session of its own
    (ansible-runner's pty) and may still be waiting for a job, until the simulator has had no
    call for two seconds (at most 60)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # whatever of the group is still there
    except ProcessLookupError:
        pass
    proc.wait()
    proc.log.close()
    deadline = time.monotonic() + 60
    seen, quiet_since = len(sim.calls()), time.monotonic()
    while time.monotonic() - quiet_since < 2 and time.monotonic() < deadline:
        time.sleep(0.25)
        count = len(sim.calls())
        if count != seen:
            seen, quiet_since = count, time.monotonic()


def wait_for(check, proc, deadline=DEADLINE):
    end = time.monotonic() + deadline
    while not check() and proc.poll() is None and time.monotonic() < end:
        time.sleep(0.5)
    proc.log.flush()


def test_pending_jobs_lead_to_a_scale_out_through_the_rulebook(sim, tmp_path):
    rulebook_or_fail()
    sim.start_hpc_job(["compute01", "compute02"], job_name="running")
    for i in range(3):
        sim.queue_hpc_job(job_name="wait%d" % i)
    proc = start_rulebook(sim, tmp_path)
    try:
        wait_for(lambda: len(ehpc_nodes(sim, "compute")) >= 5, proc)
        assert len(ehpc_nodes(sim, "compute")) == 5, (tmp_path / "rulebook.log").read_text()[-3000:]
    finally:
        stop_rulebook(proc, sim)


def test_wrong_shape_job_lists_are_error_events_and_the_rulebook_goes_on(sim, tmp_path):
    # A string entry and a numeric node list killed ansible-rulebook with an AttributeError
    # traceback (issue 29 item 4); now each is an error event, and the next poll scales out.
    rulebook_or_fail()
    sim.start_hpc_job(["compute01", "compute02"], job_name="running")
    for i in range(3):
        sim.queue_hpc_job(job_name="wait%d" % i)
    sim.faults([{"kind": "bad_answer", "path": "/api/job/list", "body": 'set:hpc_job_set=["oops"]'},
                {"kind": "bad_answer", "path": "/api/job/list", "body": "set:hpc_job_set.0.job_node_list=7"}])
    proc = start_rulebook(sim, tmp_path)
    try:
        wait_for(lambda: len(ehpc_nodes(sim, "compute")) >= 5, proc)
        output = (tmp_path / "rulebook.log").read_text()
        assert proc.poll() is None, output[-3000:]
        assert len(ehpc_nodes(sim, "compute")) == 5, output[-3000:]
        assert "`hpc_job_set[0]` is not an object" in output, output[-3000:]
        assert "`hpc_job_set[0].job_node_list` is not a string" in output, output[-3000:]
        assert "Traceback" not in output and "has no attribute" not in output, output[-3000:]
    finally:
        stop_rulebook(proc, sim)


@pytest.mark.parametrize("value, message", [("0", "interval must be at least 1 seconds"),
                                            ("-5", "interval must be at least 1 seconds"),
                                            ('"0"', "interval must be at least 1 seconds"),
                                            ("abc", "interval must be a number of seconds, got 'abc'")])
def test_a_poll_interval_under_one_second_stops_the_rulebook_before_any_call(sim, tmp_path, value, message):
    # ehpc_poll_interval: 0 made 400 API calls in 20 s (issue 29 item 5).
    rulebook_or_fail()
    proc = start_rulebook(sim, tmp_path, poll_interval=value)
    try:
        proc.wait(DEADLINE)
    finally:
        stop_rulebook(proc, sim)
    output = (tmp_path / "rulebook.log").read_text()
    assert proc.returncode != 0, output[-3000:]
    assert message in output, output[-3000:]
    assert [c for c in sim.calls() if c["path"].startswith("/api/")] == []
