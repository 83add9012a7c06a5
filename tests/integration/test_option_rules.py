"""Options that would make a module act on the wrong thing are refused before any call.

- A boolean for an int option: Ansible's int type turns ``true`` into 1, so ``count: yes``
  would plan to remove all but one node.
- A blank credential, as AWX injects for an empty credential field, counts as not given.
- An endpoint without ``http(s)://`` is a configuration error, not a network fault to retry.
"""

from __future__ import annotations

import pytest

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


def api_calls(sim):
    return [c for c in sim.calls() if not c["path"].startswith("/_sim/")]


@pytest.mark.parametrize("module, option", INT_OPTIONS)
@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_for_an_int_option_is_refused_before_any_call(sim, module_runner, module, option, value):
    args = dict(MODULE_ARGS[module], **{option: value})
    run = module_runner(module, args)
    assert run.failed, run
    assert "%s must be a whole number, not a boolean (got %s)" % (option, str(value).lower()) in run.result["msg"]
    assert api_calls(sim) == []


def test_numbers_as_strings_still_work(sim, module_runner):
    run = module_runner("ehpc_nodes", {"cluster_id": EHPC_CLUSTER, "count": "2", "timeout": "20"})
    assert not run.failed and not run.changed, run


@pytest.mark.parametrize("name", ["QINGCLOUD_ACCESS_KEY_ID", "QINGCLOUD_SECRET_ACCESS_KEY", "QINGCLOUD_ZONE"])
def test_a_blank_qingcloud_credential_counts_as_missing(sim, module_runner, name):
    run = module_runner("ehpc_nodes_info", {"cluster_id": EHPC_CLUSTER}, env={name: ""})
    assert run.failed, run
    assert "missing QingCloud credentials" in run.result["msg"] and name in run.result["msg"]
    assert api_calls(sim) == []


def test_blank_huawei_credentials_count_as_missing(sim, module_runner):
    run = module_runner("modelarts_hyper_cluster_info", {},
                        env={"HW_ACCESS_KEY": "", "HW_SECRET_KEY": "", "HW_AUTH_TOKEN": ""})
    assert run.failed, run
    assert "no Huawei Cloud credentials" in run.result["msg"]
    assert api_calls(sim) == []


def test_a_blank_huawei_project_id_counts_as_missing(sim, module_runner):
    run = module_runner("cce_nodes_info", MODULE_ARGS["cce_nodes_info"], env={"HW_PROJECT_ID": ""})
    assert run.failed, run
    assert "project_id" in run.result["msg"]
    assert api_calls(sim) == []


@pytest.mark.parametrize("module", ["ehpc_nodes_info", "cce_nodes_info", "modelarts_hyper_cluster_info"])
def test_an_endpoint_without_a_scheme_fails_at_once(sim, module_runner, module):
    run = module_runner(module, dict(MODULE_ARGS[module], endpoint="127.0.0.1:8080"))
    assert run.failed, run
    assert "endpoint '127.0.0.1:8080' has no scheme: write it as https://127.0.0.1:8080" in run.result["msg"]
    assert "could not connect" not in run.result["msg"]
