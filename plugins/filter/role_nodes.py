# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: role_nodes
short_description: The nodes of one role in a cluster's node list
version_added: 0.2.0
description:
  - Takes a cluster's nodes as a module returned them (P(hpcops.clusters.ehpc_nodes_info#module)'s C(nodes), say) and
    returns the keys (IDs) of the nodes whose C(role) is O(role), in the order of the list.
  - >-
    With O(live=true), nodes already being deleted (an EHPC node's C(transition_status) V(deleting)) are left out:
    they are on their way out, there is nothing left to restart.
  - >-
    With O(among), only those keys, in the order of O(among). A key of O(among) that no node in the list has is kept:
    its role cannot be told, and a caller that must act on every node of the role (drain every compute node of a
    batch in Slurm) must not miss one it cannot see. P(hpcops.clusters.node_names#filter) then reports it as unlisted.
options:
  _input:
    description: The cluster's nodes.
    type: list
    elements: dict
    required: true
  role:
    description: The node role, V(compute) or V(login) for EHPC nodes.
    type: str
    required: true
  among:
    description: Keys to pick from; null picks from the whole list.
    type: list
    elements: str
  live:
    description: Leave out nodes being deleted.
    type: bool
    default: false
  key:
    description: The node attribute returned (and listed in O(among)).
    type: str
    default: id
"""

EXAMPLES = r"""
- name: Restart every compute node that is not being deleted
  ansible.builtin.set_fact:
    targets: "{{ info.nodes | hpcops.clusters.role_nodes('compute', live=true) }}"

- name: Which nodes of the batch Slurm runs jobs on
  ansible.builtin.set_fact:
    to_drain: "{{ info.nodes | hpcops.clusters.role_nodes('compute', among=batch) }}"
"""

RETURN = r"""
_value:
  description: The O(key) of each node picked.
  type: list
  elements: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpcops.clusters.plugins.plugin_utils.role_rules import is_leaving


def role_nodes(nodes, role, among=None, live=False, key="id"):
    if not isinstance(nodes, list) or isinstance(among, (str, Mapping)):
        raise AnsibleFilterError("role_nodes expects a list of nodes (and among as a list of node keys)")
    picked = [node for node in nodes if isinstance(node, Mapping) and node.get("role") == role
              and not (live and is_leaving(node))]
    if among is None:
        return [node.get(key) for node in picked]
    known = set(node.get(key) for node in nodes if isinstance(node, Mapping))
    chosen = set(node.get(key) for node in picked)
    return [k for k in among if k in chosen or k not in known]


class FilterModule:
    def filters(self):
        return {"role_nodes": role_nodes}
