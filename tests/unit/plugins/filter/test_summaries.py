# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The roles' summary lines: ehpc_scale_summary (ehpc_scale, ehpc_autoscale) and cce_scale_in_summary."""

from __future__ import annotations

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.hpcops.clusters.plugins.filter import cce_scale_in_summary, ehpc_scale_summary

C = "ehpc-8jqdq0mz"


def node(number, role="compute", transition="", busy=False, jobs=()):
    name = ("login%02d" if role == "login" else "compute%02d") % number
    return {"id": "cln-%d" % number, "name": name, "role": role, "transition_status": transition,
            "busy": busy, "jobs": list(jobs)}


TWO = [node(1), node(2)]


def result(nodes, added=(), removed=(), add=0):
    return {"changed": bool(added or removed or add), "nodes": nodes, "added": list(added), "removed": list(removed),
            "plan": {"add": add, "remove": list(removed)}}


@pytest.mark.parametrize("res, before, options, expected", [
    (result(TWO + [node(3), node(4), node(5)], added=["cln-3", "cln-4", "cln-5"]), TWO, {},
     "compute nodes of " + C + ": 2 -> 5; added compute03 (cln-3), compute04 (cln-4), compute05 (cln-5)"),
    (result(TWO), TWO, {}, "compute nodes of " + C + ": 2 -> 2"),
    (result(TWO, add=2), TWO, {"check_mode": True},
     "compute nodes of " + C + ": 2 now, 4 wanted (check mode: nothing was changed); would add 2 node(s)"),
    # the count after is read: a node on its way out no longer counts
    (result([node(1), node(2, transition="deleting")], removed=["cln-2"]), TWO, {"wanted": 1},
     "compute nodes of " + C + ": 2 -> 1; removed compute02 (cln-2)"),
    (result(TWO, removed=["cln-2"]), TWO, {"wanted": 1, "check_mode": True},
     "compute nodes of " + C + ": 2 now, 1 wanted (check mode: nothing was changed); would remove compute02 (cln-2)"),
    # the count before leaves out nodes being deleted; a removed ID no read shows stays as it is
    (result([node(1)], removed=["cln-404"]), [node(1), node(7, transition="deleting")], {"wanted": 1},
     "compute nodes of " + C + ": 1 -> 1; removed cln-404"),
    # removed while running HPC jobs: the jobs are named with the node
    (result([node(1), node(2)], removed=["cln-3"]), [node(1), node(2), node(3, busy=True, jobs=[19455, 19456])],
     {"wanted": 2}, "compute nodes of " + C + ": 3 -> 2; removed compute03 (cln-3); HPC jobs killed: 19455, 19456 on compute03 (cln-3)"),
    (result(TWO + [node(3, busy=True, jobs=["7"])], removed=["cln-3"]), TWO + [node(3, busy=True, jobs=["7"])],
     {"wanted": 2, "check_mode": True},
     "compute nodes of " + C + ": 3 now, 2 wanted (check mode: nothing was changed); would remove compute03 (cln-3); "
     "HPC jobs that would be killed: 7 on compute03 (cln-3)"),
    (result([node(9, role="login")], removed=["cln-8"]), [node(8, role="login"), node(9, role="login")],
     {"wanted": 1, "role": "login"}, "login nodes of " + C + ": 2 -> 1; removed login08 (cln-8)"),
    # ehpc_autoscale: its decision counted the nodes, and its word is "decided"
    (result(TWO + [node(3)], add=1), TWO + [node(9, role="login")],
     {"wanted": 3, "check_mode": True, "current": 2, "wanted_word": "decided"},
     "compute nodes of " + C + ": 2 now, 3 decided (check mode: nothing was changed); would add 1 node(s)"),
    (result(TWO + [node(3)], added=["cln-3"]), TWO + [node(9, role="login")], {"wanted": 3, "current": 2},
     "compute nodes of " + C + ": 2 -> 3; added compute03 (cln-3)"),
    # a skipped task has no nodes
    ({"changed": False, "skipped": True}, TWO, {}, "compute nodes of " + C + ": 2 -> 0"),
], ids=["added", "unchanged", "check-add", "removed", "check-remove", "unknown-id", "killed", "check-killed", "login",
        "autoscale-check", "autoscale-added", "skipped"])
def test_ehpc_scale_summary_counts_from_the_reads_and_names_each_node(res, before, options, expected):
    options = dict({"wanted": 4}, **options)
    assert ehpc_scale_summary.ehpc_scale_summary(res, before, C, **options) == expected


def test_ehpc_scale_summary_refuses_other_shapes():
    with pytest.raises(AnsibleFilterError, match="ehpc_scale_summary expects"):
        ehpc_scale_summary.ehpc_scale_summary([], TWO, C, 2)


CCE = [
    {"uid": "u-1", "name": "cce-demo-node-1", "phase": "Active"},
    {"uid": "u-2", "name": "cce-demo-node-2", "phase": "Active"},
    {"uid": "u-3", "name": "cce-demo-node-3", "phase": "Active"},
]
PLAN = {"changed": True, "nodes": CCE, "removed": ["u-3"], "not_found": [], "already_deleting": []}


def removal(nodes, removed=(), not_found=(), already=()):
    return {"changed": bool(removed), "nodes": nodes, "removed": list(removed), "not_found": list(not_found),
            "already_deleting": list(already)}


@pytest.mark.parametrize("res, plan, check, expected", [
    (removal(CCE[:2] + [dict(CCE[2], phase="Deleting")], removed=["u-3"]), PLAN, False,
     "removed cce-demo-node-3 (u-3) from CCE cluster cce-demo: 3 -> 2 nodes"),
    (removal(CCE, removed=["u-3"]), PLAN, True,
     "would remove cce-demo-node-3 (u-3) from CCE cluster cce-demo: 3 nodes now, 2 would stay (check mode: nothing was changed)"),
    (removal(CCE[:2], not_found=["cce-demo-node-3"]), dict(PLAN, nodes=CCE[:2], removed=[]), False,
     "nothing to remove from CCE cluster cce-demo: 2 -> 2 nodes; not in the cluster (taken as removed): cce-demo-node-3"),
    (removal(CCE[:2] + [dict(CCE[2], phase="Deleting")], already=["u-3"]),
     dict(PLAN, nodes=CCE[:2] + [dict(CCE[2], phase="Deleting")], removed=[]), False,
     "nothing to remove from CCE cluster cce-demo: 2 -> 2 nodes; already being removed: cce-demo-node-3 (u-3)"),
    (removal(CCE[:1], removed=["u-2", "u-9"]), dict(PLAN, removed=["u-2", "u-9"]), False,
     "removed cce-demo-node-2 (u-2), u-9 from CCE cluster cce-demo: 3 -> 1 nodes"),
], ids=["removed", "check", "not-found", "already-deleting", "unknown-uid"])
def test_cce_scale_in_summary_counts_from_the_reads_and_names_each_node(res, plan, check, expected):
    assert cce_scale_in_summary.cce_scale_in_summary(res, plan, "cce-demo", check_mode=check) == expected


def test_cce_scale_in_summary_needs_the_plan_nodes():
    with pytest.raises(AnsibleFilterError, match="cce_scale_in_summary expects"):
        cce_scale_in_summary.cce_scale_in_summary({}, {"removed": []}, "cce-demo")


@pytest.mark.parametrize("module, name", [(ehpc_scale_summary, "ehpc_scale_summary"),
                                          (cce_scale_in_summary, "cce_scale_in_summary")])
def test_each_filter_is_registered_under_its_documented_name(module, name):
    assert list(module.FilterModule().filters()) == [name]
    assert "\nname: %s\n" % name in module.DOCUMENTATION
