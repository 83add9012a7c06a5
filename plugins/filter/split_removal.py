# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: split_removal
short_description: Which nodes of a cluster a removal takes and which stay
version_added: 0.2.0
description:
  - Takes a cluster's nodes as a module returned them and the keys of the nodes a removal plans to take
    (RV(hpcops.clusters.cce_node_remove#module:removed) in check mode, say), and splits the live nodes in two.
  - >-
    Nodes already being deleted (an EHPC node's C(transition_status) V(deleting), a CCE node's C(phase) V(Deleting))
    are neither leaving nor staying: they are gone already.
options:
  _input:
    description: The cluster's nodes.
    type: list
    elements: dict
    required: true
  removed:
    description: Keys of the nodes the removal takes.
    type: list
    elements: str
    required: true
  key:
    description: The node attribute O(removed) lists, V(id) for EHPC nodes, V(uid) for CCE nodes.
    type: str
    default: id
  name:
    description: The node attribute returned for each node.
    type: str
    default: name
"""

EXAMPLES = r"""
- name: Work out which nodes go and which stay
  ansible.builtin.set_fact:
    split: "{{ plan.nodes | hpcops.clusters.split_removal(plan.removed, key='uid') }}"
  # split.leaving: [cce-demo-node-3], split.staying: [cce-demo-node-1, cce-demo-node-2], split.live: 3
"""

RETURN = r"""
_value:
  description: The live nodes, split.
  type: dict
  contains:
    leaving:
      description: O(name) of each live node the removal takes, in the order of the input.
      type: list
      elements: str
    staying:
      description: O(name) of each live node that stays, in the order of the input.
      type: list
      elements: str
    live:
      description: How many nodes are live (not being deleted) now.
      type: int
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpcops.clusters.plugins.plugin_utils.role_rules import is_leaving


def split_removal(nodes, removed, key="id", name="name"):
    if not isinstance(nodes, list) or isinstance(removed, (str, Mapping)):
        raise AnsibleFilterError("split_removal expects a list of nodes and a list of node keys")
    gone = set(removed)
    live = [node for node in nodes if isinstance(node, Mapping) and not is_leaving(node)]
    return {"leaving": [node.get(name) for node in live if node.get(key) in gone],
            "staying": [node.get(name) for node in live if node.get(key) not in gone],
            "live": len(live)}


class FilterModule:
    def filters(self):
        return {"split_removal": split_removal}
