from __future__ import annotations

import http.client
import threading
import time
from typing import Any

import pytest

from .client import Huawei, QingCloud, poll
from .fixture import Simulator, SimulatorError
from .world import CCE_CLUSTER_ID, EHPC_CLUSTER_ID, HW_PROJECT_ID

ADD = "/api/cluster/addNodes$"
CCE_NODES = f"/api/v3/projects/{HW_PROJECT_ID}/clusters/{CCE_CLUSTER_ID}/nodes"


def ehpc_nodes(sim: Simulator) -> dict[str, Any]:
    return sim.state()["ehpc"]["clusters"][EHPC_CLUSTER_ID]["nodes"]


def test_status_fault_on_qingcloud(qy: QingCloud, sim: Simulator) -> None:
    sim.fault(path=ADD, kind="status", status=503, retry_after=2, times=2)
    for _attempt in range(2):
        response = qy.add_nodes(EHPC_CLUSTER_ID)
        assert response.status == 503
        assert response.headers["retry-after"] == "2"
        assert response.json()["ret_code"] == 5100
    assert len(ehpc_nodes(sim)) == 3
    assert qy.add_nodes(EHPC_CLUSTER_ID).json()["ret_code"] == 0
    assert [call["status"] for call in sim.writes()] == [503, 503, 200]
    assert sim.pending_faults() == []


def test_status_fault_on_huawei(hw: Huawei, sim: Simulator) -> None:
    sim.faults([{"path": "/nodes$", "kind": "status", "status": 429, "retry_after": 1},
                {"path": "/dev-servers/", "kind": "status", "status": 500}])
    throttled = hw.request("GET", CCE_NODES)
    assert throttled.status == 429
    assert throttled.json()["error_code"] == "APIGW.0308"
    assert throttled.headers["retry-after"] == "1"
    assert "x-request-id" in throttled.headers
    broken = hw.request("GET", f"/v1/{HW_PROJECT_ID}/dev-servers/hyper-clusters/hc-demo-hps")
    assert broken.status == 500
    assert set(broken.json()) == {"error_code", "error_msg"}
    assert hw.request("GET", CCE_NODES).status == 200


def test_ret_code_fault(qy: QingCloud, sim: Simulator) -> None:
    sim.fault(path=ADD, kind="ret_code", ret_code=2500)
    response = qy.add_nodes(EHPC_CLUSTER_ID)
    assert response.status == 200
    assert response.json()["ret_code"] == 2500
    assert len(ehpc_nodes(sim)) == 3
    assert sim.calls()[-1]["ret_code"] == 2500


def test_drop_before_applying(qy: QingCloud, sim: Simulator) -> None:
    sim.fault(path=ADD, kind="drop")
    with pytest.raises((http.client.HTTPException, ConnectionError)):
        qy.add_nodes(EHPC_CLUSTER_ID)
    assert len(ehpc_nodes(sim)) == 3
    assert not sim.state()["jobs"]
    call = sim.calls()[-1]
    assert (call["status"], call["fault"], call["write"]) == (None, "drop", True)


def test_drop_after_applying(qy: QingCloud, sim: Simulator) -> None:
    sim.fault(path=ADD, kind="drop_after")
    with pytest.raises((http.client.HTTPException, ConnectionError)):
        qy.add_nodes(EHPC_CLUSTER_ID, node_count="2")
    assert len(ehpc_nodes(sim)) == 5
    assert len(sim.state()["jobs"]) == 1
    poll(lambda: all(node["status"] == "active" for node in ehpc_nodes(sim).values()))


def test_drop_after_on_huawei_delete(hw: Huawei, sim: Simulator) -> None:
    sim.fault(path="/hyper-clusters/", method="DELETE", kind="drop_after")
    with pytest.raises((http.client.HTTPException, ConnectionError)):
        hw.request("DELETE", f"/v1/{HW_PROJECT_ID}/dev-servers/hyper-clusters/hc-demo-hps")
    assert sim.state()["hyper_clusters"]["hc-demo-hps"]["status"] == "Deleting"


def test_delay_does_not_block_other_calls(qy: QingCloud, sim: Simulator) -> None:
    sim.fault(path=ADD, kind="delay", seconds=0.5)
    result: dict[str, Any] = {}

    def slow() -> None:
        started = time.monotonic()
        result["body"] = qy.add_nodes(EHPC_CLUSTER_ID).json()
        result["elapsed"] = time.monotonic() - started
    worker = threading.Thread(target=slow)
    worker.start()
    poll(lambda: not sim.pending_faults())  # the slow call has taken its fault
    quick_started = time.monotonic()
    assert qy.list_nodes(EHPC_CLUSTER_ID).json()["ret_code"] == 0
    assert time.monotonic() - quick_started < 0.4
    worker.join(timeout=10)
    assert result["body"]["ret_code"] == 0
    assert result["elapsed"] >= 0.5


def test_method_filter(qy: QingCloud, sim: Simulator) -> None:
    sim.fault(path="/api/", method="get", kind="ret_code", ret_code=5000)
    assert qy.add_nodes(EHPC_CLUSTER_ID).json()["ret_code"] == 0
    assert qy.list_nodes(EHPC_CLUSTER_ID).json()["ret_code"] == 5000


def test_job_fail_on_add(qy: QingCloud, sim: Simulator) -> None:
    sim.fault(path=ADD, kind="job_fail")
    # A call that creates no job leaves the job fault pending.
    assert qy.add_nodes(EHPC_CLUSTER_ID, node_count="0").json()["ret_code"] == 1100
    assert len(sim.pending_faults()) == 1
    job_id = qy.add_nodes(EHPC_CLUSTER_ID).json()["job_id"]
    assert sim.pending_faults() == []
    poll(lambda: qy.job_status(job_id) == "failed")
    job = qy.jobs(job_id).json()["job_set"][0]
    assert job["error_codes"]
    assert len(ehpc_nodes(sim)) == 3  # the half-made node is gone
    assert qy.add_nodes(EHPC_CLUSTER_ID).json()["ret_code"] == 0  # next job is normal


def test_job_fail_on_delete(qy: QingCloud, sim: Simulator) -> None:
    sim.fault(path="deleteNodes", kind="job_fail")
    target = [n for n in qy.all_nodes(EHPC_CLUSTER_ID) if n["name"] == "compute02"][0]["node_id"]
    job_id = qy.delete_nodes(EHPC_CLUSTER_ID, [target]).json()["job_ids"]
    poll(lambda: qy.job_status(job_id) == "failed")
    node = ehpc_nodes(sim)[target]
    assert (node["status"], node["transition_status"]) == ("active", "")


def test_job_stuck(qy: QingCloud, sim: Simulator) -> None:
    sim.config(job_seconds=0.05)
    sim.fault(path=ADD, kind="job_stuck")
    job_id = qy.add_nodes(EHPC_CLUSTER_ID).json()["job_id"]
    normal = qy.add_nodes(EHPC_CLUSTER_ID).json()["job_id"]
    # The later job, same duration, has finished: the stuck one's time has passed too.
    poll(lambda: qy.job_status(normal) == "successful")
    assert qy.job_status(job_id) == "pending"
    assert sim.state()["jobs"][job_id]["done_at"] is None
    stuck_nodes = [n for n in ehpc_nodes(sim).values() if n["transition_status"] == "creating"]
    assert len(stuck_nodes) == 1


def test_job_vanish_qingcloud(qy: QingCloud, sim: Simulator) -> None:
    sim.fault(path=ADD, kind="job_vanish")
    job_id = qy.add_nodes(EHPC_CLUSTER_ID).json()["job_id"]
    assert qy.jobs(job_id).json()["job_set"] == []
    poll(lambda: len([n for n in ehpc_nodes(sim).values() if n["status"] == "active"]) == 4)
    assert qy.jobs(job_id).json()["total_count"] == 0


def test_job_vanish_cce(hw: Huawei, sim: Simulator) -> None:
    sim.fault(path="/operation/remove", kind="job_vanish")
    uid = hw.request("GET", CCE_NODES).json()["items"][0]["metadata"]["uid"]
    body = {"spec": {"login": {"sshKey": "k"}, "nodes": [{"uid": uid}]}}
    job_id = hw.request("PUT", CCE_NODES + "/operation/remove", body).json()["status"]["jobID"]
    assert hw.request("GET", f"/api/v3/projects/{HW_PROJECT_ID}/jobs/{job_id}").status == 404
    poll(lambda: len(hw.request("GET", CCE_NODES).json()["items"]) == 2)


def test_fault_admin(sim: Simulator) -> None:
    sim.fault(path="", kind="status", status=500, times=3)
    assert sim.state()  # the control API is never faulted
    assert sim.pending_faults()[0]["times"] == 3
    sim.clear_faults()
    assert sim.pending_faults() == []
    for bad in ({"kind": "explode"}, {"kind": "status"}, {"kind": "status", "status": 200},
                {"kind": "delay"}, {"kind": "drop", "path": "("}, {"kind": "drop", "times": 0},
                {"kind": "drop", "colour": "red"}):
        with pytest.raises(SimulatorError):
            sim.fault(**bad)
    with pytest.raises(SimulatorError):
        sim.faults([{"kind": "drop"}, {"kind": "nope"}])
    assert sim.pending_faults() == []  # a bad list adds nothing


LIST_NODES = "/api/cluster/listNodes$"


def test_bad_answer_html_carries_out_the_call_then_answers_a_page(qy: QingCloud, sim: Simulator) -> None:
    sim.fault(path=ADD, kind="bad_answer", body="html")
    response = qy.add_nodes(EHPC_CLUSTER_ID)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.body.startswith(b"<!DOCTYPE html>")
    assert len(ehpc_nodes(sim)) == 4  # the write happened; only its answer is wrong
    assert sim.calls()[-1]["fault"] == "bad_answer"
    assert sim.pending_faults() == []


def test_bad_answer_empty_and_missing_key(qy: QingCloud, sim: Simulator) -> None:
    sim.faults([{"path": LIST_NODES, "kind": "bad_answer", "body": "empty"},
                {"path": LIST_NODES, "kind": "bad_answer", "body": "missing:hpc_app_nodes_set"}])
    params = {"cluster_id": EHPC_CLUSTER_ID, "zone": qy.zone}
    assert qy.get("/api/cluster/listNodes", params).json() == {}
    missing = qy.get("/api/cluster/listNodes", params).json()
    assert missing["ret_code"] == 0 and "total_count" in missing and "hpc_app_nodes_set" not in missing
    assert "hpc_app_nodes_set" in qy.get("/api/cluster/listNodes", params).json()


def test_bad_answer_needs_a_known_body(sim: Simulator) -> None:
    for body in (None, "xml", "missing:"):
        with pytest.raises(SimulatorError):
            sim.fault(path=ADD, kind="bad_answer", **({} if body is None else {"body": body}))
    with pytest.raises(SimulatorError):
        sim.fault(path=ADD, kind="status", status=500, body="html")


def test_a_fault_can_match_the_query_and_short_drops_the_last_item(qy: QingCloud, sim: Simulator) -> None:
    sim.world(ehpc_compute_nodes=30)
    sim.fault(path=LIST_NODES, query="(^|&)offset=10(&|$)", kind="bad_answer", body="short:hpc_app_nodes_set")
    params = {"cluster_id": EHPC_CLUSTER_ID, "zone": qy.zone, "limit": 10}
    first = qy.get("/api/cluster/listNodes", dict(params, offset=0)).json()
    assert len(first["hpc_app_nodes_set"]) == 10 and sim.pending_faults()  # offset 0 does not match
    short = qy.get("/api/cluster/listNodes", dict(params, offset=10)).json()
    assert len(short["hpc_app_nodes_set"]) == 9 and short["total_count"] == 31
    assert sim.calls()[-1]["fault"] == "bad_answer" and sim.pending_faults() == []
    with pytest.raises(SimulatorError):
        sim.fault(path=LIST_NODES, query="(", kind="drop")
