"""QingCloud's own EHPC client drives the simulator and gets answers of the documented shape.

The client is ``qingcloud_hpc.sdk_api.hpc.Hpc`` from PyPI ``qingcloud-hpc`` 0.0.1 (Yunify, a
test-only dependency): its request builders, body bytes and signer are the vendor's, not
this project's, so the simulator's signature check, zone handling and routes are judged by
them. The answers are checked against the keys the EHPC doc pages document for each call
(docs/api-decisions.md, "QingCloud EHPC").
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any
from urllib.parse import urlsplit

import pytest

from .client import poll
from .fixture import Simulator
from .world import EHPC_CLUSTER_ID, QY_ACCESS_KEY, QY_SECRET_KEY, QY_ZONE

try:
    from qingcloud_hpc.config import Config
    from qingcloud_hpc.sdk_api.hpc import Hpc
except ImportError:  # requirements-dev.txt installs it
    if os.environ.get("CI") == "true":
        raise
    pytest.importorskip("qingcloud_hpc")

NODE_KEYS = {"node_id": str, "role": str, "status": str, "transition_status": str, "name": str, "private_ip": str,
             "instance_id": str, "cluster_id": str, "create_time": str}
OPERATION_KEYS = {"job_id": str, "status": str, "job_action": str, "resource_ids": str, "error_codes": str,
                  "create_time": str, "status_time": str}
HPC_JOB_KEYS = {"job_id": int, "job_name": str, "job_status": str, "job_node_list": str}


@pytest.fixture
def hpc(sim: Simulator) -> Any:
    url = urlsplit(sim.url)
    config = Config()
    config.qy_access_key_id = QY_ACCESS_KEY
    config.qy_secret_access_key = QY_SECRET_KEY
    config.protocol, config.host, config.port = url.scheme, url.hostname, url.port
    config.zone = QY_ZONE
    config.connection_retries = 0  # a refusal must show, not be retried away
    return Hpc(config)


def stamp() -> str:
    # The SDK's validators read Params["timestamp"] (a KeyError without it), so its callers
    # pass one; Request.sign then uses it instead of its own.
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def answered(answer: Any, action: str, **keys: type) -> dict[str, Any]:
    assert answer.status_code == 200, (answer.status_code, answer.content)
    body = dict(answer)
    assert body.get("ret_code") == 0, body
    assert body.get("action") == action, body
    for key, kind in keys.items():
        assert isinstance(body.get(key), kind), (key, body)
    return body


def has_keys(record: dict[str, Any], keys: dict[str, type]) -> None:
    for key, kind in keys.items():
        assert isinstance(record.get(key), kind) and not isinstance(record.get(key), bool), (key, record)


def wait_successful(hpc: Any, job_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        body = answered(hpc.list_operation(job_ids=job_id, limit=1, zone=QY_ZONE, timestamp=stamp()),
                        "HpcOperationListOperationResponse", job_set=list, total_count=int)
        jobs = [job for job in body["job_set"] if job["job_id"] == job_id]
        return jobs[0] if jobs and jobs[0]["status"] == "successful" else None
    return poll(done, timeout=10)


def test_the_vendors_client_lists_adds_polls_restarts_and_deletes_nodes(hpc: Any, sim: Simulator) -> None:
    listed = answered(hpc.get_cluster_nodes(cluster_id=EHPC_CLUSTER_ID, limit=100, verbose=1, zone=QY_ZONE, timestamp=stamp()),
                      "HpcClusterGetClusterNodesResponse", hpc_app_nodes_set=list, total_count=int)
    assert listed["total_count"] == len(listed["hpc_app_nodes_set"]) == 3
    for node in listed["hpc_app_nodes_set"]:
        has_keys(node, NODE_KEYS)

    added = answered(hpc.add_cluster_nodes(cluster_id=EHPC_CLUSTER_ID, node_count="2", node_role="compute",
                                           node_name="登录节点", zone=QY_ZONE, timestamp=stamp()),
                     "HpcClusterAddClusterNodesResponse", job_id=str)
    has_keys(wait_successful(hpc, added["job_id"]), OPERATION_KEYS)
    nodes = answered(hpc.get_cluster_nodes(cluster_id=EHPC_CLUSTER_ID, limit=100, zone=QY_ZONE, timestamp=stamp()),
                     "HpcClusterGetClusterNodesResponse", hpc_app_nodes_set=list)["hpc_app_nodes_set"]
    new = [node["node_id"] for node in nodes if node["name"].startswith("登录节点")]
    assert len(new) == 2

    restarted = answered(hpc.restart_cluster_nodes(cluster_id=EHPC_CLUSTER_ID, node_ids=new[:1], zone=QY_ZONE, timestamp=stamp()),
                         "HpcClusterRestartClusterNodesResponse", job_id=str)
    wait_successful(hpc, restarted["job_id"])

    deleted = answered(hpc.delete_cluster_nodes(cluster_id=EHPC_CLUSTER_ID, node_ids=new, zone=QY_ZONE, timestamp=stamp()),
                       "HpcClusterDeleteClusterNodesResponse")
    job_ids = deleted["job_ids"] if isinstance(deleted["job_ids"], list) else [deleted["job_ids"]]
    for job_id in job_ids:
        wait_successful(hpc, job_id)
    left = answered(hpc.get_cluster_nodes(cluster_id=EHPC_CLUSTER_ID, limit=100, zone=QY_ZONE, timestamp=stamp()),
                    "HpcClusterGetClusterNodesResponse", total_count=int)
    assert left["total_count"] == 3

    # Every call was the SDK's: its routes, answered 200 (nothing refused, nothing retried).
    assert [(call["method"], call["path"]) for call in sim.writes()] == [
        ("POST", "/api/cluster/addNodes"), ("POST", "/api/cluster/restartNodes"), ("POST", "/api/cluster/deleteNodes")]
    assert {call["status"] for call in sim.calls()} == {200}
    assert {call["ret_code"] for call in sim.calls()} == {0}


def test_the_vendors_client_reads_the_job_list(hpc: Any, sim: Simulator) -> None:
    job_id = sim.start_hpc_job(["compute01", "compute02"], job_name="lammps")
    body = answered(hpc.list_jobs(cluster_id=EHPC_CLUSTER_ID, limit=100, zone=QY_ZONE, timestamp=stamp()), "HpcJobListJobsResponse",
                    hpc_job_set=list, total_count=int)
    assert [job["job_id"] for job in body["hpc_job_set"]] == [job_id]
    has_keys(body["hpc_job_set"][0], HPC_JOB_KEYS)
    assert body["hpc_job_set"][0]["job_node_list"] == "compute[01-02]"
