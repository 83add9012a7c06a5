"""Options that would make a module act on the wrong thing are refused before any call.

- A boolean for an int option: Ansible's int type turns ``true`` into 1, so ``count: yes``
  would plan to remove all but one node.
- A blank credential, as AWX injects for an empty credential field, counts as not given.
- An endpoint without ``http(s)://`` is a configuration error, not a network fault to retry.

Every case is one task of a single ansible-playbook run (see tests/integration/scenario.py).
"""

from __future__ import annotations

import pytest

from tests.integration.scenario import Scenario

EHPC_CLUSTER = "ehpc-8jqdq0mz"

MODULE_ARGS = {
    "ehpc_nodes": {"cluster_id": EHPC_CLUSTER, "count": 2},
    "ehpc_nodes_info": {"cluster_id": EHPC_CLUSTER},
    "cce_node_remove": {"cluster_id": "cce-demo", "nodes": ["cce-demo-node-3"],
                        "login": {"ssh_key": "demo-key"}},
    "cce_nodes_info": {"cluster_id": "cce-demo"},
    "modelarts_hyper_cluster": {"id": "hc-demo-hps", "state": "absent"},
    "modelarts_hyper_cluster_info": {},
}
INT_OPTIONS = [("ehpc_nodes", "count"), ("ehpc_nodes", "wait_timeout"), ("cce_node_remove", "wait_timeout"),
               ("modelarts_hyper_cluster", "wait_timeout")] + [(m, "timeout") for m in MODULE_ARGS]
QINGCLOUD_NAMES = ["QINGCLOUD_ACCESS_KEY_ID", "QINGCLOUD_SECRET_ACCESS_KEY", "QINGCLOUD_ZONE"]
NO_SCHEME_MODULES = ["ehpc_nodes_info", "cce_nodes_info", "modelarts_hyper_cluster_info"]


def boolean_task(module, option, value):
    return "boolean %s %s.%s" % (str(value).lower(), module, option)


@pytest.fixture(scope="module")
def rules(simulator_session, tmp_path_factory):
    simulator_session.reset()
    scenario = Scenario(simulator_session, tmp_path_factory.mktemp("option_rules"))
    for module, option in INT_OPTIONS:
        for value in (True, False):
            scenario.task(boolean_task(module, option, value), module, dict(MODULE_ARGS[module], **{option: value}))
    scenario.task("numbers as strings", "ehpc_nodes", {"cluster_id": EHPC_CLUSTER, "count": "2", "timeout": "20"})
    for name in QINGCLOUD_NAMES:
        scenario.task("blank " + name, "ehpc_nodes_info", {"cluster_id": EHPC_CLUSTER}, environment={name: ""})
    scenario.task("blank huawei credentials", "modelarts_hyper_cluster_info", {},
                  environment={"HW_ACCESS_KEY": "", "HW_SECRET_KEY": "", "HW_AUTH_TOKEN": ""})
    scenario.task("blank huawei project id", "cce_nodes_info", MODULE_ARGS["cce_nodes_info"],
                  environment={"HW_PROJECT_ID": ""})
    for module in NO_SCHEME_MODULES:
        scenario.task("no scheme " + module, module, dict(MODULE_ARGS[module], endpoint="127.0.0.1:8080"))
    return scenario.run()


@pytest.mark.parametrize("module, option", INT_OPTIONS)
@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_for_an_int_option_is_refused_before_any_call(rules, module, option, value):
    name = boolean_task(module, option, value)
    result = rules[name]
    assert result.get("failed"), result
    assert "%s must be a whole number, not a boolean (got %s)" % (option, str(value).lower()) in result["msg"]
    assert rules.calls_of(name) == []


def test_numbers_as_strings_still_work(rules):
    result = rules["numbers as strings"]
    assert not result.get("failed") and not result.get("changed"), result


@pytest.mark.parametrize("name", QINGCLOUD_NAMES)
def test_a_blank_qingcloud_credential_counts_as_missing(rules, name):
    result = rules["blank " + name]
    assert result.get("failed"), result
    assert "missing QingCloud credentials" in result["msg"] and name in result["msg"]
    assert rules.calls_of("blank " + name) == []


def test_blank_huawei_credentials_count_as_missing(rules):
    result = rules["blank huawei credentials"]
    assert result.get("failed"), result
    assert "no Huawei Cloud credentials" in result["msg"]
    assert rules.calls_of("blank huawei credentials") == []


def test_a_blank_huawei_project_id_counts_as_missing(rules):
    result = rules["blank huawei project id"]
    assert result.get("failed"), result
    assert "project_id" in result["msg"]
    assert rules.calls_of("blank huawei project id") == []


@pytest.mark.parametrize("module", NO_SCHEME_MODULES)
def test_an_endpoint_without_a_scheme_fails_at_once(rules, module):
    result = rules["no scheme " + module]
    assert result.get("failed"), result
    assert "endpoint '127.0.0.1:8080' has no scheme: write it as https://127.0.0.1:8080" in result["msg"]
    assert "could not connect" not in result["msg"]
