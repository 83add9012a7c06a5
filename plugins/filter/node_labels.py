# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: node_labels
short_description: Nodes named for messages, as C(name (ID))
version_added: 0.2.0
description:
  - Takes node keys (IDs, say) and returns the label of each as the roles print nodes, C(compute03 (cln-4x1b2c3d)).
  - The names are looked up in the node lists given, a later list winning (it was read later). A key that no list
    shows stays as it is, and a node without a name is labelled by its key alone.
options:
  _input:
    description: Keys of the nodes to label (the values of their O(key) attribute).
    type: list
    elements: str
    required: true
  nodes:
    description:
      - Node lists as the modules return them in C(nodes), each a positional argument; give one list or several.
    type: list
    elements: dict
    required: true
  key:
    description: The node attribute the input lists, V(id) for EHPC nodes, V(uid) for CCE nodes.
    type: str
    default: id
"""

EXAMPLES = r"""
- name: Say which nodes were added
  ansible.builtin.debug:
    msg: "added {{ result.added | hpcops.clusters.node_labels(before.nodes, result.nodes) | join(', ') }}"
"""

RETURN = r"""
_value:
  description: One label per key, in the order of the input.
  type: list
  elements: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpcops.clusters.plugins.plugin_utils.role_rules import labels_by_key


def node_labels(keys, *nodes, **kwargs):
    key = kwargs.pop("key", "id")
    if kwargs:
        raise AnsibleFilterError("node_labels: unknown option(s) %s" % ", ".join(sorted(kwargs)))
    if isinstance(keys, (str, Mapping)):
        raise AnsibleFilterError("node_labels expects a list of node keys, got %s" % type(keys).__name__)
    labels = labels_by_key(nodes, key)
    return [labels.get(k, str(k)) for k in keys]


class FilterModule:
    def filters(self):
        return {"node_labels": node_labels}
