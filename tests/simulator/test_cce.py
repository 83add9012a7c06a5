from __future__ import annotations

import re
from typing import Any

import pytest

from .client import Huawei, poll, send
from .fixture import Simulator
from .world import CCE_CLUSTER_ID, HW_PROJECT_ID

NODES = f"/api/v3/projects/{HW_PROJECT_ID}/clusters/{CCE_CLUSTER_ID}/nodes"
REMOVE = NODES + "/operation/remove"
JOBS = f"/api/v3/projects/{HW_PROJECT_ID}/jobs/"
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
SECRET_PASSWORD = "S3cret-Salted-Hash-$6$abc"


def uids(hw: Huawei) -> list[str]:
    return [item["metadata"]["uid"] for item in hw.request("GET", NODES).json()["items"]]


def remove(hw: Huawei, node_uids: list[str], login: dict[str, Any] | None = None) -> Any:
    body = {"apiVersion": "v3", "kind": "RemoveNodesTask",
            "spec": {"login": login or {"sshKey": "KeyPair-demo"}, "nodes": [{"uid": uid} for uid in node_uids]}}
    return hw.request("PUT", REMOVE, body)


def test_list_nodes(hw: Huawei) -> None:
    body = hw.request("GET", NODES).json()
    assert (body["kind"], body["apiVersion"]) == ("List", "v3")
    assert [item["metadata"]["name"] for item in body["items"]] == [f"{CCE_CLUSTER_ID}-node-{i}" for i in (1, 2, 3)]
    for item in body["items"]:
        assert item["kind"] == "Node"
        assert UUID_RE.fullmatch(item["metadata"]["uid"])
        assert item["status"]["phase"] == "Active"
        assert item["status"]["privateIP"].startswith("192.168.0.")
        assert item["spec"]["flavor"] == "c7.large.2"
    missing = hw.request("GET", NODES.replace(CCE_CLUSTER_ID, "nope"))
    assert missing.status == 404
    assert missing.json()["error_code"] == "CCE.01404001"


def test_remove_with_ssh_key_then_gone(hw: Huawei, sim: Simulator) -> None:
    target = uids(hw)[0]
    response = remove(hw, [target])
    assert response.status == 200
    body = response.json()
    assert body["spec"]["login"] == {"sshKey": "KeyPair-demo", "userPassword": {}}
    assert body["spec"]["nodes"] == [{"uid": target}]
    job_id = body["status"]["jobID"]
    assert UUID_RE.fullmatch(job_id)
    node = [item for item in hw.request("GET", NODES).json()["items"] if item["metadata"]["uid"] == target][0]
    assert node["status"]["phase"] == "Deleting"
    assert node["status"]["jobID"] == job_id
    again = remove(hw, [target])
    assert again.status == 400
    poll(lambda: target not in uids(hw))
    assert hw.request("GET", JOBS + job_id).json()["status"]["phase"] == "Success"
    assert [call["path"] for call in sim.writes()] == [REMOVE, REMOVE]


def test_remove_masks_password(hw: Huawei) -> None:
    response = remove(hw, uids(hw)[:2], {"userPassword": {"password": SECRET_PASSWORD}})
    assert response.status == 200
    assert SECRET_PASSWORD.encode() not in response.body
    assert response.json()["spec"]["login"] == {"userPassword": {"username": "root", "password": "******"}}
    named = remove(hw, uids(hw)[2:], {"userPassword": {"username": "admin", "password": SECRET_PASSWORD}})
    assert SECRET_PASSWORD.encode() not in named.body
    assert named.json()["spec"]["login"]["userPassword"]["username"] == "admin"


def test_password_never_stored(hw: Huawei, sim: Simulator) -> None:
    remove(hw, uids(hw)[:1], {"userPassword": {"password": SECRET_PASSWORD}})
    assert SECRET_PASSWORD not in str(sim.state())
    assert SECRET_PASSWORD not in str(sim.calls())


@pytest.mark.parametrize("body", [
    {},
    {"spec": {"nodes": [{"uid": "x"}]}},
    {"spec": {"login": {}, "nodes": [{"uid": "x"}]}},
    {"spec": {"login": {"sshKey": "k", "userPassword": {"password": "p"}}, "nodes": [{"uid": "x"}]}},
    {"spec": {"login": {"userPassword": {"username": "root"}}, "nodes": [{"uid": "x"}]}},
    {"spec": {"login": {"sshKey": ""}, "nodes": [{"uid": "x"}]}},
    {"spec": {"login": {"sshKey": "k"}, "nodes": []}},
    {"spec": {"login": {"sshKey": "k"}}},
    {"spec": {"login": {"sshKey": "k"}, "nodes": [{"id": "x"}]}},
    {"kind": "Other", "spec": {"login": {"sshKey": "k"}, "nodes": [{"uid": "x"}]}},
])
def test_remove_validation_400(hw: Huawei, sim: Simulator, body: dict[str, Any]) -> None:
    response = hw.request("PUT", REMOVE, body)
    assert response.status == 400, response.body
    assert response.json()["error_code"] == "CCE.01400001"
    assert not sim.state()["jobs"]


def test_remove_unknown_node_and_duplicates(hw: Huawei) -> None:
    unknown = remove(hw, ["00000000-0000-4000-8000-000000000000"])
    assert unknown.status == 404
    first = uids(hw)[0]
    assert remove(hw, [first, first]).status == 400
    assert remove(hw, [first]).status == 200


def test_remove_more_than_200_nodes_400(hw: Huawei, sim: Simulator) -> None:
    sim.world(cce_nodes=450)
    all_uids = uids(hw)
    assert len(all_uids) == 450
    too_many = remove(hw, all_uids[:201])
    assert too_many.status == 400
    assert "200" in too_many.json()["error_msg"]
    assert remove(hw, all_uids[:200]).status == 200
    assert remove(hw, all_uids[200:400]).status == 200
    poll(lambda: len(uids(hw)) == 50)


def test_job_phases(hw: Huawei, sim: Simulator) -> None:
    sim.config(job_seconds=0.6)
    job_id = remove(hw, uids(hw)[:1]).json()["status"]["jobID"]
    job = hw.request("GET", JOBS + job_id).json()
    assert job["kind"] == "Job"
    assert job["metadata"]["uid"] == job_id
    assert job["spec"]["type"] == "DeleteNode"
    assert job["spec"]["clusterUID"] == CCE_CLUSTER_ID
    assert job["spec"]["subJobs"] == []
    assert job["status"] == {"phase": "Initializing", "reason": ""}
    seen = {job["status"]["phase"]}

    def phase() -> str | None:
        current = hw.request("GET", JOBS + job_id).json()["status"]["phase"]
        seen.add(current)
        return current if current == "Success" else None
    poll(phase)
    assert seen == {"Initializing", "Running", "Success"}
    assert hw.request("GET", JOBS + "00000000-0000-4000-8000-000000000000").status == 404


def test_failed_job_puts_nodes_back(hw: Huawei, sim: Simulator) -> None:
    sim.fault(path="/nodes/operation/remove$", kind="job_fail")
    target = uids(hw)[1]
    job_id = remove(hw, [target]).json()["status"]["jobID"]

    def final_status() -> dict[str, Any] | None:
        status = hw.request("GET", JOBS + job_id).json()["status"]
        return status if status["phase"] in ("Success", "Failed") else None
    status = poll(final_status)
    assert status["phase"] == "Failed"
    assert status["reason"]
    node = [item for item in hw.request("GET", NODES).json()["items"] if item["metadata"]["uid"] == target][0]
    assert node["status"]["phase"] == "Active"
    assert "jobID" not in node["status"]


def test_unknown_cce_path(hw: Huawei, sim: Simulator) -> None:
    assert hw.request("GET", f"/api/v3/projects/{HW_PROJECT_ID}/nothing").status == 404
    assert hw.request("POST", REMOVE, {}).status == 404
    assert send("GET", sim.url + "/elsewhere").status == 404


def page(hw: Huawei, query: str = "") -> Any:
    response = hw.request("GET", NODES + query)
    assert response.status == 200, response.body
    return response.json()


def test_list_nodes_pages_follow_the_marker_and_the_last_page_has_no_next_marker(hw: Huawei, sim: Simulator) -> None:
    sim.world(cce_nodes=5)
    everything = page(hw)
    assert everything["pageInfo"] == {"currentCount": 5}  # one page: no nextMarker
    names = [item["metadata"]["name"] for item in everything["items"]]
    sim.config(cce_page_size=2)
    seen, marker, infos = [], None, []
    while True:
        body = page(hw, f"?marker={marker}" if marker else "")
        seen += [item["metadata"]["name"] for item in body["items"]]
        infos.append(body["pageInfo"])
        marker = body["pageInfo"].get("nextMarker")
        if marker is None:
            break
        assert marker == body["items"][-1]["metadata"]["uid"]
    assert seen == names
    assert [info["currentCount"] for info in infos] == [2, 2, 1]
    # `limit` asks for less than the page size, never for more.
    assert len(page(hw, "?limit=1")["items"]) == 1
    assert len(page(hw, "?limit=2000")["items"]) == 2


def test_list_nodes_refuses_a_bad_limit_or_an_unknown_marker(hw: Huawei) -> None:
    for query in ("?limit=0", "?limit=2001", "?limit=x", "?marker=no-such-uid"):
        response = hw.request("GET", NODES + query)
        assert response.status == 400, query
        assert response.json()["error_code"] == "CCE.01400001"
