"""The ehpc_scale role through playbooks/ehpc_scale.yml against the simulator."""

from __future__ import annotations

import json

from tests.integration.role_runs import (PLAYBOOKS, EHPC_CLUSTER, SIM, changed_count, failed_count, messages,
                                         ehpc_nodes, labels)


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
