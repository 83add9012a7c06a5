# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: cce_scale_in_summary
short_description: One line that says what a removal of CCE nodes did
version_added: 0.2.0
description:
  - >-
    Takes the result of P(hpcops.clusters.cce_node_remove#module) and returns the summary the C(cce_scale_in) role prints,
    for example C(removed cce-demo-node-3 (8a2f...) from CCE cluster cce-demo: 3 -> 2 nodes).
  - The counts are read from the cluster. Before, the live nodes (not being deleted) of O(plan); after, those of the result.
    In check mode, how many would stay.
  - Nodes are named C(name (uid)) from O(plan)'s nodes; a uid the plan does not show stays as it is. Nodes already being
    removed and names not in the cluster (taken as removed) follow as notes.
options:
  _input:
    description: The registered result of P(hpcops.clusters.cce_node_remove#module).
    type: dict
    required: true
  plan:
    description: The registered result of P(hpcops.clusters.cce_node_remove#module) in check mode before the removal.
    type: dict
    required: true
  cluster_id:
    description: The cluster's ID, for the message.
    type: str
    required: true
  check_mode:
    description: Whether the run was in check mode (C(ansible_check_mode)).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Summarise the change
  ansible.builtin.debug:
    msg: "{{ result | hpcops.clusters.cce_scale_in_summary(plan, 'cce-demo', check_mode=ansible_check_mode) }}"
"""

RETURN = r"""
_value:
  description: The summary line.
  type: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpcops.clusters.plugins.plugin_utils.role_rules import is_leaving, labels_by_key


def cce_scale_in_summary(result, plan, cluster_id, check_mode=False):
    if not isinstance(result, Mapping) or not isinstance(plan, Mapping) or not isinstance(plan.get("nodes"), list):
        raise AnsibleFilterError("cce_scale_in_summary expects a cce_node_remove result and its check-mode plan")
    labels = labels_by_key([plan["nodes"]], key="uid")

    def named(uids):
        return ", ".join(labels.get(u, str(u)) for u in uids)

    removed = result.get("removed") or []
    live = [n for n in plan["nodes"] if isinstance(n, Mapping) and not is_leaving(n)]
    what = (("would remove " if check_mode else "removed ") + named(removed)) if removed else "nothing to remove"
    if check_mode:
        planned = set(plan.get("removed") or [])
        counts = "%s nodes now, %s would stay (check mode: nothing was changed)" % (
            len(live), len([n for n in live if n.get("uid") not in planned]))
    else:
        counts = "%s -> %s nodes" % (len(live), len([n for n in result.get("nodes") or []
                                                     if isinstance(n, Mapping) and not is_leaving(n)]))
    notes = ["already being removed: " + named(result["already_deleting"])] if result.get("already_deleting") else []
    if result.get("not_found"):
        notes.append("not in the cluster (taken as removed): " + ", ".join(str(n) for n in result["not_found"]))
    return "; ".join(["%s from CCE cluster %s: %s" % (what, cluster_id, counts)] + notes)


class FilterModule:
    def filters(self):
        return {"cce_scale_in_summary": cce_scale_in_summary}
