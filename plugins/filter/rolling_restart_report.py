# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: rolling_restart_report
short_description: The report and failure message of a rolling restart that stopped at a batch
version_added: 0.2.0
description:
  - Builds what the P(hpcops.clusters.ehpc_rolling_restart#role) role prints and fails with when a batch fails,
    from the run's facts, so each line says exactly which nodes were restarted, which are still restarting,
    which were resumed in Slurm and which were left drained.
  - The batch's nodes are sorted with P(hpcops.clusters.rolling_restart_outcome#filter).
options:
  _input:
    description:
      - C(cluster_id); C(targets), C(done), C(skipped) (node IDs of the run); C(batch) (the failed batch) and C(ready)
        (those of its nodes given to the restart); C(restart) (the registered restart result); C(labels) (node ID to
        a readable name); C(errors) (messages in the order they happened).
      - With a drain host also C(drain=true), C(drained) and C(resumed) (Slurm names) and C(slurm_names) (node ID to
        Slurm name).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Report how far the rolling restart got
  ansible.builtin.debug:
    msg: "{{ (facts | hpcops.clusters.rolling_restart_report).lines }}"
"""

RETURN = r"""
_value:
  description: C(lines) (the report, one fact a line), C(msg) (one line for the failure), C(changed) and C(outcome).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.hpcops.clusters.plugins.plugin_utils.rolling_restart import OutcomeError, stop_report


def rolling_restart_report(facts):
    try:
        return stop_report(facts)
    except OutcomeError as err:
        raise AnsibleFilterError(str(err))


class FilterModule:
    def filters(self):
        return {"rolling_restart_report": rolling_restart_report}
