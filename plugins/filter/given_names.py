# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: given_names
short_description: The names of the role variables that were given a value, a blank answer counting as not given
version_added: 0.2.0
description:
  - Takes a mapping of variable names to their values and returns the names whose value is not blank, in the order given.
  - Blank is null, a text of blanks only (an unanswered survey question gives V("")), an empty list or an empty mapping,
    as for P(hpcops.clusters.blank_problems#filter).
  - Use it where exactly one of several variables must be given, for example one login method.
options:
  _input:
    description: Variable names and their values.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Check that exactly one login method is given
  vars:
    logins: "{{ {'my_ssh_key': my_ssh_key, 'my_password': my_password} | hpcops.clusters.given_names }}"
  ansible.builtin.assert:
    that: logins | length == 1
"""

RETURN = r"""
_value:
  description: The names of the variables given a value, in the order of the input.
  type: list
  elements: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpcops.clusters.plugins.plugin_utils.role_rules import is_blank


def given_names(values):
    if not isinstance(values, Mapping):
        raise AnsibleFilterError("given_names expects a mapping of variable names to values, got %s"
                                 % type(values).__name__)
    return [name for name, value in values.items() if not is_blank(value)]


class FilterModule:
    def filters(self):
        return {"given_names": given_names}
