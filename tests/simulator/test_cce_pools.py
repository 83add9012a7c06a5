"""The simulator's CCE node pools: scaling over time, scale-down protection, sold out, the control API."""

from __future__ import annotations

from typing import Any

import pytest

from .client import Huawei, poll
from .fixture import Simulator, SimulatorError
from .world import CCE_POOL_CLUSTER_ID, HW_PROJECT_ID

CLUSTER = f"/api/v3/projects/{HW_PROJECT_ID}/clusters/{CCE_POOL_CLUSTER_ID}"
POOLS = CLUSTER + "/nodepools"
NODES = CLUSTER + "/nodes"


def pool(hw: Huawei, name: str) -> dict[str, Any]:
    return next(p for p in hw.request("GET", POOLS).json()["items"] if p["metadata"]["name"] == name)


def nodes_of(hw: Huawei, uid: str) -> list[dict[str, Any]]:
    return [n for n in hw.request("GET", NODES).json()["items"]
            if n["metadata"].get("annotations", {}).get("kubernetes.io/node-pool.id") == uid]


def scale(hw: Huawei, uid: str, spec: dict[str, Any]) -> Any:
    return hw.request("POST", f"{POOLS}/{uid}/operation/scale", {"kind": "NodePool", "apiVersion": "v3", "spec": spec})


def counts(hw: Huawei, uid: str) -> tuple[int, int, int]:
    status = hw.request("GET", f"{POOLS}/{uid}").json()["status"]
    return status["currentNode"], status["creatingNode"], status["deletingNode"]


def test_scale_out_creates_nodes_that_become_active(hw: Huawei, sim: Simulator) -> None:
    sim.config(job_seconds=1)
    uid = pool(hw, "pool-compute")["metadata"]["uid"]
    response = scale(hw, uid, {"desiredNodeCount": 5, "scaleGroups": ["default"]})
    assert response.status == 200 and response.json() == {}
    assert counts(hw, uid) == (5, 3, 0)
    assert sorted(n["status"]["phase"] for n in nodes_of(hw, uid)) == ["Active"] * 2 + ["Installing"] * 3
    assert hw.request("GET", f"{POOLS}/{uid}").json()["spec"]["initialNodeCount"] == 5
    poll(lambda: counts(hw, uid) == (5, 0, 0) or None, timeout=10)
    assert all(n["metadata"]["name"].startswith("pool-compute-") for n in nodes_of(hw, uid))


def test_an_omitted_desired_count_deletes_every_unlocked_node(hw: Huawei, sim: Simulator) -> None:
    # ScaleNodePoolSpec: desiredNodeCount omitted means 0.
    sim.config(job_seconds=1)
    uid = pool(hw, "pool-compute")["metadata"]["uid"]
    locked = nodes_of(hw, uid)[1]["metadata"]["uid"]
    lock = hw.request("POST", NODES + "/locknodescaledown", {"apiVersion": "v3", "kind": "List", "nodeList": [locked]})
    assert lock.status == 200 and lock.json() == {}
    assert scale(hw, uid, {"scaleGroups": ["default"]}).status == 200
    assert counts(hw, uid) == (1, 0, 1)
    poll(lambda: counts(hw, uid) == (1, 0, 0) or None, timeout=10)
    assert [n["metadata"]["uid"] for n in nodes_of(hw, uid)] == [locked]
    unlock = hw.request("POST", NODES + "/unlocknodescaledown", {"apiVersion": "v3", "kind": "List", "nodeList": [locked]})
    assert unlock.status == 200
    assert scale(hw, uid, {"desiredNodeCount": 0, "scaleGroups": ["default"]}).status == 200
    assert counts(hw, uid) == (0, 0, 1)


def test_a_sold_out_pool_does_not_grow_and_a_limited_one_stops_at_its_capacity(hw: Huawei, sim: Simulator) -> None:
    soldout = pool(hw, "pool-soldout")
    assert soldout["status"]["conditions"][0]["reason"] == "ResourceInsufficient"
    assert scale(hw, soldout["metadata"]["uid"], {"desiredNodeCount": 3, "scaleGroups": ["default"]}).status == 200
    assert counts(hw, soldout["metadata"]["uid"]) == (1, 0, 0)
    sim.set_node_pool("pool-compute", capacity=1)
    uid = pool(hw, "pool-compute")["metadata"]["uid"]
    assert pool(hw, "pool-compute")["status"]["conditions"] == [{"type": "Scalable", "status": "True"}]
    scale(hw, uid, {"desiredNodeCount": 5, "scaleGroups": ["default"]})
    assert counts(hw, uid)[:2] == (3, 1)
    condition = pool(hw, "pool-compute")["status"]["conditions"][0]
    assert (condition["status"], condition["reason"]) == ("False", "ResourceInsufficient")


@pytest.mark.parametrize("spec, status", [
    ({"desiredNodeCount": 2}, 400),
    ({"desiredNodeCount": 2, "scaleGroups": ["gpu"]}, 400),
    ({"desiredNodeCount": -1, "scaleGroups": ["default"]}, 400),
    ({"desiredNodeCount": True, "scaleGroups": ["default"]}, 400),
])
def test_bad_scale_bodies_are_refused(hw: Huawei, sim: Simulator, spec: dict[str, Any], status: int) -> None:
    uid = pool(hw, "pool-compute")["metadata"]["uid"]
    assert scale(hw, uid, spec).status == status
    assert counts(hw, uid) == (2, 0, 0)


def test_unknown_pool_and_node_are_404(hw: Huawei) -> None:
    assert hw.request("GET", f"{POOLS}/no-such-pool").status == 404
    assert scale(hw, "no-such-pool", {"desiredNodeCount": 1, "scaleGroups": ["default"]}).status == 404
    body = {"apiVersion": "v3", "kind": "List", "nodeList": ["no-such-node"]}
    assert hw.request("POST", NODES + "/locknodescaledown", body).status == 404


def test_control_api_adds_and_changes_pools(hw: Huawei, sim: Simulator) -> None:
    made = sim.node_pool("pool-gpu", nodes=1, autoscaling={"min": 1, "max": 3})
    shown = hw.request("GET", f"{POOLS}/{made['uid']}").json()
    assert shown["spec"]["autoscaling"] == {"enable": True, "minNodeCount": 1, "maxNodeCount": 3}
    assert len(nodes_of(hw, made["uid"])) == 1
    sim.set_node_pool("pool-gpu", autoscaling=None, sold_out={"reason": "QuotaInsufficient", "message": "quota"})
    shown = hw.request("GET", f"{POOLS}/{made['uid']}").json()
    assert shown["spec"]["autoscaling"] == {"enable": False}
    assert shown["status"]["conditions"][0]["reason"] == "QuotaInsufficient"
    with pytest.raises(SimulatorError, match="exists already"):
        sim.node_pool("pool-gpu")
    with pytest.raises(SimulatorError, match="no node pool"):
        sim.set_node_pool("pool-none", capacity=1)
