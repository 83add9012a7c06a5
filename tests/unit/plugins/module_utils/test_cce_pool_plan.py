"""plugins/module_utils/huaweicloud/cce_pool_plan.py on tables: the scale plan of a CCE node pool, what a pool
answer must hold, and when a wait is over or can't succeed. No I/O, no Ansible."""

from __future__ import annotations

import pytest

from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.cce_pool_plan import (
    PoolPlanError, find_pool, node_changes, nodes_of_pool, plan_scale, pool_problem, pool_reached, pool_summary, stalled)

POOL_UID = "p-1"


def node(uid: str, name: str, phase: str = "Active", pool: str = POOL_UID) -> dict:
    metadata = {"uid": uid, "name": name}
    if pool:
        metadata["annotations"] = {"kubernetes.io/node-pool.id": pool}
    return {"metadata": metadata, "spec": {}, "status": {"phase": phase, "privateIP": "192.168.10.%s" % uid[-1]}}


def pool_item(count=2, current=2, creating=0, deleting=0, autoscaling=None, scalable=None, name="pool-a",
              uid=POOL_UID) -> dict:
    status = {"currentNode": current, "creatingNode": creating, "deletingNode": deleting, "activeNode": current}
    if scalable is not None:
        status["conditions"] = [dict({"type": "Scalable"}, **scalable)]
    return {"kind": "NodePool", "metadata": {"uid": uid, "name": name},
            "spec": {"type": "vm", "initialNodeCount": count, "autoscaling": autoscaling or {"enable": False}},
            "status": status}


def pool(**kwargs) -> dict:
    item = pool_item(**kwargs)
    assert pool_problem(item) is None
    return pool_summary(item)


TWO = [node("u1", "n1"), node("u2", "n2")]
FIVE = TWO + [node("u3", "n3"), node("u4", "n4"), node("u5", "n5")]
AUTOSCALE = {"enable": True, "minNodeCount": 1, "maxNodeCount": 4}
SOLD_OUT = {"status": "False", "reason": "ResourceInsufficient", "message": "sold out"}

# (name, pool, nodes, count, options, expected plan fields)
PLANS = [
    ("scale out", pool(), TWO, 5, {},
     {"direction": "out", "before": 2, "add": 3, "remove": 0, "lock": [], "changes": True, "in_progress": False}),
    ("count met: no write", pool(count=5, current=5), FIVE, 5, {},
     {"direction": "none", "changes": False, "in_progress": False, "lock": []}),
    ("count set, still creating: wait only", pool(count=5, current=5, creating=3), FIVE, 5, {},
     {"direction": "none", "changes": False, "in_progress": True}),
    ("scale in locks the protected nodes", pool(count=5, current=5), FIVE, 3, {"protected": ["n4", "u5"]},
     {"direction": "in", "before": 5, "remove": 2, "lock": ["u4", "u5"], "changes": True}),
    ("as many protected as the count", pool(count=5, current=5), FIVE, 2, {"protected": ["n1", "n2"]},
     {"direction": "in", "lock": ["u1", "u2"]}),
    ("protected nodes are not locked for a scale-out", pool(), TWO, 4, {"protected": ["n1"]},
     {"direction": "out", "lock": []}),
    ("an unknown protected entry does not stop a scale-out", pool(), TWO, 4, {"protected": ["nX"]},
     {"direction": "out", "protected_absent": ["nX"]}),
    ("count 0 with allow_empty", pool(), TWO, 0, {"allow_empty": True},
     {"direction": "in", "remove": 2, "changes": True}),
    ("within autoscaling bounds", pool(autoscaling=AUTOSCALE), TWO, 4, {}, {"direction": "out", "add": 2}),
    ("a sold-out pool may shrink", pool(scalable=SOLD_OUT), TWO, 1, {}, {"direction": "in", "changes": True}),
    ("a sold-out pool whose count was set higher is brought back", pool(count=4, current=2, scalable=SOLD_OUT),
     TWO, 2, {}, {"direction": "none", "changes": True}),
    # A status that reads 0 nodes while five are listed must not make a scale-in look like a scale-out.
    ("the listed nodes outweigh a status that reads low", pool(count=5, current=0), FIVE, 3, {"protected": ["n1"]},
     {"direction": "in", "before": 5, "lock": ["u1"]}),
    ("deleting nodes don't count", pool(count=3, current=3, deleting=2),
     FIVE[:3] + [node("u4", "n4", "Deleting"), node("u5", "n5", "Deleting")], 3, {},
     {"direction": "none", "before": 3, "changes": False, "in_progress": True}),
]


@pytest.mark.parametrize("name, current, nodes, count, options, expected", PLANS, ids=[p[0] for p in PLANS])
def test_scale_plans(name, current, nodes, count, options, expected):
    plan = plan_scale(current, nodes, count, options.get("allow_empty", False), options.get("protected"))
    assert dict((key, plan[key]) for key in expected) == expected, name


# (name, pool, nodes, count, options, words of the refusal)
REFUSALS = [
    ("count 0 without allow_empty", pool(), TWO, 0, {}, ["count 0", "allow_empty=true"]),
    ("above the autoscaling bounds", pool(autoscaling=AUTOSCALE), TWO, 5, {},
     ["outside the autoscaling bounds", "minNodeCount 1, maxNodeCount 4"]),
    ("below the autoscaling bounds, even a scale-in", pool(autoscaling=AUTOSCALE), TWO, 0, {"allow_empty": True},
     ["outside the autoscaling bounds"]),
    ("more protected nodes than the count", pool(count=5, current=5), FIVE, 2, {"protected": ["n1", "n2", "u3"]},
     ["would need protected node(s)", "3 are protected", "nothing was changed"]),
    ("a protected entry that matches nothing, on a scale-in", pool(count=5, current=5), FIVE, 3, {"protected": ["n9"]},
     ["n9 are not nodes of node pool pool-a"]),
    ("a protected node already being deleted", pool(count=2, current=2, deleting=1),
     TWO + [node("u3", "n3", "Deleting")], 1, {"protected": ["n3"]}, ["already being deleted"]),
    ("a name shared by two nodes", pool(count=3, current=3), TWO + [node("u3", "n1")], 1, {"protected": ["n1"]},
     ["matches 2 nodes"]),
    ("a sold-out pool can't grow", pool(scalable=SOLD_OUT), TWO, 3, {},
     ["can't grow", "Scalable is False: ResourceInsufficient, sold out"]),
]


@pytest.mark.parametrize("name, current, nodes, count, options, words", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusals_come_before_any_write(name, current, nodes, count, options, words):
    with pytest.raises(PoolPlanError) as raised:
        plan_scale(current, nodes, count, options.get("allow_empty", False), options.get("protected"))
    for word in words:
        assert word in str(raised.value), (name, str(raised.value))


# (name, item, words of the problem); None: usable
ANSWERS = [
    ("a full pool", pool_item(), None),
    ("counts left out read as 0", {"metadata": {"uid": "p", "name": "a"}, "spec": {}, "status": {}}, None),
    ("not an object", "<html>", "not an object"),
    ("no uid", {"metadata": {"name": "a"}, "spec": {}, "status": {}}, "no `metadata.uid`"),
    ("no name", {"metadata": {"uid": "p"}, "spec": {}, "status": {}}, "no `metadata.name`"),
    ("no status", {"metadata": {"uid": "p", "name": "a"}, "spec": {}}, "no `status`"),
    ("a count as text", pool_item(current="2"), "`status.currentNode` is not a whole number"),
    ("a boolean count", pool_item(count=True), "`spec.initialNodeCount` is not a whole number"),
    ("autoscaling on without bounds", pool_item(autoscaling={"enable": True}), "minNodeCount`/`maxNodeCount` are missing"),
    ("conditions not a list", dict(pool_item(), status={"conditions": {"type": "Scalable"}}), "not a list of objects"),
]


@pytest.mark.parametrize("name, item, problem", ANSWERS, ids=[a[0] for a in ANSWERS])
def test_what_a_pool_answer_must_hold(name, item, problem):
    found = pool_problem(item)
    if problem is None:
        assert found is None, name
    else:
        assert found and problem in found, (name, found)


def test_summary_reads_bounds_and_the_scalable_condition():
    summary = pool_summary(pool_item(count=3, current=2, creating=1, autoscaling=AUTOSCALE, scalable=SOLD_OUT))
    assert summary["autoscaling"] == {"enabled": True, "min": 1, "max": 4}
    assert summary["scalable"] == {"scalable": False, "reason": "ResourceInsufficient", "message": "sold out"}
    assert (summary["count"], summary["current"], summary["creating"]) == (3, 2, 1)
    assert pool_summary(pool_item())["scalable"]["scalable"] is True  # no condition: scalable


def test_pools_are_found_by_uid_then_name_and_an_unknown_one_names_the_others():
    pools = [pool_item(uid="p-1", name="a"), pool_item(uid="p-2", name="p-1")]
    assert find_pool(pools, "p-1")["metadata"]["name"] == "a"
    assert find_pool(pools, "a")["metadata"]["uid"] == "p-1"
    with pytest.raises(PoolPlanError, match=r"no node pool gpu \(the cluster's pools: a \(p-1\), p-1 \(p-2\)\)"):
        find_pool(pools, "gpu")
    with pytest.raises(PoolPlanError, match="matches 2 pools"):
        find_pool([pool_item(uid="x", name="twin"), pool_item(uid="y", name="twin")], "twin")


def test_a_pools_nodes_are_those_with_its_annotation():
    nodes = TWO + [node("u9", "other", pool="p-2"), node("u8", "no-pool", pool="")]
    assert [n["metadata"]["uid"] for n in nodes_of_pool(nodes, POOL_UID)] == ["u1", "u2"]


@pytest.mark.parametrize("status, count, reached, is_stalled", [
    ({"current": 5}, 5, True, False),
    ({"current": 5, "creating": 1}, 5, False, False),
    ({"current": 3, "deleting": 2}, 3, False, False),
    ({"current": 3, "scalable": SOLD_OUT}, 5, False, True),
    ({"current": 4, "creating": 1, "scalable": SOLD_OUT}, 5, False, False),  # one more may still come
    ({"current": 3, "scalable": SOLD_OUT}, 3, True, False),
])
def test_when_a_wait_is_over_or_hopeless(status, count, reached, is_stalled):
    current = pool(count=count, current=status["current"], creating=status.get("creating", 0),
                   deleting=status.get("deleting", 0), scalable=status.get("scalable"))
    assert (pool_reached(current, count), stalled(current, count)) == (reached, is_stalled)


def test_node_changes_between_two_reads():
    before = TWO + [node("u3", "n3")]
    after = [node("u1", "n1"), node("u3", "n3", "Deleting"), node("u6", "n6", "Installing")]
    added, removed = node_changes(before, after)
    assert [(n["uid"], n["phase"]) for n in added] == [("u6", "Installing")]
    assert [(n["uid"], n["phase"]) for n in removed] == [("u2", "Active"), ("u3", "Deleting")]
