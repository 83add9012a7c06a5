# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: blank_problems
short_description: What is wrong with role variables that must not be blank
version_added: 0.2.0
description:
  - Takes a mapping of variable names to their values and returns one message per blank value, in the order given;
    an empty list when none is blank.
  - Blank is null, a text of blanks only (an unanswered survey question gives V("")), an empty list or an empty mapping.
    A number is not blank.
  - >-
    The message is C(<name> is blank), or C(<name> must not be blank: <why>) with O(why).
options:
  _input:
    description: Variable names and their values.
    type: dict
    required: true
  why:
    description: Why the value is needed, added to the message.
    type: str
"""

EXAMPLES = r"""
- name: Refuse a blank cluster ID
  vars:
    problems: "{{ {'my_cluster_id': my_cluster_id} | hpcops.clusters.blank_problems }}"
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | first | default('') }}"   # my_cluster_id is blank
"""

RETURN = r"""
_value:
  description: One message per blank value, in the order of the input; empty when none is blank.
  type: list
  elements: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpcops.clusters.plugins.plugin_utils.role_rules import is_blank


def blank_problems(values, why=None):
    if not isinstance(values, Mapping):
        raise AnsibleFilterError("blank_problems expects a mapping of variable names to values, got %s"
                                 % type(values).__name__)
    text = "%s is blank" if not why else "%s must not be blank: " + why.replace("%", "%%")
    return [text % name for name, value in values.items() if is_blank(value)]


class FilterModule:
    def filters(self):
        return {"blank_problems": blank_problems}
