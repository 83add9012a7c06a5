# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options that would make a module act on the wrong thing are refused before any call.

- A boolean for an int option: Ansible's int type turns ``true`` into 1, so ``count: yes``
  would plan to remove all but one node.
- A blank credential, as AWX injects for an empty credential field, counts as not given.
- An endpoint without ``http(s)://`` is a configuration error, not a network fault to retry.

The modules run in this process (module_runner.py), every network call refused.
The integration targets ehpc_nodes, ehpc_nodes_info and option_rules (tests/integration/targets/)
run one case of each rule through ansible-playbook.
"""

from __future__ import annotations

__metaclass__ = type

import pytest

from ansible_collections.hpcops.clusters.tests.unit.plugins.modules.module_runner import UNUSED_ENDPOINT, run_module

EHPC_CLUSTER = "ehpc-8jqdq0mz"

MODULE_ARGS = {
    "ehpc_nodes": {"cluster_id": EHPC_CLUSTER, "count": 2},
    "ehpc_nodes_info": {"cluster_id": EHPC_CLUSTER},
    "cce_node_remove": {"cluster_id": "cce-demo", "nodes": ["cce-demo-node-3"],
                        "login": {"ssh_key": "demo-key"}},
    "cce_nodes_info": {"cluster_id": "cce-demo"},
    "cce_node_pool": {"cluster_id": "cce-pools", "node_pool": "pool-compute", "count": 3},
    "cce_node_pool_info": {"cluster_id": "cce-pools"},
    "modelarts_hyper_cluster": {"id": "hc-demo-hps", "state": "absent"},
    "modelarts_hyper_cluster_info": {},
}
INT_OPTIONS = [("ehpc_nodes", "count"), ("ehpc_nodes", "wait_timeout"), ("cce_node_remove", "wait_timeout"),
               ("cce_node_pool", "count"), ("cce_node_pool", "wait_timeout"),
               ("modelarts_hyper_cluster", "wait_timeout")] + [(m, "timeout") for m in MODULE_ARGS]
QINGCLOUD_NAMES = ["QINGCLOUD_ACCESS_KEY_ID", "QINGCLOUD_SECRET_ACCESS_KEY", "QINGCLOUD_ZONE"]
NO_SCHEME_MODULES = ["ehpc_nodes_info", "cce_nodes_info", "cce_node_pool_info", "modelarts_hyper_cluster_info"]


@pytest.mark.parametrize("module, option", INT_OPTIONS)
@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_for_an_int_option_is_refused_before_any_call(monkeypatch, module, option, value):
    run = run_module(monkeypatch, module, dict(MODULE_ARGS[module], **{option: value}))
    assert run.failed, run
    assert "%s must be a whole number, not a boolean (got %s)" % (option, str(value).lower()) in run.msg
    assert run.http_calls == [], run


def test_numbers_as_strings_are_accepted(monkeypatch):
    # Accepted: the module gets past every check and sends its first read (which the runner
    # refuses). The ehpc_nodes integration target runs the task to its end.
    run = run_module(monkeypatch, "ehpc_nodes", {"cluster_id": EHPC_CLUSTER, "count": "2", "timeout": "20"})
    assert run.exit_code == "network call refused" and run.result == {}, run
    assert [call[:2] for call in run.http_calls] == [("request", "GET")], run
    assert run.http_calls[0][2].startswith(UNUSED_ENDPOINT + "/api/cluster/listNodes?"), run


@pytest.mark.parametrize("name", QINGCLOUD_NAMES)
def test_a_blank_qingcloud_credential_counts_as_missing(monkeypatch, name):
    run = run_module(monkeypatch, "ehpc_nodes_info", {"cluster_id": EHPC_CLUSTER}, env={name: ""})
    assert run.failed, run
    assert "missing QingCloud credentials" in run.msg and name in run.msg
    assert run.http_calls == [], run


def test_blank_huawei_credentials_count_as_missing(monkeypatch):
    run = run_module(monkeypatch, "modelarts_hyper_cluster_info", {},
                     env={"HW_ACCESS_KEY": "", "HW_SECRET_KEY": "", "HW_AUTH_TOKEN": ""})
    assert run.failed, run
    assert "no Huawei Cloud credentials" in run.msg
    assert run.http_calls == [], run


def test_a_blank_huawei_project_id_counts_as_missing(monkeypatch):
    run = run_module(monkeypatch, "cce_nodes_info", MODULE_ARGS["cce_nodes_info"], env={"HW_PROJECT_ID": ""})
    assert run.failed, run
    assert "project_id" in run.msg
    assert run.http_calls == [], run


@pytest.mark.parametrize("module", NO_SCHEME_MODULES)
def test_an_endpoint_without_a_scheme_fails_at_once(monkeypatch, module):
    run = run_module(monkeypatch, module, dict(MODULE_ARGS[module], endpoint="127.0.0.1:8080"))
    assert run.failed, run
    assert "endpoint '127.0.0.1:8080' has no scheme: write it as https://127.0.0.1:8080" in run.msg
    assert "could not connect" not in run.msg
    assert run.http_calls == [], run
