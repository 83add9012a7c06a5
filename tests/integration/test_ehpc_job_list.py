"""The HPC job list read by the event source and the inventory, and a drained scale-in under a
job that cannot be placed.

Issue 28 item 5: the status filter is sent as ``job_status`` (SDK) and ``jobs_status`` (docs) and
each job's own ``job_status`` is checked, so a server that ignores the filter can't turn the job
history into pending or running jobs. Issue 29 item 2: a running job whose node list is empty,
unreadable or matches no node makes every node possibly busy. Issue 29 item 4: a job entry of the
wrong shape fails with a message that names it.

The modules' and roles' cases are the ehpc_nodes_job_list and ehpc_autoscale_job_list targets
(tests/integration/targets/). What stays here is not a playbook run: the EDA event source (a
Python plugin, read through test_ehpc_queue_source's helpers), the inventory plugin
(ansible-inventory) and the drained scale-in, which needs a Slurm cluster (test_drain_roles).
"""

from __future__ import annotations

import pytest

from tests.integration.inventory_runner import run_inventory, write_source
from tests.integration.test_ehpc_queue_source import creds, first_events
from tests.simulator.world import EHPC_CLUSTER_ID


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
