"""Every Huawei answer of the simulator fits the official SDK's response models.

The simulator is what the collection's tests see of CCE and ModelArts; an answer field the
vendor does not define (a `status` on a hyper cluster, say) would let a module come to rely
on it unnoticed. Each answer is loaded, recursively, into the response model class of
huaweicloudsdkcce / huaweicloudsdkmodelarts (test-only dependencies, requirements-dev.txt):
a key that the model's ``attribute_map`` does not name, or a value of the wrong JSON type,
fails the test.
"""

from __future__ import annotations

import re
from typing import Any

import huaweicloudsdkcce.v3 as cce_models
import huaweicloudsdkmodelarts.v1 as modelarts_models
import pytest

from .client import Huawei, poll
from .fixture import Simulator
from .world import CCE_CLUSTER_ID, CCE_POOL_CLUSTER_ID, HW_ACCESS_KEY, HW_PROJECT_ID, HW_SECRET_KEY

NODES = f"/api/v3/projects/{HW_PROJECT_ID}/clusters/{CCE_CLUSTER_ID}/nodes"
REMOVE = NODES + "/operation/remove"
JOB = f"/api/v3/projects/{HW_PROJECT_ID}/jobs/"
HYPER = f"/v1/{HW_PROJECT_ID}/dev-servers/hyper-clusters"

SCALARS = {"str": str, "bool": bool, "int": int, "float": (int, float), "object": object}
LIST_RE = re.compile(r"list\[(.+)\]")
DICT_RE = re.compile(r"dict\(str, (.+)\)")


def load(models: Any, type_name: str, value: Any, where: str) -> Any:
    """``value`` (decoded JSON) as an instance of ``type_name`` from ``models``; AssertionError on a misfit."""
    if value is None:
        return None
    listed = LIST_RE.fullmatch(type_name)
    if listed:
        assert isinstance(value, list), f"{where}: a list expected, got {value!r}"
        return [load(models, listed.group(1), item, f"{where}[{i}]") for i, item in enumerate(value)]
    mapped = DICT_RE.fullmatch(type_name)
    if mapped:
        assert isinstance(value, dict), f"{where}: an object expected, got {value!r}"
        return {key: load(models, mapped.group(1), item, f"{where}.{key}") for key, item in value.items()}
    if type_name in SCALARS:
        # bool is an int to Python; JSON tells them apart.
        assert isinstance(value, SCALARS[type_name]) and not (type_name != "bool" and isinstance(value, bool)), (
            f"{where}: {type_name} expected, got {value!r}")
        return value
    model = getattr(models, type_name)
    assert isinstance(value, dict), f"{where}: {type_name} object expected, got {value!r}"
    attribute_of = {json_key: attribute for attribute, json_key in model.attribute_map.items()}
    unknown = sorted(set(value) - set(attribute_of))
    assert not unknown, f"{where}: {type_name} defines no {', '.join(unknown)} (it has {sorted(attribute_of)})"
    return model(**{attribute_of[key]: load(models, model.openapi_types[attribute_of[key]], item, f"{where}.{key}")
                    for key, item in value.items()})


def fits(models: Any, response_model: str, answer: Any) -> Any:
    return load(models, response_model, answer, response_model)


def answer(hw: Huawei, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    response = hw.request(method, path, body)
    assert response.status == status, (method, path, response.status, response.body)
    return response.json()


def remove_body(uid: str, login: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "v3", "kind": "RemoveNodesTask", "spec": {"login": login, "nodes": [{"uid": uid}]}}


def test_the_loader_refuses_an_unknown_key_and_a_wrong_type() -> None:
    with pytest.raises(AssertionError, match="HyperCluster defines no status"):
        fits(modelarts_models, "ListHyperClusterResponse",
             {"hyper_clusters": [{"id": "a", "name": "b", "network_info": [], "status": "Running"}]})
    with pytest.raises(AssertionError, match="is_default: bool expected"):
        fits(modelarts_models, "GetHyperClusterResponse",
             {"id": "a", "network_info": [{"hyper_cluster_subnet_id": "s", "is_default": "yes"}]})
    loaded = fits(cce_models, "ListNodesResponse", {"kind": "List", "items": [{"metadata": {"uid": "u"}}]})
    assert loaded.items[0].metadata.uid == "u"


def test_cce_answers_fit_the_cce_models(hw: Huawei, sim: Simulator) -> None:
    listed = answer(hw, "GET", NODES)
    fits(cce_models, "ListNodesResponse", listed)
    first, second = (item["metadata"]["uid"] for item in listed["items"][:2])
    fits(cce_models, "ShowNodeResponse", answer(hw, "GET", f"{NODES}/{first}"))

    sim.config(job_seconds=30)
    by_key = answer(hw, "PUT", REMOVE, remove_body(first, {"sshKey": "KeyPair-demo"}))
    fits(cce_models, "RemoveNodeResponse", by_key)
    by_password = answer(hw, "PUT", REMOVE, remove_body(second, {"userPassword": {"password": "$6$x"}}))
    fits(cce_models, "RemoveNodeResponse", by_password)
    # Nodes while Deleting carry their job id; a running job.
    fits(cce_models, "ListNodesResponse", answer(hw, "GET", NODES))
    fits(cce_models, "ShowJobResponse", answer(hw, "GET", JOB + by_key["status"]["jobID"]))


def test_cce_list_pages_fit_the_list_nodes_model(hw: Huawei, sim: Simulator) -> None:
    sim.config(cce_page_size=2)
    first = fits(cce_models, "ListNodesResponse", answer(hw, "GET", NODES))
    assert first.page_info.current_count == 2 and first.page_info.next_marker == first.items[-1].metadata.uid
    last = fits(cce_models, "ListNodesResponse", answer(hw, "GET", f"{NODES}?marker={first.page_info.next_marker}"))
    assert last.page_info.current_count == 1 and last.page_info.next_marker is None


def job_in_phase(body: dict, phase: str) -> dict | None:
    return body if body["status"]["phase"] == phase else None


def test_a_finished_and_a_failed_cce_job_fit_the_job_model(hw: Huawei, sim: Simulator) -> None:
    uids = [item["metadata"]["uid"] for item in answer(hw, "GET", NODES)["items"]]
    done = answer(hw, "PUT", REMOVE, remove_body(uids[0], {"sshKey": "KeyPair-demo"}))["status"]["jobID"]
    sim.fault(path="/operation/remove", kind="job_fail")
    failed = answer(hw, "PUT", REMOVE, remove_body(uids[1], {"sshKey": "KeyPair-demo"}))["status"]["jobID"]
    for job_id, phase in ((done, "Success"), (failed, "Failed")):
        job = poll(lambda job_id=job_id, phase=phase: job_in_phase(answer(hw, "GET", JOB + job_id), phase))
        fits(cce_models, "ShowJobResponse", job)


def test_modelarts_answers_fit_the_modelarts_models(hw: Huawei) -> None:
    for query in ("", "?type=HPS", "?type=ECS"):
        listed = answer(hw, "GET", HYPER + query)
        assert listed["hyper_clusters"], query
        fits(modelarts_models, "ListHyperClusterResponse", listed)
    fits(modelarts_models, "GetHyperClusterResponse", answer(hw, "GET", f"{HYPER}/hc-demo-hps"))
    fits(modelarts_models, "GetHyperClusterResponse", answer(hw, "GET", f"{HYPER}/hc-demo-ecs?type=ECS"))
    # A deletion under way changes nothing in the answer's shape.
    assert hw.request("DELETE", f"{HYPER}/hc-demo-ecs?type=ECS").status == 204
    fits(modelarts_models, "GetHyperClusterResponse", answer(hw, "GET", f"{HYPER}/hc-demo-ecs?type=ECS"))


POOLS = f"/api/v3/projects/{HW_PROJECT_ID}/clusters/{CCE_POOL_CLUSTER_ID}/nodepools"
POOL_NODES = f"/api/v3/projects/{HW_PROJECT_ID}/clusters/{CCE_POOL_CLUSTER_ID}/nodes"


def scale_body(count: int) -> dict:
    return {"kind": "NodePool", "apiVersion": "v3", "spec": {"desiredNodeCount": count, "scaleGroups": ["default"]}}


def test_node_pool_answers_fit_the_node_pool_models(hw: Huawei, sim: Simulator) -> None:
    listed = fits(cce_models, "ListNodePoolsResponse", answer(hw, "GET", POOLS))
    by_name = {pool.metadata.name: pool for pool in listed.items}
    assert sorted(by_name) == ["pool-autoscale", "pool-compute", "pool-soldout"]
    assert by_name["pool-autoscale"].spec.autoscaling.max_node_count == 4
    assert [(c.type, c.status) for c in by_name["pool-soldout"].status.conditions] == [("Scalable", "False")]
    compute = by_name["pool-compute"].metadata.uid
    shown = fits(cce_models, "ShowNodePoolResponse", answer(hw, "GET", f"{POOLS}/{compute}"))
    assert (shown.spec.initial_node_count, shown.status.current_node) == (2, 2)

    sim.config(job_seconds=30)
    fits(cce_models, "ScaleNodePoolResponse", answer(hw, "POST", f"{POOLS}/{compute}/operation/scale", scale_body(3)))
    # Scaling: a creating node, then (below) a deleting one, and the pool's nodes with their annotation.
    fits(cce_models, "ShowNodePoolResponse", answer(hw, "GET", f"{POOLS}/{compute}"))
    nodes = fits(cce_models, "ListNodesResponse", answer(hw, "GET", POOL_NODES))
    assert {node.metadata.annotations["kubernetes.io/node-pool.id"] for node in nodes.items} == set(
        pool.metadata.uid for pool in listed.items)
    lock = {"apiVersion": "v3", "kind": "List", "nodeList": [nodes.items[0].metadata.uid]}
    fits(cce_models, "LockNodepoolNodeScaleDownResponse", answer(hw, "POST", f"{POOL_NODES}/locknodescaledown", lock))
    fits(cce_models, "UnlockNodepoolNodeScaleDownResponse", answer(hw, "POST", f"{POOL_NODES}/unlocknodescaledown", lock))
    fits(cce_models, "ScaleNodePoolResponse", answer(hw, "POST", f"{POOLS}/{compute}/operation/scale", scale_body(1)))
    fits(cce_models, "ListNodePoolsResponse", answer(hw, "GET", POOLS))
    # A yearly/monthly pool's scale-out answers its order id.
    sim.set_node_pool("pool-compute", billing_mode=1)
    ordered = fits(cce_models, "ScaleNodePoolResponse", answer(hw, "POST", f"{POOLS}/{compute}/operation/scale", scale_body(4)))
    assert ordered.order_id


def sdk_cce_client(sim: Simulator) -> Any:
    """The official SDK's CceClient, signing with the simulator's AK/SK, pointed at it."""
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcce.v3 import CceClient

    credentials = BasicCredentials(HW_ACCESS_KEY, HW_SECRET_KEY, HW_PROJECT_ID)
    return CceClient.new_builder().with_credentials(credentials).with_endpoint(sim.url).build()


def test_the_sdk_cce_client_scales_a_pool_and_locks_a_node(sim: Simulator) -> None:
    client = sdk_cce_client(sim)
    pools = client.list_node_pools(cce_models.ListNodePoolsRequest(cluster_id=CCE_POOL_CLUSTER_ID))
    compute = next(p for p in pools.items if p.metadata.name == "pool-compute").metadata.uid
    nodes = [n for n in client.list_nodes(cce_models.ListNodesRequest(cluster_id=CCE_POOL_CLUSTER_ID)).items
             if n.metadata.annotations["kubernetes.io/node-pool.id"] == compute]
    kept = nodes[-1].metadata.uid  # the newest: the one a scale-in would take first
    client.lock_nodepool_node_scale_down(cce_models.LockNodepoolNodeScaleDownRequest(
        cluster_id=CCE_POOL_CLUSTER_ID, body=cce_models.LockNodeScaledownRequestBody(
            api_version="v3", kind="List", node_list=[kept])))
    body = cce_models.ScaleNodePoolRequestBody(kind="NodePool", api_version="v3", spec=cce_models.ScaleNodePoolSpec(
        desired_node_count=1, scale_groups=["default"]))
    client.scale_node_pool(cce_models.ScaleNodePoolRequest(cluster_id=CCE_POOL_CLUSTER_ID, nodepool_id=compute, body=body))
    request = cce_models.ShowNodePoolRequest(cluster_id=CCE_POOL_CLUSTER_ID, nodepool_id=compute)

    def settled() -> Any:
        shown = client.show_node_pool(request)
        return shown if (shown.status.current_node, shown.status.deleting_node) == (1, 0) else None

    done = poll(settled)
    assert done.spec.initial_node_count == 1
    left = [n.metadata.uid for n in client.list_nodes(cce_models.ListNodesRequest(cluster_id=CCE_POOL_CLUSTER_ID)).items
            if n.metadata.annotations["kubernetes.io/node-pool.id"] == compute]
    assert left == [kept]  # the locked node stayed
    scale_calls = [c for c in sim.writes() if c["path"].endswith("/operation/scale")]
    assert [(c["method"], c["status"]) for c in scale_calls] == [("POST", 200)]
