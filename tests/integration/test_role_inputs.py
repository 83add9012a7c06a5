"""The roles refuse inputs an AWX survey or a typo can produce, before any API call.

Extra vars arrive as JSON (`-e '{...}'`), the way AWX passes a survey's answers.
"""

from __future__ import annotations

import json

import pytest

from tests.integration.ansible_runner import REPO_ROOT

PLAYBOOKS = REPO_ROOT / "playbooks"
EHPC_CLUSTER = "ehpc-8jqdq0mz"


def api_calls(sim):
    return [c for c in sim.calls() if not c["path"].startswith("/_sim/")]


def extra(**variables):
    return ["-e", json.dumps(variables)]


@pytest.mark.parametrize("playbook, variable", [
    ("ehpc_scale.yml", "ehpc_scale_count"),
    ("ehpc_scale.yml", "ehpc_scale_min_nodes"),
    ("ehpc_scale.yml", "ehpc_scale_wait_timeout"),
    ("ehpc_rolling_restart.yml", "ehpc_rolling_restart_batch_size"),
    ("ehpc_rolling_restart.yml", "ehpc_rolling_restart_wait_timeout"),
    ("cce_scale_in.yml", "cce_scale_in_wait_timeout"),
])
def test_a_boolean_for_a_number_is_refused_before_any_call(sim, playbook_runner, playbook, variable):
    run = playbook_runner(PLAYBOOKS / playbook, extra(**{variable: True}))
    assert run.rc != 0 and run.failed, run
    assert "%s must be a whole number, not a boolean (got True)" % variable in run.result["msg"], run.result
    assert api_calls(sim) == []


def test_a_survey_number_as_a_string_still_works(sim, playbook_runner):
    run = playbook_runner(PLAYBOOKS / "ehpc_scale.yml", extra(ehpc_scale_count="3"))
    assert run.rc == 0, run
    assert len([n for n in sim.state()["ehpc"]["clusters"][EHPC_CLUSTER]["nodes"].values()
                if n["role"] == "compute" and n.get("transition_status") != "deleting"]) == 3


def test_inconsistent_bounds_are_named(sim, playbook_runner):
    run = playbook_runner(PLAYBOOKS / "ehpc_scale.yml",
                          extra(ehpc_scale_count=4, ehpc_scale_min_nodes=5, ehpc_scale_max_nodes=3))
    assert run.failed, run
    assert run.result["msg"] == "ehpc_scale_min_nodes 5 is above ehpc_scale_max_nodes 3"
    assert api_calls(sim) == []


@pytest.mark.parametrize("variables, message", [
    ({"ehpc_scale_cluster_id": "  "}, "ehpc_scale_cluster_id is blank"),
    ({"ehpc_scale_wait_timeout": 0}, "ehpc_scale_wait_timeout must be at least 1 second, got 0"),
])
def test_blank_ids_and_short_timeouts_are_refused(sim, playbook_runner, variables, message):
    run = playbook_runner(PLAYBOOKS / "ehpc_scale.yml", extra(**variables))
    assert run.failed, run
    assert message in run.result["msg"]
    assert api_calls(sim) == []


def test_rolling_restart_timeout_under_a_second_is_refused(sim, playbook_runner):
    run = playbook_runner(PLAYBOOKS / "ehpc_rolling_restart.yml", extra(ehpc_rolling_restart_wait_timeout=0))
    assert run.failed, run
    assert "must be at least 1 second" in run.result["msg"]
    assert api_calls(sim) == []


def test_cce_nodes_as_a_number_are_refused(sim, playbook_runner):
    run = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", extra(cce_scale_in_nodes=5))
    assert run.failed, run
    assert "cce_scale_in_nodes must be a list of node names or UIDs" in run.result["msg"], run.result
    assert api_calls(sim) == []


def test_cce_nodes_from_a_text_area_are_a_list(sim, playbook_runner):
    text_area = "cce-demo-node-2\ncce-demo-node-3\n"
    run = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", extra(cce_scale_in_nodes=text_area) + ["--check"])
    assert run.rc == 0, run
    assert sim.writes() == []
    facts = [r for r in run.results if "cce_scale_in_node_list" in r.get("ansible_facts", {})]
    assert facts and facts[0]["ansible_facts"]["cce_scale_in_node_list"] == ["cce-demo-node-2", "cce-demo-node-3"]
