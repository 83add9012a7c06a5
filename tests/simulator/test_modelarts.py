from __future__ import annotations

import pytest

from .client import Huawei, poll
from .fixture import Simulator
from .world import HW_PROJECT_ID

HYPER = f"/v1/{HW_PROJECT_ID}/dev-servers/hyper-clusters"


def test_show_hyper_clusters(hw: Huawei) -> None:
    hps = hw.request("GET", f"{HYPER}/hc-demo-hps")
    assert hps.status == 200
    body = hps.json()
    assert {key: body[key] for key in ("id", "name", "type", "status")} == {
        "id": "hc-demo-hps", "name": "demo-hps", "type": "HPS", "status": "Running"}
    assert isinstance(body["network_info"], list) and body["network_info"]
    assert {"vpc_id", "subnet_id", "cidr"} <= set(body["network_info"][0])
    assert "create_time" in body
    assert hw.request("GET", f"{HYPER}/hc-demo-hps?type=HPS").status == 200
    assert hw.request("GET", f"{HYPER}/hc-demo-ecs?type=ECS").json()["name"] == "demo-ecs"


def test_type_mismatch_is_not_found(hw: Huawei) -> None:
    missing = hw.request("GET", f"{HYPER}/hc-demo-ecs")  # type defaults to HPS
    assert missing.status == 404
    assert set(missing.json()) == {"error_code", "error_msg"}
    assert hw.request("GET", f"{HYPER}/hc-demo-hps?type=ECS").status == 404
    assert hw.request("DELETE", f"{HYPER}/hc-demo-ecs?type=HPS").status == 404
    assert hw.request("GET", f"{HYPER}/hc-demo-hps?type=GPU").status == 400


@pytest.mark.parametrize("path", [
    f"{HYPER}/bad_id",
    f"{HYPER}/" + "a" * 65,
    f"{HYPER}/has%20space",
    "/v1/bad_project/dev-servers/hyper-clusters/hc-demo-hps",
])
def test_id_validation_400(hw: Huawei, path: str) -> None:
    response = hw.request("GET", path)
    assert response.status == 400, response.body
    assert response.json()["error_code"] == "ModelArts.50004000"


def test_list(hw: Huawei) -> None:
    body = hw.request("GET", HYPER).json()
    assert body["total"] == 2
    assert [c["id"] for c in body["hyper_clusters"]] == ["hc-demo-hps", "hc-demo-ecs"]
    assert hw.request("GET", HYPER + "?type=ECS").json()["total"] == 1
    page = hw.request("GET", HYPER + "?limit=1&offset=1").json()
    assert page["total"] == 2 and [c["id"] for c in page["hyper_clusters"]] == ["hc-demo-ecs"]
    assert hw.request("GET", HYPER + "?limit=0").status == 400


def test_delete_life_cycle(hw: Huawei, sim: Simulator) -> None:
    deleted = hw.request("DELETE", f"{HYPER}/hc-demo-hps?type=HPS")
    assert deleted.status == 204
    assert deleted.body == b""
    assert hw.request("GET", f"{HYPER}/hc-demo-hps").json()["status"] == "Deleting"
    assert hw.request("DELETE", f"{HYPER}/hc-demo-hps").status == 204  # again while deleting: no new job
    assert len(sim.state()["jobs"]) == 1
    poll(lambda: hw.request("GET", f"{HYPER}/hc-demo-hps").status == 404)
    assert hw.request("DELETE", f"{HYPER}/hc-demo-hps").status == 404
    assert hw.request("GET", HYPER).json()["total"] == 1
    writes = sim.writes()
    assert [(call["method"], call["status"]) for call in writes] == [("DELETE", 204), ("DELETE", 204), ("DELETE", 404)]


def test_delete_unknown_404(hw: Huawei) -> None:
    assert hw.request("DELETE", f"{HYPER}/hc-none").status == 404


def test_failed_delete_rolls_back(hw: Huawei, sim: Simulator) -> None:
    sim.fault(path="/hyper-clusters/", method="DELETE", kind="job_fail")
    assert hw.request("DELETE", f"{HYPER}/hc-demo-ecs?type=ECS").status == 204
    poll(lambda: hw.request("GET", f"{HYPER}/hc-demo-ecs?type=ECS").json()["status"] == "Running")


def test_wrong_method_404(hw: Huawei) -> None:
    assert hw.request("PUT", f"{HYPER}/hc-demo-hps", {}).status == 404
    assert hw.request("DELETE", HYPER).status == 404
