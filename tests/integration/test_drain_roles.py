"""The roles' drain: the EHPC simulator for the cloud, a real Slurm (slurm_cluster.py) for the nodes.

The simulator's compute nodes are named compute01, compute02, ... and the Slurm cluster's nodes
are compute01 (this host, real) and compute[02-04] (never answering), so the default
``*_slurm_node_attribute`` (``name``) maps one onto the other.

``scontrol`` is wrapped (first on PATH): each ``scontrol update`` is logged with the time it was
issued, and a race hook may run once just before the first one, i.e. after the plan and before
the drain takes effect. Orders are proved by timestamps: the wrapper's log, the file a job
writes when it ends, and the simulator's call log.
"""

from __future__ import annotations

import json
import os
import shutil
import stat

import pytest

from tests.integration.ansible_runner import BIN_DIR, run_playbook
from tests.integration.role_runs import case_failures, write_failing_cases

# A long file: tests/conftest.py has pytest-xdist start the slow files first.
pytestmark = pytest.mark.slow

EHPC_CLUSTER = "ehpc-8jqdq0mz"
DELETE = "/api/cluster/deleteNodes"
RESTART = "/api/cluster/restartNodes"

WRAPPER = """#!/bin/sh
# Test wrapper around scontrol: log every update with its time; run the race hook once first.
if [ "$1" = update ]; then
  if [ -n "$HPCOPS_RACE_HOOK" ] && mkdir "$HPCOPS_SLURM_LOG.race" 2>/dev/null; then
    sh "$HPCOPS_RACE_HOOK" || exit 99
  fi
  printf '%s %s\\n' "$(date +%s.%N)" "$*" >> "$HPCOPS_SLURM_LOG"
fi
exec {real} "$@"
"""

# Starts a job on compute01 and returns once it runs; the job writes its end time to a file.
RACE_HOOK = """
job=$(sbatch --parsable --nodelist compute01 --chdir {dir} --output /dev/null --job-name race \\
      --wrap 'sleep {seconds}; date +%s.%N > {dir}/job.end') || exit 1
echo "$job" > {dir}/job.id
i=0
while [ "$(squeue --noheader --jobs "$job" --format %T)" != RUNNING ]; do
  i=$((i + 1)); [ $i -gt 600 ] && exit 1
  sleep 0.1
done
"""


class SlurmSpy:
    """A PATH directory whose scontrol logs updates (and may run a race hook) before the real one."""

    def __init__(self, tmp_path, slurm):
        self.dir = tmp_path
        self.log = tmp_path / "updates.log"
        self.hook = tmp_path / "race.sh"
        bindir = tmp_path / "bin"
        bindir.mkdir()
        wrapper = bindir / "scontrol"
        wrapper.write_text(WRAPPER.format(real=shutil.which("scontrol")))
        wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
        self.env = dict(slurm.env, HPCOPS_SLURM_LOG=str(self.log),
                        PATH="%s%s%s%s%s" % (bindir, os.pathsep, BIN_DIR, os.pathsep, os.environ.get("PATH", "")))

    def race(self, seconds: int) -> None:
        """Before the first ``scontrol update``, start a ``seconds`` long job on compute01."""
        self.hook.write_text(RACE_HOOK.format(dir=self.dir, seconds=seconds))
        self.env["HPCOPS_RACE_HOOK"] = str(self.hook)

    def updates(self) -> list:
        """(time, arguments) of each scontrol update, in order."""
        if not self.log.exists():
            return []
        return [(float(line.split(" ", 1)[0]), line.split(" ", 1)[1])
                for line in self.log.read_text().splitlines()]

    def race_job(self) -> tuple:
        """(job id, end time) of the race job."""
        return (self.dir / "job.id").read_text().strip(), float((self.dir / "job.end").read_text())


def role_run(sim, tmp_path, spy, role, role_vars, check=False):
    play = [{"name": "role under test", "hosts": "localhost", "gather_facts": False,
             "roles": [{"role": "hpcops.clusters." + role, "vars": role_vars}]}]
    path = tmp_path / "play.json"
    path.write_text(json.dumps(play))
    return run_playbook(path, sim.url, ["--check"] if check else [], env=spy.env)


def update_kind(args: str) -> str:
    return "DRAIN" if "State=DRAIN" in args else "RESUME" if "State=RESUME" in args else args


def calls(sim, path):
    return [c for c in sim.calls() if c["path"] == path]


def node_ids(sim) -> dict:
    nodes = sim.state()["ehpc"]["clusters"][EHPC_CLUSTER]["nodes"].values()
    return {n["name"]: n["node_id"] for n in nodes if n.get("transition_status") != "deleting"}


def scale_in_vars(**extra):
    return dict({"ehpc_scale_cluster_id": EHPC_CLUSTER, "ehpc_scale_count": 1,
                 "ehpc_scale_drain_host": "localhost", "ehpc_scale_drain_timeout": 120}, **extra)


def test_scale_in_drains_the_picked_node_and_a_job_that_lands_after_the_plan_ends_before_delete(
        sim, slurm, tmp_path):
    # compute02 runs a job in the EHPC job list, so the plan picks compute01 (the real Slurm node).
    sim.start_hpc_job(["compute02"], seconds=600)
    ids = node_ids(sim)
    spy = SlurmSpy(tmp_path, slurm)
    spy.race(seconds=5)

    run = role_run(sim, tmp_path, spy, "ehpc_scale", scale_in_vars())

    assert run.rc == 0, run
    job, job_end = spy.race_job()
    assert "NodeList=compute01" in slurm.run("scontrol", "--oneliner", "show", "job", job).stdout
    drains = [t for t, args in spy.updates() if "State=DRAIN" in args]
    assert len(drains) == 1 and "NodeName=compute01" in spy.updates()[0][1]
    # The job was running when the drain went in, and ended before deleteNodes was sent: the
    # call just before deleteNodes (the removal's own read) was answered after the job's end.
    log = sim.calls()
    delete_at = [i for i, c in enumerate(log) if c["path"] == DELETE]
    assert len(delete_at) == 1, log
    assert drains[0] < job_end < log[delete_at[0] - 1]["time"] <= log[delete_at[0]]["time"]
    assert set(node_ids(sim)) == {"login01", "compute02"}
    assert ids["compute01"] not in node_ids(sim).values()
    result = [r for r in run.results if "removed" in r and r.get("plan", {}).get("remove")][-1]
    assert result["plan"]["remove"] == [ids["compute01"]]
    assert "compute nodes of %s: 2 -> 1" % EHPC_CLUSTER in run.stdout

    # Idempotent: the next run plans no removal, so it drains nothing and writes nothing.
    sim.clear_calls()
    again = role_run(sim, tmp_path, spy, "ehpc_scale", scale_in_vars())
    assert again.rc == 0, again
    assert again.stats["localhost"]["changed"] == 0
    assert len(spy.updates()) == 1 and sim.writes() == []


def test_scale_in_drain_timeout_resumes_the_node_removes_nothing_and_fails(sim, slurm, tmp_path):
    sim.start_hpc_job(["compute02"], seconds=600)
    job = slurm.submit(300)
    spy = SlurmSpy(tmp_path, slurm)

    run = role_run(sim, tmp_path, spy, "ehpc_scale", scale_in_vars(ehpc_scale_drain_timeout=3))

    assert run.rc != 0 and run.failed, run
    msg = run.result["msg"]
    assert msg.startswith("drained scale-in of %s stopped: " % EHPC_CLUSTER), msg
    assert job in msg and "resumed in Slurm: compute01" in msg
    assert calls(sim, DELETE) == []
    assert set(node_ids(sim)) == {"login01", "compute01", "compute02"}
    assert [update_kind(args) for _t, args in spy.updates()] == ["DRAIN", "RESUME"]
    assert "DRAIN" not in slurm.node_state() and slurm.job_state(job) == "RUNNING"


def test_scale_in_failed_removal_resumes_the_drained_node(sim, slurm, tmp_path):
    sim.start_hpc_job(["compute02"], seconds=600)
    sim.fault(kind="job_fail", path="deleteNodes")
    spy = SlurmSpy(tmp_path, slurm)

    run = role_run(sim, tmp_path, spy, "ehpc_scale", scale_in_vars())

    assert run.rc != 0 and run.failed, run
    assert "resumed in Slurm: compute01" in run.result["msg"], run
    assert len(calls(sim, DELETE)) == 1
    assert "compute01" in node_ids(sim)
    updates = spy.updates()
    assert [update_kind(args) for _t, args in updates] == ["DRAIN", "RESUME"]
    assert updates[1][0] > calls(sim, DELETE)[0]["time"]
    assert "DRAIN" not in slurm.node_state()


def test_scale_in_with_drain_in_check_mode_drains_nothing_and_removes_nothing(sim, slurm, tmp_path):
    sim.start_hpc_job(["compute02"], seconds=600)
    spy = SlurmSpy(tmp_path, slurm)

    run = role_run(sim, tmp_path, spy, "ehpc_scale", scale_in_vars(), check=True)

    assert run.rc == 0, run
    assert spy.updates() == [] and slurm.node_state() == "IDLE"
    assert sim.writes() == []
    assert "(check mode: nothing was changed)" in run.stdout


def test_scale_in_fails_before_draining_when_a_picked_node_has_no_slurm_name(sim, slurm, tmp_path):
    sim.start_hpc_job(["compute02"], seconds=600)
    spy = SlurmSpy(tmp_path, slurm)
    ids = node_ids(sim)
    # Slurm knows no node named after its EHPC ID: the drain fails before any update.
    run = role_run(sim, tmp_path, spy, "ehpc_scale",
                   scale_in_vars(ehpc_scale_slurm_node_attribute="id", ehpc_scale_drain_timeout=5))

    assert run.rc != 0 and run.failed, run
    msg = run.result["msg"]
    assert ids["compute01"] in msg and "resumed in Slurm: none" in msg, run
    assert spy.updates() == [] and sim.writes() == []


def test_scale_out_with_a_drain_host_adds_nodes_and_drains_nothing(sim, slurm, tmp_path):
    spy = SlurmSpy(tmp_path, slurm)
    run = role_run(sim, tmp_path, spy, "ehpc_scale", scale_in_vars(ehpc_scale_count=3))

    assert run.rc == 0, run
    assert len([n for n in node_ids(sim) if n.startswith("compute")]) == 3
    assert spy.updates() == []
    assert [c["path"] for c in sim.writes()] == ["/api/cluster/addNodes"]


def restart_vars(**extra):
    return dict({"ehpc_rolling_restart_cluster_id": EHPC_CLUSTER, "ehpc_rolling_restart_nodes": ["compute01"],
                 "ehpc_rolling_restart_drain_host": "localhost", "ehpc_rolling_restart_drain_timeout": 120,
                 "ehpc_rolling_restart_resume_timeout": 120}, **extra)


def restart_summary(run) -> str:
    """The rolling restart's summary line (its debug task at the end of a run through every batch)."""
    found = [r["msg"] for r in run.results if isinstance(r.get("msg"), str)
             and r["msg"].startswith(("restarted ", "would restart "))]
    assert len(found) == 1, run
    return found[0]


def test_rolling_restart_drains_before_restartnodes_and_resumes_after(sim, slurm, tmp_path):
    ids = node_ids(sim)
    job = slurm.submit(4)
    spy = SlurmSpy(tmp_path, slurm)

    run = role_run(sim, tmp_path, spy, "ehpc_rolling_restart", restart_vars())

    assert run.rc == 0, run
    restarts = calls(sim, RESTART)
    assert len(restarts) == 1
    updates = spy.updates()
    assert [update_kind(args) for _t, args in updates] == ["DRAIN", "RESUME"]
    assert all("NodeName=compute01" in args for _t, args in updates)
    # Drained before the restart was sent, and the job on the node had ended by then.
    assert updates[0][0] < restarts[0]["time"] < updates[1][0]
    assert slurm.job_state(job) in ("", "COMPLETED")
    assert "Reason=hpcops.clusters rolling restart" in updates[0][1]
    assert slurm.node_state() == "IDLE"
    restarted = [r["restarted"] for r in run.results if r.get("restarted") and r.get("changed")]
    assert restarted == [[ids["compute01"]]]
    assert restart_summary(run) == ("restarted 1 of 1 nodes of %s in 1 batch(es) of up to 1: compute01 (%s); "
                                    "resumed in Slurm: compute01" % (EHPC_CLUSTER, ids["compute01"]))


def test_rolling_restart_drain_timeout_resumes_the_node_and_restarts_nothing(sim, slurm, tmp_path):
    job = slurm.submit(300)
    spy = SlurmSpy(tmp_path, slurm)

    run = role_run(sim, tmp_path, spy, "ehpc_rolling_restart", restart_vars(ehpc_rolling_restart_drain_timeout=3))

    assert run.rc != 0 and run.failed, run
    msg = run.result["msg"]
    assert msg.startswith("rolling restart of %s stopped at the batch" % EHPC_CLUSTER), msg
    assert job in msg and "resumed in Slurm: compute01" in msg
    assert calls(sim, RESTART) == []
    assert [update_kind(args) for _t, args in spy.updates()] == ["DRAIN", "RESUME"]
    assert "DRAIN" not in slurm.node_state() and slurm.job_state(job) == "RUNNING"


def test_rolling_restart_with_drain_in_check_mode_changes_nothing(sim, slurm, tmp_path):
    spy = SlurmSpy(tmp_path, slurm)
    run = role_run(sim, tmp_path, spy, "ehpc_rolling_restart", restart_vars(), check=True)

    assert run.rc == 0, run
    assert spy.updates() == [] and sim.writes() == [] and slurm.node_state() == "IDLE"
    assert restart_summary(run).startswith("would restart 1 of 1 nodes of %s" % EHPC_CLUSTER)
    assert restart_summary(run).endswith("; would drain and resume in Slurm: compute01"), restart_summary(run)


def test_autoscale_drains_the_idle_node_it_removes_and_waits_for_its_slurm_job(sim, slurm, tmp_path):
    # The EHPC job list shows compute02 busy and compute01 idle; Slurm runs a job on compute01.
    sim.start_hpc_job(["compute02"], seconds=600)
    job = slurm.submit(4)
    spy = SlurmSpy(tmp_path, slurm)

    run = role_run(sim, tmp_path, spy, "ehpc_autoscale", {
        "ehpc_autoscale_cluster_id": EHPC_CLUSTER, "ehpc_autoscale_idle_minutes": 0,
        "ehpc_autoscale_cooldown_minutes": 0, "ehpc_autoscale_drain_host": "localhost",
        "ehpc_autoscale_drain_timeout": 120})

    assert run.rc == 0, run
    updates = spy.updates()
    assert [update_kind(args) for _t, args in updates] == ["DRAIN"]
    assert "NodeName=compute01" in updates[0][1] and "Reason=hpcops.clusters autoscale" in updates[0][1]
    assert slurm.job_state(job) in ("", "COMPLETED")
    log = sim.calls()
    delete_at = [i for i, c in enumerate(log) if c["path"] == DELETE]
    assert len(delete_at) == 1 and updates[0][0] < log[delete_at[0] - 1]["time"]
    assert set(node_ids(sim)) == {"login01", "compute02"}


def test_drain_settings_are_checked_before_any_api_call(sim, slurm, tmp_path):
    spy = SlurmSpy(tmp_path, slurm)
    cases = [
        ("ehpc_scale", scale_in_vars(ehpc_scale_drain_timeout=True), "ehpc_scale_drain_timeout must be a whole number"),
        ("ehpc_scale", scale_in_vars(ehpc_scale_drain_timeout=0), "ehpc_scale_drain_timeout must be a whole number"),
        ("ehpc_scale", scale_in_vars(ehpc_scale_drain_reason=" "), "ehpc_scale_drain_reason must not be blank"),
        ("ehpc_rolling_restart", restart_vars(ehpc_rolling_restart_resume_timeout=False),
         "ehpc_rolling_restart_resume_timeout must be a whole number"),
    ]
    # One playbook, each case in a block of its own whose rescue records the message.
    run = run_playbook(write_failing_cases(tmp_path, [(role, role_vars) for role, role_vars, _m in cases]), sim.url,
                       env=spy.env)
    assert run.rc == 0 and run.stats["localhost"]["rescued"] == len(cases), run
    for (role, _vars, message), msg in zip(cases, case_failures(run, len(cases))):
        assert msg is not None and message in msg, (role, message, msg)
    assert [c for c in sim.calls() if c["path"].startswith("/api/")] == [] and spy.updates() == []


def test_a_failed_scale_in_leaves_a_node_an_operator_had_drained_drained(sim, slurm, tmp_path):
    sim.start_hpc_job(["compute02"], seconds=600)
    sim.fault(kind="job_fail", path="deleteNodes")
    slurm.run("scontrol", "update", "NodeName=compute01", "State=DRAIN", "Reason=operator maintenance")
    spy = SlurmSpy(tmp_path, slurm)

    run = role_run(sim, tmp_path, spy, "ehpc_scale", scale_in_vars())

    assert run.rc != 0 and run.failed, run
    assert "resumed in Slurm: none" in run.result["msg"], run
    assert len(calls(sim, DELETE)) == 1 and spy.updates() == []
    assert "DRAIN" in slurm.node_state()
    assert "Reason=operator maintenance" in slurm.run("scontrol", "--oneliner", "show", "node", "compute01").stdout


def test_rolling_restart_with_drain_restarts_a_login_node_without_draining_it(sim, slurm, tmp_path):
    ids = node_ids(sim)
    spy = SlurmSpy(tmp_path, slurm)

    run = role_run(sim, tmp_path, spy, "ehpc_rolling_restart",
                   restart_vars(ehpc_rolling_restart_nodes=["login01", "compute01"], ehpc_rolling_restart_batch_size=2))

    assert run.rc == 0, run
    restarted = [r["restarted"] for r in run.results if r.get("restarted") and r.get("changed")]
    assert restarted == [[ids["login01"], ids["compute01"]]]
    assert [update_kind(args) for _t, args in spy.updates()] == ["DRAIN", "RESUME"]
    assert all("NodeName=compute01" in args for _t, args in spy.updates())
    assert restart_summary(run).endswith(": login01 (%s), compute01 (%s); resumed in Slurm: compute01"
                                         % (ids["login01"], ids["compute01"])), restart_summary(run)


def restart_report(run) -> list:
    """The lines of the rolling restart's stop report (its debug task)."""
    found = [r.get("msg") for r in run.results if isinstance(r.get("msg"), list)
             and any(str(line).startswith("restart sent for the failed batch:") for line in r["msg"])]
    assert len(found) == 1, run
    return found[0]


@pytest.mark.parametrize("fault, why", [("job_stuck", "timed out"), ("job_vanish", "vanished")])
def test_rolling_restart_leaves_a_node_drained_while_its_restart_is_not_known_to_have_finished(
        sim, slurm, tmp_path, fault, why):
    # The restart job outlives wait_timeout, or the API stops knowing it: the node may reboot
    # at any time, so Slurm must start no job on it.
    ids = node_ids(sim)
    label = "compute01 (%s)" % ids["compute01"]
    sim.fault(kind=fault, path="restartNodes")
    spy = SlurmSpy(tmp_path, slurm)

    run = role_run(sim, tmp_path, spy, "ehpc_rolling_restart", restart_vars(ehpc_rolling_restart_wait_timeout=2))

    assert run.rc != 0 and run.failed, run
    assert len(calls(sim, RESTART)) == 1
    assert [update_kind(args) for _t, args in spy.updates()] == ["DRAIN"]
    assert "DRAIN" in slurm.node_state()
    msg = run.result["msg"]
    assert msg.startswith("rolling restart of %s stopped at the batch %s (restart sent, job(s) j-" % (EHPC_CLUSTER, label))
    assert why in msg and "\n" not in msg, msg
    assert msg.endswith("still restarting (restart not known to have finished): %s; resumed in Slurm: none; "
                        "left drained in Slurm: compute01; restarted before the failure: none" % label), msg
    report = restart_report(run)
    assert report[2].startswith("restart sent for the failed batch: yes, job(s) j-")
    assert report[3:8] == ["restarted in the failed batch: none",
                           "still restarting (restart not known to have finished): %s" % label,
                           "restart job failed: none", "resumed in Slurm: none", "left drained in Slurm: compute01"]


def test_rolling_restart_whose_resume_wait_times_out_reports_the_restart_sent_and_the_node_resumed(
        sim, slurm, tmp_path):
    # compute02 never answers Slurm: the restart succeeds, the resume is sent, its wait times out.
    ids = node_ids(sim)
    label = "compute02 (%s)" % ids["compute02"]
    spy = SlurmSpy(tmp_path, slurm)

    run = role_run(sim, tmp_path, spy, "ehpc_rolling_restart",
                   restart_vars(ehpc_rolling_restart_nodes=["compute02"], ehpc_rolling_restart_resume_timeout=2))

    assert run.rc != 0 and run.failed, run
    restarts = calls(sim, RESTART)
    assert len(restarts) == 1
    kinds = [update_kind(args) for _t, args in spy.updates()]
    assert kinds[:2] == ["DRAIN", "RESUME"] and set(kinds[2:]) <= {"RESUME"}, kinds
    assert spy.updates()[0][0] < restarts[0]["time"] < spy.updates()[1][0]
    assert "DRAIN" not in slurm.node_state("compute02")
    msg = run.result["msg"]
    assert msg.startswith("rolling restart of %s stopped at the batch %s (restart sent, job(s) j-" % (EHPC_CLUSTER, label))
    assert "waiting for the nodes to be back in service; still compute02" in msg, msg
    assert msg.endswith("restarted in this batch: %s; resumed in Slurm: compute02; restarted before the failure: none"
                        % label), msg
    report = restart_report(run)
    assert report[2].startswith("restart sent for the failed batch: yes, job(s) j-")
    assert report[3:8] == ["restarted in the failed batch: %s" % label,
                           "still restarting (restart not known to have finished): none",
                           "restart job failed: none", "resumed in Slurm: compute02", "left drained in Slurm: none"]
