# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: k8s_drain_outcome
short_description: Which nodes a loop of kubernetes.core.k8s_drain drained, and on which pods outlived the wait
version_added: 0.2.0
description:
  - Takes the registered result of a task that ran C(kubernetes.core.k8s_drain) (C(state=drain)) once per node in a loop.
  - RV(_value.drained) names the nodes whose item changed, the nodes this run cordoned; only these are uncordoned
    after a failure (a node cordoned before stays so).
  - >-
    RV(_value.late) names the nodes on which pods were still running at the drain's C(wait_timeout): k8s_drain reports
    that as a warning (C(timeout reached while pods were still running.)), not as a failure. ansible-core 2.19 may move
    a loop item's warnings to the loop's result, where the item is not known: then every node of O(nodes) counts as late
    (fail closed).
options:
  _input:
    description: The registered result of the k8s_drain loop (with C(results), or skipped).
    type: dict
    required: true
  nodes:
    description: The node names the loop ran over.
    type: list
    elements: str
    required: true
  loop_var:
    description: The loop variable (C(loop_control.loop_var)) that holds the node name in each item.
    type: str
    default: item
"""

EXAMPLES = r"""
- name: Fail when pods were still running on a node at the drain's timeout
  vars:
    outcome: "{{ drains | hpcops.clusters.k8s_drain_outcome(k8s_nodes, 'k8s_node') }}"
  ansible.builtin.assert:
    that: outcome.late | length == 0
    fail_msg: pods were still running on {{ outcome.late | join(', ') }}
"""

RETURN = r"""
_value:
  description: The nodes drained and the nodes drained late.
  type: dict
  contains:
    drained:
      description: Nodes whose drain changed them (cordoned by this run), in loop order.
      type: list
      elements: str
    late:
      description: Nodes on which pods were still running at the drain's timeout.
      type: list
      elements: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

# The warning kubernetes.core's k8s_drain module adds when its wait_timeout ends with pods
# still on the node (it then succeeds).
TIMEOUT_WARNING = "timeout reached while pods were still running."


def k8s_drain_outcome(result, nodes, loop_var="item"):
    if not isinstance(result, Mapping) or isinstance(nodes, (str, Mapping)):
        raise AnsibleFilterError("k8s_drain_outcome expects the registered result of the k8s_drain loop and its node names")
    items = [r for r in result.get("results") or [] if isinstance(r, Mapping)]
    drained = [r.get(loop_var) for r in items if r.get("changed")]
    late = [r.get(loop_var) for r in items if TIMEOUT_WARNING in (r.get("warnings") or [])]
    if not late and TIMEOUT_WARNING in (result.get("warnings") or []):
        late = list(nodes)
    return {"drained": drained, "late": late}


class FilterModule:
    def filters(self):
        return {"k8s_drain_outcome": k8s_drain_outcome}
