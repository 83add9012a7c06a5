# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: number_problems
short_description: What is wrong with role variables that must be whole numbers
version_added: 0.2.0
description:
  - Takes a mapping of variable names to their values, in the order they should be reported, and returns one
    message per value that is wrong, in that order; an empty list when all are right.
  - >-
    A boolean is always wrong: Ansible's C(int) type, and so a role's argument specification, reads V(true) as 1,
    so C(count: yes) would scale a cluster to one node. Its message is C(<name> must be a whole number, not a boolean (got True)).
  - With O(minimum), a value that is not a whole number at least O(minimum) is wrong too (texts such as V("5") from
    a survey count as numbers). Its message is C(<name> must be at least <minimum> <unit>, got <value>).
options:
  _input:
    description: Variable names and their values.
    type: dict
    required: true
  minimum:
    description: Smallest value allowed. Null checks for booleans only.
    type: int
  unit:
    description: Unit named in the message, in the singular (V(second) gives C(at least 1 second), C(at least 5 seconds)).
    type: str
  message:
    description:
      - Message for any wrong value instead of the two above, a Python format string with the fields
        C({name}), C({value}) and C({minimum}).
    type: str
"""

EXAMPLES = r"""
- name: Refuse a boolean where a number is meant
  vars:
    problems: "{{ {'my_count': my_count, 'my_timeout': my_timeout} | hpcops.clusters.number_problems }}"
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | first | default('') }}"

- name: Refuse a timeout under one second
  vars:
    problems: "{{ {'my_timeout': my_timeout} | hpcops.clusters.number_problems(minimum=1, unit='second') }}"
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | first | default('') }}"   # my_timeout must be at least 1 second, got 0
"""

RETURN = r"""
_value:
  description: One message per wrong value, in the order of the input; empty when every value is right.
  type: list
  elements: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpcops.clusters.plugins.plugin_utils.role_rules import whole_number


def number_problems(values, minimum=None, unit=None, message=None):
    if not isinstance(values, Mapping):
        raise AnsibleFilterError("number_problems expects a mapping of variable names to values, got %s"
                                 % type(values).__name__)
    if minimum is not None:
        minimum = whole_number(minimum)
        if minimum is None:
            raise AnsibleFilterError("number_problems: minimum must be a whole number")
    problems = []
    for name, value in values.items():
        if isinstance(value, bool):
            default = "{name} must be a whole number, not a boolean (got {value})"
        elif minimum is not None and (whole_number(value) is None or whole_number(value) < minimum):
            default = "{name} must be at least {minimum}%s, got {value}" % (
                "" if not unit else " %s%s" % (unit, "" if minimum == 1 else "s"))
        else:
            continue
        problems.append((message or default).format(name=name, value=value, minimum=minimum))
    return problems


class FilterModule:
    def filters(self):
        return {"number_problems": number_problems}
