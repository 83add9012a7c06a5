"""The roles refuse inputs an AWX survey or a typo can produce, before any API call.

Extra vars arrive as JSON (`-e '{...}'`), the way AWX passes a survey's answers. The playbooks meant
for job templates have no default for what they change: the cluster comes from the simulator
inventory here (``SIM``), everything else from the test.
"""

from __future__ import annotations

import json

import pytest

from tests.integration.ansible_runner import REPO_ROOT

PLAYBOOKS = REPO_ROOT / "playbooks"
EHPC_CLUSTER = "ehpc-8jqdq0mz"
SIM = ["-i", str(PLAYBOOKS / "inventory" / "simulator.yml")]
# What each playbook needs besides the cluster, so that a test varies one thing only.
BASE = {
    "ehpc_scale.yml": {"ehpc_scale_count": "3"},
    "ehpc_rolling_restart.yml": {},
    "cce_scale_in.yml": {"cce_scale_in_nodes": "cce-demo-node-3", "cce_scale_in_ssh_key": "KeyPair-demo"},
    "ehpc_autoscale.yml": {},
    "cce_scale.yml": {"cce_scale_node_pool": "pool-compute", "cce_scale_count": "3"},
}


def api_calls(sim):
    return [c for c in sim.calls() if not c["path"].startswith("/_sim/")]


def extra(playbook: str = "", **variables):
    return SIM + ["-e", json.dumps(dict(BASE.get(playbook, {}), **variables))]


@pytest.mark.parametrize("playbook, missing", [
    ("ehpc_scale.yml", "ehpc_scale_cluster_id"),
    ("ehpc_scale.yml", "ehpc_scale_count"),
    ("ehpc_rolling_restart.yml", "ehpc_rolling_restart_cluster_id"),
    ("cce_scale_in.yml", "cce_scale_in_cluster_id"),
    ("cce_scale_in.yml", "cce_scale_in_nodes"),
    ("ehpc_autoscale.yml", "ehpc_autoscale_cluster_id"),
    ("cce_scale.yml", "cce_scale_cluster_id"),
    ("cce_scale.yml", "cce_scale_node_pool"),
    ("cce_scale.yml", "cce_scale_count"),
])
def test_job_template_playbooks_have_no_default_for_what_they_change(sim, playbook_runner, playbook, missing):
    # Everything else given, without the simulator inventory: as an AWX job whose survey left the question out.
    given = {"ehpc_scale_cluster_id": EHPC_CLUSTER, "ehpc_scale_count": "3", "ehpc_rolling_restart_cluster_id": EHPC_CLUSTER,
             "cce_scale_in_cluster_id": "cce-demo", "cce_scale_in_nodes": "cce-demo-node-3",
             "cce_scale_in_ssh_key": "KeyPair-demo", "ehpc_autoscale_cluster_id": EHPC_CLUSTER,
             "cce_scale_cluster_id": "cce-pools", "cce_scale_node_pool": "pool-compute", "cce_scale_count": "3"}
    del given[missing]
    run = playbook_runner(PLAYBOOKS / playbook, ["-e", json.dumps(given)])
    assert run.rc != 0 and run.failed, run
    assert "missing required arguments: %s" % missing in run.result["msg"], run.result
    assert api_calls(sim) == []


@pytest.mark.parametrize("playbook", ["ehpc_scale.yml", "ehpc_rolling_restart.yml", "cce_scale_in.yml",
                                      "ehpc_autoscale.yml", "cce_scale.yml"])
def test_job_template_playbooks_load_no_simulator_values(playbook):
    text = (PLAYBOOKS / playbook).read_text()
    assert "vars_files" not in text and "simulator" not in text.split("- name:", 1)[1]
    assert "\n  vars:" not in text


@pytest.mark.parametrize("playbook, variable", [
    ("ehpc_scale.yml", "ehpc_scale_count"),
    ("ehpc_scale.yml", "ehpc_scale_min_nodes"),
    ("ehpc_scale.yml", "ehpc_scale_wait_timeout"),
    ("ehpc_rolling_restart.yml", "ehpc_rolling_restart_batch_size"),
    ("ehpc_rolling_restart.yml", "ehpc_rolling_restart_wait_timeout"),
    ("cce_scale_in.yml", "cce_scale_in_wait_timeout"),
    ("ehpc_autoscale.yml", "ehpc_autoscale_wait_timeout"),
    ("cce_scale.yml", "cce_scale_count"),
    ("cce_scale.yml", "cce_scale_wait_timeout"),
])
def test_a_boolean_for_a_number_is_refused_before_any_call(sim, playbook_runner, playbook, variable):
    run = playbook_runner(PLAYBOOKS / playbook, extra(playbook, **{variable: True}))
    assert run.rc != 0 and run.failed, run
    assert "%s must be a whole number, not a boolean (got True)" % variable in run.result["msg"], run.result
    assert api_calls(sim) == []


@pytest.mark.parametrize("playbook, variables, message", [
    ("ehpc_scale.yml", {"ehpc_scale_count": 4, "ehpc_scale_min_nodes": 5, "ehpc_scale_max_nodes": 3},
     "ehpc_scale_min_nodes 5 is above ehpc_scale_max_nodes 3"),
    ("ehpc_autoscale.yml", {"ehpc_autoscale_min_nodes": "5", "ehpc_autoscale_max_nodes": "3"},
     "ehpc_autoscale_min_nodes 5 is above ehpc_autoscale_max_nodes 3"),
])
def test_inconsistent_bounds_are_named(sim, playbook_runner, playbook, variables, message):
    run = playbook_runner(PLAYBOOKS / playbook, extra(playbook, **variables))
    assert run.failed, run
    assert run.result["msg"] == message
    assert api_calls(sim) == []


@pytest.mark.parametrize("playbook, variables, message", [
    ("ehpc_scale.yml", {"ehpc_scale_cluster_id": "  "}, "ehpc_scale_cluster_id is blank"),
    ("ehpc_scale.yml", {"ehpc_scale_wait_timeout": 0}, "ehpc_scale_wait_timeout must be at least 1 second, got 0"),
    ("ehpc_rolling_restart.yml", {"ehpc_rolling_restart_cluster_id": ""}, "ehpc_rolling_restart_cluster_id is blank"),
    ("ehpc_rolling_restart.yml", {"ehpc_rolling_restart_wait_timeout": 0}, "must be at least 1 second"),
    ("cce_scale_in.yml", {"cce_scale_in_cluster_id": ""}, "cce_scale_in_cluster_id is blank"),
    ("cce_scale_in.yml", {"cce_scale_in_nodes": ""}, "cce_scale_in_nodes must list at least one node"),
    ("cce_scale_in.yml", {"cce_scale_in_nodes": " \n \n"}, "cce_scale_in_nodes must list at least one node"),
    ("ehpc_autoscale.yml", {"ehpc_autoscale_cluster_id": " "}, "ehpc_autoscale_cluster_id is blank"),
    ("cce_scale.yml", {"cce_scale_node_pool": " "}, "cce_scale_node_pool is blank"),
    ("cce_scale.yml", {"cce_scale_count": "0"},
     "cce_scale_count 0 would delete every node of node pool pool-compute; set cce_scale_allow_empty=true"),
    ("cce_scale.yml", {"cce_scale_count": -1}, "cce_scale_count must be 0 or more, got -1"),
    ("cce_scale.yml", {"cce_scale_wait_timeout": "0"}, "cce_scale_wait_timeout must be at least 1 second, got 0"),
    ("cce_scale.yml", {"cce_scale_protected_nodes": {"a": 1}}, "cce_scale_protected_nodes must be a list"),
], ids=["scale-blank-id", "scale-timeout", "restart-blank-id", "restart-timeout", "cce-blank-id", "cce-blank-nodes",
        "cce-blank-text-area", "autoscale-blank-id", "pool-blank-pool", "pool-count-0", "pool-negative",
        "pool-timeout", "pool-protected-mapping"])
def test_blank_values_and_short_timeouts_are_refused(sim, playbook_runner, playbook, variables, message):
    run = playbook_runner(PLAYBOOKS / playbook, extra(playbook, **variables))
    assert run.rc != 0 and run.failed, run
    assert message in run.result["msg"]
    assert api_calls(sim) == []


def test_cce_nodes_as_a_number_are_refused(sim, playbook_runner):
    run = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", extra("cce_scale_in.yml", cce_scale_in_nodes=5))
    assert run.failed, run
    assert "cce_scale_in_nodes must be a list of node names or UIDs" in run.result["msg"], run.result
    assert api_calls(sim) == []


def test_cce_nodes_from_a_text_area_are_a_list(sim, playbook_runner):
    text_area = "cce-demo-node-2\ncce-demo-node-3\n"
    run = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", extra("cce_scale_in.yml", cce_scale_in_nodes=text_area) + ["--check"])
    assert run.rc == 0, run
    assert sim.writes() == []
    facts = [r for r in run.results if "cce_scale_in_node_list" in r.get("ansible_facts", {})]
    assert facts and facts[0]["ansible_facts"]["cce_scale_in_node_list"] == ["cce-demo-node-2", "cce-demo-node-3"]
