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
from .world import CCE_CLUSTER_ID, HW_PROJECT_ID

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
