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
  - The API lists the hyper clusters of one type per call (HPS when no type is sent) in one answer,
    without paging. Without O(type) the module asks for both types, HPS then ECS, in two calls.
  - Every answer is checked before it is used; one that is not what ModelArts answers (an HTML page
    from a proxy, a body without C(hyper_clusters) or the hyper cluster's C(id)) fails the task,
    rather than being read as "no hyper cluster".
  - Optionally reshapes the list with a JMESPath O(query).
  - Never changes anything.
author:
  - hpcops.clusters contributors (@hpcops)
options:
  id:
    description:
      - ID of one hyper cluster to show, 1 to 64 letters, digits and hyphens.
      - Without it, every hyper cluster of the project (of O(type), when given; else of both types) is listed.
      - A hyper cluster that does not exist gives an empty RV(hyper_clusters), its ID in RV(not_found)
        and a warning (a typo in an ID is never silent).
    type: str
    aliases: [hyper_cluster_id]
  type:
    description:
      - Only hyper clusters of this type, V(HPS) or V(ECS); when not given, both types are listed.
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
    that: one.not_found | length == 0

- name: Subnets of the default network of every HPS hyper cluster
  hpcops.clusters.modelarts_hyper_cluster_info:
    type: HPS
    query: "[].network_info[?is_default].hyper_cluster_subnet_id[]"
  register: default_subnets

- name: Show them
  ansible.builtin.debug:
    var: default_subnets.query_result
"""

RETURN = r"""
hyper_clusters:
  description: The hyper clusters found; with O(id), one or none.
  returned: unless O(query_only) is set
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
      description: Hyper cluster type, V(HPS) or V(ECS) (the type it was listed or looked up as; the API does not answer it).
      type: str
    network_info:
      description: The hyper cluster's networks, as the API lists them.
      type: list
      elements: dict
      contains:
        hyper_cluster_subnet_id:
          description: Name of the subnet.
          type: str
        is_default:
          description: Whether it is the default network.
          type: bool
  sample:
    - id: hc-demo-hps
      name: demo-hps
      type: HPS
      network_info: [{hyper_cluster_subnet_id: subnet-demo-0001, is_default: true}]
not_found:
  description: With O(id), the ID when no hyper cluster of that ID (and type) exists; else empty.
  returned: always
  type: list
  elements: str
  sample: [hc-demo-typo]
query_result:
  description: What O(query) gave.
  returned: when O(query) is set
  type: raw
"""

from ansible_collections.hpcops.clusters.plugins.module_utils.base import InfoModule
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.connection import ModelArtsConnection
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.modelarts import (
    DEFAULT_TYPE, TYPES, invalid_id, public_hyper_cluster)


class ModelArtsHyperClusterInfo(InfoModule):
    result_key = "hyper_clusters"
    argument_spec = dict(
        id=dict(type="str", aliases=["hyper_cluster_id"]),
        type=dict(type="str", choices=list(TYPES)),
        query=dict(type="str"),
    )
    connection_class = ModelArtsConnection

    def validate(self):
        p = self.params
        # Both path parameters are 1-64 letters, digits and hyphens.
        if p["id"] is not None and invalid_id(p["id"]):
            self.fail("id %r is not a hyper cluster ID (1 to 64 letters, digits and hyphens)" % p["id"])
        if invalid_id(p["project_id"]):
            self.fail("project_id %r is not a project ID (1 to 64 letters, digits and hyphens)" % p["project_id"])
        super().validate()

    def gather(self):
        p = self.params
        self.result["not_found"] = []
        client = self.client
        try:
            if p["id"] is None:
                # One call per type: the API lists one type at a time (HPS when none is sent).
                types = [p["type"]] if p["type"] else list(TYPES)
                return [public_hyper_cluster(c, t) for t in types for c in client.list_hyper_clusters(t)]
            # The API's own default type when none is given.
            cluster_type = p["type"] or DEFAULT_TYPE
            cluster = client.get_hyper_cluster(p["id"], cluster_type)
        except ApiError as err:
            what = "hyper cluster %s" % p["id"] if p["id"] else "the hyper clusters"
            self.fail("cannot read %s: %s" % (what, err), failure=err.as_dict())
        if cluster is None:
            # The API answered that it does not exist (a checked 404): say so, never a silent [].
            self.result["not_found"] = [p["id"]]
            self.module.warn("hyper cluster %s (type %s) does not exist" % (p["id"], cluster_type))
            return []
        return [public_hyper_cluster(cluster, cluster_type)]


def main():
    ModelArtsHyperClusterInfo.execute()


if __name__ == "__main__":
    main()
