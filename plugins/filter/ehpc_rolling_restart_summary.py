# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: ehpc_rolling_restart_summary
short_description: The summary of a rolling restart that went through every batch, and the work it left undone
version_added: 0.2.0
description:
  - >-
    Builds the line the P(hpcops.clusters.ehpc_rolling_restart#role) role prints at the end of a run, for example
    C(restarted 4 of 4 nodes of ehpc-8jqdq0mz in 2 batch...: compute01 ...), from the run's facts. Nodes are named
    with their ID as P(hpcops.clusters.node_labels#filter) names them.
  - >-
    Nodes skipped because they still ran HPC jobs are named; with a drain host, so are the Slurm nodes the run resumed
    (C(resumed in Slurm: compute01, compute02), or V(none)).
  - >-
    RV(_value.skipped_msg) says why the run fails when nodes were skipped as busy (work left undone), naming each with
    its HPC jobs; it is empty when no node was skipped.
  - A stop at a failed batch is reported by P(hpcops.clusters.rolling_restart_report#filter) instead.
options:
  _input:
    description:
      - C(cluster_id); C(targets), C(done) and C(skipped) (node IDs of the run); C(batches) (the batches, or their number);
        C(batch_size); C(nodes) (the node list read at the start, for the nodes' names).
      - For nodes skipped as busy C(skipped_jobs) (node ID to its HPC job IDs) and C(idle_timeout).
      - With a drain host C(drain=true) and C(resumed) (the Slurm names the run resumed, over every batch).
    type: dict
    required: true
  check_mode:
    description: Whether the run was in check mode (C(ansible_check_mode)); the line then says what would happen.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Summarise the rolling restart
  ansible.builtin.debug:
    msg: "{{ (facts | hpcops.clusters.ehpc_rolling_restart_summary(check_mode=ansible_check_mode)).msg }}"
"""

RETURN = r"""
_value:
  description: The summary and the failure message for nodes skipped as busy.
  type: dict
  contains:
    msg:
      description: The summary line.
      type: str
    skipped_msg:
      description: Why the run must fail because nodes were skipped as busy; empty when none was.
      type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.hpcops.clusters.plugins.plugin_utils.rolling_restart import OutcomeError, run_summary


def ehpc_rolling_restart_summary(facts, check_mode=False):
    try:
        return run_summary(facts, check_mode=bool(check_mode))
    except OutcomeError as err:
        raise AnsibleFilterError(str(err))


class FilterModule:
    def filters(self):
        return {"ehpc_rolling_restart_summary": ehpc_rolling_restart_summary}
