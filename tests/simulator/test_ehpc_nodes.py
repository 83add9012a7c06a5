from __future__ import annotations

import re
from typing import Any

import pytest

from .client import QingCloud, poll
from .ehpc import hostlist
from .fixture import Simulator, SimulatorError
from .world import EHPC_CLUSTER_ID, QY_ZONE

JOB_ID_RE = re.compile(r"j-[a-z0-9]{11}")


def nodes_by_name(qy: QingCloud) -> dict[str, dict[str, Any]]:
    return {node["name"]: node for node in qy.all_nodes(EHPC_CLUSTER_ID)}


def wait_job(qy: QingCloud, job_id: str, status: str = "successful") -> None:
    poll(lambda: qy.job_status(job_id) == status, timeout=5)


def test_default_world(qy: QingCloud) -> None:
    nodes = qy.all_nodes(EHPC_CLUSTER_ID)
    assert [(n["name"], n["role"], n["status"]) for n in nodes] == [
        ("login01", "login", "active"), ("compute01", "compute", "active"), ("compute02", "compute", "active")]
    for node in nodes:
        assert re.fullmatch(r"cln-[a-z0-9]{8}", node["node_id"])
        assert re.fullmatch(r"i-[a-z0-9]{8}", node["instance_id"])
        assert node["private_ip"].startswith("192.168.100.")
        assert node["cluster_id"] == EHPC_CLUSTER_ID
        assert node["transition_status"] == ""
    assert [n["create_time"] for n in nodes] == sorted(n["create_time"] for n in nodes)


@pytest.mark.parametrize("fields", [
    {"node_count": 1},
    {"node_count": "0"},
    {"node_count": "100"},
    {"node_count": "two"},
    {"node_count": " 2"},
    {"node_role": "master"},
    {"node_count": "2", "private_ips": ["192.168.100.50"]},
    {"node_count": "1", "private_ips": ["not-an-ip"]},
    {"node_count": "1", "private_ips": "192.168.100.50"},
    {"node_name": 7},
    {"resource_conf": {"cpu": 2}},
])
def test_add_nodes_validation_is_1100_without_state_change(qy: QingCloud, sim: Simulator, fields: dict[str, Any]) -> None:
    before = sim.state()["ehpc"]
    body = qy.add_nodes(EHPC_CLUSTER_ID, **fields).json()
    assert body["ret_code"] == 1100, body
    assert body["message"]
    assert sim.state()["ehpc"] == before
    assert not sim.state()["jobs"]


def test_add_nodes_cluster_and_zone_checks(qy: QingCloud) -> None:
    assert qy.post("/api/cluster/addNodes", {"zone": QY_ZONE}).json()["ret_code"] == 1100
    assert qy.add_nodes("ehpc-BAD").json()["ret_code"] == 1100
    assert qy.add_nodes("ehpc-00000000").json()["ret_code"] == 2100
    mismatch = qy.post("/api/cluster/addNodes", {"cluster_id": EHPC_CLUSTER_ID, "zone": "pek3"})
    assert mismatch.json()["ret_code"] == 1100
    other_zone = QingCloud(qy.base_url, qy.access_key, qy.secret, "pek3")
    assert other_zone.add_nodes(EHPC_CLUSTER_ID).json()["ret_code"] == 2100


def test_add_nodes_life_cycle(qy: QingCloud, sim: Simulator) -> None:
    body = qy.add_nodes(EHPC_CLUSTER_ID, node_count="2").json()
    assert body == {"action": "HpcClusterAddClusterNodesResponse", "job_id": body["job_id"], "ret_code": 0}
    assert JOB_ID_RE.fullmatch(body["job_id"])
    nodes = nodes_by_name(qy)
    assert {name: (n["status"], n["transition_status"]) for name, n in nodes.items() if name in ("compute03", "compute04")} \
        == {"compute03": ("pending", "creating"), "compute04": ("pending", "creating")}
    job = qy.jobs(body["job_id"]).json()["job_set"][0]
    assert job["status"] == "pending"
    assert job["job_action"] == "AddClusterNodes"
    assert job["resource_ids"].split()[0] == EHPC_CLUSTER_ID
    assert set(job["resource_ids"].split()[1:]) == {nodes["compute03"]["node_id"], nodes["compute04"]["node_id"]}
    wait_job(qy, body["job_id"])
    nodes = nodes_by_name(qy)
    assert nodes["compute04"]["status"] == "active"
    assert nodes["compute04"]["transition_status"] == ""
    assert nodes["compute04"]["create_time"] > nodes["compute02"]["create_time"]
    recorded = sim.state()["jobs"][body["job_id"]]
    assert recorded["done_at"] == pytest.approx(recorded["created_at"] + 0.2)


def test_add_login_node_with_name_and_ips(qy: QingCloud) -> None:
    assert qy.add_nodes(EHPC_CLUSTER_ID, node_role="login").json()["ret_code"] == 0
    body = qy.add_nodes(EHPC_CLUSTER_ID, node_count="2", node_name="gpu",
                        private_ips=["192.168.100.200", "192.168.100.201"]).json()
    assert body["ret_code"] == 0
    nodes = nodes_by_name(qy)
    assert nodes["login02"]["role"] == "login"
    assert (nodes["gpu"]["private_ip"], nodes["gpu-2"]["private_ip"]) == ("192.168.100.200", "192.168.100.201")
    assert nodes["gpu"]["role"] == "compute"
    taken = qy.add_nodes(EHPC_CLUSTER_ID, private_ips=["192.168.100.200"]).json()
    assert taken["ret_code"] == 1100


def test_delete_nodes_life_cycle_and_default_key(qy: QingCloud) -> None:
    target = nodes_by_name(qy)["compute02"]["node_id"]
    body = qy.delete_nodes(EHPC_CLUSTER_ID, [target]).json()
    assert set(body) == {"action", "job_ids", "ret_code"}
    assert body["action"] == "HpcClusterDeleteClusterNodesResponse"
    assert nodes_by_name(qy)["compute02"]["transition_status"] == "deleting"
    again = qy.delete_nodes(EHPC_CLUSTER_ID, [target]).json()
    assert again["ret_code"] == 1400
    wait_job(qy, body["job_ids"])
    assert "compute02" not in nodes_by_name(qy)


def test_delete_job_key_is_configurable(qy: QingCloud, sim: Simulator) -> None:
    assert sim.config()["delete_job_key"] == "job_ids"
    sim.config(delete_job_key="job_id")
    target = nodes_by_name(qy)["compute02"]["node_id"]
    body = qy.delete_nodes(EHPC_CLUSTER_ID, [target]).json()
    assert "job_id" in body and "job_ids" not in body
    sim.reset()
    assert sim.config()["delete_job_key"] == "job_ids"


def test_last_node_of_a_role_cannot_go(qy: QingCloud, sim: Simulator) -> None:
    nodes = nodes_by_name(qy)
    body = qy.delete_nodes(EHPC_CLUSTER_ID, [nodes["login01"]["node_id"]]).json()
    assert body["ret_code"] == 1400
    assert "login" in body["message"]
    both = qy.delete_nodes(EHPC_CLUSTER_ID, [nodes["compute01"]["node_id"], nodes["compute02"]["node_id"]]).json()
    assert both["ret_code"] == 1400
    assert "compute" in both["message"]
    # One at a time: the second is refused because the first is already being deleted.
    assert qy.delete_nodes(EHPC_CLUSTER_ID, [nodes["compute01"]["node_id"]]).json()["ret_code"] == 0
    second = qy.delete_nodes(EHPC_CLUSTER_ID, [nodes["compute02"]["node_id"]]).json()
    assert second["ret_code"] == 1400
    assert "compute" in second["message"]
    accepted = [call for call in sim.writes() if call["path"].endswith("deleteNodes") and call["ret_code"] == 0]
    assert len(accepted) == 1


def test_delete_nodes_validation(qy: QingCloud) -> None:
    assert qy.delete_nodes(EHPC_CLUSTER_ID, []).json()["ret_code"] == 1100
    assert qy.delete_nodes(EHPC_CLUSTER_ID, ["node-1"]).json()["ret_code"] == 1100
    assert qy.delete_nodes(EHPC_CLUSTER_ID, ["cln-zzzzzzzz"]).json()["ret_code"] == 2100
    assert qy.post("/api/cluster/deleteNodes", {"cluster_id": EHPC_CLUSTER_ID, "zone": QY_ZONE}).json()["ret_code"] == 1100


def test_restart_nodes(qy: QingCloud) -> None:
    target = nodes_by_name(qy)["compute01"]["node_id"]
    body = qy.restart_nodes(EHPC_CLUSTER_ID, [target]).json()
    assert body["action"] == "HpcClusterRestartClusterNodesResponse"
    assert JOB_ID_RE.fullmatch(body["job_id"])
    assert nodes_by_name(qy)["compute01"]["transition_status"] == "restarting"
    assert qy.restart_nodes(EHPC_CLUSTER_ID, [target]).json()["ret_code"] == 1400
    assert qy.restart_nodes(EHPC_CLUSTER_ID, ["cln-zzzzzzzz"]).json()["ret_code"] == 2100
    assert qy.restart_nodes(EHPC_CLUSTER_ID, []).json()["ret_code"] == 1100
    wait_job(qy, body["job_id"])
    node = nodes_by_name(qy)["compute01"]
    assert (node["status"], node["transition_status"]) == ("active", "")
    assert qy.jobs(body["job_id"]).json()["job_set"][0]["job_action"] == "RestartClusterNodes"


@pytest.mark.parametrize("key,other", [("node_ids", "node_list"), ("node_list", "node_ids")])
def test_delete_nodes_reads_only_the_configured_ids_key(qy: QingCloud, sim: Simulator, key: str, other: str) -> None:
    sim.config(ehpc_delete_ids_key=key)
    target = nodes_by_name(qy)["compute01"]["node_id"]
    refused = qy.delete_nodes(EHPC_CLUSTER_ID, [target], key=other).json()
    assert refused["ret_code"] == 1100 and key in refused["message"]
    assert qy.delete_nodes(EHPC_CLUSTER_ID, [target], key=key).json()["ret_code"] == 0
    # Both keys (what the collection sends): the configured one counts, the other is ignored.
    both = {"cluster_id": EHPC_CLUSTER_ID, "zone": QY_ZONE, key: [nodes_by_name(qy)["compute02"]["node_id"]],
            other: ["cln-zzzzzzzz"]}
    assert qy.post("/api/cluster/deleteNodes", both).json()["ret_code"] == 1400  # the last compute node


@pytest.mark.parametrize("served,unserved", [("restartNodes", "resatrtNodes"), ("resatrtNodes", "restartNodes")])
def test_only_the_configured_restart_route_is_served(qy: QingCloud, sim: Simulator, served: str, unserved: str) -> None:
    sim.config(ehpc_restart_route=served)
    target = nodes_by_name(qy)["compute01"]["node_id"]
    missing = qy.restart_nodes(EHPC_CLUSTER_ID, [target], route=unserved)
    assert missing.status == 404 and missing.headers["content-type"].startswith("text/html")
    assert b"404 Not Found" in missing.body
    assert nodes_by_name(qy)["compute01"]["transition_status"] == ""  # nothing was done
    body = qy.restart_nodes(EHPC_CLUSTER_ID, [target], route=served).json()
    assert body["ret_code"] == 0 and JOB_ID_RE.fullmatch(body["job_id"])
    assert [call["status"] for call in sim.writes()] == [404, 200]


def test_operation_answers_at_most_limit_jobs_10_by_default(qy: QingCloud) -> None:
    job_ids = [qy.add_nodes(EHPC_CLUSTER_ID).json()["job_id"] for dummy in range(12)]
    unlimited = qy.get("/api/operation", {"zone": QY_ZONE, "job_ids": ",".join(job_ids)}).json()
    assert len(unlimited["job_set"]) == 10 and unlimited["total_count"] == 12
    assert len(qy.jobs(*job_ids).json()["job_set"]) == 12
    rest = qy.get("/api/operation", {"zone": QY_ZONE, "job_ids": ",".join(job_ids), "offset": 10}).json()
    assert [job["job_id"] for job in rest["job_set"]] == job_ids[10:]


def test_list_nodes_paging_on_150_nodes(qy: QingCloud, sim: Simulator) -> None:
    sim.world(ehpc_compute_nodes=149)
    first = qy.list_nodes(EHPC_CLUSTER_ID).json()
    assert first["total_count"] == 150
    assert len(first["hpc_app_nodes_set"]) == 10  # default limit
    capped = qy.list_nodes(EHPC_CLUSTER_ID, {"limit": 500}).json()
    assert len(capped["hpc_app_nodes_set"]) == 100
    rest = qy.list_nodes(EHPC_CLUSTER_ID, {"limit": 100, "offset": 100}).json()
    assert len(rest["hpc_app_nodes_set"]) == 50
    assert rest["total_count"] == 150
    names = [n["name"] for n in capped["hpc_app_nodes_set"] + rest["hpc_app_nodes_set"]]
    assert names[0] == "login01" and names[-1] == "compute149"
    assert len(set(names)) == 150
    beyond = qy.list_nodes(EHPC_CLUSTER_ID, {"offset": 1000}).json()
    assert beyond["hpc_app_nodes_set"] == [] and beyond["total_count"] == 150
    assert qy.list_nodes(EHPC_CLUSTER_ID, {"limit": "x"}).json()["ret_code"] == 1100
    assert qy.list_nodes(EHPC_CLUSTER_ID, {"offset": -1}).json()["ret_code"] == 1100
    login = qy.list_nodes(EHPC_CLUSTER_ID, {"status": "active", "limit": 1}).json()
    assert login["total_count"] == 150
    assert qy.list_nodes("ehpc-00000000").json()["ret_code"] == 2100


def test_big_world_add_continues_numbering(qy: QingCloud, sim: Simulator) -> None:
    sim.world(ehpc_compute_nodes=64)
    assert qy.add_nodes(EHPC_CLUSTER_ID).json()["ret_code"] == 0
    assert "compute65" in nodes_by_name(qy)


def test_operation_accepts_several_ids(qy: QingCloud) -> None:
    first = qy.add_nodes(EHPC_CLUSTER_ID).json()["job_id"]
    second = qy.add_nodes(EHPC_CLUSTER_ID).json()["job_id"]
    joined = qy.jobs(first, second, "j-unknown0000").json()
    assert joined["total_count"] == 2
    assert [job["job_id"] for job in joined["job_set"]] == [first, second]
    repeated = qy.get("/api/operation", [("zone", QY_ZONE), ("job_ids", first), ("job_ids", second)]).json()
    assert repeated["total_count"] == 2
    assert qy.get("/api/operation", {"zone": QY_ZONE}).json()["ret_code"] == 1100
    assert qy.jobs("j-unknown0000").json() == {
        "action": "HpcOperationListOperationResponse", "job_set": [], "total_count": 0, "ret_code": 0}


def test_hpc_job_list(qy: QingCloud, sim: Simulator) -> None:
    nodes = nodes_by_name(qy)
    job_id = sim.start_hpc_job(["compute01", nodes["compute02"]["node_id"]], job_name="lammps")
    assert job_id == 19453
    other = sim.start_hpc_job(["login01"], seconds=0.1)
    body = qy.get("/api/job/list", {"zone": QY_ZONE, "cluster_id": EHPC_CLUSTER_ID}).json()
    assert body["action"] == "HpcJobListJobsResponse"
    assert body["total_count"] == 2
    first = body["hpc_job_set"][0]
    assert first == {"job_id": job_id, "job_name": "lammps", "job_status": "running", "job_node_list": "compute[01-02]",
                     "queue_name": "normal", "run_user": "root", "started_time": first["started_time"]}
    running = qy.get("/api/job/list", {"zone": QY_ZONE, "cluster_id": EHPC_CLUSTER_ID, "jobs_status": "running"})
    assert running.json()["total_count"] >= 1

    def finished_ids() -> set[int]:
        listed = qy.get("/api/job/list", {"zone": QY_ZONE, "cluster_id": EHPC_CLUSTER_ID, "jobs_status": "finished"})
        return {job["job_id"] for job in listed.json()["hpc_job_set"]}
    poll(lambda: other in finished_ids())
    sim.finish_hpc_job(job_id)
    assert finished_ids() == {job_id, other}
    assert qy.get("/api/job/list", {"zone": QY_ZONE, "cluster_id": EHPC_CLUSTER_ID, "jobs_status": "bogus"}).json()["ret_code"] == 1100
    assert qy.get("/api/job/list", {"zone": QY_ZONE}).json()["ret_code"] == 1100


@pytest.mark.parametrize("names, expected", [
    (["compute01", "compute02", "compute03", "compute07", "login01"], "compute[01-03,07],login01"),
    (["compute02", "compute01"], "compute[01-02]"),
    (["compute05"], "compute05"),
    (["gpu-1", "gpu-3", "headnode"], "gpu-[1,3],headnode"),
    (["compute09", "compute10", "compute11"], "compute[09-11]"),
    ([], ""),
])
def test_hostlist(names: list[str], expected: str) -> None:
    assert hostlist(names) == expected


def test_pending_hpc_jobs_wait_without_nodes_until_finished(qy: QingCloud, sim: Simulator) -> None:
    waiting = sim.queue_hpc_job(job_name="queued")

    def listed(status: str) -> list[dict[str, Any]]:
        query = {"zone": QY_ZONE, "cluster_id": EHPC_CLUSTER_ID, "jobs_status": status}
        return qy.get("/api/job/list", query).json()["hpc_job_set"]
    assert listed("pending") == [{"job_id": waiting, "job_name": "queued", "job_status": "pending", "job_node_list": "",
                                  "queue_name": "normal", "run_user": "root", "started_time": ""}]
    assert listed("running") == []
    sim.finish_hpc_job(waiting)
    assert listed("pending") == []
    assert [job["job_id"] for job in listed("finished")] == [waiting]
    with pytest.raises(SimulatorError, match="HTTP 400"):
        sim.control("POST", "/_sim/hpc_jobs", {"job_status": "pending", "nodes": ["compute01"]})


@pytest.mark.parametrize("reads, name, filtered", [
    ("both", "jobs_status", True), ("both", "job_status", True),
    ("jobs_status", "jobs_status", True), ("jobs_status", "job_status", False),
    ("job_status", "job_status", True), ("job_status", "jobs_status", False),
    ("ignored", "jobs_status", False), ("ignored", "job_status", False),
])
def test_job_list_reads_the_configured_status_filter_name(qy: QingCloud, sim: Simulator, reads: str, name: str,
                                                          filtered: bool) -> None:
    done = sim.start_hpc_job(["compute01"], job_name="old")
    sim.finish_hpc_job(done)
    waiting = sim.queue_hpc_job()
    sim.config(job_list_status_param=reads)
    listed = qy.get("/api/job/list", {"zone": QY_ZONE, "cluster_id": EHPC_CLUSTER_ID, name: "pending"}).json()
    assert [job["job_id"] for job in listed["hpc_job_set"]] == ([waiting] if filtered else [done, waiting])
    assert listed["total_count"] == len(listed["hpc_job_set"])


def test_a_running_job_can_show_a_node_list_of_its_own(qy: QingCloud, sim: Simulator) -> None:
    job_id = sim.start_unplaced_hpc_job("hpc-host-[a,b]")
    listed = qy.get("/api/job/list", {"zone": QY_ZONE, "cluster_id": EHPC_CLUSTER_ID, "jobs_status": "running"}).json()
    assert [(job["job_id"], job["job_node_list"]) for job in listed["hpc_job_set"]] == [(job_id, "hpc-host-[a,b]")]
    for bad in ({"job_node_list": 7}, {"job_node_list": "", "nodes": ["compute01"]},
                {"job_node_list": "", "job_status": "pending"}):
        with pytest.raises(SimulatorError, match="HTTP 400"):
            sim.control("POST", "/_sim/hpc_jobs", bad)


def test_a_set_bad_answer_replaces_one_value_of_the_real_answer(qy: QingCloud, sim: Simulator) -> None:
    sim.start_hpc_job(["compute01"])
    sim.fault(kind="bad_answer", path="/api/job/list", body='set:hpc_job_set.0.job_node_list=["compute01"]')
    sim.fault(kind="bad_answer", path="/api/job/list", body='set:hpc_job_set=["oops"]')
    query = {"zone": QY_ZONE, "cluster_id": EHPC_CLUSTER_ID}
    assert qy.get("/api/job/list", query).json()["hpc_job_set"][0]["job_node_list"] == ["compute01"]
    assert qy.get("/api/job/list", query).json()["hpc_job_set"] == ["oops"]
    assert qy.get("/api/job/list", query).json()["hpc_job_set"][0]["job_node_list"] == "compute01"
    for bad in ("set:hpc_job_set", "set:=1", "set:hpc_job_set={"):
        with pytest.raises(SimulatorError, match="HTTP 400"):
            sim.fault(kind="bad_answer", path="/api/job/list", body=bad)
