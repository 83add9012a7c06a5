# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: node_names
short_description: The names cloud nodes have in another system, such as Slurm or Kubernetes
version_added: 0.2.0
description:
  - Takes the keys of the nodes picked (node IDs, say), looks each up in O(nodes) (a node list as the modules return it)
    by O(key), and reads the node's name in the other system from its attribute O(attribute), for example the EHPC
    node's C(name) for Slurm or the CCE node's C(private_ip) for Kubernetes.
  - Fails closed. RV(_value.complete) is V(true) only when every picked node is in O(nodes), every name is non-blank
    and no two picked nodes share a name; a node that cannot be named cannot be drained, so it must not be removed.
  - When a key matches several nodes, the last one counts.
options:
  _input:
    description: Keys of the picked nodes (the values of their O(key) attribute).
    type: list
    elements: str
    required: true
  nodes:
    description: The nodes to look them up in.
    type: list
    elements: dict
    required: true
  attribute:
    description: The node attribute that is the node's name in the other system.
    type: str
    required: true
  key:
    description: The node attribute the input lists.
    type: str
    default: id
"""

EXAMPLES = r"""
- name: Name the picked EHPC nodes as Slurm knows them
  ansible.builtin.set_fact:
    slurm: "{{ plan.plan.remove | hpcops.clusters.node_names(plan.nodes, 'name') }}"
  # slurm.names: [compute03], slurm.by_key: {cln-4x1b2c3d: compute03}, slurm.complete: true
"""

RETURN = r"""
_value:
  description: The names and what kept them from being complete.
  type: dict
  contains:
    names:
      description: The names of the picked nodes found in O(nodes), in the order of the input (blank where the attribute is).
      type: list
      elements: str
    by_key:
      description: Key of each picked node found -> its name.
      type: dict
    unlisted:
      description: Picked keys not in O(nodes).
      type: list
      elements: str
    complete:
      description: Every picked node found, named and named differently from the others.
      type: bool
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError


def node_names(keys, nodes, attribute, key="id"):
    if isinstance(keys, (str, Mapping)) or not isinstance(nodes, list):
        raise AnsibleFilterError("node_names expects a list of node keys and a list of nodes")
    by_key = dict((node.get(key), node) for node in nodes if isinstance(node, Mapping))
    listed = [k for k in keys if k in by_key]
    by_name = {}
    for k in listed:
        value = by_key[k].get(attribute)
        by_name[k] = "" if value is None else str(value).strip()
    names = [by_name[k] for k in listed]
    unlisted = [k for k in keys if k not in by_key]
    complete = not unlisted and "" not in names and len(set(names)) == len(names)
    return {"names": names, "by_key": by_name, "unlisted": unlisted, "complete": complete}


class FilterModule:
    def filters(self):
        return {"node_names": node_names}
