#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

__metaclass__ = type

DOCUMENTATION = r"""
module: cce_node_remove
short_description: Remove nodes from a Huawei Cloud CCE cluster
version_added: 0.1.0
description:
  - Removes nodes from a Cloud Container Engine (CCE) cluster with C(RemoveNodesTask)
    (C(PUT .../nodes/operation/remove)). The servers are not deleted; they leave the cluster
    and get the login given in O(login).
  - Idempotent. The cluster's nodes are listed first (every page of them) and only those still present are removed;
    entries of O(nodes) that match no node count as removed already, so a second run changes nothing.
    They are listed in RV(not_found), with a warning, so that a mistyped name shows.
  - Every answer is checked before it is used. An answer that is not what CCE answers (an HTML page
    from a proxy, a node list without C(items), a task without C(status.jobID)) fails the task, and
    nothing is removed after a node list that failed this check.
  - Nodes named in O(protected_nodes) are never removed; a task naming one fails before anything is sent.
  - Nodes already in phase C(Deleting) are being removed by an earlier task; they are not submitted
    again. With O(wait=true) the module waits until they leave the cluster, without reporting a change.
  - One task takes at most 200 nodes; more are removed with several tasks, submitted one after another.
  - Removing every node of the cluster is refused unless O(allow_empty_cluster=true).
  - A task the API refuses (a 4xx answer) fails with C(changed=false). When a later task of several
    fails, the failure keeps C(changed=true), RV(job_ids) and RV(removed) of the tasks already
    submitted, and its message says how many of the nodes were submitted before the failure.
author:
  - hpcops.clusters contributors (@hpcops)
options:
  cluster_id:
    description:
      - ID of the CCE cluster.
    type: str
    required: true
  nodes:
    description:
      - Nodes to remove, each given by its uid or its name.
      - An entry is taken as a uid first, then as a name; a name shared by several nodes fails the task.
      - An entry that matches no node of the cluster is taken as removed already (see RV(not_found)).
    type: list
    elements: str
    required: true
  protected_nodes:
    description:
      - Nodes that must never be removed, each given by its uid or its name.
      - A task whose O(nodes) names one of them, by its uid or its name, fails before any API write,
        in check mode too.
    type: list
    elements: str
    default: []
  return_nodes:
    description:
      - Which nodes RV(nodes) lists (a large cluster's full list is large, and AWX stores it with every job event).
      - V(all) lists every node of the cluster after the task (in check mode, as it is now).
      - V(changed) lists only the nodes this task removed, or would remove in check mode, as they are
        after the task; a no-op returns an empty list.
      - V(none) returns an empty list.
      - The default V(all) keeps what earlier releases returned; set V(changed) for large clusters.
    type: str
    choices: [all, changed, none]
    default: all
  login:
    description:
      - How to log in to the nodes once they have left the cluster (the API's C(spec.login)).
      - Exactly one of O(login.ssh_key) and O(login.user_password).
    type: dict
    required: true
    suboptions:
      ssh_key:
        description:
          - Name of the key pair to log in with (the name, not the key itself, so not a secret).
        type: str
      user_password:
        description:
          - User name and password to log in with.
        type: dict
        suboptions:
          username:
            description:
              - Login user name.
            type: str
            default: root
          password:
            description:
              - Login password, in the salted form the API requires
                (for example the output of C(openssl passwd -6) or of the P(ansible.builtin.password_hash#filter) filter).
              - Sent as given; never returned or logged.
            type: str
            required: true
  allow_empty_cluster:
    description:
      - Whether the task may remove the cluster's last nodes, leaving no node that is not being deleted.
      - With V(false) such a task fails before anything is sent.
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds to wait, in all, when O(wait=true), for the removal jobs and for nodes already
        being deleted to leave the cluster. A job still running then, or one that fails, fails the task
        with the job ID and its last status.
    type: int
    default: 1200
extends_documentation_fragment:
  - hpcops.clusters.huaweicloud
  - hpcops.clusters.wait
attributes:
  check_mode:
    support: full
    description: Makes no change and returns the uids that a real run would remove.
  diff_mode:
    support: full
    description: Shows the cluster's nodes (uid and name) that are not being deleted, before and after.
seealso:
  - module: hpcops.clusters.cce_nodes_info
  - name: RemoveNode API
    description: Huawei Cloud CCE API reference of C(RemoveNodesTask).
    link: https://support.huaweicloud.com/api-cce/RemoveNode.html
"""

EXAMPLES = r"""
- name: Remove two nodes, one by name and one by uid, with a key pair as their login
  hpcops.clusters.cce_node_remove:
    cluster_id: 4c8f9a4e-3b2d-11ef-9b1a-0255ac100b05
    nodes:
      - cce-demo-node-3
      - 6a1c7f0e-2d4b-4e8a-9c3f-1b2d3e4f5a6b
    login:
      ssh_key: KeyPair-demo

- name: Remove a node with a password login, without waiting
  hpcops.clusters.cce_node_remove:
    cluster_id: 4c8f9a4e-3b2d-11ef-9b1a-0255ac100b05
    nodes: [cce-demo-node-2]
    login:
      user_password:
        username: root
        password: "{{ node_password | password_hash('sha512') }}"
    wait: false
  register: removal

- name: Show the job
  ansible.builtin.debug:
    var: removal.job_id

- name: Remove every node of a cluster that is being retired
  hpcops.clusters.cce_node_remove:
    cluster_id: 4c8f9a4e-3b2d-11ef-9b1a-0255ac100b05
    nodes: "{{ all_nodes.nodes | map(attribute='uid') | list }}"
    login:
      ssh_key: KeyPair-demo
    allow_empty_cluster: true
    wait_timeout: 3600
"""

RETURN = r"""
job_id:
  description: ID of the first C(RemoveNodesTask) job submitted, or null when none was.
  returned: always
  type: str
  sample: 2ec9b78d-9368-46f3-8f29-d1a95622a568
job_ids:
  description: IDs of every job submitted, one per task of up to 200 nodes (empty in check mode or when nothing changed).
  returned: always
  type: list
  elements: str
  sample: [2ec9b78d-9368-46f3-8f29-d1a95622a568]
removed:
  description:
    - Uids of the nodes this task removed; in check mode, those it would remove.
    - Nodes that were already being deleted are not listed here (see RV(already_deleting)).
  returned: always
  type: list
  elements: str
  sample: [6a1c7f0e-2d4b-4e8a-9c3f-1b2d3e4f5a6b]
not_found:
  description: Entries of O(nodes) that match no node of the cluster (a warning names them too).
  returned: always
  type: list
  elements: str
  sample: [cce-demo-nod-3]
already_deleting:
  description: Uids of asked-for nodes that an earlier task was already removing (awaited with O(wait=true), never re-submitted).
  returned: always
  type: list
  elements: str
  sample: []
nodes:
  description:
    - The cluster's nodes after the task (in check mode, as they are now), as O(return_nodes) selects them.
    - With O(wait=false) the nodes just submitted are still listed, in phase C(Deleting).
    - With O(return_nodes=changed), a node removed is listed as last seen (its phase C(Deleting)
      or as before the task when it is gone).
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
      description: Node phase, for example V(Active), V(Installing), V(Deleting) or V(Error).
      type: str
    private_ip:
      description: Private IP.
      type: str
  sample: [{uid: 0b5e9d1c-7a3f-4c2e-8d6b-5f4e3d2c1b0a, name: cce-demo-node-1, phase: Active, private_ip: 192.168.0.10}]
"""


from ansible_collections.hpcops.clusters.plugins.module_utils import waiters
from ansible_collections.hpcops.clusters.plugins.module_utils.base import ClusterModule
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.connection import CceConnection
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.cce_node_plan import (
    DELETING, NodePlanError, is_deleting, membership, name_of, node_summary, phase_of, plan_removal, uid_of)
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError, WaitError

# A RemoveNodesTask whose answer was lost is settled by re-reading the node list and,
# if CCE did not take it, sending it again, a bounded number of times.
MAX_SUBMITS = 3


class CceNodeRemove(ClusterModule):
    argument_spec = dict(
        cluster_id=dict(type="str", required=True),
        nodes=dict(type="list", elements="str", required=True),
        login=dict(
            type="dict", required=True,
            options=dict(
                # A key pair name, no secret: masked, a name like "default" would blank
                # that word in every message.
                ssh_key=dict(type="str", no_log=False),
                # The dict itself is no secret; its password is no_log.
                user_password=dict(type="dict", no_log=False, options=dict(
                    username=dict(type="str", default="root"),
                    password=dict(type="str", required=True, no_log=True),
                )),
            ),
            mutually_exclusive=[("ssh_key", "user_password")],
            required_one_of=[("ssh_key", "user_password")],
        ),
        allow_empty_cluster=dict(type="bool", default=False),
        protected_nodes=dict(type="list", elements="str", default=[]),
        return_nodes=dict(type="str", default="all", choices=["all", "changed", "none"]),
    )
    connection_class = CceConnection
    default_wait_timeout = 1200

    def validate(self):
        super().validate()
        p = self.params
        if not p["cluster_id"].strip():
            self.fail("cluster_id must not be empty")
        if not p["nodes"]:
            self.fail("nodes must list at least one node uid or name")
        if any(not (entry or "").strip() for entry in p["nodes"]):
            self.fail("nodes must not contain empty entries")
        if any(not (entry or "").strip() for entry in p["protected_nodes"]):
            self.fail("protected_nodes must not contain empty entries")
        login = p["login"]
        # An option given as null passes argument_spec's required_one_of.
        if login["ssh_key"] is None and login["user_password"] is None:
            self.fail("login needs one of ssh_key (a key pair name) or user_password")
        if login["ssh_key"] is not None and not login["ssh_key"].strip():
            self.fail("login.ssh_key must name a key pair")
        if login["user_password"] is not None:
            if not login["user_password"]["username"]:
                self.fail("login.user_password.username must not be empty")
            if not login["user_password"]["password"]:
                self.fail("login.user_password.password must not be empty")

    def gather(self):
        return self.client.list_nodes(self.params["cluster_id"])

    def make_plan(self, current):
        wanted = [entry.strip() for entry in self.params["nodes"]]
        protected = [entry.strip() for entry in self.params["protected_nodes"]]
        try:
            plan = plan_removal(current, wanted, self.params["allow_empty_cluster"], protected)
        except NodePlanError as err:
            self.fail("cluster %s: %s" % (self.params["cluster_id"], err))
            return {}
        if plan["absent"]:
            self.module.warn("node(s) %s match no node of cluster %s: taken as removed already "
                             "(check the names or uids)" % (", ".join(plan["absent"]), self.params["cluster_id"]))
        plan["in_progress"] = bool(plan["deleting"])
        return plan

    def _login(self) -> dict:
        login = self.params["login"]
        if login["ssh_key"] is not None:
            return {"sshKey": login["ssh_key"].strip()}
        return {"userPassword": {"username": login["user_password"]["username"],
                                 "password": login["user_password"]["password"]}}

    def apply(self, plan):
        p = self.params
        deadline = waiters.Deadline(p["wait_timeout"])
        applied = {"job_ids": [], "removed": [], "awaited": list(plan["deleting"])}
        # Kept in the result as they come, so a failure later still reports them.
        self.result.update(job_id=None, job_ids=applied["job_ids"], removed=applied["removed"],
                           not_found=list(plan["absent"]), already_deleting=list(plan["deleting"]))
        for batch in plan["batches"]:
            try:
                self._submit(batch, applied)
            except ApiError as err:
                self._fail_partway(plan, applied, err)
            self.result["job_id"] = applied["job_ids"][0] if applied["job_ids"] else None
        if p["wait"]:
            for job_id in applied["job_ids"]:
                self.client.wait_for_job(job_id, deadline)
            if applied["awaited"]:
                self._wait_until_gone(applied["awaited"], deadline)
        applied["after"] = self.gather()
        return applied

    def _fail_partway(self, plan, applied, err):
        """Fail saying what was done: nothing (a refusal changes nothing) or how many went."""
        total, done = len(plan["remove"]), len(applied["removed"])
        where = "cluster %s" % self.params["cluster_id"]
        if done:
            self.fail("%d of %d nodes of %s were submitted for removal (job(s) %s) before a RemoveNodesTask "
                      "failed: %s" % (done, total, where, ", ".join(applied["job_ids"]) or "unknown", err),
                      failure=err.as_dict())
        # Refused (4xx): nothing was done. Ambiguous (no answer, 5xx): it may have been.
        self.result["changed"] = bool(err.ambiguous)
        what = "may have been submitted" if err.ambiguous else "was refused; nothing was removed"
        self.fail("the removal of %d node(s) from %s %s: %s" % (total, where, what, err), failure=err.as_dict())

    def _submit(self, batch, applied):
        """One RemoveNodesTask for ``batch``, settling a lost answer by looking at the nodes."""
        for attempt in range(MAX_SUBMITS):
            try:
                applied["job_ids"].append(self.client.remove_nodes(self.params["cluster_id"], batch, self._login()))
                applied["removed"].extend(batch)
                return
            except ApiError as err:
                if not err.ambiguous or attempt == MAX_SUBMITS - 1:
                    raise
            # CCE may have taken the task: its nodes are then Deleting (or already
            # gone), and a second task for them would be refused.
            by_uid = dict((uid_of(n), n) for n in self.gather())
            taken = [uid for uid in batch if uid not in by_uid or is_deleting(by_uid[uid])]
            applied["removed"].extend(taken)
            applied["awaited"].extend(uid for uid in taken if uid in by_uid)
            batch = [uid for uid in batch if uid not in taken]
            if not batch:
                return

    def _wait_until_gone(self, uids, timeout):
        """Wait for nodes whose removal job is unknown to us to leave the cluster."""
        state = {"left": list(uids)}

        def check():
            by_uid = dict((uid_of(n), n) for n in self.gather())
            left = [by_uid[uid] for uid in uids if uid in by_uid]
            back = [n for n in left if not is_deleting(n)]
            if back:
                raise WaitError("removal of node(s) %s from cluster %s did not happen: phase %s again "
                                "(the task that was removing them failed)"
                                % (", ".join("%s (%s)" % (uid_of(n), name_of(n)) for n in back),
                                   self.params["cluster_id"], ", ".join(sorted(set(phase_of(n) for n in back)))),
                                status="rolled back")
            state["left"] = [uid_of(n) for n in left]
            return not left, None

        def describe(_value):
            return None, DELETING, "node(s) %s to leave cluster %s" % (
                ", ".join(state["left"]), self.params["cluster_id"])

        waiters.poll(check, timeout, describe)

    def report(self, current, plan, applied):
        after = applied["after"] if applied else current
        if applied:
            job_ids, removed = applied["job_ids"], applied["removed"]
        else:
            job_ids, removed = [], list(plan["remove"]) if self.module.check_mode else []
        result = {
            "job_id": job_ids[0] if job_ids else None,
            "job_ids": job_ids,
            "removed": removed,
            "already_deleting": list(plan["deleting"]),
            "not_found": list(plan["absent"]),
            "nodes": [node_summary(n) for n in _shown_nodes(self.params["return_nodes"], current, after, removed)],
        }
        if self.module._diff:
            result["diff"] = {
                "before": {"nodes": membership(current)},
                "after": {"nodes": membership(current, plan["remove"]) if self.module.check_mode
                          else membership(after)},
            }
        return result


def _shown_nodes(return_nodes: str, before: list, after: list, removed: list) -> list:
    if return_nodes == "all":
        return after
    if return_nodes == "none":
        return []
    # A removed node is gone from ``after`` once its job ended: show it as it was.
    latest = dict((uid_of(n), n) for n in before)
    latest.update((uid_of(n), n) for n in after)
    return [latest[uid] for uid in removed if uid in latest]


def main():
    CceNodeRemove.execute()


if __name__ == "__main__":
    main()
