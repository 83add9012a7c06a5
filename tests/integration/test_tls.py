"""TLS: certificates are verified unless validate_certs is false, for every service and module."""

from __future__ import annotations

import importlib
import sys

import certifi
import pytest

from tests.integration.ansible_runner import collections_path
from tests.integration.scenario import Scenario, role_nodes
from tests.simulator.fixture import running_simulator
from tests.simulator.world import CCE_CLUSTER_ID, EHPC_CLUSTER_ID, HW_DOMAIN, HYPER_CLUSTER_HPS

MODULES = {
    "ehpc_nodes": "EhpcNodes",
    "ehpc_nodes_info": "EhpcNodesInfo",
    "cce_node_remove": "CceNodeRemove",
    "cce_nodes_info": "CceNodesInfo",
    "cce_node_pool": "CceNodePool",
    "cce_node_pool_info": "CceNodePoolInfo",
    "modelarts_hyper_cluster": "ModelArtsHyperCluster",
    "modelarts_hyper_cluster_info": "ModelArtsHyperClusterInfo",
}
IAM_USER = {"iam_user": "demo", "iam_password": "demo-password", "iam_domain": HW_DOMAIN}
NO_AKSK = {"HW_ACCESS_KEY": "", "HW_SECRET_KEY": ""}
# Common in execution environments; requests lets it override a session's verify=False.
CA_BUNDLE_ENV = {"REQUESTS_CA_BUNDLE": certifi.where(), "CURL_CA_BUNDLE": certifi.where()}


@pytest.fixture(scope="module")
def https(tmp_path_factory):
    """A simulator of its own, serving https with a self-signed certificate."""
    with running_simulator(job_seconds=0.2, tls=True) as sim:
        assert sim.url.startswith("https://")
        off = {"validate_certs": False}
        ehpc = {"cluster_id": EHPC_CLUSTER_ID}
        cce = {"cluster_id": CCE_CLUSTER_ID}
        scenario = (Scenario(sim, tmp_path_factory.mktemp("tls"))
                    .task("ehpc info", "ehpc_nodes_info", ehpc)
                    .task("ehpc info off", "ehpc_nodes_info", dict(ehpc, **off), environment=CA_BUNDLE_ENV)
                    .task("ehpc scale", "ehpc_nodes", dict(ehpc, count=3))
                    .task("ehpc scale off", "ehpc_nodes", dict(ehpc, count=3, **off), environment=CA_BUNDLE_ENV)
                    # The certificate is fine once trusted: validation is on and passes.
                    .task("ehpc info trusted", "ehpc_nodes_info", ehpc, environment={"REQUESTS_CA_BUNDLE": sim.cafile})
                    .task("cce info", "cce_nodes_info", cce)
                    .task("cce info off", "cce_nodes_info", dict(cce, **off))
                    .task("cce remove", "cce_node_remove", dict(cce, nodes=["cce-demo-node-3"], login={"ssh_key": "k1"}))
                    .task("iam", "cce_nodes_info", dict(cce, **IAM_USER), environment=NO_AKSK)
                    .task("iam off", "cce_nodes_info", dict(cce, **dict(IAM_USER, **off)),
                          environment=dict(NO_AKSK, **CA_BUNDLE_ENV))
                    .task("modelarts delete", "modelarts_hyper_cluster", {"id": HYPER_CLUSTER_HPS})
                    .task("modelarts info off", "modelarts_hyper_cluster_info", off))
        yield scenario.run()


@pytest.mark.parametrize("name", ["ehpc info", "ehpc scale", "cce info", "cce remove", "iam", "modelarts delete"])
def test_self_signed_endpoint_fails_by_default_naming_validate_certs(https, name):
    result = https[name]
    assert result.get("failed"), result
    assert "TLS error" in result["msg"] and "validate_certs" in result["msg"], result["msg"]
    assert "certificate verify failed" in result["msg"], result["msg"]
    # Refused at the handshake, not retried: no request reached the server.
    assert https.calls_of(name) == []


@pytest.mark.parametrize("name", ["ehpc info off", "ehpc scale off", "cce info off", "iam off", "modelarts info off",
                                  "ehpc info trusted"])
def test_validate_certs_false_or_a_trusted_certificate_works(https, name):
    result = https[name]
    assert not result.get("failed"), result
    assert https.calls_of(name)


def test_writes_over_tls_only_with_validation_off(https):
    assert https["ehpc scale off"]["changed"]
    assert len(role_nodes(https["ehpc scale off"]["nodes"])) == 3
    assert [c["path"] for c in https.writes()] == ["/api/cluster/addNodes"]
    assert len(https.state["cce"]["clusters"][CCE_CLUSTER_ID]["nodes"]) == 3
    assert HYPER_CLUSTER_HPS in https.state["hyper_clusters"]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_validate_certs_defaults_to_true(module):
    if str(collections_path()) not in sys.path:
        sys.path.insert(0, str(collections_path()))
    plugin = importlib.import_module("ansible_collections.hpcops.clusters.plugins.modules." + module)
    spec = getattr(plugin, MODULES[module]).full_argument_spec()["validate_certs"]
    assert spec == {"type": "bool", "default": True}
    assert "validate_certs" not in plugin.DOCUMENTATION or "default: false" not in plugin.DOCUMENTATION
