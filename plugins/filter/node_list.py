# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: node_list
short_description: A list of node names or IDs from a list, a comma-separated string or a survey text area
version_added: 0.2.0
description:
  - Node lists reach a role in three forms. A playbook gives a YAML list, C(-e nodes=a,b) gives a
    comma-separated string, and an AWX survey text area gives one entry per line. This filter turns
    each form into the same list.
  - Entries are split at commas and line breaks (in a list's items too) outside brackets, so a Slurm
    host list such as V(compute[01,02]) stays one entry; blanks around an entry are removed, and empty
    entries are dropped. The order is kept and duplicates stay (the modules refuse or merge them by
    their own rules).
  - An entry with empty brackets (V(compute[])) or unbalanced ones fails the task, since it names no
    node and dropping it would shrink the list without a word.
  - V(null) and an empty string give an empty list (an unanswered survey question). Anything other
    than a string or a list, a number or a mapping for instance, fails the task with a message that
    names the type.
options:
  _input:
    description: The node list in any of the three forms.
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Nodes from a survey text area, from -e nodes=a,b, or a YAML list
  ansible.builtin.set_fact:
    wanted: "{{ nodes | hpcops.clusters.node_list }}"
  vars:
    nodes: "compute01\ncompute02\n"   # -> ['compute01', 'compute02']
"""

RETURN = r"""
_value:
  description: The node names or IDs, in the order given.
  type: list
  elements: str
"""

import re
from collections.abc import Sequence

from ansible.errors import AnsibleFilterError

_SEPARATORS = re.compile(r"[,\r\n]")


def _split(item):
    """Split at commas and line breaks outside brackets; refuse empty or unbalanced brackets."""
    entries, current, depth = [], [], 0
    for char in item + "\n":
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        if depth < 0 or depth > 1 or (depth and char in "\r\n"):
            raise AnsibleFilterError("node_list: unbalanced brackets in %r" % item)
        if depth == 0 and _SEPARATORS.match(char):
            entry = "".join(current).strip()
            if re.search(r"\[\s*\]", entry):
                raise AnsibleFilterError("node_list: empty brackets in %r name no node" % entry)
            if entry:
                entries.append(entry)
            current = []
        else:
            current.append(char)
    return entries


def node_list(value):
    if value is None:
        return []
    if isinstance(value, str):
        items = [value]
    elif isinstance(value, Sequence) and not isinstance(value, bytes):
        items = [str(item) for item in value]
    else:
        raise AnsibleFilterError("node_list expects a list or a string of node names or IDs, got %s"
                                 % type(value).__name__)
    return [entry for item in items for entry in _split(item)]


class FilterModule:
    def filters(self):
        return {"node_list": node_list}
