# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: drained_to_resume
short_description: Which drained nodes go back into service after a failed drain-and-remove
version_added: 0.2.0
description:
  - >-
    A drained removal takes nodes out of service (drained in Slurm, cordoned in Kubernetes), then removes them. When a
    step fails, the nodes this run took out go back into service, except the nodes whose removal went through:
    one on its way out must stay out, or it would be handed work.
  - Takes the names of the nodes this run took out (nodes that were out of service before are never put back) and
    returns the ones to put back and the ones left out.
  - O(after) is the registered result of reading the cluster again after the failure. When that read was skipped
    (no removal was tried), every picked node is still there. When it failed, no node is known to stay, so none is
    put back (fail closed). Otherwise a picked node stays when the read shows it and it is not being deleted
    (an EHPC node's C(transition_status) V(deleting), a CCE node's C(phase) V(Deleting)).
options:
  _input:
    description: Names (in the other system) of the nodes this run took out of service.
    type: list
    elements: str
    required: true
  names:
    description: The picked nodes, key -> name in the other system (RV(hpcops.clusters.node_names#filter:_value.by_key)).
    type: dict
    required: true
  after:
    description: The registered result of the read after the failure (skipped, failed, or with C(nodes)).
    type: dict
    required: true
  key:
    description: The node attribute that is the key in O(names), V(id) for EHPC nodes, V(name) or V(uid) for CCE nodes.
    type: str
    default: id
"""

EXAMPLES = r"""
- name: Work out which drained nodes go back into service
  ansible.builtin.set_fact:
    back: "{{ drain.changed_nodes | default([]) | hpcops.clusters.drained_to_resume(slurm.by_key, after_failure) }}"
  # back.resume: [compute03], back.left_out: [], back.unread: false
"""

RETURN = r"""
_value:
  description: What to put back into service and what to leave out.
  type: dict
  contains:
    resume:
      description: Names to put back into service (drained by this run, still in the cluster, not being deleted).
      type: list
      elements: str
    left_out:
      description: Names this run took out that stay out (their removal may be under way), in the order of the input.
      type: list
      elements: str
    unread:
      description: The cluster could not be read again, so every node this run took out stays out.
      type: bool
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpcops.clusters.plugins.plugin_utils.role_rules import is_leaving


def drained_to_resume(drained, names, after, key="id"):
    if isinstance(drained, (str, Mapping)) or not isinstance(names, Mapping) or not isinstance(after, Mapping):
        raise AnsibleFilterError("drained_to_resume expects a list of names, a mapping of keys to names "
                                 "and the registered result of the read after the failure")
    unread = bool(after.get("failed"))
    if after.get("skipped"):
        staying = list(names)
    elif unread:
        staying = []
    elif isinstance(after.get("nodes"), list):
        staying = [node.get(key) for node in after["nodes"]
                   if isinstance(node, Mapping) and node.get(key) in names and not is_leaving(node)]
    else:
        # A read that is neither skipped, failed nor a node list is a surprise: keep the nodes out.
        staying, unread = [], True
    ours = set(drained)
    staying_names = [names[k] for k in staying]
    return {"resume": [name for name in staying_names if name in ours],
            "left_out": [name for name in drained if name not in set(staying_names)],
            "unread": unread}


class FilterModule:
    def filters(self):
        return {"drained_to_resume": drained_to_resume}
