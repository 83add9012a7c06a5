"""hpcops.clusters.slurm_node against a real Slurm (tests/integration/slurm_cluster.py).

The cluster has one real node, compute01 (this host), and compute[02-04], which never answer.
Jobs are real ``sbatch --wrap 'sleep N'`` jobs; timings come from the clock, never from sleeps.
"""

from __future__ import annotations

import datetime
import os
import shutil
import time
from pathlib import Path

import pytest

from tests.integration.ansible_runner import run_module, run_module_tasks
from tests.integration.slurm_cluster import poll

# A long file: tests/conftest.py has pytest-xdist start the slow files first.
pytestmark = pytest.mark.slow

DRAIN = {"state": "drained", "reason": "hpcops test"}


def slurm_node(slurm, tmp_path, args, **kwargs):
    env = dict(slurm.env, **kwargs.pop("env", {}))
    return run_module("slurm_node", args, "", env=env, credentials=False, tmp_dir=tmp_path, **kwargs)


def slurm_node_tasks(slurm, tmp_path, *tasks) -> list:
    """The results of several slurm_node tasks run one after another in one playbook."""
    run = run_module_tasks("slurm_node", list(tasks), "", env=dict(slurm.env), credentials=False, tmp_dir=tmp_path)
    assert len(run.results) == len(tasks), run
    return run.results


def job_end_time(slurm, job_id: str) -> datetime.datetime:
    """EndTime of a finished job (slurmctld keeps it MinJobAge seconds), local wall clock."""
    out = slurm.run("scontrol", "--oneliner", "show", "job", job_id).stdout
    value = [word for word in out.split() if word.startswith("EndTime=")][0].split("=", 1)[1]
    return datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S")


def test_drain_with_wait_returns_only_after_the_running_job_ends(slurm, tmp_path):
    job = slurm.submit(8)
    run = slurm_node(slurm, tmp_path, dict(DRAIN, nodes=["compute01"], wait=True, wait_timeout=120))
    returned = datetime.datetime.now().replace(microsecond=0)

    assert not run.failed, run
    assert run.changed and run.result["changed_nodes"] == ["compute01"]
    assert slurm.job_state(job) in ("", "COMPLETED"), "the job was still queued when the drain returned"
    assert job_end_time(slurm, job) <= returned
    assert run.result["jobs_remaining"] == []
    node = run.result["nodes"][0]
    assert (node["name"], node["state"], node["reason"], node["jobs"]) == ("compute01", "IDLE", "hpcops test", [])
    assert "DRAIN" in node["flags"]
    assert slurm.node_state() == "IDLE+DRAIN"


def test_drain_wait_timeout_fails_and_names_the_job_still_running(slurm, tmp_path):
    job = slurm.submit(120)
    started = time.monotonic()
    run = slurm_node(slurm, tmp_path, dict(DRAIN, nodes="compute01", wait=True, wait_timeout=2))

    assert run.failed, run
    assert time.monotonic() - started < 60
    assert "timed out after 2s" in run.result["msg"] and job in run.result["msg"]
    assert run.result["jobs_remaining"] == [job]
    assert run.result["nodes"][0]["jobs"] == [job]
    assert run.changed and run.result["changed_nodes"] == ["compute01"]
    # The node stays drained (the caller decides whether to resume it) and the job runs on.
    assert "DRAIN" in slurm.node_state()
    assert slurm.job_state(job) == "RUNNING"


def test_draining_a_drained_node_again_is_no_change_and_keeps_its_reason(slurm, tmp_path):
    first, second = slurm_node_tasks(slurm, tmp_path, dict(DRAIN, nodes=["compute01"]),
                                     dict(DRAIN, nodes=["compute01"], reason="another reason"))

    assert first["changed"] and not first.get("failed"), first
    assert not second["changed"] and not second.get("failed"), second
    assert second["changed_nodes"] == []
    assert second["nodes"][0]["reason"] == "hpcops test"
    assert "jobs_remaining" not in second


def test_check_mode_does_not_drain_and_diff_shows_each_node_before_and_after(slurm, tmp_path):
    run = slurm_node(slurm, tmp_path, dict(DRAIN, nodes=["compute[01-02]"]), check=True, diff=True)

    assert run.changed and not run.failed, run
    assert slurm.node_state() == "IDLE"
    assert "DRAIN" not in slurm.node_state("compute02")
    diff = run.result["diff"]
    assert diff["before"]["compute01"] == {"state": "IDLE", "reason": ""}
    assert diff["after"]["compute01"] == {"state": "IDLE+DRAIN", "reason": "hpcops test"}
    assert "DRAIN" in diff["after"]["compute02"]["state"]
    assert [node["state_text"] for node in run.result["nodes"]][0] == "IDLE+DRAIN"
    assert run.result["changed_nodes"] == ["compute01", "compute02"]


def test_resume_returns_a_drained_node_to_idle_and_is_then_no_change(slurm, tmp_path):
    slurm.run("scontrol", "update", "NodeName=compute01", "State=DRAIN", "Reason=before the test")

    run = slurm_node(slurm, tmp_path, {"nodes": ["compute01"], "state": "resumed"})
    assert run.changed and not run.failed, run
    assert run.result["changed_nodes"] == ["compute01"]
    assert "DRAIN" not in run.result["nodes"][0]["flags"]
    poll(lambda: slurm.node_state() == "IDLE", 60, "compute01 to be IDLE")

    again = slurm_node(slurm, tmp_path, {"nodes": ["compute01"], "state": "resumed"})
    assert not again.changed and not again.failed, again
    assert again.result["nodes"][0]["state"] == "IDLE" and again.result["nodes"][0]["flags"] == []


def test_resume_with_wait_returns_once_the_node_answers_and_times_out_on_a_dead_one(slurm, tmp_path):
    slurm.run("scontrol", "update", "NodeName=compute01", "State=DRAIN", "Reason=before the test")
    slurm.run("scontrol", "update", "NodeName=compute02", "State=DOWN", "Reason=before the test")

    run = slurm_node(slurm, tmp_path, {"nodes": ["compute01"], "state": "resumed", "wait": True,
                                       "wait_timeout": 60})
    assert run.changed and not run.failed, run
    assert run.result["nodes"][0]["state_text"] == "IDLE"
    assert slurm.node_state() == "IDLE"

    dead = slurm_node(slurm, tmp_path, {"nodes": ["compute02"], "state": "resumed", "wait": True,
                                        "wait_timeout": 2})
    assert dead.failed and dead.changed, dead
    assert "waiting for the nodes to be back in service; still compute02" in dead.result["msg"]
    assert "jobs_remaining" not in dead.result


def test_a_host_list_drains_every_node_it_names_including_unresponsive_ones(slurm, tmp_path):
    run = slurm_node(slurm, tmp_path, dict(DRAIN, nodes=["compute[01-03]", "compute01"]))

    assert run.changed and not run.failed, run
    assert run.result["changed_nodes"] == ["compute01", "compute02", "compute03"]
    for name in ("compute01", "compute02", "compute03"):
        assert "DRAIN" in slurm.node_state(name)
    assert "DRAIN" not in slurm.node_state("compute04")
    # compute02 never answers; whether Slurm shows it NOT_RESPONDING right now depends on
    # when slurmctld last pinged it, so only the drain is checked.
    ghost = run.result["nodes"][1]
    assert ghost["name"] == "compute02" and "DRAIN" in ghost["flags"], ghost


def test_down_marks_a_node_down_once(slurm, tmp_path):
    down = {"nodes": ["compute04"], "state": "down", "reason": "dead disk"}
    run, again = slurm_node_tasks(slurm, tmp_path, down, down)

    assert run["changed"] and not run.get("failed"), run
    assert slurm.node_state("compute04").startswith("DOWN")
    assert run["nodes"][0]["reason"] == "dead disk"
    assert not again["changed"] and not again.get("failed"), again


def test_an_unknown_node_fails_before_any_update(slurm, tmp_path):
    run = slurm_node(slurm, tmp_path, dict(DRAIN, nodes=["compute01", "compute09"]))

    assert run.failed and not run.changed, run
    assert "unknown Slurm node: compute09" in run.result["msg"]
    assert "compute01" in run.result["known_nodes"]
    assert slurm.node_state() == "IDLE"


def test_drain_without_a_reason_fails_before_any_command(slurm, tmp_path):
    missing, blank = slurm_node_tasks(slurm, tmp_path, {"nodes": ["compute01"], "state": "drained"},
                                      {"nodes": ["compute01"], "reason": "  "})

    assert missing.get("failed") and "reason" in missing["msg"], missing
    assert blank.get("failed") and "reason must not be blank" in blank["msg"], blank
    assert slurm.node_state() == "IDLE"


def _path_without_slurm(tmp_path: Path) -> str:
    """A PATH with every command of /usr/bin and /bin except Slurm's client commands."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    slurm_commands = {"scontrol", "sinfo", "squeue", "sbatch", "srun", "scancel", "salloc", "sacct"}
    for directory in ("/usr/bin", "/bin"):
        for entry in os.scandir(directory):
            if entry.name not in slurm_commands and not (bin_dir / entry.name).exists():
                (bin_dir / entry.name).symlink_to(entry.path)
    return str(bin_dir)


def test_a_host_without_slurm_commands_fails_clearly(slurm, tmp_path):
    from tests.integration.ansible_runner import BIN_DIR

    run = slurm_node(slurm, tmp_path, dict(DRAIN, nodes=["compute01"]),
                     env={"PATH": "%s:%s" % (BIN_DIR, _path_without_slurm(tmp_path))})
    assert run.failed and not run.changed, run
    assert run.result["msg"].startswith("scontrol not found: run this on a host with Slurm's client commands")

    empty = tmp_path / "empty"
    empty.mkdir()
    run = slurm_node(slurm, tmp_path, dict(DRAIN, nodes=["compute01"], slurm_bin_dir=str(empty)))
    assert run.failed and "scontrol not found in slurm_bin_dir" in run.result["msg"], run
    assert slurm.node_state() == "IDLE"


def slurm_bin_with_update(tmp_path, on_update: str) -> str:
    """A slurm_bin_dir whose ``scontrol update`` runs the shell lines ``on_update``; every
    other command is the real one (the reads still go to the real Slurm)."""
    bin_dir = tmp_path / "slurm-bin"
    bin_dir.mkdir()
    for name in ("sinfo", "squeue"):
        (bin_dir / name).symlink_to(shutil.which(name))
    scontrol = bin_dir / "scontrol"
    scontrol.write_text('#!/bin/sh\nif [ "$1" = update ]; then\n%s\nfi\nexec %s "$@"\n'
                        % (on_update, shutil.which("scontrol")))
    scontrol.chmod(0o755)
    return str(bin_dir)


def test_resuming_a_node_that_never_registered_is_judged_by_its_state_not_by_scontrol_rc(slurm, tmp_path):
    # slurmctld 22.05 clears DRAIN of an UNKNOWN node on RESUME, then answers "Invalid node
    # state". Whether a node that never registered still shows UNKNOWN or already
    # IDLE+NOT_RESPONDING depends on slurmctld's ping timing, so scontrol's answer is made
    # that one every time: the real update runs, then the error is printed.
    slurm.run("scontrol", "update", "NodeName=compute03", "State=DRAIN", "Reason=before the test")
    assert "DRAIN" in slurm.node_state("compute03")
    bin_dir = slurm_bin_with_update(tmp_path, '  %s "$@"\n'
                                    '  echo "slurm_update error: Invalid node state specified" >&2; exit 1'
                                    % shutil.which("scontrol"))

    run = slurm_node(slurm, tmp_path, {"nodes": ["compute03"], "state": "resumed", "slurm_bin_dir": bin_dir})
    assert run.changed and not run.failed, run
    assert "DRAIN" not in run.result["nodes"][0]["flags"]
    assert "DRAIN" not in slurm.node_state("compute03")
    assert any("Invalid node state specified" in warning for warning in run.result.get("warnings", []))


def test_a_refused_update_fails_naming_the_nodes_left_unchanged(slurm, tmp_path):
    # What a user without Slurm operator rights sees; the reads still go to the real Slurm.
    bin_dir = slurm_bin_with_update(tmp_path, '  echo "slurm_update error: Access/permission denied" >&2; exit 1')

    run = slurm_node(slurm, tmp_path, dict(DRAIN, nodes=["compute01"], slurm_bin_dir=bin_dir))
    assert run.failed and not run.changed, run
    assert "Access/permission denied; not updated: compute01" in run.result["msg"]
    assert run.result["changed_nodes"] == []
    assert slurm.node_state() == "IDLE"


def _slurm_without_json(tmp_path: Path) -> Path:
    """slurm_bin_dir whose sinfo and scontrol reject --json the way Slurm before 21.08 does."""
    bin_dir = tmp_path / "old-slurm-bin"
    bin_dir.mkdir()
    (bin_dir / "squeue").symlink_to(shutil.which("squeue"))
    calls = tmp_path / "calls.log"
    for name in ("sinfo", "scontrol"):
        wrapper = bin_dir / name
        wrapper.write_text('#!/bin/sh\necho "%s $*" >> %s\nfor arg in "$@"; do\n'
                           '  if [ "$arg" = --json ]; then\n'
                           '    echo "%s: unrecognized option \'--json\'" >&2; exit 1\n  fi\ndone\n'
                           'exec %s "$@"\n' % (name, calls, name, shutil.which(name)))
        wrapper.chmod(0o755)
    return bin_dir


def test_a_slurm_without_json_output_is_read_from_scontrol_oneliner(slurm, tmp_path):
    job = slurm.submit(120)
    bin_dir = _slurm_without_json(tmp_path)

    run = slurm_node(slurm, tmp_path, dict(DRAIN, nodes=["compute01"], slurm_bin_dir=str(bin_dir),
                                           wait=True, wait_timeout=2))
    assert run.failed and run.result["jobs_remaining"] == [job], run
    node = run.result["nodes"][0]
    assert node["state"] in ("ALLOCATED", "MIXED") and "DRAIN" in node["flags"], node
    assert node["reason"] == "hpcops test"
    calls = (tmp_path / "calls.log").read_text().splitlines()
    # The JSON sources are tried once; after that every read goes straight to scontrol -o.
    assert calls.count("scontrol --json show node") == 1 and calls.count("sinfo --json") == 1, calls
    assert calls.count("scontrol --oneliner show node") >= 2, calls


def test_resume_diff_after_is_the_state_read_back_not_the_predicted_one(slurm, tmp_path):
    # Another administrator drains the node again right after this task's RESUME: the
    # prediction says IDLE, Slurm says IDLE+DRAIN, and the diff must say what Slurm says. (The
    # everyday case, a resumed DOWN node read back as IDLE+NOT_RESPONDING until slurmctld's
    # next ping, depends on that ping's timing; this one does not.)
    slurm.run("scontrol", "update", "NodeName=compute01", "State=DRAIN", "Reason=before the test")
    bin_dir = slurm_bin_with_update(tmp_path, '  %s "$@" || exit $?\n'
                                    '  exec %s update NodeName=compute01 State=DRAIN "Reason=another admin"'
                                    % (shutil.which("scontrol"), shutil.which("scontrol")))

    run = slurm_node(slurm, tmp_path, {"nodes": ["compute01"], "state": "resumed", "slurm_bin_dir": bin_dir},
                     diff=True)

    assert run.changed and not run.failed, run
    node = run.result["nodes"][0]
    assert "DRAIN" in node["flags"] and node["reason"] == "another admin", node
    assert run.result["diff"]["before"]["compute01"] == {"state": "IDLE+DRAIN", "reason": "before the test"}
    assert run.result["diff"]["after"]["compute01"] == {"state": node["state_text"], "reason": "another admin"}


def test_wait_timeout_is_checked_only_when_the_task_waits(slurm, tmp_path):
    slurm.run("scontrol", "update", "NodeName=compute01", "State=DRAIN", "Reason=before the test")
    resumed, down, waiting = slurm_node_tasks(
        slurm, tmp_path,
        {"nodes": ["compute01"], "state": "resumed", "wait": False, "wait_timeout": 0},
        # compute01 and not a ghost node: a ghost turns DOWN by itself once SlurmdTimeout passes
        # (30 s after the session's slurmctld started), and "down" is then no change.
        {"nodes": ["compute01"], "state": "down", "reason": "dead disk", "wait": True, "wait_timeout": 0},
        dict(DRAIN, nodes=["compute01"], wait=True, wait_timeout=0))

    assert resumed["changed"] and not resumed.get("failed"), resumed
    assert resumed["changed_nodes"] == ["compute01"]
    assert down["changed"] and not down.get("failed"), down
    assert down["changed_nodes"] == ["compute01"]
    assert waiting.get("failed") and not waiting["changed"], waiting
    assert waiting["msg"] == "wait_timeout must be at least 1 second, got 0"
    assert "DRAIN" not in slurm.node_state()
