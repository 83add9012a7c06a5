#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

__metaclass__ = type

DOCUMENTATION = r"""
module: modelarts_hyper_cluster
short_description: Delete a Huawei Cloud ModelArts hyper cluster instance
version_added: 0.1.0
description:
  - Makes sure a ModelArts Lite Server hyper cluster instance (a supernode network) is gone,
    with C(DELETE /v1/{project_id}/dev-servers/hyper-clusters/{id}).
  - The module reads the hyper cluster first. One that does not exist (HTTP 404) or that is
    already being deleted is left alone and the task reports no change.
  - Deleting a hyper cluster permanently removes its supernode network with the resources and
    configuration that belong to it. Run with C(--check --diff) first to see what would go.
  - Only O(state=absent) is offered. Creating a hyper cluster is not part of the API this module is
    built on, so it cannot create one, and O(state=present) is not a choice.
author:
  - hpcops.clusters contributors (@hpcops)
options:
  id:
    description:
      - ID of the hyper cluster instance, 1 to 64 letters, digits and hyphens, for example V(hc-demo-hps).
    type: str
    required: true
    aliases: [hyper_cluster_id]
  type:
    description:
      - Hyper cluster type, sent as the C(type) query parameter of every call.
      - V(HPS) for a hyper cluster of the HPS model, V(ECS) for one of the ECS model.
      - A hyper cluster of the other type is not found, so the task reports no change.
    type: str
    choices: [HPS, ECS]
    default: HPS
  state:
    description:
      - V(absent) deletes the hyper cluster if it exists.
      - Creation is not offered (see the description), so V(absent) is the only choice.
    type: str
    choices: [absent]
    default: absent
  wait:
    description:
      - Wait until the hyper cluster is gone, that is until reading it answers HTTP 404.
      - This also waits for a hyper cluster that was already being deleted when the task started.
      - With V(false) the task returns as soon as the API accepts the deletion (HTTP 204).
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait, in all, for the hyper cluster to be gone when O(wait=true).
        A hyper cluster still there then fails the task with its last status; the deletion goes on.
    type: int
    default: 600
extends_documentation_fragment:
  - hpcops.clusters.huaweicloud
  - hpcops.clusters.wait
attributes:
  check_mode:
    support: full
    description: Reads the hyper cluster, sends no deletion, and reports whether a real run would delete it.
  diff_mode:
    support: full
    description: Shows the hyper cluster's ID, name, type and status before, and nothing after.
notes:
  - The O(id) and O(project_id) are checked (1 to 64 letters, digits and hyphens) before any call is made.
  - A deletion that another client finishes first (the C(DELETE) answers HTTP 404) counts as done,
    and the task reports a change because the hyper cluster was there when the task started.
  - The caller needs the permission to delete ModelArts hyper clusters; without it the task fails
    with a message that says permission was denied for this hyper cluster.
seealso:
  - module: hpcops.clusters.modelarts_hyper_cluster_info
"""

EXAMPLES = r"""
- name: Delete a hyper cluster of the HPS model and wait until it is gone
  hpcops.clusters.modelarts_hyper_cluster:
    id: hc-demo-hps
    state: absent

- name: Delete a hyper cluster of the ECS model without waiting
  hpcops.clusters.modelarts_hyper_cluster:
    hyper_cluster_id: hc-demo-ecs
    type: ECS
    wait: false

- name: Delete with an IAM user's credentials and a custom endpoint
  hpcops.clusters.modelarts_hyper_cluster:
    id: hc-demo-hps
    project_id: 0123456789abcdef0123456789abcdef
    region: cn-north-4
    iam_user: ops
    iam_password: "{{ vault_iam_password }}"
    iam_domain: my-account
    endpoint: https://modelarts.cn-north-4.myhuaweicloud.com
    wait_timeout: 1200
"""

RETURN = r"""
hyper_cluster:
  description:
    - The hyper cluster as it was before the task (the one deleted, or that would be deleted in check mode).
    - V(null) when it did not exist.
  returned: always
  type: dict
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
      description: Status the hyper cluster had, for example V(Running) or V(Deleting).
      type: str
    network_info:
      description: The hyper cluster's networks, as the API lists them.
      type: list
      elements: dict
  sample:
    id: hc-demo-hps
    name: demo-hps
    type: HPS
    status: Running
    network_info: [{vpc_id: vpc-demo-0001, subnet_id: subnet-demo-0001, cidr: 192.168.1.0/24}]
"""

from ansible_collections.hpcops.clusters.plugins.module_utils.base import ClusterModule
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError, WaitError
from ansible_collections.hpcops.clusters.plugins.module_utils.modelarts import TYPES, invalid_id

# The status the API shows while a deletion runs; a second DELETE then is not needed.
DELETING = "Deleting"


def public_hyper_cluster(cluster: dict | None, cluster_type: str) -> dict | None:
    if cluster is None:
        return None
    return {
        "id": cluster.get("id"),
        "name": cluster.get("name"),
        # The show call is made per type, so a cluster found is of the type asked for.
        "type": cluster.get("type") or cluster_type,
        "status": cluster.get("status"),
        "network_info": cluster.get("network_info") or [],
    }


class ModelArtsHyperCluster(ClusterModule):
    argument_spec = dict(
        id=dict(type="str", required=True, aliases=["hyper_cluster_id"]),
        type=dict(type="str", default="HPS", choices=list(TYPES)),
        state=dict(type="str", default="absent", choices=["absent"]),
    )
    cloud = "huaweicloud"
    endpoint_env = "HW_MODELARTS_ENDPOINT"
    default_wait_timeout = 600

    def validate(self):
        p = self.params
        # Seed 003: both path parameters are 1-64 letters, digits and hyphens; a bad one
        # would otherwise reach the API as a different path.
        if invalid_id(p["id"]):
            self.fail("id %r is not a hyper cluster ID (1 to 64 letters, digits and hyphens)" % p["id"])
        if invalid_id(p["project_id"]):
            self.fail("project_id %r is not a project ID (1 to 64 letters, digits and hyphens)" % p["project_id"])
        super().validate()

    @property
    def client(self):
        if not hasattr(self, "_client"):
            from ansible_collections.hpcops.clusters.plugins.module_utils.modelarts import ModelArtsClient
            self._client = self.huawei_client(ModelArtsClient)
        return self._client

    def _describe(self) -> str:
        return "hyper cluster %s (type %s)" % (self.params["id"], self.params["type"])

    def gather(self):
        try:
            cluster = self.client.get_hyper_cluster(self.params["id"], self.params["type"])
        except ApiError as err:
            self.fail("cannot read %s: %s" % (self._describe(), err), failure=err.as_dict())
        # Kept in the result early so a failed deletion or wait still shows what was there.
        self.result["hyper_cluster"] = public_hyper_cluster(cluster, self.params["type"])
        return cluster

    def make_plan(self, current):
        # current: the hyper cluster as read, or None when absent
        deleting = current is not None and current.get("status") == DELETING
        return {"changes": "delete" if current is not None and not deleting else None, "in_progress": deleting}

    def apply(self, plan):
        p = self.params
        if not plan["changes"]:  # someone else's deletion is under way: only wait
            self._wait()
            return {"accepted": False}
        try:
            accepted = self.client.delete_hyper_cluster(p["id"], p["type"])
        except ApiError as err:
            if err.status in (401, 403) or not self._deletion_under_way():
                self.fail("cannot delete %s: %s" % (self._describe(), err), failure=err.as_dict())
            # The DELETE failed, yet the cluster is gone or being deleted: an earlier attempt
            # whose answer was lost, or a concurrent run, did it.
            accepted = False
        if p["wait"]:
            self._wait()
        return {"accepted": accepted}

    def _deletion_under_way(self) -> bool:
        try:
            cluster = self.client.get_hyper_cluster(self.params["id"], self.params["type"])
        except ApiError:
            return False  # can't tell: report the DELETE's own error
        return cluster is None or cluster.get("status") == DELETING

    def _wait(self):
        try:
            self.client.wait_until_gone(self.params["id"], self.params["type"], self.params["wait_timeout"])
        except WaitError as err:
            self.fail("%s; the deletion goes on: run the task again or raise wait_timeout" % err,
                      failure=err.as_dict())

    def report(self, current, plan, applied):
        result = {"hyper_cluster": public_hyper_cluster(current, self.params["type"])}
        if self.module._diff:
            before = {}
            if current is not None:
                before = dict((key, result["hyper_cluster"][key]) for key in ("id", "name", "type", "status"))
            result["diff"] = {"before": before, "after": {}}
        return result


def main():
    ModelArtsHyperCluster.execute()


if __name__ == "__main__":
    main()
