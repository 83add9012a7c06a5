#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

__metaclass__ = type

DOCUMENTATION = r"""
module: cce_nodes_info
short_description: List the nodes of a Huawei Cloud CCE cluster
version_added: 0.1.0
description:
  - Lists the nodes of a Cloud Container Engine (CCE) cluster (C(GET .../clusters/{cluster_id}/nodes)),
    every page of them (up to 2,000 nodes a page, following C(pageInfo.nextMarker) until the last page).
  - Filters by O(phase), and optionally reshapes the list with a JMESPath O(query).
  - Never changes anything. The nodes' login settings are not returned.
  - The answer is checked before it is used; one that is not what CCE answers (an HTML page from a proxy,
    a body without C(kind) or an C(items) list) fails the task rather than being read as "no nodes".
author:
  - hpcops.clusters contributors (@hpcops)
options:
  cluster_id:
    description:
      - ID of the CCE cluster.
    type: str
    required: true
  phase:
    description:
      - Only nodes in this phase, for example V(Active), V(Installing), V(Abnormal), V(Deleting) or V(Error).
      - Compared without regard to case.
    type: str
extends_documentation_fragment:
  - hpcops.clusters.huaweicloud
  - hpcops.clusters.info_module
seealso:
  - module: hpcops.clusters.cce_node_remove
"""

EXAMPLES = r"""
- name: List the nodes of a cluster
  hpcops.clusters.cce_nodes_info:
    cluster_id: 4c8f9a4e-3b2d-11ef-9b1a-0255ac100b05
  register: cce

- name: Names of the nodes that are not Active
  hpcops.clusters.cce_nodes_info:
    cluster_id: 4c8f9a4e-3b2d-11ef-9b1a-0255ac100b05
    query: "[?phase!='Active'].name"
  register: unhealthy

- name: Uids of the Active nodes in one availability zone
  hpcops.clusters.cce_nodes_info:
    cluster_id: 4c8f9a4e-3b2d-11ef-9b1a-0255ac100b05
    phase: Active
    query: "[?az=='cn-north-4a'].uid"
  register: zone_a
"""

RETURN = r"""
nodes:
  description: The cluster's nodes that match O(phase), in the order the API lists them.
  returned: unless O(query_only) is set
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
      description: Node phase.
      type: str
    private_ip:
      description: Private IP.
      type: str
    flavor:
      description: Flavor (server type) of the node.
      type: str
    az:
      description: Availability zone.
      type: str
    creation_timestamp:
      description: When the node was created, as the API prints it.
      type: str
  sample: [{uid: 0b5e9d1c-7a3f-4c2e-8d6b-5f4e3d2c1b0a, name: cce-demo-node-1, phase: Active, private_ip: 192.168.0.10,
            flavor: c7.large.2, az: cn-north-4a, creation_timestamp: "2024-06-01 08:00:03.000000 +0000 UTC"}]
query_result:
  description: What O(query) gave.
  returned: when O(query) is set
  type: raw
"""

from ansible_collections.hpcops.clusters.plugins.module_utils.base import InfoModule
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.connection import CceConnection
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.cce_node_plan import node_info, phase_of


class CceNodesInfo(InfoModule):
    result_key = "nodes"
    argument_spec = dict(
        cluster_id=dict(type="str", required=True),
        phase=dict(type="str"),
        query=dict(type="str"),
    )
    connection_class = CceConnection

    def validate(self):
        super().validate()
        if not self.params["cluster_id"].strip():
            self.fail("cluster_id must not be empty")

    def gather(self):
        items = self.client.list_nodes(self.params["cluster_id"])
        phase = (self.params["phase"] or "").lower()
        return [node_info(item) for item in items if not phase or phase_of(item).lower() == phase]


def main():
    CceNodesInfo.execute()


if __name__ == "__main__":
    main()
