# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: within_bounds
short_description: Whether a number lies within guard rails
version_added: 0.2.0
description:
  - Returns V(true) when the input is a whole number from O(minimum) to O(maximum), both included.
  - A null bound means no limit on that side. Texts such as V("5") from a survey count as numbers.
  - Fails closed, V(false), for a boolean or anything that is not a whole number, in the input or in a bound.
options:
  _input:
    description: The number to check, for example the node count asked for.
    type: raw
    required: true
  minimum:
    description: Smallest value allowed; null for no lower limit.
    type: raw
  maximum:
    description: Largest value allowed; null for no upper limit.
    type: raw
"""

EXAMPLES = r"""
- name: Check the guard rails before touching the cluster
  ansible.builtin.assert:
    that: my_count | hpcops.clusters.within_bounds(my_min_nodes, my_max_nodes)
    fail_msg: the guard rails allow {{ my_min_nodes }} to {{ 'any number' if my_max_nodes is none else my_max_nodes }}
"""

RETURN = r"""
_value:
  description: Whether the number is within the bounds.
  type: bool
"""

from ansible_collections.hpcops.clusters.plugins.plugin_utils.role_rules import whole_number


def within_bounds(value, minimum=None, maximum=None):
    number = whole_number(value)
    if number is None:
        return False
    for bound, inside in ((minimum, lambda b: number >= b), (maximum, lambda b: number <= b)):
        if bound is None:
            continue
        if whole_number(bound) is None or not inside(whole_number(bound)):
            return False
    return True


class FilterModule:
    def filters(self):
        return {"within_bounds": within_bounds}
