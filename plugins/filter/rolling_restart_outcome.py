# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: rolling_restart_outcome
short_description: What became of a batch of EHPC node restarts, and which drained Slurm nodes may be resumed
version_added: 0.2.0
description:
  - Takes the registered result of P(hpcops.clusters.ehpc_nodes#module) with O(hpcops.clusters.ehpc_nodes#module:state=restarted)
    and O(hpcops.clusters.ehpc_nodes#module:wait=true), and sorts the batch's nodes into those restarted (the job
    succeeded), still restarting (the restart was or may have been sent and is not known to have finished, because the job
    timed out, vanished, its status could not be read, or the answer to the restart call was lost), whose restart
    job failed (it ended), and not restarted (nothing was sent).
  - Of the Slurm nodes the batch drained, C(resume) lists those that may be put back into service and
    C(keep_drained) those that must stay drained because their node may still reboot.
  - Used by the P(hpcops.clusters.ehpc_rolling_restart#role) role; a result that is not a dict fails the task.
options:
  _input:
    description: The registered P(hpcops.clusters.ehpc_nodes#module) result; V({}) or a skipped result when the restart did not run.
    type: dict
    required: true
  batch:
    description: Node IDs given to the restart.
    type: list
    elements: str
    required: true
  drained:
    description: Slurm node names this batch drained (P(hpcops.clusters.slurm_node#module)'s RV(hpcops.clusters.slurm_node#module:changed_nodes)).
    type: list
    elements: str
    default: []
  slurm_names:
    description: Node ID to Slurm node name, for the batch's compute nodes.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Decide which drained nodes to resume
  ansible.builtin.set_fact:
    outcome: "{{ restart_result | hpcops.clusters.rolling_restart_outcome(batch, drain_result.changed_nodes, names) }}"
"""

RETURN = r"""
_value:
  description:
    - C(restart_sent) (V(yes), V(no) or V(unknown)), C(job_ids), C(restarted), C(restarting), C(restart_failed),
      C(not_restarted) (node IDs), C(resume) and C(keep_drained) (Slurm names).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.hpcops.clusters.plugins.plugin_utils.rolling_restart import OutcomeError, batch_outcome


def rolling_restart_outcome(restart, batch, drained=None, slurm_names=None):
    try:
        return batch_outcome(restart, batch, drained, slurm_names)
    except OutcomeError as err:
        raise AnsibleFilterError("rolling_restart_outcome: %s" % err)


class FilterModule:
    def filters(self):
        return {"rolling_restart_outcome": rolling_restart_outcome}
