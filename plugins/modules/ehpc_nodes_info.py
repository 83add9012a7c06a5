#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

__metaclass__ = type

DOCUMENTATION = r"""
module: ehpc_nodes_info
short_description: List the nodes of a QingCloud EHPC cluster
version_added: 0.1.0
description:
  - Lists the nodes of an EHPC cluster, each with whether it runs an HPC (Slurm) job right now.
  - Filters by role and status, and optionally reshapes the list with a JMESPath O(query).
  - Never changes anything.
author:
  - hpcops.clusters contributors (@hpcops)
options:
  cluster_id:
    description:
      - ID of the EHPC cluster, for example V(ehpc-8jqdq0mz).
    type: str
    required: true
  role:
    description:
      - Only nodes of this role.
    type: str
    choices: [login, compute]
  status:
    description:
      - Only nodes in this status, for example V(active) or V(pending).
    type: str
  jobs:
    description:
      - Whether to read the cluster's running HPC jobs to fill in RV(nodes[].busy) and RV(nodes[].jobs).
      - V(false) saves one API call.
      - A running job whose node list is empty, can't be read or matches no node may run on any node, so
        every node is then RV(nodes[].busy) with that job in RV(nodes[].jobs), and RV(unplaced_jobs) names it.
    type: bool
    default: true
  pending:
    description:
      - Whether to read the cluster's pending HPC jobs (one more API call) into RV(pending_jobs).
      - Only the jobs whose own C(job_status) is C(pending) are kept, whatever the API answered.
    type: bool
    default: false
extends_documentation_fragment:
  - hpcops.clusters.qingcloud
  - hpcops.clusters.info_module
seealso:
  - module: hpcops.clusters.ehpc_nodes
"""

EXAMPLES = r"""
- name: List the compute nodes
  hpcops.clusters.ehpc_nodes_info:
    cluster_id: ehpc-8jqdq0mz
    role: compute
  register: compute

- name: IDs of the idle compute nodes
  hpcops.clusters.ehpc_nodes_info:
    cluster_id: ehpc-8jqdq0mz
    query: "[?role=='compute' && !busy].id"
  register: idle

- name: Show them
  ansible.builtin.debug:
    var: idle.query_result

- name: Count the active compute nodes of a large cluster, without returning the nodes
  hpcops.clusters.ehpc_nodes_info:
    cluster_id: ehpc-8jqdq0mz
    role: compute
    query: "length([?status=='active'])"
    query_only: true
  register: active
"""

RETURN = r"""
nodes:
  description: The cluster's nodes that match the filters, oldest first.
  returned: unless O(query_only) is set
  type: list
  elements: dict
  contains:
    id:
      description: Node ID.
      type: str
    role:
      description: Node role.
      type: str
    status:
      description: Node status.
      type: str
    transition_status:
      description: Ongoing transition, or empty.
      type: str
    name:
      description: Node name.
      type: str
    private_ip:
      description: Private IP.
      type: str
    instance_id:
      description: Instance ID.
      type: str
    create_time:
      description: Creation time.
      type: str
    busy:
      description: Whether an HPC job runs on the node (false when O(jobs=false)).
      type: bool
    jobs:
      description: IDs of the HPC jobs running on the node.
      type: list
      elements: str
  sample: [{id: cln-4x1b2c3d, role: compute, status: active, transition_status: "", name: compute01,
            private_ip: 192.168.100.11, instance_id: i-7h6g5f4e, create_time: "2026-11-01T08:00:00Z",
            busy: true, jobs: ["19453"]}]
pending_jobs:
  description:
    - HPC jobs waiting in the queue. The job list documents no node request per job.
  returned: when O(pending=true)
  type: list
  elements: dict
  contains:
    job_id:
      description: HPC job ID.
      type: str
    job_name:
      description: Job name.
      type: str
    queue_name:
      description: Queue (Slurm partition) of the job.
      type: str
  sample: [{job_id: "19460", job_name: lammps, queue_name: normal}]
unplaced_jobs:
  description:
    - Running HPC jobs whose nodes can't be identified (empty, unreadable or unmatched C(job_node_list)),
      each counted as running on every node.
  returned: when O(jobs=true)
  type: list
  elements: dict
  contains:
    job_id:
      description: HPC job ID.
      type: str
    reason:
      description: Why its nodes can't be identified.
      type: str
  sample: [{job_id: "19453", reason: "its job_node_list is empty"}]
query_result:
  description: What O(query) gave.
  returned: when O(query) is set
  type: raw
"""

from ansible_collections.hpcops.clusters.plugins.module_utils.base import InfoModule
from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.connection import QingCloudConnection
from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.ehpc_node_plan import CLUSTER_ID_PATTERN, public_node


class EhpcNodesInfo(InfoModule):
    connection_class = QingCloudConnection
    result_key = "nodes"
    argument_spec = dict(
        cluster_id=dict(type="str", required=True),
        role=dict(type="str", choices=["login", "compute"]),
        status=dict(type="str"),
        jobs=dict(type="bool", default=True),
        pending=dict(type="bool", default=False),
        query=dict(type="str"),
    )

    def validate(self):
        super().validate()
        if not CLUSTER_ID_PATTERN.match(self.params["cluster_id"]):
            self.fail("cluster_id %r is not an EHPC cluster ID (ehpc- followed by letters and digits)"
                      % self.params["cluster_id"])

    pending_jobs = None
    unplaced_jobs = None

    def gather(self):
        p = self.params
        client = self.client
        if p["pending"]:
            self.pending_jobs = [dict(job_id=str(job.get("job_id")), job_name=job.get("job_name"),
                                      queue_name=job.get("queue_name"))
                                 for job in client.list_hpc_jobs(p["cluster_id"], "pending")]
        nodes = client.list_nodes(p["cluster_id"])
        busy = {}
        if p["jobs"]:
            self.unplaced_jobs = []
        if p["jobs"] and nodes:
            from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.hpc_jobs import busy_nodes, placement
            running = client.list_hpc_jobs(p["cluster_id"], "running")
            # Every node is possibly busy under a job that can't be placed (docs/api-decisions.md).
            busy = busy_nodes(nodes, running)
            self.unplaced_jobs = [dict(job_id=str(job_id), reason=why) for job_id, why in placement(nodes, running)[1]]
        listed = []
        for node in nodes:
            if p["role"] and node.get("role") != p["role"]:
                continue
            if p["status"] and node.get("status") != p["status"]:
                continue
            entry = public_node(node)
            entry["jobs"] = [str(job) for job in busy.get(node["node_id"], [])]
            entry["busy"] = bool(entry["jobs"])
            listed.append(entry)
        return listed

    def report(self, current, plan, applied):
        result = super().report(current, plan, applied)
        if self.pending_jobs is not None:
            result["pending_jobs"] = self.pending_jobs
        if self.unplaced_jobs is not None:
            result["unplaced_jobs"] = self.unplaced_jobs
        return result


def main():
    EhpcNodesInfo.execute()


if __name__ == "__main__":
    main()
