# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: ehpc_scale_summary
short_description: One line that says what a change of an EHPC cluster's node count did
version_added: 0.2.0
description:
  - >-
    Takes the result of P(hpcops.clusters.ehpc_nodes#module) and returns the summary the EHPC roles print, for example
    C(compute nodes of ehpc-8jqdq0mz: 2 -> 5; added compute03 (cln-4x1b2c3d), ...).
  - The counts are read from the cluster, not taken from the count asked for. Before the change, the nodes of
    O(role) in O(before) that are not being deleted (or O(current) when given); after it, those in the result's C(nodes).
  - Added and removed nodes are named C(name (ID)) from O(before) and the result's nodes; a node no read shows keeps its ID.
  - >-
    Removed nodes that ran HPC jobs in O(before) (read with the jobs) are named with their jobs, C(HPC jobs killed: 19455 on ...).
  - >-
    In check mode the line says what would happen, C(2 now, 5 wanted (check mode: nothing was changed); would add 3 node(s)).
options:
  _input:
    description: The registered result of P(hpcops.clusters.ehpc_nodes#module).
    type: dict
    required: true
  before:
    description: The nodes read before the change (P(hpcops.clusters.ehpc_nodes_info#module)'s C(nodes)).
    type: list
    elements: dict
    required: true
  cluster_id:
    description: The cluster's ID, for the message.
    type: str
    required: true
  wanted:
    description: The node count asked for (printed in check mode).
    type: raw
    required: true
  role:
    description: The node role changed.
    type: str
    default: compute
  check_mode:
    description: Whether the run was in check mode (C(ansible_check_mode)).
    type: bool
    default: false
  current:
    description: The count before the change when the caller already counted it; null counts O(before).
    type: int
  wanted_word:
    description: The word after the count asked for in check mode.
    type: str
    default: wanted
"""

EXAMPLES = r"""
- name: Summarise the change
  ansible.builtin.debug:
    msg: "{{ result | hpcops.clusters.ehpc_scale_summary(before.nodes, 'ehpc-8jqdq0mz', 5, check_mode=ansible_check_mode) }}"
"""

RETURN = r"""
_value:
  description: The summary line.
  type: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpcops.clusters.plugins.plugin_utils.role_rules import is_leaving, labels_by_key


def _count(nodes, role):
    return len([n for n in nodes if isinstance(n, Mapping) and n.get("role") == role and not is_leaving(n)])


def ehpc_scale_summary(result, before, cluster_id, wanted, role="compute", check_mode=False, current=None,
                       wanted_word="wanted"):
    if not isinstance(result, Mapping) or not isinstance(before, list):
        raise AnsibleFilterError("ehpc_scale_summary expects an ehpc_nodes result and the list of nodes read before")
    after = result.get("nodes") or []
    labels = labels_by_key([before, after])
    named = ", ".join(labels.get(i, str(i)) for i in result.get("removed") or [])
    count = _count(before, role) if current is None else current
    if check_mode:
        text = "%s now, %s %s (check mode: nothing was changed)" % (count, wanted, wanted_word)
        add = (result.get("plan") or {}).get("add") or 0
        parts = ["would add %s node(s)" % add] if add else []
        parts += ["would remove " + named] if named else []
    else:
        text = "%s -> %s" % (count, _count(after, role))
        parts = ["added " + ", ".join(labels.get(i, str(i)) for i in result["added"])] if result.get("added") else []
        parts += ["removed " + named] if named else []
    gone = set(result.get("removed") or [])
    killed = ["%s on %s" % (", ".join(str(j) for j in n.get("jobs") or []), labels.get(n["id"], n["id"]))
              for n in before if isinstance(n, Mapping) and n.get("id") in gone and n.get("busy")]
    if killed:
        parts.append(("HPC jobs that would be killed: " if check_mode else "HPC jobs killed: ") + "; ".join(killed))
    return "; ".join(["%s nodes of %s: %s" % (role, cluster_id, text)] + parts)


class FilterModule:
    def filters(self):
        return {"ehpc_scale_summary": ehpc_scale_summary}
