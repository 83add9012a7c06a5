"""The autoscale decision over a table of situations: pending, idle, bounds, cooldown, step cap."""

from __future__ import annotations

import pytest

from ansible_collections.hpcops.clusters.plugins.plugin_utils.autoscale_policy import Policy, decide

P = Policy(min_nodes=1, max_nodes=5, nodes_per_pending_job=1, scale_out_step=3,
           idle_minutes=30, cooldown_minutes=10)

# (name, policy, pending, nodes, busy, idle_for, minutes_since_change, target, removable, reason part)
TABLE = [
    ("pending grows by the jobs", P, 2, 2, 2, {}, None, 4, (), "2 -> 4"),
    ("idle nodes take pending jobs first", P, 1, 2, 1, {"cln-a": 0}, None, 2, (), "idle nodes can take"),
    ("step cap", P, 9, 1, 1, {}, None, 4, (), "capped by scale_out_step 3"),
    ("max cap", Policy(max_nodes=5, nodes_per_pending_job=2, scale_out_step=10), 3, 2, 2, {}, None, 5, (),
     "3 jobs pending, 0 idle nodes: 2 -> 5, capped by max_nodes 5"),
    ("at max stays", P, 4, 5, 5, {}, None, 5, (), "already at max_nodes 5"),
    ("cooldown holds a scale-out", P, 3, 2, 2, {}, 4, 2, (), "cooldown"),
    ("after cooldown it grows", P, 3, 2, 2, {}, 10, 5, (), "2 -> 5"),
    ("cooldown holds a scale-in", P, 0, 3, 0, {"cln-a": 60, "cln-b": 60}, 1, 3, (), "cooldown"),
    ("idle long enough go, longest first", P, 0, 4, 1, {"cln-a": 31, "cln-b": 90, "cln-c": 5}, None, 2,
     ("cln-b", "cln-a"), "2 nodes idle"),
    ("not idle long enough", P, 0, 3, 0, {"cln-a": 29}, None, 3, (), "no node idle"),
    ("min_nodes kept", P, 0, 2, 0, {"cln-a": 40, "cln-b": 50}, None, 1, ("cln-b",), "kept at min_nodes 1"),
    ("at min stays", P, 0, 1, 0, {"cln-a": 99}, None, 1, (), "already at min_nodes"),
    ("below min is raised even in cooldown", Policy(min_nodes=2, max_nodes=5), 0, 0, 0, {}, 1, 2, (),
     "raised to min_nodes 2"),
    ("above max drops idle only, busy kept", P, 0, 7, 6, {"cln-z": 1}, 1, 6, ("cln-z",), "busy nodes kept"),
    ("nodes_per_pending_job multiplies", Policy(max_nodes=10, nodes_per_pending_job=2, scale_out_step=10),
     2, 1, 1, {}, None, 5, (), "2 nodes per pending job"),
]


@pytest.mark.parametrize("name,policy,pending,nodes,busy,idle_for,since,target,removable,why", TABLE,
                         ids=[row[0] for row in TABLE])
def test_decision_table(name, policy, pending, nodes, busy, idle_for, since, target, removable, why):
    decision = decide(policy, pending, nodes, busy, idle_for, since)
    assert decision.target == target
    assert decision.removable == removable
    assert why in decision.reason
    assert decision.change == target - nodes
    assert policy.min_nodes <= decision.target or decision.target == nodes


def test_never_removes_more_than_idle_nodes():
    for nodes in range(0, 9):
        for idle in range(0, nodes + 1):
            idle_for = {"cln-%d" % i: 100 for i in range(idle)}
            d = decide(P, 0, nodes, nodes - idle, idle_for, None)
            assert nodes - d.target <= idle
            assert set(d.removable) <= set(idle_for)
            assert len(d.removable) == max(0, nodes - d.target)


@pytest.mark.parametrize("bad", [dict(min_nodes=True), dict(max_nodes="3"), dict(idle_minutes=-1),
                                 dict(min_nodes=6, max_nodes=5), dict(max_nodes=0, min_nodes=0),
                                 dict(scale_out_step=0)])
def test_bad_policies_are_refused(bad):
    with pytest.raises(ValueError):
        decide(Policy(**bad), 0, 1, 0, {}, None)


@pytest.mark.parametrize("min_nodes", [0, -1])
def test_min_nodes_below_one_is_refused_because_the_api_keeps_one_compute_node(min_nodes):
    # min_nodes 0 decided "2 -> 0", which deleteNodes refuses on every run (issue 29 item 9).
    with pytest.raises(ValueError, match="min_nodes must be"):
        decide(Policy(min_nodes=min_nodes, max_nodes=5), 0, 2, 0, {"cln-a": 99, "cln-b": 99}, None)
