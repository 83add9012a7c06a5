"""Rules of plugins/module_utils/huaweicloud/cce_node_plan.py that the simulator's world can't reach
(duplicate node names) or that are cheaper to prove on plain lists than through Ansible."""

from __future__ import annotations

import pytest

from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.cce_node_plan import (
    NodePlanError, batches, membership, node_info, plan_removal)


def item(uid: str, name: str, phase: str = "Active") -> dict:
    return {"metadata": {"uid": uid, "name": name, "creationTimestamp": "t"},
            "spec": {"flavor": "c7.large.2", "az": "cn-north-4a", "login": {"sshKey": "k"}},
            "status": {"phase": phase, "privateIP": "192.168.0.1"}}


NODES = [item("u1", "n1"), item("u2", "n2"), item("u3", "n3", "Deleting"), item("u4", "n4")]


def test_entries_resolve_by_uid_then_name_and_unknown_ones_are_absent():
    plan = plan_removal(NODES, ["u1", "n2", "n2", "u2", "gone", "n3"])
    assert plan["remove"] == ["u1", "u2"]
    assert plan["deleting"] == ["u3"]
    assert plan["absent"] == ["gone"]
    assert plan["changes"] is True


def test_a_uid_wins_over_a_name_that_equals_it():
    nodes = [item("u1", "u2"), item("u2", "n2"), item("u3", "n3")]
    assert plan_removal(nodes, ["u2"])["remove"] == ["u2"]


def test_a_name_shared_by_two_nodes_is_refused():
    nodes = [item("u1", "twin"), item("u2", "twin"), item("u3", "n3")]
    with pytest.raises(NodePlanError, match="twin matches 2 nodes .*u1, u2"):
        plan_removal(nodes, ["twin"])


def test_only_deleting_or_absent_nodes_mean_no_change():
    plan = plan_removal(NODES, ["n3", "gone"])
    assert plan["remove"] == [] and plan["changes"] is False and plan["batches"] == []


def test_the_last_nodes_go_only_when_allowed():
    everything = ["u1", "u2", "u3", "u4"]
    with pytest.raises(NodePlanError, match="allow_empty_cluster"):
        plan_removal(NODES, everything)
    assert plan_removal(NODES, everything, allow_empty_cluster=True)["remove"] == ["u1", "u2", "u4"]
    # Nodes already Deleting don't count as staying.
    with pytest.raises(NodePlanError):
        plan_removal(NODES, ["u1", "u2", "u4"])


def test_batches_hold_at_most_200_nodes():
    uids = ["u%d" % i for i in range(450)]
    assert [len(b) for b in batches(uids)] == [200, 200, 50]
    assert sum(batches(uids), []) == uids
    assert batches([]) == []


def test_membership_and_info_shapes():
    assert membership(NODES, ["u1"]) == ["u2 (n2)", "u4 (n4)"]
    assert node_info(NODES[0]) == {"uid": "u1", "name": "n1", "phase": "Active", "private_ip": "192.168.0.1",
                                   "flavor": "c7.large.2", "az": "cn-north-4a", "creation_timestamp": "t"}


@pytest.mark.parametrize("wanted, protected", [
    (["u1"], ["n1"]), (["n1"], ["u1"]), (["n1"], ["n1"]), (["u3"], ["n3"]), (["ghost"], ["ghost"])])
def test_a_protected_node_named_by_uid_or_name_refuses_the_plan(wanted, protected):
    with pytest.raises(NodePlanError, match="protected node"):
        plan_removal(NODES, wanted + ["u4"], protected=protected)


def test_protection_of_other_nodes_leaves_the_plan_alone():
    plan = plan_removal(NODES, ["u1"], protected=["n2", "u4", "ghost"])
    assert plan["remove"] == ["u1"]
