#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

__metaclass__ = type

DOCUMENTATION = r"""
module: modelarts_hyper_cluster_info
short_description: List or show Huawei Cloud ModelArts hyper cluster instances
version_added: 0.1.0
description:
  - Shows one ModelArts Lite Server hyper cluster instance (O(id) given) or lists the project's
    hyper clusters, optionally of one O(type).
  - Optionally reshapes the list with a JMESPath O(query).
  - Never changes anything.
author:
  - hpcops.clusters contributors (@hpcops)
options:
  id:
    description:
      - ID of one hyper cluster to show, 1 to 64 letters, digits and hyphens.
      - Without it, every hyper cluster of the project (of O(type), when given) is listed.
      - A hyper cluster that does not exist gives an empty RV(hyper_clusters).
    type: str
    aliases: [hyper_cluster_id]
  type:
    description:
      - Only hyper clusters of this type, V(HPS) or V(ECS).
      - With O(id), the type to look the hyper cluster up as; V(HPS) when not given, as in the API.
    type: str
    choices: [HPS, ECS]
extends_documentation_fragment:
  - hpcops.clusters.huaweicloud
  - hpcops.clusters.info_module
notes:
  - The O(id) and O(project_id) are checked (1 to 64 letters, digits and hyphens) before any call is made.
seealso:
  - module: hpcops.clusters.modelarts_hyper_cluster
"""

EXAMPLES = r"""
- name: List every hyper cluster of the project
  hpcops.clusters.modelarts_hyper_cluster_info:
  register: all_hyper_clusters

- name: Show one hyper cluster of the ECS model
  hpcops.clusters.modelarts_hyper_cluster_info:
    id: hc-demo-ecs
    type: ECS
  register: one

- name: Fail when it does not exist
  ansible.builtin.assert:
    that: one.hyper_clusters | length == 1

- name: Names of the HPS hyper clusters that are running
  hpcops.clusters.modelarts_hyper_cluster_info:
    type: HPS
    query: "[?status=='Running'].name"
  register: running

- name: Show them
  ansible.builtin.debug:
    var: running.query_result
"""

RETURN = r"""
hyper_clusters:
  description: The hyper clusters found; with O(id), one or none.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Hyper cluster ID.
      type: str
    name:
      description: Hyper cluster name.
      type: str
    type:
      description: Hyper cluster type, V(HPS) or V(ECS).
      type: str
    status:
      description: Hyper cluster status, for example V(Running) or V(Deleting).
      type: str
    network_info:
      description: The hyper cluster's networks, as the API lists them.
      type: list
      elements: dict
    create_time:
      description: When the hyper cluster was created, as the API gives it (epoch milliseconds).
      type: raw
  sample:
    - id: hc-demo-hps
      name: demo-hps
      type: HPS
      status: Running
      network_info: [{vpc_id: vpc-demo-0001, subnet_id: subnet-demo-0001, cidr: 192.168.1.0/24}]
      create_time: 1717228805000
query_result:
  description: What O(query) gave.
  returned: when O(query) is set
  type: raw
"""

from ansible_collections.hpcops.clusters.plugins.module_utils.base import InfoModule
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError
from ansible_collections.hpcops.clusters.plugins.module_utils.modelarts import TYPES, invalid_id


def public_hyper_cluster(cluster: dict, cluster_type: str | None) -> dict:
    return {
        "id": cluster.get("id"),
        "name": cluster.get("name"),
        "type": cluster.get("type") or cluster_type,
        "status": cluster.get("status"),
        "network_info": cluster.get("network_info") or [],
        "create_time": cluster.get("create_time"),
    }


class ModelArtsHyperClusterInfo(InfoModule):
    result_key = "hyper_clusters"
    argument_spec = dict(
        id=dict(type="str", aliases=["hyper_cluster_id"]),
        type=dict(type="str", choices=list(TYPES)),
        query=dict(type="str"),
    )
    cloud = "huaweicloud"
    endpoint_env = "HW_MODELARTS_ENDPOINT"

    def validate(self):
        p = self.params
        # Seed 003: both path parameters are 1-64 letters, digits and hyphens.
        if p["id"] is not None and invalid_id(p["id"]):
            self.fail("id %r is not a hyper cluster ID (1 to 64 letters, digits and hyphens)" % p["id"])
        if invalid_id(p["project_id"]):
            self.fail("project_id %r is not a project ID (1 to 64 letters, digits and hyphens)" % p["project_id"])
        super().validate()

    def gather(self):
        from ansible_collections.hpcops.clusters.plugins.module_utils.modelarts import ModelArtsClient
        p = self.params
        client = self.huawei_client(ModelArtsClient)
        try:
            if p["id"] is None:
                return [public_hyper_cluster(c, p["type"]) for c in client.list_hyper_clusters(p["type"])]
            # The API's own default type when none is given.
            cluster_type = p["type"] or "HPS"
            cluster = client.get_hyper_cluster(p["id"], cluster_type)
        except ApiError as err:
            what = "hyper cluster %s" % p["id"] if p["id"] else "the hyper clusters"
            self.fail("cannot read %s: %s" % (what, err), failure=err.as_dict())
        return [] if cluster is None else [public_hyper_cluster(cluster, cluster_type)]


def main():
    ModelArtsHyperClusterInfo.execute()


if __name__ == "__main__":
    main()
