#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

__metaclass__ = type

DOCUMENTATION = r"""
module: ehpc_nodes
short_description: Add, remove and restart the nodes of a QingCloud EHPC cluster
version_added: 0.1.0
description:
  - Declarative node management for a QingCloud Elastic HPC (EHPC) cluster.
  - O(state=present) with O(count) brings the nodes of one O(role) to exactly O(count),
    adding nodes in as few C(addNodes) calls as the API's limit of 1 to 99 nodes a call allows,
    or removing the surplus in one C(deleteNodes) call.
  - O(state=absent) removes the listed O(nodes) that still exist.
  - O(state=restarted) restarts the listed O(nodes) (API path C(/cluster/resatrtNodes), spelled as the API spells it).
  - Scale-in never removes a node that runs an HPC (Slurm) job while an idle node can go instead;
    see O(busy_nodes).
  - The API keeps at least one node of every role (login, compute); a change that would remove
    a role's last node is refused before anything is sent.
author:
  - hpcops.clusters contributors (@hpcops)
options:
  cluster_id:
    description:
      - ID of the EHPC cluster, for example V(ehpc-8jqdq0mz).
    type: str
    required: true
  state:
    description:
      - V(present) makes the number of O(role) nodes equal to O(count).
      - V(absent) deletes the O(nodes) that exist; nodes already gone are fine.
      - V(restarted) restarts the O(nodes); each must exist.
    type: str
    choices: [present, absent, restarted]
    default: present
  role:
    description:
      - Node role that O(count) applies to, and the role of added nodes.
    type: str
    choices: [login, compute]
    default: compute
  count:
    description:
      - Exact number of O(role) nodes wanted. Required with O(state=present).
      - At least 1, because every role keeps one node.
    type: int
  nodes:
    description:
      - Node IDs (C(cln-...)) to delete (O(state=absent)) or restart (O(state=restarted)).
    type: list
    elements: str
  node_name:
    description:
      - Name given to added nodes (the API's C(node_name)).
    type: str
  private_ips:
    description:
      - Private IPs for the added nodes, used in order. There must be at least as many as nodes to add.
    type: list
    elements: str
  resource_conf:
    description:
      - Resource configuration of added nodes (the API's C(resource_conf)).
    type: str
  busy_nodes:
    description:
      - What to do with nodes that run HPC jobs (as listed by the EHPC job API) when nodes are removed.
      - V(protect) removes idle nodes first (newest first) and fails, before any change, if the
        removal can only be done by removing busy nodes; the message names them and their jobs.
      - V(remove) ignores running jobs (their jobs will be killed).
    type: str
    choices: [protect, remove]
    default: protect
extends_documentation_fragment:
  - hpcops.clusters.qingcloud
  - hpcops.clusters.wait
attributes:
  check_mode:
    support: full
    description: Makes no change and returns the plan a real run would carry out.
  diff_mode:
    support: full
    description: Shows the node IDs of each role before and after.
seealso:
  - module: hpcops.clusters.ehpc_nodes_info
"""

EXAMPLES = r"""
- name: Scale the compute nodes of a cluster to 5
  hpcops.clusters.ehpc_nodes:
    cluster_id: ehpc-8jqdq0mz
    role: compute
    count: 5

- name: Scale in to 2 compute nodes, never killing a running job
  hpcops.clusters.ehpc_nodes:
    cluster_id: ehpc-8jqdq0mz
    count: 2
    busy_nodes: protect

- name: Add a login node with a fixed IP and don't wait for it
  hpcops.clusters.ehpc_nodes:
    cluster_id: ehpc-8jqdq0mz
    role: login
    count: 2
    private_ips: [192.168.100.50]
    wait: false

- name: Remove two nodes
  hpcops.clusters.ehpc_nodes:
    cluster_id: ehpc-8jqdq0mz
    state: absent
    nodes: [cln-abcd1234, cln-efgh5678]

- name: Restart a node
  hpcops.clusters.ehpc_nodes:
    cluster_id: ehpc-8jqdq0mz
    state: restarted
    nodes: [cln-abcd1234]
    wait_timeout: 900
"""

RETURN = r"""
job_ids:
  description: IDs of the EHPC jobs submitted (empty when nothing changed or in check mode).
  returned: always
  type: list
  elements: str
  sample: [j-5h4i2duatxc]
added:
  description: IDs of the nodes added (after a real run).
  returned: always
  type: list
  elements: str
removed:
  description: IDs of the nodes removed, or that would be removed in check mode.
  returned: always
  type: list
  elements: str
restarted:
  description: IDs of the nodes restarted, or that would be restarted in check mode.
  returned: always
  type: list
  elements: str
not_found:
  description:
    - Nodes listed in O(nodes) that are not in the cluster. With O(state=absent) they are skipped with a warning
      (already removed, or a typo); with O(state=restarted) the task fails before any write.
  returned: always
  type: list
  elements: str
plan:
  description: What the module decided to do; in check mode, what it would do.
  returned: always
  type: dict
  contains:
    add:
      description: Number of nodes to add.
      type: int
    add_batches:
      description: Node counts of the C(addNodes) calls (each 1 to 99).
      type: list
      elements: int
    remove:
      description: Node IDs to remove.
      type: list
      elements: str
    restart:
      description: Node IDs to restart.
      type: list
      elements: str
    protected:
      description: Busy node IDs that were kept, each with the IDs of the HPC jobs running on it.
      type: dict
  sample: {add: 0, add_batches: [], remove: [cln-4x1b2c3d], restart: [], protected: {cln-9z8y7x6w: [19453]}}
nodes:
  description: The cluster's nodes after the change (in check mode, as they are now).
  returned: always
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
      description: Node status, for example V(active) or V(pending).
      type: str
    transition_status:
      description: Ongoing transition, for example V(creating), V(deleting), or empty.
      type: str
    name:
      description: Node name.
      type: str
    private_ip:
      description: Private IP.
      type: str
    instance_id:
      description: ID of the instance behind the node.
      type: str
    create_time:
      description: When the node was created.
      type: str
  sample: [{id: cln-4x1b2c3d, role: compute, status: active, transition_status: "", name: compute01,
            private_ip: 192.168.100.11, instance_id: i-7h6g5f4e, create_time: "2026-11-01T08:00:00Z"}]
"""

import ipaddress
import random
import time

from ansible_collections.hpcops.clusters.plugins.module_utils import waiters
from ansible_collections.hpcops.clusters.plugins.module_utils.base import ClusterModule
from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud_connection import QingCloudConnection
from ansible_collections.hpcops.clusters.plugins.module_utils.ehpc_node_plan import (
    CLUSTER_ID_PATTERN, NODE_ID_PATTERN, in_transition, nodes_by_role, plan_add_batches, public_node, removable, role_of_last_nodes,
    surplus_nodes)
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError

# After a write whose answer was lost, or when another run raced this one, the cluster
# is read again and the plan recomputed, a bounded number of times.
MAX_ROUNDS = 3


class EhpcNodes(ClusterModule):
    connection_class = QingCloudConnection
    argument_spec = dict(
        cluster_id=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent", "restarted"]),
        role=dict(type="str", default="compute", choices=["login", "compute"]),
        count=dict(type="int"),
        nodes=dict(type="list", elements="str"),
        node_name=dict(type="str"),
        private_ips=dict(type="list", elements="str"),
        resource_conf=dict(type="str"),
        busy_nodes=dict(type="str", default="protect", choices=["protect", "remove"]),
    )
    module_kwargs = dict(
        required_if=[("state", "present", ["count"]), ("state", "absent", ["nodes"]),
                     ("state", "restarted", ["nodes"])],
        mutually_exclusive=[("count", "nodes")],
    )
    default_wait_timeout = 600
    marks_changed_on_write = True

    def validate(self):
        super().validate()
        p = self.params
        if not CLUSTER_ID_PATTERN.match(p["cluster_id"]):
            self.fail("cluster_id %r is not an EHPC cluster ID (ehpc- followed by letters and digits)" % p["cluster_id"])
        if p["state"] == "present" and p["count"] < 1:
            self.fail("count must be at least 1: the API keeps one node of every role (got %d)" % p["count"])
        if p["state"] != "present":
            if not p["nodes"]:
                self.fail("nodes must list at least one node ID with state=%s" % p["state"])
            bad = [n for n in p["nodes"] if not NODE_ID_PATTERN.match(n)]
            if bad:
                self.fail("not EHPC node IDs (cln- followed by letters and digits): %s" % ", ".join(bad))
            for name in ("node_name", "private_ips", "resource_conf"):
                if p[name]:
                    self.fail("%s only applies to state=present (it describes added nodes)" % name)
        # Checked here, not by the API, so a scale-out split over several addNodes calls
        # can't stop half way on a bad address.
        ips = p["private_ips"] or []
        bad = [ip for ip in ips if not _is_ipv4(ip)]
        if bad:
            self.fail("private_ips must be IPv4 addresses: %s" % ", ".join(bad))
        if len(set(ips)) != len(ips):
            self.fail("private_ips lists an address more than once")

    def gather(self):
        return self.client.list_nodes(self.params["cluster_id"])

    def _busy(self, nodes: list) -> dict:
        """Node id -> running HPC job ids; only asked when nodes may be removed."""
        if self.params["busy_nodes"] == "remove" or not nodes:
            return {}
        from ansible_collections.hpcops.clusters.plugins.module_utils.hostlist import HostListError
        from ansible_collections.hpcops.clusters.plugins.module_utils.hpc_jobs import busy_nodes
        jobs = self.client.list_hpc_jobs(self.params["cluster_id"], "running")
        try:
            return busy_nodes(nodes, jobs)
        except HostListError as err:
            self.fail("cannot tell which nodes run HPC jobs (%s); use busy_nodes=remove to ignore jobs" % err)
        return {}

    def make_plan(self, current):
        nodes = current  # the listNodes entries of the whole cluster
        p = self.params
        plan = {"add": 0, "add_batches": [], "remove": [], "restart": [], "protected": {}}
        if p["state"] == "present":
            role_nodes = [n for n in nodes if n.get("role") == p["role"] and removable(n)]
            missing = p["count"] - len(role_nodes)
            if missing > 0:
                plan["add"] = missing
                plan["add_batches"] = plan_add_batches(missing)
                if p["private_ips"] and len(p["private_ips"]) < missing:
                    self.fail("%d nodes to add but only %d private_ips given" % (missing, len(p["private_ips"])))
                taken = sorted(set(p["private_ips"] or []) & set(n.get("private_ip") for n in nodes))
                if taken:
                    # Checked before the first addNodes: a later batch refused for it would
                    # leave the scale-out half done.
                    self.fail("private_ips already used by nodes of cluster %s: %s" % (p["cluster_id"], ", ".join(taken)))
            elif missing < 0:
                # A node still being created, restarted or deleted can't be removed (the API
                # refuses it), so it is never picked; if only such nodes could go, say which.
                settled = [n for n in role_nodes if not in_transition(n)]
                moving = [n for n in role_nodes if in_transition(n)]
                if len(settled) < -missing:
                    self.fail("scale-in to %d %s nodes would have to remove nodes in transition: %s; "
                              "re-run once they are active" % (p["count"], p["role"], ", ".join(
                                  "%s (%s)" % (n["node_id"], n.get("transition_status") or n.get("status"))
                                  for n in moving)), plan=plan)
                busy = self._busy(nodes)
                chosen, protected, short = surplus_nodes(settled, -missing, busy)
                plan["remove"] = [n["node_id"] for n in chosen]
                plan["protected"] = protected
                if short:
                    self.fail("scale-in to %d %s nodes needs %d more idle nodes; busy nodes kept: %s "
                              "(set busy_nodes=remove to remove them anyway)"
                              % (p["count"], p["role"], short, _describe_busy(protected)), plan=plan)
        else:
            by_id = dict((n["node_id"], n) for n in nodes)
            unknown = [n for n in _unique(p["nodes"]) if n not in by_id]
            plan["not_found"] = unknown
            if p["state"] == "restarted":
                if unknown:
                    self.fail("nodes not in cluster %s: %s" % (p["cluster_id"], ", ".join(unknown)), not_found=unknown)
                plan["restart"] = _unique(p["nodes"])
            else:
                targets = [by_id[n] for n in _unique(p["nodes"]) if n in by_id and removable(by_id[n])]
                emptied = role_of_last_nodes(nodes, targets)
                if emptied:
                    self.fail("refusing to delete every %s node of cluster %s: the API keeps at least one "
                              "node of each role" % (emptied, p["cluster_id"]))
                busy = self._busy(nodes) if targets else {}
                protected = dict((n["node_id"], busy[n["node_id"]]) for n in targets if n["node_id"] in busy)
                if protected:
                    self.fail("nodes run HPC jobs: %s (set busy_nodes=remove to remove them anyway)"
                              % _describe_busy(protected), plan=dict(plan, protected=protected))
                plan["remove"] = [n["node_id"] for n in targets]
                if unknown:
                    # Gone already (a re-run) or a typo: not an error, but never silent.
                    self.module.warn("nodes not in cluster %s (already removed, or a typo?): %s"
                                     % (p["cluster_id"], ", ".join(unknown)))
        plan["changes"] = bool(plan["add"] or plan["remove"] or plan["restart"])
        return plan

    def apply(self, plan):
        p = self.params
        # One deadline for every wait of this task, however many rounds it takes.
        self._deadline = waiters.Deadline(p["wait_timeout"])
        applied = {"job_ids": [], "restarted": [], "uncertain": False}
        for round_number in range(MAX_ROUNDS):
            try:
                self._submit(plan, applied)
            except ApiError as err:
                if not (err.ambiguous or plan["remove"]) or round_number == MAX_ROUNDS - 1:
                    raise
                # The write may have been applied: look before sending anything again.
                if err.ambiguous:
                    self.result["changed"] = True
                nodes = self.gather()
                if not err.ambiguous and not _already_leaving(nodes, plan["remove"]):
                    raise
                # (A refused deleteNodes whose nodes are leaving all the same: another run,
                # racing this one, removes them. Plan anew from what is there now.)
                applied["uncertain"] = True
                plan = self.make_plan(nodes)
                # make_plan restarts every listed node again; a restart that landed shows as
                # "restarting" and is awaited instead of being sent a second time.
                landed = set(n["node_id"] for n in nodes if n.get("transition_status") == "restarting")
                applied["restarted"].extend(n for n in plan["restart"] if n in landed)
                plan["restart"] = [n for n in plan["restart"] if n not in landed]
                continue
            if p["wait"]:
                self._wait(applied)
            applied["after"] = self.gather()
            if not p["wait"] or p["state"] != "present" or round_number == MAX_ROUNDS - 1:
                return applied
            plan = self.make_plan(applied["after"])
            if not plan["changes"]:
                return applied
            # Another run changed the same role at the same time. Stagger the runs, let the
            # other run's nodes finish their transition (nodes in transition can't be
            # removed, and both runs then see the same cluster), and converge on count again.
            time.sleep(random.uniform(0.2, 1.0))
            plan = self.make_plan(self._wait_until_settled())
            if not plan["changes"]:
                applied["after"] = self.gather()
                return applied
        return applied

    def _submit(self, plan, applied):
        p = self.params
        ips = list(p["private_ips"] or [])
        submitted = 0
        for batch in plan["add_batches"]:
            try:
                job_id = self.client.add_nodes(p["cluster_id"], p["role"], batch, p["node_name"],
                                               ips[:batch] or None, p["resource_conf"])
            except ApiError as err:
                if submitted:
                    # Earlier batches were accepted: say so, keep their jobs in the result.
                    err.message = "%d of %d nodes were added before addNodes failed: %s" % (
                        submitted, plan["add"], err.message)
                raise
            del ips[:batch]
            submitted += batch
            self._record_write(applied, [job_id])
        if plan["remove"]:
            self._record_write(applied, self.client.delete_nodes(p["cluster_id"], plan["remove"]))
        if plan["restart"]:
            self._record_write(applied, [self.client.restart_nodes(p["cluster_id"], plan["restart"])])
            applied["restarted"].extend(plan["restart"])

    def _record_write(self, applied, job_ids):
        """An accepted write: changed from now on, and its jobs reported even if a later step fails."""
        applied["job_ids"].extend(job_ids)
        self.result["changed"] = True
        self.result["job_ids"] = list(applied["job_ids"])

    def _wait(self, applied):
        if applied["job_ids"]:
            self.client.wait_for_jobs(applied["job_ids"], self._deadline)
        if applied["uncertain"]:
            self._wait_until_settled()

    def _wait_until_settled(self):
        """Jobs of a write whose answer was lost are unknown: wait on the nodes instead.

        Returns the nodes as they are once none is in transition."""

        def check():
            nodes = self.gather()
            return not any(n.get("transition_status") for n in nodes), nodes

        def describe(nodes):
            names = ", ".join(n["node_id"] for n in nodes or [] if n.get("transition_status"))
            return None, "transition", "nodes %s to finish their transition" % names

        return waiters.poll(check, self._deadline, describe)

    def report(self, current, plan, applied):
        before = current
        check_mode = self.module.check_mode
        after = applied["after"] if applied else before
        result = {
            "job_ids": applied["job_ids"] if applied else [],
            "plan": dict((k, v) for k, v in plan.items() if k not in ("changes", "not_found")),
            "nodes": [public_node(n) for n in after],
            "added": [],
            "removed": list(plan["remove"]) if check_mode else [],
            "restarted": list(plan["restart"]) if check_mode else [],
            "not_found": list(plan.get("not_found", [])),
        }
        if applied:
            before_ids = set(n["node_id"] for n in before)
            staying = set(n["node_id"] for n in after if removable(n))
            result["added"] = [n["node_id"] for n in after if n["node_id"] not in before_ids]
            result["removed"] = [n["node_id"] for n in before if removable(n) and n["node_id"] not in staying]
            result["restarted"] = applied["restarted"]
        if self.module._diff:
            result["diff"] = {"before": nodes_by_role([n for n in before if removable(n)]),
                              "after": self._after_by_role(before, after, plan)}
        return result

    def _after_by_role(self, before, after, plan):
        if not self.module.check_mode:
            return nodes_by_role([n for n in after if removable(n)])
        predicted = nodes_by_role([n for n in before if removable(n) and n["node_id"] not in plan["remove"]])
        role = predicted.setdefault(self.params["role"], [])
        role.extend("(new %s node %d)" % (self.params["role"], i + 1) for i in range(plan["add"]))
        return predicted


def _already_leaving(nodes, node_ids):
    """Whether every one of ``node_ids`` is gone or being deleted."""
    by_id = dict((n["node_id"], n) for n in nodes)
    return all(i not in by_id or not removable(by_id[i]) for i in node_ids)


def _is_ipv4(text):
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def _unique(items):
    seen = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _describe_busy(protected: dict) -> str:
    return ", ".join("%s (jobs %s)" % (node, ", ".join(str(j) for j in jobs)) for node, jobs in sorted(protected.items())) or "none"


def main():
    EhpcNodes.execute()


if __name__ == "__main__":
    main()
