# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: split_busy
short_description: Which of some EHPC nodes run HPC jobs now and which are idle
version_added: 0.2.0
description:
  - Takes the nodes P(hpcops.clusters.ehpc_nodes_info#module) returned with its jobs (C(busy), C(jobs)) and the IDs of
    the nodes asked about, and splits those IDs into busy and idle ones, in the order given.
  - A node the list does not show runs no job that could be seen; it counts as idle (the module that acts on it
    next fails on a node that is gone).
options:
  _input:
    description: The nodes, as P(hpcops.clusters.ehpc_nodes_info#module) returns them.
    type: list
    elements: dict
    required: true
  among:
    description: IDs of the nodes asked about.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Set aside the nodes that are still busy
  vars:
    split: "{{ info.nodes | hpcops.clusters.split_busy(batch) }}"
  ansible.builtin.set_fact:
    ready: "{{ split.idle }}"
    skipped: "{{ skipped + split.busy }}"
    skipped_jobs: "{{ skipped_jobs | combine(split.jobs) }}"
"""

RETURN = r"""
_value:
  description: The nodes asked about, split.
  type: dict
  contains:
    busy:
      description: IDs of the nodes that run HPC jobs.
      type: list
      elements: str
    idle:
      description: IDs of the other nodes.
      type: list
      elements: str
    jobs:
      description: ID of each busy node -> the IDs of its HPC jobs.
      type: dict
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError


def split_busy(nodes, among):
    if not isinstance(nodes, list) or not isinstance(among, list):
        raise AnsibleFilterError("split_busy expects the list of nodes ehpc_nodes_info returned and a list of node IDs")
    by_id = dict((node.get("id"), node) for node in nodes if isinstance(node, Mapping))
    busy = [i for i in among if by_id.get(i, {}).get("busy")]
    return {"busy": busy, "idle": [i for i in among if i not in busy],
            "jobs": dict((i, list(by_id[i].get("jobs") or [])) for i in busy)}


class FilterModule:
    def filters(self):
        return {"split_busy": split_busy}
