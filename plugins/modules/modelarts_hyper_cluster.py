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
  - The module reads the hyper cluster first (C(GET .../hyper-clusters/{id}?type=...)). One that does
    not exist (HTTP 404) is left alone; the task reports no change, lists it in RV(not_found) and
    warns, so that a mistyped O(id) or O(type) shows. A second run after a deletion therefore succeeds.
  - Every answer is checked before it is used; an answer that is not what ModelArts answers (an HTML page
    from a proxy, a body without the hyper cluster's C(id)) fails the task before anything is deleted.
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
      - A hyper cluster of the other type is not found, so the task reports no change (and warns).
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
      - With V(false) the task returns as soon as the API accepts the deletion (HTTP 204).
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait, in all, for the hyper cluster to be gone when O(wait=true).
        A hyper cluster still there then fails the task; the deletion goes on.
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
    description: Shows the hyper cluster's ID, name and type before, and nothing after.
notes:
  - The O(id) and O(project_id) are checked (1 to 64 letters, digits and hyphens) before any call is made.
  - A deletion that another client finishes first (the C(DELETE) answers HTTP 404) counts as done,
    and the task reports a change because the hyper cluster was there when the task started.
  - ModelArts answers no status for a hyper cluster (only its ID, name and networks), so the module
    cannot tell one being deleted from one in use. A hyper cluster that still reads is deleted, again
    if need be (a second C(DELETE) is harmless), and the task reports a change.
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
      description: Hyper cluster type, V(HPS) or V(ECS) (the type it was looked up as; the API does not answer it).
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
    id: hc-demo-hps
    name: demo-hps
    type: HPS
    network_info: [{hyper_cluster_subnet_id: subnet-demo-0001, is_default: true}]
not_found:
  description: The O(id) when no hyper cluster of O(type) has it (a warning says so too); else empty.
  returned: always
  type: list
  elements: str
  sample: [hc-demo-hpz]
"""

from ansible_collections.hpcops.clusters.plugins.module_utils.base import ClusterModule
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.connection import ModelArtsConnection
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError, WaitError
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.modelarts import TYPES, invalid_id, public_hyper_cluster


class ModelArtsHyperCluster(ClusterModule):
    argument_spec = dict(
        id=dict(type="str", required=True, aliases=["hyper_cluster_id"]),
        type=dict(type="str", default="HPS", choices=list(TYPES)),
        state=dict(type="str", default="absent", choices=["absent"]),
    )
    connection_class = ModelArtsConnection
    default_wait_timeout = 600

    def validate(self):
        p = self.params
        # Both path parameters are 1-64 letters, digits and hyphens; a bad one would
        # otherwise reach the API as a different path.
        if invalid_id(p["id"]):
            self.fail("id %r is not a hyper cluster ID (1 to 64 letters, digits and hyphens)" % p["id"])
        if invalid_id(p["project_id"]):
            self.fail("project_id %r is not a project ID (1 to 64 letters, digits and hyphens)" % p["project_id"])
        super().validate()

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
        # current: the hyper cluster as read, or None when absent. The API answers no
        # status, so one that still reads is deleted (again, if a deletion is under way:
        # a second DELETE is harmless); see docs/api-decisions.md.
        if current is None:
            self.module.warn("%s does not exist: nothing to delete (check id and type)" % self._describe())
        return {"changes": "delete" if current is not None else None}

    def apply(self, plan):
        p = self.params
        try:
            accepted = self.client.delete_hyper_cluster(p["id"], p["type"])
        except ApiError as err:
            if err.status in (401, 403) or not self._gone():
                # Refused, or failed with the hyper cluster still there: nothing changed
                # unless the failure may have come after the API acted.
                self.result["changed"] = bool(err.ambiguous)
                self.fail("cannot delete %s: %s" % (self._describe(), err), failure=err.as_dict())
            # The DELETE failed, yet the hyper cluster is gone: an earlier attempt whose
            # answer was lost, or a concurrent run, did it.
            accepted = False
        if p["wait"]:
            self._wait()
        return {"accepted": accepted}

    def _gone(self) -> bool:
        try:
            return self.client.get_hyper_cluster(self.params["id"], self.params["type"]) is None
        except ApiError:
            return False  # can't tell: report the DELETE's own error

    def _wait(self):
        try:
            self.client.wait_until_gone(self.params["id"], self.params["type"], self.params["wait_timeout"])
        except WaitError as err:
            self.fail("%s; the deletion goes on: run the task again or raise wait_timeout" % err,
                      failure=err.as_dict())

    def report(self, current, plan, applied):
        result = {"hyper_cluster": public_hyper_cluster(current, self.params["type"]),
                  "not_found": [self.params["id"]] if current is None else []}
        if self.module._diff:
            before = {}
            if current is not None:
                before = dict((key, result["hyper_cluster"][key]) for key in ("id", "name", "type"))
            result["diff"] = {"before": before, "after": {}}
        return result


def main():
    ModelArtsHyperCluster.execute()


if __name__ == "__main__":
    main()
