#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

__metaclass__ = type

DOCUMENTATION = r"""
module: cce_node_pool_info
short_description: List the node pools of a Huawei Cloud CCE cluster, or show one
version_added: 0.2.0
description:
  - Lists the node pools of a Cloud Container Engine (CCE) cluster (C(GET .../clusters/{cluster_id}/nodepools)),
    or shows one (C(GET .../nodepools/{nodepool_id})), with each pool's target and current node counts, the nodes
    being created or deleted, its autoscaling bounds and whether it can grow (its C(Scalable) condition).
  - Optionally reshapes the list with a JMESPath O(query).
  - Never changes anything. The default node pool (the cluster's nodes outside any pool) is not listed.
  - Every answer is checked before it is used; one that is not what CCE answers (an HTML page from a proxy, a body
    without C(items), a pool without C(metadata.uid) or C(status)) fails the task rather than being read as "no pools".
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
      - Only this node pool, by its ID (uid) or its name. A pool that does not exist fails the task.
      - Without it, every node pool of the cluster is listed.
    type: str
extends_documentation_fragment:
  - hpcops.clusters.huaweicloud
  - hpcops.clusters.info_module
seealso:
  - module: hpcops.clusters.cce_node_pool
"""

EXAMPLES = r"""
- name: List the node pools of a cluster
  hpcops.clusters.cce_node_pool_info:
    cluster_id: 4c8f9a4e-3b2d-11ef-9b1a-0255ac100b05
  register: pools

- name: Show one pool by name
  hpcops.clusters.cce_node_pool_info:
    cluster_id: 4c8f9a4e-3b2d-11ef-9b1a-0255ac100b05
    node_pool: pool-compute
  register: compute

- name: Names of the pools that can't grow (sold out, quota)
  hpcops.clusters.cce_node_pool_info:
    cluster_id: 4c8f9a4e-3b2d-11ef-9b1a-0255ac100b05
    query: "[?!scalable.scalable].name"
  register: stuck
"""

RETURN = r"""
node_pools:
  description: The cluster's node pools (or the one asked for), in the order the API lists them.
  returned: unless O(query_only) is set
  type: list
  elements: dict
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
      description: Nodes being created (C(status.creatingNode)).
      type: int
    deleting:
      description: Nodes being deleted (C(status.deletingNode)).
      type: int
    active:
      description: Nodes ready (C(status.activeNode)).
      type: int
    autoscaling:
      description: C(enabled), and the bounds C(min) and C(max) (null when autoscaling is off).
      type: dict
    scalable:
      description: The C(Scalable) condition as C(scalable) (V(false) when sold out or out of quota), C(reason), C(message).
      type: dict
  sample: [{uid: 1f5a0c2e-8c3d-4b6a-9e7f-0a1b2c3d4e5f, name: pool-compute, type: vm, count: 2, current: 2, creating: 0,
            deleting: 0, active: 2, autoscaling: {enabled: true, min: 1, max: 4},
            scalable: {scalable: true, reason: "", message: ""}}]
query_result:
  description: What O(query) gave.
  returned: when O(query) is set
  type: raw
"""

from ansible_collections.hpcops.clusters.plugins.module_utils.base import InfoModule
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.cce_pool_plan import PoolPlanError, find_pool, pool_summary
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.connection import CceConnection


class CceNodePoolInfo(InfoModule):
    result_key = "node_pools"
    argument_spec = dict(
        cluster_id=dict(type="str", required=True),
        node_pool=dict(type="str"),
        query=dict(type="str"),
    )
    connection_class = CceConnection

    def validate(self):
        super().validate()
        if not self.params["cluster_id"].strip():
            self.fail("cluster_id must not be empty")
        if self.params["node_pool"] is not None and not self.params["node_pool"].strip():
            self.fail("node_pool must not be blank (leave it out to list every pool)")

    def gather(self):
        pools = self.client.list_node_pools(self.params["cluster_id"])
        if self.params["node_pool"] is None:
            return [pool_summary(pool) for pool in pools]
        try:
            found = find_pool(pools, self.params["node_pool"].strip())
        except PoolPlanError as err:
            self.fail("cluster %s: %s" % (self.params["cluster_id"], err))
            return []
        # ShowNodePool for the one asked for: the freshest status.
        return [pool_summary(self.client.show_node_pool(self.params["cluster_id"], found["metadata"]["uid"]))]


def main():
    CceNodePoolInfo.execute()


if __name__ == "__main__":
    main()
