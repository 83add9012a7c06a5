"""hpcops.clusters.cce_nodes_info against the simulator (one scenario run, see tests/integration/scenario.py)."""

from __future__ import annotations

import pytest

from tests.integration.scenario import Scenario
from tests.integration.test_cce_node_remove import CLUSTER, args, auth_env, cce_nodes, iam_token

FIELDS = ["az", "creation_timestamp", "flavor", "name", "phase", "private_ip", "uid"]
AUTH_FORMS = ["token", "iam_user"]


@pytest.fixture(scope="module")
def info(simulator_session, tmp_path_factory):
    sim = simulator_session
    sim.reset()
    known = cce_nodes(sim.state())  # the default world, as the first tasks see it
    token = iam_token(sim)
    envs = {form: auth_env(form, token) for form in AUTH_FORMS}
    scenario = (Scenario(sim, tmp_path_factory.mktemp("cce_nodes_info"))
                .task("list in check mode", "cce_nodes_info", {"cluster_id": CLUSTER, "query": "[?phase=='Active'].uid"},
                      check=True)
                .task("bad query", "cce_nodes_info", {"cluster_id": CLUSTER, "query": "[?phase=="})
                .task("unknown cluster", "cce_nodes_info", {"cluster_id": "no-such-cluster"})
                # A removal that stays under way (phase Deleting) while the filter tasks read.
                .config(job_seconds=60)
                .task("start removal", "cce_node_remove", args(["cce-demo-node-3"], wait=False)))
    for form in AUTH_FORMS:
        scenario.task("deleting " + form, "cce_nodes_info",
                      {"cluster_id": CLUSTER, "phase": "deleting", "query": "[].name"}, environment=envs[form])
    # The last tasks; the next fixture's reset restores the config.
    run = scenario.run()
    run.known = known
    return run


def test_lists_every_node_with_its_details_and_query_in_check_mode(info):
    result = info["list in check mode"]
    assert not result.get("changed") and not result.get("failed"), result
    nodes = result["nodes"]
    assert [n["name"] for n in nodes] == ["cce-demo-node-1", "cce-demo-node-2", "cce-demo-node-3"]
    assert all(sorted(n) == FIELDS for n in nodes)
    known = info.known
    first = known["cce-demo-node-1"]
    assert nodes[0] == {"uid": first["uid"], "name": "cce-demo-node-1", "phase": "Active",
                        "private_ip": first["privateIP"], "flavor": first["flavor"], "az": first["az"],
                        "creation_timestamp": first["creationTimestamp"]}
    assert result["query_result"] == [known["cce-demo-node-%d" % i]["uid"] for i in (1, 2, 3)]
    assert info.writes_of("list in check mode") == []


@pytest.mark.parametrize("form", AUTH_FORMS)
def test_phase_filter_with_token_credentials(info, form):
    setup = info["start removal"]
    assert setup.get("changed") and not setup.get("failed"), setup
    name = "deleting " + form
    result = info[name]
    assert not result.get("failed"), result
    assert [n["name"] for n in result["nodes"]] == ["cce-demo-node-3"]
    assert result["nodes"][0]["phase"] == "Deleting"
    assert result["query_result"] == ["cce-demo-node-3"]
    assert "query_result" in result and info.writes_of(name) == []
    # The form asked for was the one used: only the IAM user signs in to IAM.
    assert bool(info.calls_of(name, "/v3/auth/tokens")) == (form == "iam_user")


def test_bad_query_fails_before_any_call(info):
    result = info["bad query"]
    assert result.get("failed"), result
    assert "not a valid JMESPath expression" in result["msg"]
    assert info.calls_of("bad query") == []


def test_unknown_cluster_is_a_clear_error(info):
    result = info["unknown cluster"]
    assert result.get("failed"), result
    assert "HTTP 404" in result["msg"] and "no-such-cluster" in result["msg"], result["msg"]
