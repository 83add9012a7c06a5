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
    # GetHyperClusterResponse: id, name, network_info and nothing else.
    assert sorted(body) == ["id", "name", "network_info"]
    assert (body["id"], body["name"]) == ("hc-demo-hps", "demo-hps")
    assert body["network_info"][0] == {"hyper_cluster_subnet_id": "subnet-demo-0001", "is_default": True}
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


def test_list_is_of_one_type_hps_by_default_without_paging(hw: Huawei) -> None:
    body = hw.request("GET", HYPER).json()
    assert sorted(body) == ["hyper_clusters"]
    assert [c["id"] for c in body["hyper_clusters"]] == ["hc-demo-hps"]
    assert [c["id"] for c in hw.request("GET", HYPER + "?type=ECS").json()["hyper_clusters"]] == ["hc-demo-ecs"]
    # Paging parameters are no part of ListHyperCluster: ignored.
    assert hw.request("GET", HYPER + "?limit=0&offset=5").json() == body
    assert hw.request("GET", HYPER + "?type=GPU").status == 400


def test_delete_life_cycle(hw: Huawei, sim: Simulator) -> None:
    deleted = hw.request("DELETE", f"{HYPER}/hc-demo-hps?type=HPS")
    assert deleted.status == 204
    assert deleted.body == b""
    assert sim.state()["hyper_clusters"]["hc-demo-hps"]["status"] == "Deleting"
    assert hw.request("DELETE", f"{HYPER}/hc-demo-hps").status == 204  # again while deleting: no new job
    assert len(sim.state()["jobs"]) == 1
    poll(lambda: hw.request("GET", f"{HYPER}/hc-demo-hps").status == 404)
    assert hw.request("DELETE", f"{HYPER}/hc-demo-hps").status == 404
    assert hw.request("GET", HYPER).json() == {"hyper_clusters": []}
    writes = sim.writes()
    assert [(call["method"], call["status"]) for call in writes] == [("DELETE", 204), ("DELETE", 204), ("DELETE", 404)]


def test_delete_unknown_404(hw: Huawei) -> None:
    assert hw.request("DELETE", f"{HYPER}/hc-none").status == 404


def test_failed_delete_rolls_back(hw: Huawei, sim: Simulator) -> None:
    sim.fault(path="/hyper-clusters/", method="DELETE", kind="job_fail")
    assert hw.request("DELETE", f"{HYPER}/hc-demo-ecs?type=ECS").status == 204
    poll(lambda: sim.state()["hyper_clusters"]["hc-demo-ecs"]["status"] == "Running")


def test_wrong_method_404(hw: Huawei) -> None:
    assert hw.request("PUT", f"{HYPER}/hc-demo-hps", {}).status == 404
    assert hw.request("DELETE", HYPER).status == 404
