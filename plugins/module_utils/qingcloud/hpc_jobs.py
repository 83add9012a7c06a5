# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The EHPC HPC (Slurm) job list: its entries checked, and which nodes run jobs (private to hpcops.clusters).

Two rules from docs/api-decisions.md ("HPC job list" and "Which nodes are busy"):

- The job list is asked for one status under both names the sources give (``job_status``,
  ``jobs_status``) and filtered again here on each job's own ``job_status``: a server that
  ignores the name it was sent answers the whole job history.
- Job placement fails closed: a running job whose ``job_node_list`` is empty, unparseable
  or matches no node may run on any node, so every node of the cluster is possibly busy.
"""

from __future__ import annotations

__metaclass__ = type

from ansible_collections.hpcops.clusters.plugins.module_utils.slurm import hostlist
from ansible_collections.hpcops.clusters.plugins.module_utils.answer_shapes import unexpected_answer

NODE_KEYS = ("name", "node_id", "instance_id", "private_ip")
CALL = "EHPC job/list"


def job_problem(job, where: str) -> str | None:
    """What is wrong with one ``hpc_job_set`` entry (named ``where``), or None when it has the documented shape."""
    if not isinstance(job, dict):
        return "`%s` is not an object" % where
    job_id = job.get("job_id")
    if job_id in (None, "") or isinstance(job_id, bool) or not isinstance(job_id, (str, int)):
        return "`%s.job_id` is missing or not a string or an integer" % where
    status = job.get("job_status")
    if not isinstance(status, str) or not status:
        # Without its own status a job can't be told from the job history (a server that
        # ignores the status filter): never guess "running" or "pending".
        return "`%s.job_status` is missing or not a string" % where
    if job.get("job_node_list") is not None and not isinstance(job["job_node_list"], str):
        return "`%s.job_node_list` is not a string" % where
    return None


def jobs_in_status(jobs: list, status: str, endpoint: str) -> list:
    """The entries of a job list whose own ``job_status`` is ``status``; ApiError for a wrong-shape entry."""
    for index, job in enumerate(jobs):
        problem = job_problem(job, "hpc_job_set[%d]" % index)
        if problem:
            raise unexpected_answer(endpoint, CALL, problem)
    return [job for job in jobs if job["job_status"] == status]


def placement(nodes: list, running_jobs: list) -> tuple:
    """``(placed, unplaced)`` for the running jobs.

    ``placed`` maps node id -> set of the job ids the job list puts on it; a host of a
    ``job_node_list`` matches a node by name, node id, instance id or private IP (the format
    is undocumented, so every key is tried: docs/api-decisions.md). ``unplaced`` lists
    ``(job_id, why)`` for each running job whose nodes can't be identified.
    """
    index = {}
    for node in nodes:
        for key in NODE_KEYS:
            if node.get(key):
                index.setdefault(str(node[key]), node["node_id"])
    placed = {}
    unplaced = []
    for job in running_jobs:
        if job.get("job_status", "running") != "running":
            continue
        text = job.get("job_node_list")
        if text is not None and not isinstance(text, str):
            unplaced.append((job.get("job_id"), "its job_node_list is not a string"))
            continue
        if not text or not text.strip():
            unplaced.append((job.get("job_id"), "its job_node_list is empty"))
            continue
        try:
            hosts = hostlist.expand(text)
        except hostlist.HostListError as err:
            unplaced.append((job.get("job_id"), "its job_node_list can't be read: %s" % err))
            continue
        matched = set()
        for host in hosts:
            node_id = index.get(host) or index.get(host.split(".")[0])
            if node_id:
                matched.add(node_id)
        if not matched:
            unplaced.append((job.get("job_id"), "its job_node_list %r matches no node" % _short(text)))
            continue
        for node_id in matched:
            placed.setdefault(node_id, set()).add(job.get("job_id"))
    return placed, unplaced


def busy_nodes(nodes: list, running_jobs: list) -> dict:
    """Map node id -> sorted ids of the running jobs that run, or may run, on it.

    A job that can't be placed is counted on every node: guessing "idle" could kill it.
    """
    placed, unplaced = placement(nodes, running_jobs)
    if unplaced:
        for node in nodes:
            placed.setdefault(node["node_id"], set()).update(job_id for job_id, _why in unplaced)
    return dict((node_id, sorted(jobs, key=str)) for node_id, jobs in placed.items())


def placed_busy_nodes(nodes: list, running_jobs: list) -> dict:
    """Like busy_nodes, but only the nodes the job list names (for callers that drain in Slurm first)."""
    placed, _unplaced = placement(nodes, running_jobs)
    return dict((node_id, sorted(jobs, key=str)) for node_id, jobs in placed.items())


def describe_unplaced(unplaced: list) -> str:
    return "; ".join("job %s (%s)" % (job_id, why) for job_id, why in unplaced)


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."
