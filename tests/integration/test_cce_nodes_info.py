"""hpcops.clusters.cce_nodes_info against the simulator."""

from __future__ import annotations

import pytest

from tests.integration.test_cce_node_remove import CLUSTER, auth_env, cce_nodes
from tests.simulator.client import Huawei
from tests.simulator.world import HW_ACCESS_KEY, HW_PROJECT_ID, HW_SECRET_KEY

FIELDS = ["az", "creation_timestamp", "flavor", "name", "phase", "private_ip", "uid"]


def start_removal(sim, names: list) -> None:
    """Put nodes in phase Deleting with a raw API call (no Ansible run needed)."""
    uids = [cce_nodes(sim)[name]["uid"] for name in names]
    client = Huawei(sim.url, access_key=HW_ACCESS_KEY, secret_key=HW_SECRET_KEY)
    answer = client.request("PUT", "/api/v3/projects/%s/clusters/%s/nodes/operation/remove" % (HW_PROJECT_ID, CLUSTER),
                            {"spec": {"login": {"sshKey": "KeyPair-demo"}, "nodes": [{"uid": uid} for uid in uids]}})
    assert answer.status == 200, answer
    sim.clear_calls()


def test_lists_every_node_with_its_details_and_query_in_check_mode(sim, module_runner):
    run = module_runner("cce_nodes_info", {"cluster_id": CLUSTER, "query": "[?phase=='Active'].uid"}, check=True)
    assert not run.changed and not run.failed, run
    nodes = run.result["nodes"]
    assert [n["name"] for n in nodes] == ["cce-demo-node-1", "cce-demo-node-2", "cce-demo-node-3"]
    assert all(sorted(n) == FIELDS for n in nodes)
    known = cce_nodes(sim)
    first = known["cce-demo-node-1"]
    assert nodes[0] == {"uid": first["uid"], "name": "cce-demo-node-1", "phase": "Active",
                        "private_ip": first["privateIP"], "flavor": first["flavor"], "az": first["az"],
                        "creation_timestamp": first["creationTimestamp"]}
    assert run.result["query_result"] == [known["cce-demo-node-%d" % i]["uid"] for i in (1, 2, 3)]
    assert sim.writes() == []


@pytest.mark.parametrize("form", ["token", "iam_user"])
def test_phase_filter_with_token_credentials(sim, module_runner, form):
    sim.config(job_seconds=60)
    start_removal(sim, ["cce-demo-node-3"])
    env = auth_env(form, sim)
    run = module_runner("cce_nodes_info", {"cluster_id": CLUSTER, "phase": "deleting", "query": "[].name"}, env=env)
    assert not run.failed, run
    assert [n["name"] for n in run.result["nodes"]] == ["cce-demo-node-3"]
    assert run.result["nodes"][0]["phase"] == "Deleting"
    assert run.result["query_result"] == ["cce-demo-node-3"]
    assert "query_result" in run.result and sim.writes() == []


def test_bad_query_fails_before_any_call(sim, module_runner):
    run = module_runner("cce_nodes_info", {"cluster_id": CLUSTER, "query": "[?phase=="})
    assert run.failed, run
    assert "not a valid JMESPath expression" in run.result["msg"]
    assert sim.calls() == []


def test_unknown_cluster_is_a_clear_error(sim, module_runner):
    run = module_runner("cce_nodes_info", {"cluster_id": "no-such-cluster"})
    assert run.failed, run
    assert "HTTP 404" in run.result["msg"] and "no-such-cluster" in run.result["msg"], run.result["msg"]
