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
  - O(state=restarted) restarts the listed O(nodes) with C(/api/cluster/restartNodes); where that route
    answers HTTP 404 (nothing done), with the older doc page's spelling C(/api/cluster/resatrtNodes), once.
  - C(deleteNodes) gets the node IDs under both C(node_ids) and C(node_list), the two names the API's
    sources give.
  - Scale-in never removes a node that runs an HPC (Slurm) job while an idle node can go instead;
    see O(busy_nodes).
  - The API keeps at least one node of every role (login, compute); a change that would remove
    a role's last node is refused before anything is sent.
  - The task plans once, from one read of the cluster. After a write whose answer was lost the
    cluster is read again, and only what is left of that plan is sent; that can only shrink, so
    a task never adds more nodes, removes other nodes, or restarts a node more often than its
    plan said. When another change ran at the same time and the cluster ends off O(count),
    the task succeeds with a warning naming the count it found; a re-run converges.
  - RV(added_nodes), RV(removed_nodes) and RV(restarted_nodes) describe the nodes a task
    changed, so a next task can use them (for example with M(ansible.builtin.add_host)).
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
      - Nodes to delete (O(state=absent)) or restart (O(state=restarted)), each by node ID
        (C(cln-...)) or by node name.
      - An entry is matched with a node ID first, then with a name; a name that several nodes
        share is refused before any write (give their IDs).
    type: list
    elements: str
  protected_nodes:
    description:
      - Node IDs or names that are never removed.
      - A scale-in (O(state=present)) picks other nodes; when only protected nodes could go,
        the task fails before any write, naming them.
      - O(state=absent) naming a protected node fails before any write.
      - Restarts are not affected.
    type: list
    elements: str
    default: []
  return_nodes:
    description:
      - Which nodes RV(nodes) lists. A 2,000-node cluster makes about 650 KB of RV(nodes),
        which AWX stores with every job event.
      - V(all) lists every node of the cluster after the change (in check mode, as it is now).
      - V(changed) lists only the nodes this task added, removed (as they were before) or restarted;
        a no-op returns an empty list, whatever the size of the cluster.
      - V(none) returns an empty list.
      - RV(added_nodes), RV(removed_nodes) and RV(restarted_nodes) are returned in every case.
      - The default is V(all) so playbooks written for earlier releases, which read RV(nodes),
        keep working; set V(changed) for large clusters.
    type: str
    choices: [all, changed, none]
    default: all
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
      - A running job whose node list is empty, can't be read or matches no node may run on any
        node, so with V(protect) every node counts as busy and a removal fails before any change,
        naming the job (see C(docs/api-decisions.md), "Which nodes are busy").
      - V(remove) ignores running jobs (their jobs will be killed).
      - V(drained) is for callers that drain the nodes in Slurm and wait for their jobs before
        removing them, as the C(hpcops.clusters.ehpc_scale) and C(hpcops.clusters.ehpc_autoscale)
        roles do with a drain host. Nodes the job list places a job on are kept as with V(protect);
        a job that can't be placed doesn't block the removal, since Slurm's drain waits for it.
    type: str
    choices: [protect, remove, drained]
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

- name: Remove two nodes, one by ID and one by name
  hpcops.clusters.ehpc_nodes:
    cluster_id: ehpc-8jqdq0mz
    state: absent
    nodes: [cln-abcd1234, compute07]

- name: Scale in to one compute node, never removing compute01, and return only the nodes changed
  hpcops.clusters.ehpc_nodes:
    cluster_id: ehpc-8jqdq0mz
    count: 1
    protected_nodes: [compute01, cln-efgh5678]
    return_nodes: changed

- name: Scale out and put the new nodes into the inventory
  hpcops.clusters.ehpc_nodes:
    cluster_id: ehpc-8jqdq0mz
    count: 3
  register: scaled

- name: Add the new compute nodes as hosts for the next play
  ansible.builtin.add_host:
    name: "{{ item.name }}"
    ansible_host: "{{ item.private_ip }}"
    groups: [new_compute]
  loop: "{{ scaled.added_nodes }}"

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
  description: IDs of the nodes added (after a real run), the IDs of RV(added_nodes).
  returned: always
  type: list
  elements: str
removed:
  description: IDs of the nodes removed, or that would be removed in check mode; the IDs of RV(removed_nodes).
  returned: always
  type: list
  elements: str
restarted:
  description: IDs of the nodes restarted, or that would be restarted in check mode; the IDs of RV(restarted_nodes).
  returned: always
  type: list
  elements: str
added_nodes:
  description:
    - The nodes added, read after the jobs ended (with O(wait=false), as they are when the task returns).
    - Nodes added by a change running at the same time are included (a warning says so).
    - Empty in check mode (the nodes do not exist yet).
  returned: always
  type: list
  elements: dict
  contains: &chain_node
    id:
      description: Node ID.
      type: str
    name:
      description: Node name.
      type: str
    role:
      description: Node role.
      type: str
    status:
      description: Node status.
      type: str
    private_ip:
      description: Private IP.
      type: str
    instance_id:
      description: ID of the instance behind the node.
      type: str
  sample: [{id: cln-4x1b2c3d, name: compute03, role: compute, status: active, private_ip: 192.168.100.13,
            instance_id: i-7h6g5f4e}]
removed_nodes:
  description: The nodes removed (or that would be removed in check mode), as they were before.
  returned: always
  type: list
  elements: dict
  contains: *chain_node
restarted_nodes:
  description:
    - The nodes restarted, read after the job ended (in check mode, the nodes that would be restarted, as they are).
  returned: always
  type: list
  elements: dict
  contains: *chain_node
not_found:
  description:
    - Nodes listed in O(nodes) that are not in the cluster. With O(state=absent) they are skipped with a warning
      (already removed, or a typo); with O(state=restarted) the task fails before any write.
    - Each entry as given in O(nodes) (an ID or a name).
  returned: always
  type: list
  elements: str
plan:
  description:
    - What the task sent and the cloud took (a write whose answer was lost counts when the cluster
      shows it landed); in check mode, what a real run would send.
    - Never more than the plan made from the first read of the cluster.
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
  description:
    - The cluster's nodes after the change (in check mode, as they are now), as O(return_nodes) selects them.
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

from ansible_collections.hpcops.clusters.plugins.module_utils import waiters
from ansible_collections.hpcops.clusters.plugins.module_utils.base import ClusterModule
from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.connection import QingCloudConnection
from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.ehpc_node_plan import (
    CLUSTER_ID_PATTERN, PlanError, chain_node, landed_removals, landed_restarts, needs_busy_map, nodes_by_role,
    plan_nodes, public_node, remaining_work, removable, role_nodes)
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError

# After a write whose answer was lost, the cluster is read again and what is left of the
# plan sent, a bounded number of times; what is left can only shrink.
MAX_ROUNDS = 3
PLAN_KEYS = ("add", "add_batches", "remove", "restart", "protected")


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
        busy_nodes=dict(type="str", default="protect", choices=["protect", "remove", "drained"]),
        protected_nodes=dict(type="list", elements="str", default=[]),
        return_nodes=dict(type="str", default="all", choices=["all", "changed", "none"]),
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
        if any(not (entry or "").strip() for entry in p["protected_nodes"]):
            self.fail("protected_nodes must not contain empty entries")
        p["protected_nodes"] = [entry.strip() for entry in p["protected_nodes"]]
        if p["state"] != "present":
            if not p["nodes"]:
                self.fail("nodes must list at least one node ID or name with state=%s" % p["state"])
            if any(not (entry or "").strip() for entry in p["nodes"]):
                self.fail("nodes must not contain empty entries")
            p["nodes"] = [entry.strip() for entry in p["nodes"]]
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

    def _options(self) -> dict:
        return dict((name, self.params[name]) for name in
                    ("cluster_id", "state", "role", "count", "nodes", "private_ips", "busy_nodes", "protected_nodes"))

    def _busy(self, nodes: list) -> dict:
        """Node id -> running HPC job ids; only asked when nodes may be removed."""
        from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.hpc_jobs import describe_unplaced, placement
        jobs = self.client.list_hpc_jobs(self.params["cluster_id"], "running")
        placed, unplaced = placement(nodes, jobs)
        if unplaced and self.params["busy_nodes"] == "protect":
            # Fail closed (docs/api-decisions.md, "Which nodes are busy"): the job may run on
            # any node, so no node can be called idle.
            self.fail("cannot tell which nodes of cluster %s run HPC jobs: %s; any node may run %s, so none is "
                      "removed: drain the nodes in Slurm first (the drain host of the ehpc_scale and ehpc_autoscale "
                      "roles), or set busy_nodes=remove to remove them anyway"
                      % (self.params["cluster_id"], describe_unplaced(unplaced),
                         "it" if len(unplaced) == 1 else "them"),
                      unplaced_jobs=[str(job_id) for job_id, _why in unplaced])
        return dict((node_id, sorted(ids, key=str)) for node_id, ids in placed.items())

    def make_plan(self, current):
        options = self._options()
        busy = self._busy(current) if needs_busy_map(current, options) else {}
        try:
            plan = plan_nodes(current, options, busy)
        except PlanError as err:
            extra = dict(err.extra)
            if err.plan is not None:
                extra["plan"] = _public_plan(err.plan)
            self.fail(err.message, **extra)
        if plan["not_found"] and options["state"] == "absent":
            # Gone already (a re-run) or a typo: not an error, but never silent.
            self.module.warn("nodes not in cluster %s (already removed, or a typo?): %s"
                             % (options["cluster_id"], ", ".join(plan["not_found"])))
        # The read the plan was made from: a later round measures what landed against it.
        self._planned_from = current
        return plan

    def apply(self, plan):
        p = self.params
        # One deadline for every wait of this task, however many rounds it takes.
        self._deadline = waiters.Deadline(p["wait_timeout"])
        delivered = {"add": 0, "add_batches": [], "remove": [], "restart": []}
        applied = {"job_ids": [], "uncertain": False, "delivered": delivered, "in_flight": None}
        work = plan
        for round_number in range(MAX_ROUNDS):
            try:
                self._submit(plan, work, applied)
                break
            except ApiError as err:
                kind, what = applied["in_flight"] or (None, None)
                if kind is None or round_number == MAX_ROUNDS - 1 or not (err.ambiguous or kind == "remove"):
                    raise
                # The write may have been applied: look before sending anything again.
                nodes = self.gather()
                if err.ambiguous:
                    self._count_landed(kind, what, nodes, delivered)
                elif landed_removals(nodes, what) != list(what):
                    raise
                # (A refused deleteNodes whose nodes are leaving all the same: another run,
                # racing this one, removes them; they are not this run's removals.)
                applied["uncertain"] = True
                work = remaining_work(plan, delivered, nodes, self._options())
                if not work["changes"]:
                    break
        if p["wait"]:
            self._wait(applied)
        applied["after"] = self.gather()
        if p["state"] == "present":
            have = len(role_nodes(applied["after"], p["role"]))
            if have != p["count"]:
                # Never corrected here: that would send more than the plan allowed.
                self.module.warn("cluster %s has %d %s nodes for count %d because another change ran at the same "
                                 "time; a re-run converges" % (p["cluster_id"], have, p["role"], p["count"]))
        return applied

    def _submit(self, first, work, applied):
        p = self.params
        delivered = applied["delivered"]
        for batch in work["add_batches"]:
            applied["in_flight"] = ("add", batch)
            # Addresses are used in order; those of the nodes already added are spent.
            ips = (p["private_ips"] or [])[delivered["add"]:delivered["add"] + batch]
            try:
                job_id = self.client.add_nodes(p["cluster_id"], p["role"], batch, p["node_name"],
                                               ips or None, p["resource_conf"])
            except ApiError as err:
                if delivered["add"]:
                    # Earlier batches were accepted: say so, keep their jobs in the result.
                    err.message = "%d of %d nodes were added before addNodes failed: %s" % (
                        delivered["add"], first["add"], err.message)
                raise
            delivered["add"] += batch
            delivered["add_batches"].append(batch)
            self._record_write(applied, [job_id])
        if work["remove"]:
            applied["in_flight"] = ("remove", list(work["remove"]))
            self._record_write(applied, self.client.delete_nodes(p["cluster_id"], work["remove"]))
            delivered["remove"].extend(work["remove"])
        if work["restart"]:
            applied["in_flight"] = ("restart", list(work["restart"]))
            self._record_write(applied, [self.client.restart_nodes(p["cluster_id"], work["restart"])])
            delivered["restart"].extend(work["restart"])

    def _count_landed(self, kind, what, nodes, delivered):
        """Credit a write whose answer was lost with what the cluster shows of it."""
        if kind == "add":
            # Nodes beyond those counted before and added since are this batch's (or, in a
            # race, another run's: counting them here only ever sends less).
            expected = len(role_nodes(self._planned_from, self.params["role"])) + delivered["add"]
            landed = max(0, min(what, len(role_nodes(nodes, self.params["role"])) - expected))
            if landed:
                delivered["add"] += landed
                delivered["add_batches"].append(landed)
        elif kind == "remove":
            landed = landed_removals(nodes, what)
            delivered["remove"].extend(landed)
        else:
            landed = landed_restarts(nodes, what)
            delivered["restart"].extend(landed)
        if landed:
            self.result["changed"] = True

    def _record_write(self, applied, job_ids):
        """An accepted write: changed from now on, and its jobs reported even if a later step fails."""
        applied["job_ids"].extend(job_ids)
        applied["in_flight"] = None
        self.result["changed"] = True
        self.result["job_ids"] = list(applied["job_ids"])
        self.result["plan"] = _public_plan(applied["delivered"])

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
        before = dict((n["node_id"], n) for n in current)
        after = applied["after"] if applied else current
        after_by_id = dict((n["node_id"], n) for n in after)
        if applied:
            # What was sent and landed, not the first plan: a later round may have shrunk it.
            done = dict(applied["delivered"], protected=plan["protected"])
            added = [n for n in after if n["node_id"] not in before]
        else:
            # Check mode: what a real run would do (without changes, the plan is empty).
            done = plan
            added = []
        removed = [before[i] for i in done["remove"] if i in before]
        restarted = [after_by_id.get(i) or before[i] for i in done["restart"] if i in after_by_id or i in before]
        shown = self.params["return_nodes"]
        if shown == "all":
            nodes = after
        elif shown == "changed":
            nodes = added + removed + restarted
        else:
            nodes = []
        result = {
            "job_ids": applied["job_ids"] if applied else [],
            "plan": _public_plan(done),
            "nodes": [public_node(n) for n in nodes],
            "added": [n["node_id"] for n in added],
            "removed": [n["node_id"] for n in removed],
            "restarted": [n["node_id"] for n in restarted],
            "added_nodes": [chain_node(n) for n in added],
            "removed_nodes": [chain_node(n) for n in removed],
            "restarted_nodes": [chain_node(n) for n in restarted],
            "not_found": list(plan.get("not_found", [])),
        }
        if self.module._diff:
            result["diff"] = {"before": nodes_by_role([n for n in current if removable(n)]),
                              "after": self._after_by_role(current, after, plan)}
        return result

    def _after_by_role(self, before, after, plan):
        if not self.module.check_mode:
            return nodes_by_role([n for n in after if removable(n)])
        leaving = set(plan["remove"])
        predicted = nodes_by_role([n for n in before if removable(n) and n["node_id"] not in leaving])
        role = predicted.setdefault(self.params["role"], [])
        role.extend("(new %s node %d)" % (self.params["role"], i + 1) for i in range(plan["add"]))
        return predicted


def _public_plan(plan: dict) -> dict:
    return dict((key, plan.get(key, {} if key == "protected" else [])) for key in PLAN_KEYS)


def _is_ipv4(text):
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def main():
    EhpcNodes.execute()


if __name__ == "__main__":
    main()
