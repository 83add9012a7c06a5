# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which EHPC nodes run HPC (Slurm) jobs right now (private to hpcops.clusters)."""

from __future__ import annotations

__metaclass__ = type

from ansible_collections.hpcops.clusters.plugins.module_utils import hostlist

NODE_KEYS = ("name", "node_id", "instance_id", "private_ip")


def busy_nodes(nodes: list, running_jobs: list) -> dict:
    """Map node id -> sorted ids of the running jobs placed on it.

    A host of a job's ``job_node_list`` matches a node by name, node id, instance id
    or private IP (the format is undocumented, so every key is tried: docs/api-decisions.md).
    """
    index = {}
    for node in nodes:
        for key in NODE_KEYS:
            if node.get(key):
                index.setdefault(str(node[key]), node["node_id"])
    busy = {}
    for job in running_jobs:
        if job.get("job_status", "running") != "running":
            continue
        # A list that can't be parsed raises: guessing "idle" could kill the job.
        for host in hostlist.expand(job.get("job_node_list")):
            node_id = index.get(host) or index.get(host.split(".")[0])
            if node_id:
                busy.setdefault(node_id, set()).add(job.get("job_id"))
    return dict((node_id, sorted(jobs, key=str)) for node_id, jobs in busy.items())
