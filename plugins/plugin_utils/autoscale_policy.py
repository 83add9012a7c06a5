# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The autoscale decision for an EHPC cluster: a target compute count (private to hpcops.clusters).

Pure: it sees numbers the caller has already read (pending jobs, compute nodes, which of them
are busy, how long each idle node has been idle, minutes since the last change) and returns
the target and a sentence saying why, so every rule is tested over a table of situations.

Rules, in order:
- the result is always within [min_nodes, max_nodes], and min_nodes is at least 1 (the API
  keeps one node of every role);
- pending jobs grow the cluster by ``pending_jobs * nodes_per_pending_job`` nodes minus the
  nodes idle now (they can take a job), at most ``scale_out_step`` nodes per run; the EHPC
  job list documents no node request per job, so each pending job counts as
  ``nodes_per_pending_job`` nodes (see docs/api-decisions.md);
- with nothing pending, only nodes idle for at least ``idle_minutes`` may go, never a busy one;
- no change at all within ``cooldown_minutes`` of the last change, except to come back
  inside the bounds.
"""

from __future__ import annotations

__metaclass__ = type

from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    min_nodes: int = 1
    max_nodes: int = 10
    nodes_per_pending_job: int = 1
    scale_out_step: int = 5
    idle_minutes: int = 30
    cooldown_minutes: int = 10

    def problems(self) -> list:
        """Why this policy cannot be used (empty when it can)."""
        found = []
        for name in ("min_nodes", "max_nodes", "nodes_per_pending_job", "scale_out_step",
                     "idle_minutes", "cooldown_minutes"):
            value = getattr(self, name)
            # bool is an int in Python; a True here is a typo, not a count.
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                found.append("%s must be a whole number >= 0, got %r" % (name, value))
        if not found:
            if self.min_nodes < 1:
                # The EHPC API keeps one node of every role: a target of 0 is refused on every run.
                found.append("min_nodes must be at least 1 (the EHPC API keeps one compute node), got %d"
                             % self.min_nodes)
            if self.max_nodes < 1:
                found.append("max_nodes must be at least 1")
            if self.min_nodes > self.max_nodes:
                found.append("min_nodes (%d) is above max_nodes (%d)" % (self.min_nodes, self.max_nodes))
            if self.nodes_per_pending_job < 1 or self.scale_out_step < 1:
                found.append("nodes_per_pending_job and scale_out_step must be at least 1")
        return found


@dataclass(frozen=True)
class Decision:
    current: int
    target: int
    reason: str
    # idle node ids that may go (longest idle first), for a scale-in
    removable: tuple = ()

    @property
    def change(self) -> int:
        return self.target - self.current


def decide(policy: Policy, pending_jobs: int, compute_nodes: int, busy_nodes: int,
           idle_for: dict, minutes_since_change) -> Decision:
    """Target compute count.

    idle_for maps each idle compute node id to the minutes it has been idle;
    minutes_since_change is None when no change is known.
    """
    problems = policy.problems()
    if problems:
        raise ValueError("; ".join(problems))
    idle_now = len(idle_for)
    facts = "%d jobs pending, %d idle nodes" % (pending_jobs, idle_now)

    def done(target, why, removable=()):
        arrow = "%d -> %d" % (compute_nodes, target) if target != compute_nodes else "stay at %d" % target
        return Decision(compute_nodes, target, "%s: %s, %s" % (facts, arrow, why), tuple(removable))

    if compute_nodes < policy.min_nodes:
        return done(policy.min_nodes, "raised to min_nodes %d" % policy.min_nodes)
    if compute_nodes > policy.max_nodes:
        # only idle nodes can go; the rest stay even above the bound
        longest = sorted(idle_for, key=lambda n: (-idle_for[n], n))
        take = longest[:compute_nodes - policy.max_nodes]
        return done(compute_nodes - len(take), "lowered towards max_nodes %d (busy nodes kept)" % policy.max_nodes, take)

    if minutes_since_change is not None and minutes_since_change < policy.cooldown_minutes:
        return done(compute_nodes, "cooldown: last change %d min ago, cooldown_minutes %d"
                    % (minutes_since_change, policy.cooldown_minutes))

    if pending_jobs > 0:
        wanted = pending_jobs * policy.nodes_per_pending_job - idle_now
        if wanted <= 0:
            return done(compute_nodes, "idle nodes can take the pending jobs")
        step = min(wanted, policy.scale_out_step)
        target = min(compute_nodes + step, policy.max_nodes)
        if target == compute_nodes:
            return done(target, "already at max_nodes %d" % policy.max_nodes)
        if target < compute_nodes + wanted:
            cap = "max_nodes %d" % policy.max_nodes if target == policy.max_nodes else \
                "scale_out_step %d" % policy.scale_out_step
            return done(target, "capped by " + cap)
        return done(target, "%d nodes per pending job" % policy.nodes_per_pending_job)

    idle_long = sorted((n for n, m in idle_for.items() if m >= policy.idle_minutes),
                       key=lambda n: (-idle_for[n], n))
    if not idle_long:
        return done(compute_nodes, "no node idle for idle_minutes %d" % policy.idle_minutes)
    take = idle_long[:max(0, compute_nodes - policy.min_nodes)]
    if not take:
        return done(compute_nodes, "already at min_nodes %d" % policy.min_nodes)
    why = "%d nodes idle for idle_minutes %d" % (len(take), policy.idle_minutes)
    if len(take) < len(idle_long):
        why += ", kept at min_nodes %d" % policy.min_nodes
    return done(compute_nodes - len(take), why, take)
