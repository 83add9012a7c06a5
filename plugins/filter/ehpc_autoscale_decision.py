# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: ehpc_autoscale_decision
short_description: Target compute count of an EHPC cluster from its nodes and pending jobs
version_added: 0.2.0
description:
  - Takes the result of P(hpcops.clusters.ehpc_nodes_info#module) read with O(hpcops.clusters.ehpc_nodes_info#module:pending=true)
    and returns C(current), C(target), C(removable) (idle node IDs that may go) and C(reason).
  - A node's idle time is counted from its C(create_time); the job list gives no finish time,
    so a node whose job just finished counts as idle since its creation, a known limit (see docs/api-decisions.md).
  - The last change is taken to be the newest compute node's C(create_time) (scale-outs only).
options:
  _input:
    description: The registered result of P(hpcops.clusters.ehpc_nodes_info#module).
    type: dict
    required: true
  policy:
    description: C(min_nodes), C(max_nodes), C(nodes_per_pending_job), C(scale_out_step), C(idle_minutes), C(cooldown_minutes).
    type: dict
    required: true
  now:
    description: Current time in seconds since the epoch (for tests); default the controller's clock.
    type: float
"""

EXAMPLES = r"""
- name: Decide
  ansible.builtin.set_fact:
    decision: "{{ info | hpcops.clusters.ehpc_autoscale_decision({'min_nodes': 1, 'max_nodes': 5}) }}"
"""

RETURN = r"""
_value:
  description: C(current), C(target), C(removable) and C(reason).
  type: dict
"""

import calendar
import time

from ansible.errors import AnsibleFilterError

from ansible_collections.hpcops.clusters.plugins.plugin_utils.autoscale_policy import Policy, decide


def _epoch(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def _whole(value):
    # -e and templating hand numbers over as text; a boolean is a mistake, not a count.
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value


def ehpc_autoscale_decision(info, policy, now=None):
    if not isinstance(info, dict) or "pending_jobs" not in info or "nodes" not in info:
        raise AnsibleFilterError("ehpc_autoscale_decision needs an ehpc_nodes_info result read with pending=true")
    now = time.time() if now is None else float(now)
    compute = [n for n in info["nodes"] if n.get("role") == "compute" and n.get("transition_status") != "deleting"
               and n.get("status") not in ("deleted", "ceased")]
    idle_for = {}
    for node in compute:
        if not node.get("busy") and node.get("status") == "active" and not node.get("transition_status"):
            idle_for[node["id"]] = max(0, int((now - _epoch(node["create_time"])) // 60))
    created = [_epoch(n["create_time"]) for n in compute if n.get("create_time")]
    # a clock a little behind the API would give -1 minute
    since = max(0, int((now - max(created)) // 60)) if created else None
    try:
        decision = decide(Policy(**dict((k, _whole(v)) for k, v in policy.items())), len(info["pending_jobs"]), len(compute),
                          sum(1 for n in compute if n.get("busy")), idle_for, since)
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError("autoscale policy: %s" % exc)
    reason = decision.reason
    unplaced = info.get("unplaced_jobs") or []
    if unplaced:
        # ehpc_nodes_info already counts every node busy under such a job (docs/api-decisions.md).
        reason += "; every node counts as busy: HPC job(s) %s run on nodes that can't be identified" % ", ".join(
            str(job.get("job_id") if isinstance(job, dict) else job) for job in unplaced)
    return dict(current=decision.current, target=decision.target, removable=list(decision.removable),
                reason=reason)


class FilterModule:
    def filters(self):
        return {"ehpc_autoscale_decision": ehpc_autoscale_decision}
