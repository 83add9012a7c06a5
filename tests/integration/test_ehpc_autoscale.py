"""The ehpc_autoscale role through playbooks/ehpc_autoscale.yml against the simulator: scale out, then in."""

from __future__ import annotations

from tests.integration.role_runs import EHPC_CLUSTER, PLAYBOOKS, ehpc_nodes, messages

PLAYBOOK = PLAYBOOKS / "ehpc_autoscale.yml"
# idle_minutes and cooldown_minutes shortened to 0 so the test needn't wait for minutes
FAST = ["-e", "ehpc_autoscale_cluster_id=%s" % EHPC_CLUSTER, "-e", "ehpc_autoscale_max_nodes=5",
        "-e", "ehpc_autoscale_idle_minutes=0", "-e", "ehpc_autoscale_cooldown_minutes=0"]


def test_pending_jobs_scale_out_then_idle_nodes_go_and_busy_ones_stay(sim, playbook_runner):
    # both default compute nodes run a job, three jobs wait
    sim.start_hpc_job(["compute01", "compute02"], job_name="running")
    waiting = [sim.queue_hpc_job(job_name="wait%d" % i) for i in range(3)]

    check = playbook_runner(PLAYBOOK, ["--check"] + FAST)
    assert check.rc == 0, check
    assert sim.writes() == []
    assert messages(check, "Print the decision") == [
        "%s: 3 jobs pending, 0 idle nodes: 2 -> 5, 1 nodes per pending job (check mode: nothing was changed)"
        % EHPC_CLUSTER]

    out = playbook_runner(PLAYBOOK, FAST)
    assert out.rc == 0, out
    assert len(ehpc_nodes(sim, "compute")) == 5
    assert messages(out, "Print the decision") == ["%s: 3 jobs pending, 0 idle nodes: 2 -> 5, 1 nodes per pending job"
                                                   % EHPC_CLUSTER]

    # the queued jobs finish; one new node now runs a job, the two others are idle
    for job_id in waiting:
        sim.finish_hpc_job(job_id)
    newest = ehpc_nodes(sim, "compute")[-1]
    sim.start_hpc_job([newest["name"]], job_name="late")

    sim.clear_calls()
    shrink = playbook_runner(PLAYBOOK, FAST)
    assert shrink.rc == 0, shrink
    left = ehpc_nodes(sim, "compute")
    # compute01, compute02 and the newest node are busy: only the two idle nodes went
    assert len(left) == 3
    assert {"compute01", "compute02", newest["name"]} == {n["name"] for n in left}
    assert "0 jobs pending, 2 idle nodes: 5 -> 3" in messages(shrink, "Print the decision")[0]


def test_missing_cluster_id_is_refused_before_any_call(sim, playbook_runner):
    run = playbook_runner(PLAYBOOK, [])
    assert run.rc != 0
    assert [c for c in sim.calls() if c["path"].startswith("/api/")] == []


def test_boolean_policy_value_is_refused(sim, playbook_runner):
    run = playbook_runner(PLAYBOOK, ["-e", '{"ehpc_autoscale_cluster_id": "%s", "ehpc_autoscale_max_nodes": true}'
                                     % EHPC_CLUSTER])
    assert run.rc != 0
    assert sim.writes() == []
