#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

__metaclass__ = type

DOCUMENTATION = r"""
module: cce_node_pool
short_description: Scale a Huawei Cloud CCE node pool to an exact number of nodes
version_added: 0.2.0
description:
  - Brings a node pool of a Cloud Container Engine (CCE) cluster to O(count) nodes with C(ScaleNodePool)
    (C(POST .../nodepools/{nodepool_id}/operation/scale)). CCE adds or removes the nodes itself.
  - Idempotent. When the pool's target count is O(count) already, nothing is sent (with O(wait=true) the task
    still waits for a scaling under way to end).
  - The request always carries C(desiredNodeCount). The API reads an omitted count as 0, which deletes every
    node of the pool; O(count=0) itself is refused unless O(allow_empty=true).
  - On a pool with autoscaling on, a count outside its C(minNodeCount)..C(maxNodeCount) is refused before
    anything is sent (the autoscaler would undo it); the message names the bounds.
  - Before a scale-in, the nodes in O(protected_nodes) are locked against scale-down
    (C(POST .../nodes/locknodescaledown)), so lowering the count can't remove them; RV(locked_nodes) lists them.
    A scale-in that would need a protected node (more protected nodes than O(count)) fails before any write.
  - A scale-out of a pool whose C(Scalable) condition is C(False) (sold out, quota) is refused before any write;
    such a pool does not scale out. When the pool turns C(Scalable=False) while waiting, the task fails as soon
    as no node is being created any more, saying how many nodes came up.
  - Every answer is checked before it is used. An answer that is not what CCE answers (an HTML page from a
    proxy, a pool without C(metadata.uid) or C(status)) fails the task, and nothing is sent after a read that
    failed this check.
author:
  - hpcops.clusters contributors (@hpcops)
options:
  cluster_id:
    description:
      - ID of the CCE cluster.
    type: str
    required: true
  node_pool:
    description:
      - The node pool, by its ID (uid) or its name. A name shared by several pools fails the task.
    type: str
    required: true
  state:
    description:
      - V(present) brings the pool to O(count) nodes.
    type: str
    choices: [present]
    default: present
  count:
    description:
      - Exact number of nodes wanted in the pool.
    type: int
    required: true
  allow_empty:
    description:
      - Whether O(count=0), which deletes every node of the pool, is allowed.
    type: bool
    default: false
  protected_nodes:
    description:
      - Nodes of the pool that a scale-in must keep, each given by its uid or its name.
      - Before the count is lowered they are locked against scale-down, and stay locked after the task.
      - A scale-in fails before any write when an entry matches no node of the pool, or when more nodes are
        protected than O(count).
    type: list
    elements: str
    default: []
  wait_timeout:
    description:
      - How many seconds to wait, when O(wait=true), until the pool has O(count) nodes and none is being
        created or deleted. The task then fails saying how many nodes the pool has.
    type: int
    default: 1800
extends_documentation_fragment:
  - hpcops.clusters.huaweicloud
  - hpcops.clusters.wait
attributes:
  check_mode:
    support: full
    description: Makes no change (no lock, no scaling) and returns the plan a real run would carry out.
  diff_mode:
    support: full
    description: Shows the pool's node count before and after.
seealso:
  - module: hpcops.clusters.cce_node_pool_info
  - module: hpcops.clusters.cce_node_remove
  - name: ScaleNodePool API
    description: Huawei Cloud CCE API reference of C(ScaleNodePool).
    link: https://support.huaweicloud.com/api-cce/ScaleNodePool.html
"""

EXAMPLES = r"""
- name: Scale a node pool out to 5 nodes and wait for them
  hpcops.clusters.cce_node_pool:
    cluster_id: 4c8f9a4e-3b2d-11ef-9b1a-0255ac100b05
    node_pool: pool-compute
    count: 5
  register: scaled

- name: Show the nodes that came up
  ansible.builtin.debug:
    msg: "{{ scaled.added_nodes | map(attribute='private_ip') | list }}"

- name: Plan a scale-in to 3 that keeps two named nodes (check mode, nothing is sent)
  hpcops.clusters.cce_node_pool:
    cluster_id: 4c8f9a4e-3b2d-11ef-9b1a-0255ac100b05
    node_pool: pool-compute
    count: 3
    protected_nodes: "{{ scaled.added_nodes[:2] | map(attribute='name') | list }}"
  check_mode: true
  register: plan

- name: Scale in to 3, locking the two nodes against scale-down first
  hpcops.clusters.cce_node_pool:
    cluster_id: 4c8f9a4e-3b2d-11ef-9b1a-0255ac100b05
    node_pool: pool-compute
    count: 3
    protected_nodes: "{{ scaled.added_nodes[:2] | map(attribute='name') | list }}"
    wait_timeout: 3600
"""

RETURN = r"""
node_pool:
  description: The pool after the task (in check mode, as it is now), as P(hpcops.clusters.cce_node_pool_info#module) returns it.
  returned: always
  type: dict
  contains:
    uid:
      description: Node pool ID.
      type: str
    name:
      description: Node pool name.
      type: str
    type:
      description: Node pool type, for example V(vm).
      type: str
    count:
      description: The pool's target node count (C(spec.initialNodeCount)).
      type: int
    current:
      description: Nodes in the pool, not counting those being deleted (C(status.currentNode)).
      type: int
    creating:
      description: Nodes being created.
      type: int
    deleting:
      description: Nodes being deleted.
      type: int
    active:
      description: Nodes ready.
      type: int
    autoscaling:
      description: Whether autoscaling is on, and its bounds (null when off).
      type: dict
    scalable:
      description: The pool's C(Scalable) condition (V(false) when sold out or out of quota), with reason and message.
      type: dict
  sample: {uid: 1f5a0c2e-8c3d-4b6a-9e7f-0a1b2c3d4e5f, name: pool-compute, type: vm, count: 5, current: 5, creating: 0,
           deleting: 0, active: 5, autoscaling: {enabled: false, min: null, max: null},
           scalable: {scalable: true, reason: "", message: ""}}
plan:
  description: What the task does or, in check mode, would do.
  returned: always
  type: dict
  contains:
    before:
      description: Nodes in the pool before the task.
      type: int
    count:
      description: Nodes wanted.
      type: int
    direction:
      description: V(out), V(in) or V(none).
      type: str
    add:
      description: Nodes to add.
      type: int
    remove:
      description: Nodes to remove (CCE picks them, never a locked one).
      type: int
    lock:
      description: Uids locked against scale-down before the scale-in.
      type: list
      elements: str
    changes:
      description: Whether the pool's count is set (false when it is O(count) already).
      type: bool
  sample: {before: 2, count: 5, direction: out, add: 3, remove: 0, lock: [], changes: true}
added_nodes:
  description: Nodes of the pool after the task that were not there before (empty in check mode), read with ListNodes.
  returned: always
  type: list
  elements: dict
  contains:
    uid:
      description: Node uid.
      type: str
    name:
      description: Node name.
      type: str
    phase:
      description: Node phase (V(Installing) with O(wait=false), V(Active) once up).
      type: str
    private_ip:
      description: Private IP.
      type: str
  sample: [{uid: 6a1c7f0e-2d4b-4e8a-9c3f-1b2d3e4f5a6b, name: pool-compute-xk2p9, phase: Active, private_ip: 192.168.10.12}]
removed_nodes:
  description: Nodes of the pool before the task that are gone or being deleted after it (empty in check mode).
  returned: always
  type: list
  elements: dict
  sample: [{uid: 0b5e9d1c-7a3f-4c2e-8d6b-5f4e3d2c1b0a, name: pool-compute-m3q8r, phase: Deleting, private_ip: 192.168.10.13}]
locked_nodes:
  description: Nodes locked against scale-down by this task before the scale-in (in check mode, those that would be).
  returned: always
  type: list
  elements: dict
  sample: [{uid: 6a1c7f0e-2d4b-4e8a-9c3f-1b2d3e4f5a6b, name: pool-compute-xk2p9, phase: Active, private_ip: 192.168.10.12}]
order_id:
  description: Order ID the scale-out answered (yearly/monthly nodes only), else null.
  returned: always
  type: str
  sample: null
"""

from ansible_collections.hpcops.clusters.plugins.module_utils import waiters
from ansible_collections.hpcops.clusters.plugins.module_utils.base import ClusterModule
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.cce_pool_plan import (
    PoolPlanError, find_pool, node_changes, nodes_of_pool, plan_scale, pool_reached, pool_summary, stalled)
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError, WaitError
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.connection import CceConnection

# A ScaleNodePool whose answer was lost is settled by reading the pool's count and, if CCE did not
# take it, sending it again, a bounded number of times.
MAX_SUBMITS = 3


class CceNodePool(ClusterModule):
    argument_spec = dict(
        cluster_id=dict(type="str", required=True),
        node_pool=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present"]),
        count=dict(type="int", required=True),
        allow_empty=dict(type="bool", default=False),
        protected_nodes=dict(type="list", elements="str", default=[]),
    )
    connection_class = CceConnection
    default_wait_timeout = 1800
    marks_changed_on_write = True
    before_nodes: list = []

    def validate(self):
        super().validate()
        p = self.params
        if not p["cluster_id"].strip():
            self.fail("cluster_id must not be empty")
        if not p["node_pool"].strip():
            self.fail("node_pool must name a node pool (its name or ID)")
        if p["count"] < 0:
            self.fail("count must be 0 or more, got %d" % p["count"])
        if p["count"] == 0 and not p["allow_empty"]:
            self.fail("count 0 would delete every node of node pool %s; set allow_empty=true to do it" % p["node_pool"])
        if any(not (entry or "").strip() for entry in p["protected_nodes"]):
            self.fail("protected_nodes must not contain empty entries")

    def gather(self):
        cluster_id = self.params["cluster_id"]
        try:
            pool = find_pool(self.client.list_node_pools(cluster_id), self.params["node_pool"].strip())
        except PoolPlanError as err:
            self.fail("cluster %s: %s" % (cluster_id, err))
            return None
        uid = pool["metadata"]["uid"]
        # Kept for a failure while waiting, which reports the nodes that came up since.
        self.before_nodes = nodes_of_pool(self.client.list_nodes(cluster_id), uid)
        return {"pool": pool_summary(pool), "nodes": self.before_nodes}

    def make_plan(self, current):
        try:
            return plan_scale(current["pool"], current["nodes"], self.params["count"], self.params["allow_empty"],
                              [entry.strip() for entry in self.params["protected_nodes"]])
        except PoolPlanError as err:
            self.fail("cluster %s: %s" % (self.params["cluster_id"], err))
            return {}

    def apply(self, plan):
        p = self.params
        deadline = waiters.Deadline(p["wait_timeout"])
        applied = {"locked": [], "order_id": None}
        self.result.update(locked_nodes=[], order_id=None, added_nodes=[], removed_nodes=[])
        if plan["lock"]:
            # Before the count goes down, so CCE can't pick a protected node.
            self.client.set_scale_down_lock(p["cluster_id"], plan["lock"])
            self.result["changed"] = True
            applied["locked"] = list(plan["lock"])
            self.result["locked_nodes"] = self._locked(plan)
        if plan["changes"]:
            applied["order_id"] = self._scale(plan)
            self.result.update(changed=True, order_id=applied["order_id"])
        if p["wait"]:
            try:
                applied["pool"] = self._wait(plan, deadline)
            except WaitError as err:
                self._fail_waiting(plan, err)
        else:
            applied["pool"] = pool_summary(self.client.show_node_pool(p["cluster_id"], plan["uid"]))
        applied["nodes"] = nodes_of_pool(self.client.list_nodes(p["cluster_id"]), plan["uid"])
        return applied

    def _locked(self, plan):
        return [n for n in plan["protected"] if n["uid"] in plan["lock"]]

    def _scale(self, plan):
        p = self.params
        for attempt in range(MAX_SUBMITS):
            try:
                return self.client.scale_node_pool(p["cluster_id"], plan["uid"], p["count"])
            except ApiError as err:
                if not err.ambiguous:
                    self.fail("node pool %s of cluster %s: scaling to %d was refused; nothing was scaled%s: %s"
                              % (plan["node_pool"], p["cluster_id"], p["count"],
                                 " (the protected nodes were locked)" if plan["lock"] else "", err),
                              failure=err.as_dict())
                if attempt == MAX_SUBMITS - 1:
                    self.result["changed"] = True
                    self.fail("node pool %s of cluster %s: scaling to %d may have been sent: %s"
                              % (plan["node_pool"], p["cluster_id"], p["count"], err), failure=err.as_dict())
            # The answer was lost: the pool's target count says whether CCE took it.
            pool = pool_summary(self.client.show_node_pool(p["cluster_id"], plan["uid"]))
            if pool["count"] == p["count"]:
                return None
        return None

    def _wait(self, plan, deadline):
        p = self.params
        state = {"pool": None}

        def check():
            pool = pool_summary(self.client.show_node_pool(p["cluster_id"], plan["uid"]))
            state["pool"] = pool
            if stalled(pool, p["count"]):
                scalable = pool["scalable"]
                raise WaitError("node pool %s of cluster %s can't grow to %d: condition Scalable is False (%s%s); "
                                "%d of %d nodes are there (%d were before)"
                                % (plan["node_pool"], p["cluster_id"], p["count"],
                                   scalable["reason"] or "no reason given",
                                   (", " + scalable["message"]) if scalable["message"] else "",
                                   pool["current"], p["count"], plan["before"]), status="not scalable")
            return pool_reached(pool, p["count"]), pool

        def describe(pool):
            pool = pool or {"current": "?", "creating": "?", "deleting": "?"}
            return None, "scaling", "node pool %s of cluster %s to reach %d nodes (it has %s, %s being created, %s being deleted)" % (
                plan["node_pool"], p["cluster_id"], p["count"], pool["current"], pool["creating"], pool["deleting"])

        return waiters.poll(check, deadline, describe)

    def _fail_waiting(self, plan, err):
        """Fail naming what came up: the pool's nodes now, against the first read."""
        p = self.params
        extra = {"failure": err.as_dict()}
        try:
            after = nodes_of_pool(self.client.list_nodes(p["cluster_id"]), plan["uid"])
            added, removed = node_changes(self.before_nodes, after)
            extra.update(added_nodes=added, removed_nodes=removed)
            self.result.update(added_nodes=added, removed_nodes=removed)
        except ApiError as read_error:
            extra["failure"]["read_after"] = str(read_error)
        self.fail(str(err), **extra)

    def report(self, current, plan, applied):
        pool = applied["pool"] if applied else current["pool"]
        if applied:
            added, removed = node_changes(current["nodes"], applied["nodes"])
        else:
            added, removed = [], []
        locked = self._locked(plan) if (applied or self.module.check_mode) else []
        result = {
            "node_pool": pool,
            "plan": dict((k, plan[k]) for k in ("before", "count", "direction", "add", "remove", "lock", "changes")),
            "added_nodes": added,
            "removed_nodes": removed,
            "locked_nodes": locked,
            "order_id": applied["order_id"] if applied else None,
        }
        if self.module._diff:
            result["diff"] = {
                "before": {"node_pool": plan["node_pool"], "count": plan["before"]},
                "after": {"node_pool": plan["node_pool"], "count": self.params["count"]},
            }
        return result


def main():
    CceNodePool.execute()


if __name__ == "__main__":
    main()
