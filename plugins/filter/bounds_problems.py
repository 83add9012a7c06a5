# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: bounds_problems
short_description: What is wrong with a pair of role variables that are a lower and an upper bound
version_added: 0.2.0
description:
  - Takes a mapping of exactly two variables, the lower bound first, and returns C([<lower> <value> is above <upper> <value>])
    when the lower bound is above the upper bound; an empty list otherwise.
  - A null upper bound means no limit. Texts such as V("5") from a survey count as numbers; a value that is not a whole
    number is left to P(hpcops.clusters.number_problems#filter) and the role's argument specification.
options:
  _input:
    description: The lower bound's name and value, then the upper bound's.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Refuse a minimum above the maximum
  vars:
    problems: "{{ {'my_min_nodes': my_min_nodes, 'my_max_nodes': my_max_nodes} | hpcops.clusters.bounds_problems }}"
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | first | default('') }}"   # my_min_nodes 5 is above my_max_nodes 3
"""

RETURN = r"""
_value:
  description: The message when the lower bound is above the upper bound, else nothing.
  type: list
  elements: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpcops.clusters.plugins.plugin_utils.role_rules import whole_number


def bounds_problems(values):
    if not isinstance(values, Mapping) or len(values) != 2:
        raise AnsibleFilterError("bounds_problems expects a mapping of two variables, the lower bound first")
    (low_name, low), (high_name, high) = values.items()
    if high is None or whole_number(low) is None or whole_number(high) is None:
        return []
    if whole_number(low) > whole_number(high):
        return ["%s %s is above %s %s" % (low_name, low, high_name, high)]
    return []


class FilterModule:
    def filters(self):
        return {"bounds_problems": bounds_problems}
