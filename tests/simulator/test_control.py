from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .client import Huawei, QingCloud, iam_token_request, poll, send
from .fixture import SERVER, Simulator, SimulatorError, running_simulator
from .world import (CCE_CLUSTER_ID, EHPC_CLUSTER_ID, HW_ACCESS_KEY, HW_PROJECT_ID, HW_SECRET_KEY, QY_ACCESS_KEY,
                    QY_SECRET_KEY, QY_ZONE)

CCE_NODES = f"/api/v3/projects/{HW_PROJECT_ID}/clusters/{CCE_CLUSTER_ID}/nodes"
HYPER = f"/v1/{HW_PROJECT_ID}/dev-servers/hyper-clusters"


def test_calls_and_write_flags(qy: QingCloud, hw: Huawei, sim: Simulator) -> None:
    qy.list_nodes(EHPC_CLUSTER_ID)
    qy.add_nodes(EHPC_CLUSTER_ID, node_count="0")
    iam_token_request(sim.url, "demo", "demo-password", "demo", HW_PROJECT_ID)
    uid = hw.request("GET", CCE_NODES).json()["items"][0]["metadata"]["uid"]
    hw.request("PUT", CCE_NODES + "/operation/remove", {"spec": {"login": {"sshKey": "k"}, "nodes": [{"uid": uid}]}})
    hw.request("DELETE", HYPER + "/hc-demo-hps")
    hw.request("GET", HYPER)
    sim.state()  # control calls are not recorded
    summary = [(c["method"], c["path"], c["status"], c["write"], c.get("ret_code")) for c in sim.calls()]
    assert summary == [
        ("GET", "/api/cluster/listNodes", 200, False, 0),
        ("POST", "/api/cluster/addNodes", 200, True, 1100),
        ("POST", "/v3/auth/tokens", 201, False, None),
        ("GET", CCE_NODES, 200, False, None),
        ("PUT", CCE_NODES + "/operation/remove", 200, True, None),
        ("DELETE", HYPER + "/hc-demo-hps", 204, True, None),
        ("GET", HYPER, 200, False, None),
    ]
    assert len(sim.writes()) == 3
    sim.clear_calls()
    assert sim.calls() == []


def test_reset_restores_everything(qy: QingCloud, sim: Simulator) -> None:
    default = sim.state()
    qy.add_nodes(EHPC_CLUSTER_ID)
    sim.fault(path="x", kind="drop")
    sim.config(job_seconds=3, delete_job_key="job_id", ehpc_delete_ids_key="node_list", ehpc_restart_route="resatrtNodes",
               job_list_status_param="ignored")
    sim.world(cce_nodes=10)
    sim.reset()
    assert sim.calls() == [] and sim.pending_faults() == []
    assert sim.config() == {"job_seconds": 0.2, "delete_job_key": "job_ids", "ehpc_delete_ids_key": "node_ids",
                            "ehpc_restart_route": "restartNodes", "job_list_status_param": "both",
                            "cce_page_size": 2000, "latency_seconds": 0.0}
    state = sim.state()
    assert state["ehpc"] == default["ehpc"] and state["cce"] == default["cce"] and state["jobs"] == {}


def test_config_validation(sim: Simulator) -> None:
    assert sim.config(job_seconds=1)["job_seconds"] == 1.0
    assert sim.config(job_list_status_param="ignored")["job_list_status_param"] == "ignored"
    assert sim.config(cce_page_size=7, latency_seconds=0.05)["cce_page_size"] == 7
    for bad in ({"job_seconds": -1}, {"job_seconds": "fast"}, {"delete_job_key": "jobs"}, {"colour": 1},
                {"ehpc_delete_ids_key": "nodes"}, {"ehpc_restart_route": "rebootNodes"}, {"job_list_status_param": "jobstatus"},
                {"cce_page_size": 0}, {"cce_page_size": 2001}, {"cce_page_size": 1.5}, {"latency_seconds": -0.1},
                {"latency_seconds": 11}, {"latency_seconds": True}):
        with pytest.raises(SimulatorError):
            sim.config(**bad)


def test_world_resize(sim: Simulator, hw: Huawei, qy: QingCloud) -> None:
    counts = sim.world(ehpc_compute_nodes=64, cce_nodes=450)["counts"]
    assert counts == {"ehpc_login_nodes": 1, "ehpc_compute_nodes": 64, "cce_nodes": 450}
    assert len(hw.request("GET", CCE_NODES).json()["items"]) == 450
    assert qy.list_nodes(EHPC_CLUSTER_ID).json()["total_count"] == 65
    for bad in ({"cce_nodes": -1}, {"cce_nodes": "many"}, {"planets": 3}):
        with pytest.raises(SimulatorError):
            sim.world(**bad)


def test_hpc_job_control_errors(sim: Simulator) -> None:
    with pytest.raises(SimulatorError):
        sim.start_hpc_job(["compute99"])
    with pytest.raises(SimulatorError):
        sim.start_hpc_job([])
    with pytest.raises(SimulatorError):
        sim.finish_hpc_job(1)
    with pytest.raises(SimulatorError):
        sim.control("GET", "/_sim/nothing")


def test_state_dump_has_jobs_with_done_at(qy: QingCloud, sim: Simulator) -> None:
    job_id = qy.add_nodes(EHPC_CLUSTER_ID).json()["job_id"]
    job = sim.state()["jobs"][job_id]
    assert job["status"] == "pending" and job["done_at"] > job["created_at"]
    poll(lambda: sim.state()["jobs"][job_id]["status"] == "successful")
    assert sim.state()["jobs"][job_id]["finished_at"] == job["done_at"]


def test_env_points_at_simulator(sim: Simulator) -> None:
    env = sim.env()
    assert env["QINGCLOUD_EHPC_ENDPOINT"] == sim.url == env["HW_CCE_ENDPOINT"]
    assert env["HW_PROJECT_ID"] == HW_PROJECT_ID


def test_state_persists_across_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "world.json"
    with running_simulator(job_seconds=0.1, extra_args=("--state", str(state_file))) as first:
        qy = QingCloud(first.url, QY_ACCESS_KEY, QY_SECRET_KEY, QY_ZONE)
        job_id = qy.add_nodes(EHPC_CLUSTER_ID, node_count="2").json()["job_id"]
        token = iam_token_request(first.url, "demo", "demo-password", "demo", HW_PROJECT_ID).headers["x-subject-token"]
        saved = json.loads(state_file.read_text())
        assert job_id in saved["jobs"]  # saved on change, not only at exit
        assert first.stop() == 0
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    with running_simulator(job_seconds=0.1, extra_args=("--state", str(state_file))) as second:
        qy = QingCloud(second.url, QY_ACCESS_KEY, QY_SECRET_KEY, QY_ZONE)
        assert qy.list_nodes(EHPC_CLUSTER_ID).json()["total_count"] == 5
        poll(lambda: qy.job_status(job_id) == "successful")
        assert Huawei(second.url, token=token).request("GET", CCE_NODES).status == 200
        second.reset()
    with running_simulator(extra_args=("--state", str(state_file))) as third:
        qy = QingCloud(third.url, QY_ACCESS_KEY, QY_SECRET_KEY, QY_ZONE)
        assert qy.list_nodes(EHPC_CLUSTER_ID).json()["total_count"] == 3


def test_corrupt_state_file_fails_start(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": 99}')
    with pytest.raises(SimulatorError, match="state"):
        with running_simulator(extra_args=("--state", str(bad))):
            pass
    with pytest.raises(SimulatorError, match="state"):
        with running_simulator(extra_args=("--state", str(tmp_path / "missing-dir" / "s.json"))):
            pass


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_tls_mode() -> None:
    with running_simulator(tls=True) as sim:
        assert sim.url.startswith("https://127.0.0.1:")
        assert sim.state()["counts"]["cce_nodes"] == 3
        qy = QingCloud(sim.url, QY_ACCESS_KEY, QY_SECRET_KEY, QY_ZONE, ssl_context=sim.ssl_context)
        assert qy.list_nodes(EHPC_CLUSTER_ID).json()["total_count"] == 3
        hw = Huawei(sim.url, access_key=HW_ACCESS_KEY, secret_key=HW_SECRET_KEY, ssl_context=sim.ssl_context)
        assert hw.request("GET", CCE_NODES).status == 200
        with pytest.raises(OSError):
            send("GET", sim.url.replace("https://", "http://") + "/_sim/health", timeout=3)
        assert sim.control("GET", "/_sim/health") == {"ok": True}


def test_script_banner_and_sigterm(tmp_path: Path) -> None:
    """`python3 tests/simulator/server.py` from the repo root; exact banner; clean SIGTERM."""
    repo_root = SERVER.parents[2]
    command = [sys.executable, os.path.relpath(SERVER, repo_root), "--port", "0", "--state", str(tmp_path / "s.json")]
    with subprocess.Popen(command, cwd=repo_root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line.startswith("listening on http://127.0.0.1:")
            assert line.rstrip("\n").rsplit(":", 1)[1].isdigit()
            assert send("GET", line.split()[-1] + "/_sim/health").json() == {"ok": True}
        finally:
            process.terminate()
            try:
                _out, err = process.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                _out, err = process.communicate()
                err = "still running 10 s after SIGTERM: " + err
    assert process.returncode == 0, err
    assert (tmp_path / "s.json").exists()


def test_parallel_writes_stay_consistent(qy: QingCloud, sim: Simulator) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        bodies = list(pool.map(lambda _index: qy.add_nodes(EHPC_CLUSTER_ID, node_count="3").json(), range(16)))
    assert all(body["ret_code"] == 0 for body in bodies)
    assert len({body["job_id"] for body in bodies}) == 16
    nodes = sim.state()["ehpc"]["clusters"][EHPC_CLUSTER_ID]["nodes"].values()
    assert len(nodes) == 3 + 48
    assert len({n["name"] for n in nodes}) == len({n["private_ip"] for n in nodes}) == len({n["instance_id"] for n in nodes}) == 51
    assert sorted(n["create_time"] for n in nodes) == [n["create_time"] for n in qy.all_nodes(EHPC_CLUSTER_ID)]


def test_keep_alive_connection(qy: QingCloud, sim: Simulator) -> None:
    parts = urlsplit(sim.url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=5)
    try:
        for _attempt in range(3):
            url = urlsplit(qy.signed_url("GET", "/api/cluster/listNodes", [("cluster_id", EHPC_CLUSTER_ID)]))
            conn.request("GET", f"{url.path}?{url.query}")
            response = conn.getresponse()
            assert json.loads(response.read())["ret_code"] == 0
            assert not response.will_close
    finally:
        conn.close()


def test_latency_delays_every_cloud_call_but_not_the_control_api_and_calls_overlap(qy: QingCloud,
                                                                                   sim: Simulator) -> None:
    sim.config(latency_seconds=1.0)
    started = time.monotonic()
    sim.state()
    assert time.monotonic() - started < 1.0  # the control API is not delayed
    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: qy.list_nodes(EHPC_CLUSTER_ID).json()["ret_code"], range(4)))
    elapsed = time.monotonic() - started
    assert answers == [0, 0, 0, 0]
    # Each call waits its 1 s; four at once wait side by side, where one after another they
    # would take 4 s (the margin is wide: this is not a performance assertion).
    assert 1.0 <= elapsed < 3.0, elapsed


def test_cli_flags_set_the_page_size_and_latency() -> None:
    with running_simulator(extra_args=["--cce-page-size", "2", "--latency", "0.01"]) as started:
        assert started.config()["cce_page_size"] == 2 and started.config()["latency_seconds"] == 0.01
        started.reset()  # the flags are the defaults a reset returns to
        assert started.config()["cce_page_size"] == 2
        hw = Huawei(started.url, access_key=HW_ACCESS_KEY, secret_key=HW_SECRET_KEY)
        assert len(hw.request("GET", CCE_NODES).json()["items"]) == 2
    for bad in (["--cce-page-size", "0"], ["--latency", "-1"]):
        run = subprocess.run([sys.executable, str(SERVER), *bad], capture_output=True, timeout=30, check=False)
        assert run.returncode == 2, run
