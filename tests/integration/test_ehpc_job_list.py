"""The HPC job list read as the vendors' sources allow, and job placement failing closed.

Issue 28 item 5: the status filter is sent as ``job_status`` (SDK) and ``jobs_status`` (docs) and
each job's own ``job_status`` is checked, so a server that ignores the filter can't turn the job
history into pending or running jobs. Issue 29 item 2: a running job whose node list is empty,
unreadable or matches no node makes every node possibly busy. Issue 29 item 4: a job entry of the
wrong shape fails the task with a message that names it.

The module cases are tasks of scenario runs (tests/integration/scenario.py); the role, the event
source and the inventory each run once.
"""

from __future__ import annotations

import pytest

from tests.integration.inventory_runner import run_inventory, write_source
from tests.integration.role_runs import EHPC_CLUSTER, PLAYBOOKS, messages
from tests.integration.scenario import Scenario
from tests.integration.test_ehpc_queue_source import creds, first_events
from tests.simulator.world import EHPC_CLUSTER_ID

READINGS = ("both", "jobs_status", "job_status", "ignored")
FIRST_JOB = 19453  # a fresh world numbers its HPC jobs from here


def ids_by_name(state: dict) -> dict:
    return dict((n["name"], n["node_id"]) for n in state["ehpc"]["clusters"][EHPC_CLUSTER]["nodes"].values())


@pytest.fixture(scope="module")
def job_lists(simulator_session, tmp_path_factory):
    """For each reading of the status filter: a finished job on compute01, a pending job, a running
    job on compute02; ehpc_nodes_info with pending=true after each."""
    sim = simulator_session
    sim.reset()
    scenario = Scenario(sim, tmp_path_factory.mktemp("job_lists"))
    for reads in READINGS:
        (scenario.config(job_list_status_param=reads).world().hpc_job(["compute01"]).finish_hpc_job(FIRST_JOB)
         .queued_hpc_job().hpc_job(["compute02"]))
        scenario.task("info " + reads, "ehpc_nodes_info", {"cluster_id": EHPC_CLUSTER, "pending": True})
    scenario.config(job_list_status_param="both")
    # A wrong-shape job entry fails the task naming the entry (issue 29 item 4).
    for label, body in (("a string entry", 'set:hpc_job_set=["oops"]'),
                        ("a number node list", "set:hpc_job_set.0.job_node_list=7"),
                        ("a list node list", 'set:hpc_job_set.0.job_node_list=["compute01"]'),
                        ("no job_status", 'set:hpc_job_set.0={"job_id": 1, "job_node_list": ""}')):
        scenario.world().hpc_job(["compute01"]).task(
            "info with " + label, "ehpc_nodes_info", {"cluster_id": EHPC_CLUSTER},
            faults=[{"kind": "bad_answer", "path": "/api/job/list", "body": body}])
        scenario.world().hpc_job(["compute01"]).task(
            "scale-in with " + label, "ehpc_nodes", {"cluster_id": EHPC_CLUSTER, "count": 1},
            faults=[{"kind": "bad_answer", "path": "/api/job/list", "body": body}])
    run = scenario.run()
    run.ids = ids_by_name(sim.state())
    return run


@pytest.mark.parametrize("reads", READINGS)
def test_finished_jobs_are_neither_pending_nor_running_whichever_filter_name_the_api_reads(job_lists, reads):
    result = job_lists["info " + reads]
    assert not result.get("failed"), result
    assert [job["job_id"] for job in result["pending_jobs"]] == [str(FIRST_JOB + 1)]
    busy = dict((node["name"], node["jobs"]) for node in result["nodes"])
    assert busy == {"login01": [], "compute01": [], "compute02": [str(FIRST_JOB + 2)]}
    assert result["unplaced_jobs"] == []


@pytest.mark.parametrize("label, what", [
    ("a string entry", "`hpc_job_set[0]` is not an object"),
    ("a number node list", "`hpc_job_set[0].job_node_list` is not a string"),
    ("a list node list", "`hpc_job_set[0].job_node_list` is not a string"),
    ("no job_status", "`hpc_job_set[0].job_status` is missing"),
])
def test_a_wrong_shape_job_entry_fails_the_task_naming_it_and_writes_nothing(job_lists, label, what):
    for task in ("info with ", "scale-in with "):
        result = job_lists[task + label]
        assert result.get("failed"), result
        assert what in result["msg"] and "EHPC job/list" in result["msg"], result["msg"]
        assert "has no attribute" not in result["msg"]
        assert job_lists.writes_of(task + label) == []


@pytest.fixture(scope="module")
def placement(simulator_session, tmp_path_factory):
    sim = simulator_session
    sim.reset()
    scenario = Scenario(sim, tmp_path_factory.mktemp("placement"))
    for label, text in (("empty", ""), ("unreadable", "hpc-host-[a,b]"), ("unmatched", "ghost[1-2]")):
        scenario.world().unplaced_hpc_job(text).task("scale-in, %s node list" % label, "ehpc_nodes",
                                                     {"cluster_id": EHPC_CLUSTER, "count": 1})
    scenario.world().unplaced_hpc_job("").task("absent, empty node list", "ehpc_nodes",
                                               {"cluster_id": EHPC_CLUSTER, "state": "absent", "nodes": ["compute02"]})
    scenario.world().unplaced_hpc_job("").queued_hpc_job().task("info", "ehpc_nodes_info",
                                                                {"cluster_id": EHPC_CLUSTER, "pending": True})
    scenario.world().unplaced_hpc_job("").task("remove anyway", "ehpc_nodes",
                                               {"cluster_id": EHPC_CLUSTER, "count": 1, "busy_nodes": "remove"})
    scenario.world().unplaced_hpc_job("").hpc_job(["compute02"]).task(
        "drained plan", "ehpc_nodes", {"cluster_id": EHPC_CLUSTER, "count": 1, "busy_nodes": "drained"}, check=True)
    run = scenario.run()
    run.ids = ids_by_name(sim.state())
    return run


@pytest.mark.parametrize("label, why", [("empty", "its job_node_list is empty"),
                                        ("unreadable", "its job_node_list can't be read"),
                                        ("unmatched", "matches no node")])
def test_scale_in_refuses_under_a_running_job_that_cannot_be_placed(placement, label, why):
    name = "scale-in, %s node list" % label
    result = placement[name]
    assert result.get("failed"), result
    msg = result["msg"]
    assert "job %d (" % FIRST_JOB in msg and why in msg, msg
    # The two ways out.
    assert "drain the nodes in Slurm first" in msg and "set busy_nodes=remove" in msg, msg
    assert result["unplaced_jobs"] == [str(FIRST_JOB)]
    assert placement.writes_of(name) == []


def test_removing_a_named_node_refuses_under_a_job_that_cannot_be_placed(placement):
    result = placement["absent, empty node list"]
    assert result.get("failed") and str(FIRST_JOB) in result["msg"], result
    assert placement.writes_of("absent, empty node list") == []


def test_every_node_is_possibly_busy_in_the_info_and_pending_jobs_are_not_unplaced(placement):
    result = placement["info"]
    assert not result.get("failed"), result
    assert all(node["busy"] and node["jobs"] == [str(FIRST_JOB)] for node in result["nodes"]), result["nodes"]
    assert result["unplaced_jobs"] == [{"job_id": str(FIRST_JOB), "reason": "its job_node_list is empty"}]
    assert [job["job_id"] for job in result["pending_jobs"]] == [str(FIRST_JOB + 1)]


def test_busy_nodes_remove_still_removes(placement):
    result = placement["remove anyway"]
    assert result.get("changed") and len(result["removed"]) == 1, result
    assert len(placement.writes_of("remove anyway", "deleteNodes")) == 1


def test_drained_callers_keep_placed_jobs_but_are_not_blocked_by_unplaced_ones(placement):
    result = placement["drained plan"]
    assert not result.get("failed"), result
    assert result["plan"]["remove"] == [placement.ids["compute01"]]
    assert list(result["plan"]["protected"]) == [placement.ids["compute02"]]
    assert placement.writes_of("drained plan") == []


def test_the_event_source_counts_every_node_busy_under_an_unplaced_job(sim):
    sim.start_unplaced_hpc_job("")
    events = first_events(dict(creds(sim.url), interval=1), 1)
    assert events[0]["ehpc"]["idle_nodes"] == 0 and events[0]["ehpc"]["busy_nodes"] == 2, events


def test_the_event_source_ignores_finished_jobs_when_the_api_ignores_the_filter(sim):
    done = sim.start_hpc_job(["compute01"], job_name="old")
    sim.finish_hpc_job(done)
    sim.queue_hpc_job()
    sim.start_hpc_job(["compute02"], job_name="now")
    sim.config(job_list_status_param="ignored")
    events = first_events(dict(creds(sim.url), interval=1), 1)
    assert events[0] == {"ehpc": {"cluster_id": EHPC_CLUSTER_ID, "pending_jobs": 1, "running_jobs": 1,
                                  "idle_nodes": 1, "busy_nodes": 1, "compute_nodes": 2}}


def test_the_inventory_marks_every_node_busy_under_an_unplaced_job_and_skips_finished_ones(sim, tmp_path):
    done = sim.start_hpc_job(["compute02"], job_name="old")
    sim.finish_hpc_job(done)
    job_id = sim.start_unplaced_hpc_job("hpc-host-[a,b]")
    sim.config(job_list_status_param="ignored")
    src = write_source(tmp_path, "nodes.ehpc.yml", {"plugin": "hpcops.clusters.ehpc", "clusters": [EHPC_CLUSTER_ID],
                                                    "endpoint": sim.url, "busy": True})
    run = run_inventory(src, sim.url)
    assert run.rc == 0, run.stderr
    for host in ("compute01", "compute02", "login01"):
        assert run.hostvars[host]["ehpc_busy"] is True and run.hostvars[host]["ehpc_jobs"] == [str(job_id)]


def test_the_inventory_fails_on_a_wrong_shape_job_entry_naming_it(sim, tmp_path):
    sim.start_hpc_job(["compute01"])
    sim.fault(kind="bad_answer", path="/api/job/list", body='set:hpc_job_set=["oops"]')
    src = write_source(tmp_path, "nodes.ehpc.yml", {"plugin": "hpcops.clusters.ehpc", "clusters": [EHPC_CLUSTER_ID],
                                                    "endpoint": sim.url, "busy": True})
    run = run_inventory(src, sim.url)
    assert run.rc != 0
    assert "`hpc_job_set[0]` is not an object" in run.output and "has no attribute" not in run.output


AUTOSCALE = PLAYBOOKS / "ehpc_autoscale.yml"
FAST = ["-e", "ehpc_autoscale_cluster_id=%s" % EHPC_CLUSTER, "-e", "ehpc_autoscale_max_nodes=5",
        "-e", "ehpc_autoscale_idle_minutes=0", "-e", "ehpc_autoscale_cooldown_minutes=0"]


def test_the_autoscale_role_does_not_scale_out_on_the_job_history(sim, playbook_runner):
    for _old in range(5):
        sim.finish_hpc_job(sim.start_hpc_job(["compute01"], job_name="old"))
    sim.queue_hpc_job()
    sim.start_hpc_job(["compute01"], job_name="now")
    sim.config(job_list_status_param="ignored")
    run = playbook_runner(AUTOSCALE, ["--check"] + FAST)
    assert run.rc == 0, run
    assert messages(run, "Print the decision") == [
        "%s: 1 jobs pending, 1 idle nodes: stay at 2, idle nodes can take the pending jobs "
        "(check mode: nothing was changed)" % EHPC_CLUSTER]


def test_the_autoscale_role_removes_no_node_under_an_unplaced_job(sim, playbook_runner):
    job_id = sim.start_unplaced_hpc_job("")
    run = playbook_runner(AUTOSCALE, FAST)
    assert run.rc == 0, run
    decision = messages(run, "Print the decision")[0]
    assert "0 jobs pending, 0 idle nodes: stay at 2" in decision, decision
    assert "every node counts as busy: HPC job(s) %d" % job_id in decision, decision
    assert sim.writes() == []


@pytest.mark.parametrize("value", ["0", "-1"])
def test_the_autoscale_role_refuses_min_nodes_below_one_before_any_call(sim, playbook_runner, value):
    run = playbook_runner(AUTOSCALE, FAST + ["-e", "ehpc_autoscale_min_nodes=%s" % value])
    assert run.rc != 0
    assert "ehpc_autoscale_min_nodes must be at least 1" in run.output, run.output[-2000:]
    assert [c for c in sim.calls() if c["path"].startswith("/api/")] == []


# --- the two ways out of a job that can't be placed, through the ehpc_scale role -----------------

def test_the_scale_role_refuses_naming_the_job_and_its_own_two_ways_out(sim, playbook_runner):
    job_id = sim.start_unplaced_hpc_job("")
    run = playbook_runner(PLAYBOOKS / "ehpc_scale.yml", ["-e", "ehpc_scale_cluster_id=%s" % EHPC_CLUSTER,
                                                         "-e", "ehpc_scale_count=1"])
    assert run.rc != 0
    msg = run.result["msg"]
    assert "job %d (its job_node_list is empty)" % job_id in msg, msg
    assert "set ehpc_scale_drain_host" in msg and "set ehpc_scale_busy_nodes=remove" in msg, msg
    assert sim.writes() == []


@pytest.mark.slow
def test_a_drained_scale_in_goes_ahead_under_a_job_that_cannot_be_placed(sim, slurm, tmp_path):
    # Slurm's drain waits for whatever runs on the picked node, so the job list's placement is
    # not needed there; a job the list does place (compute02) still keeps its node.
    from tests.integration.test_drain_roles import SlurmSpy, node_ids, role_run, scale_in_vars
    sim.start_unplaced_hpc_job("")
    sim.start_hpc_job(["compute02"], seconds=600)
    spy = SlurmSpy(tmp_path, slurm)
    run = role_run(sim, tmp_path, spy, "ehpc_scale", scale_in_vars())
    assert run.rc == 0, run
    assert set(node_ids(sim)) == {"login01", "compute02"}
    assert [args for _t, args in spy.updates() if "State=DRAIN" in args and "compute01" in args]


def test_a_rolling_restart_waiting_for_idle_nodes_restarts_none_under_an_unplaced_job(sim, playbook_runner):
    from tests.integration.role_runs import SIM, ehpc_nodes, labels, restart_calls
    job_id = sim.start_unplaced_hpc_job("")
    compute = ehpc_nodes(sim, "compute")
    run = playbook_runner(PLAYBOOKS / "ehpc_rolling_restart.yml", SIM + [
        "-e", "ehpc_rolling_restart_batch_size=2", "-e", "ehpc_rolling_restart_wait_for_idle=true",
        "-e", "ehpc_rolling_restart_idle_poll_seconds=1", "-e", "ehpc_rolling_restart_idle_timeout=2"])
    assert run.rc != 0 and run.failed, run
    assert restart_calls(sim) == [] and sim.writes() == []
    msg = run.result["msg"]
    assert "2 node(s) of %s were not restarted" % EHPC_CLUSTER in msg, msg
    for node in compute:
        assert "%s jobs %d" % (labels([node]), job_id) in msg, msg


def test_poll_intervals_under_one_second_are_refused_by_the_roles_before_any_call(sim, tmp_path, playbook_runner):
    # ehpc_poll_interval: 0 made 400 calls in 20 s (issue 29 item 5); the roles' own poll setting
    # is checked the same way.
    from tests.integration.role_runs import case_failures, write_failing_cases
    values = [0, -5, "0", "abc"]
    cases = [("ehpc_rolling_restart", {"ehpc_rolling_restart_cluster_id": EHPC_CLUSTER,
                                       "ehpc_rolling_restart_wait_for_idle": True,
                                       "ehpc_rolling_restart_idle_poll_seconds": value}) for value in values]
    run = playbook_runner(write_failing_cases(tmp_path, cases))
    failures = case_failures(run, len(cases))
    for value, failure in zip(values, failures):
        assert failure and "ehpc_rolling_restart_idle_poll_seconds" in failure, (value, failure)
    assert [c for c in sim.calls() if c["path"].startswith("/api/")] == []
