# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input and missing credentials, for every module: refused with a clear message before
any call. The modules run in this process (module_runner.py), every network call refused.

tests/integration/test_security.py runs one case of each kind per module through
ansible-playbook against the simulator, so the whole path Ansible -> module -> message
stays proven there.
"""

from __future__ import annotations

__metaclass__ = type

import pytest

from ansible_collections.hpcops.clusters.tests.unit.plugins.modules.module_runner import run_module

# The simulator world's ids (tests/simulator/world.py); no call is made, any well-formed id would do.
EHPC = "ehpc-8jqdq0mz"
CCE = "cce-demo"
HYPER_CLUSTER_HPS = "hc-demo-hps"
HW_PROJECT_ID = "0123456789abcdef0123456789abcdef"
HW_DOMAIN = "demo"
HW_ACCESS_KEY = "HWSIMACCESSKEY"
QY_ACCESS_KEY = "QYACCESSKEYIDEXAMPLE"
QY_ZONE = "jn1a"
KEY_LOGIN = {"ssh_key": "KeyPair-demo"}
MODULES = ["ehpc_nodes", "ehpc_nodes_info", "cce_node_remove", "cce_nodes_info", "cce_node_pool", "cce_node_pool_info",
           "modelarts_hyper_cluster", "modelarts_hyper_cluster_info"]
CCE_POOLS = "cce-pools"


def pool(count=3, **extra):
    return dict({"cluster_id": CCE_POOLS, "node_pool": "pool-compute", "count": count}, **extra)


def remove(nodes, login=None, **extra):
    return dict({"cluster_id": CCE, "nodes": list(nodes), "login": KEY_LOGIN if login is None else login}, **extra)


# --- bad input: refused before any call ------------------------------------------------------

# (module, arguments, words the message must hold)
BAD_INPUT = [
    ("ehpc_nodes", {"cluster_id": EHPC, "count": "three"}, ["count", "int"]),
    ("ehpc_nodes", {"cluster_id": EHPC, "count": 2.5}, ["count", "int"]),
    ("ehpc_nodes", {"cluster_id": EHPC, "count": 0}, ["count must be at least 1"]),
    ("ehpc_nodes", {"cluster_id": EHPC, "count": -4}, ["count must be at least 1"]),
    ("ehpc_nodes", {"cluster_id": EHPC}, ["state is present", "count"]),
    ("ehpc_nodes", {"cluster_id": EHPC, "count": 2, "role": "master"}, ["role", "login, compute"]),
    ("ehpc_nodes", {"cluster_id": EHPC, "count": 2, "state": "running"}, ["state", "present, absent, restarted"]),
    ("ehpc_nodes", {"cluster_id": "cluster-1", "count": 2}, ["not an EHPC cluster ID"]),
    ("ehpc_nodes", {"cluster_id": "ehpc-../../x", "count": 2}, ["not an EHPC cluster ID"]),
    ("ehpc_nodes", {"cluster_id": EHPC, "state": "absent", "nodes": ["cln-abcd1234", " "]}, ["nodes", "empty entries"]),
    ("ehpc_nodes", {"cluster_id": EHPC, "state": "restarted", "nodes": []}, ["at least one node"]),
    ("ehpc_nodes", {"cluster_id": EHPC, "count": 2, "nodes": ["cln-abcd1234"]}, ["mutually exclusive", "count|nodes"]),
    ("ehpc_nodes", {"cluster_id": EHPC, "state": "absent", "nodes": ["cln-abcd1234"], "node_name": "x"},
     ["node_name only applies to state=present"]),
    ("ehpc_nodes", {"cluster_id": EHPC, "count": 4, "private_ips": ["192.168.100.300"]},
     ["private_ips must be IPv4", "192.168.100.300"]),
    ("ehpc_nodes", {"cluster_id": EHPC, "count": 4, "private_ips": ["192.168.100.60", "192.168.100.60"]},
     ["more than once"]),
    ("ehpc_nodes", {"cluster_id": EHPC, "count": 2, "wait_timeout": 0}, ["wait_timeout must be at least 1"]),
    ("ehpc_nodes", {"cluster_id": EHPC, "count": 2, "timeout": 0}, ["timeout must be at least 1"]),
    ("ehpc_nodes", {"cluster_id": EHPC, "count": 2, "busy_nodes": "kill"}, ["busy_nodes", "protect, remove"]),
    ("ehpc_nodes", {"cluster_id": EHPC, "count": 2, "validate_certs": "maybe"}, ["validate_certs", "bool"]),
    ("ehpc_nodes", {"cluster_id": EHPC, "count": 2, "colour": "blue"}, ["Unsupported parameters", "colour"]),
    ("ehpc_nodes_info", {"cluster_id": ""}, ["not an EHPC cluster ID"]),
    ("ehpc_nodes_info", {"cluster_id": EHPC, "role": "gpu"}, ["role", "login, compute"]),
    ("ehpc_nodes_info", {"cluster_id": EHPC, "jobs": "sometimes"}, ["jobs", "bool"]),
    ("ehpc_nodes_info", {"cluster_id": EHPC, "query": "[?"}, ["JMESPath"]),
    ("ehpc_nodes_info", {"cluster_id": EHPC, "query_only": True}, ["query_only is True", "missing: query"]),
    ("cce_node_remove", remove([]), ["nodes must list at least one"]),
    ("cce_node_remove", remove(["", "cce-demo-node-1"]), ["empty entries"]),
    ("cce_node_remove", remove(["cce-demo-node-1"], cluster_id="  "), ["cluster_id must not be empty"]),
    ("cce_node_remove", remove(["cce-demo-node-1"], {}), ["one of the following is required: ssh_key, user_password"]),
    ("cce_node_remove", remove(["cce-demo-node-1"], {"ssh_key": "KeyPair-x", "user_password": {"password": "$6$x"}}),
     ["mutually exclusive: ssh_key|user_password"]),
    ("cce_node_remove", remove(["cce-demo-node-1"], {"user_password": {"username": "root"}}),
     ["missing required arguments: password"]),
    # A blank key pair name.
    ("cce_node_remove", remove(["cce-demo-node-1"], {"ssh_key": " "}), ["login.ssh_key"]),
    ("cce_node_remove", {"cluster_id": CCE, "nodes": {"uid": "x"}, "login": KEY_LOGIN}, ["nodes", "list"]),
    ("cce_node_remove", remove(["cce-demo-node-1"], wait_timeout=-1), ["wait_timeout must be at least 1"]),
    ("cce_node_remove", remove(["cce-demo-node-1"], allow_empty_cluster="perhaps"), ["allow_empty_cluster", "bool"]),
    ("cce_nodes_info", {"cluster_id": ""}, ["cluster_id must not be empty"]),
    ("cce_nodes_info", {"cluster_id": CCE, "query": "[?"}, ["JMESPath"]),
    ("cce_nodes_info", {"cluster_id": CCE, "query_only": True}, ["query_only is True", "missing: query"]),
    ("cce_nodes_info", {"cluster_id": CCE, "timeout": 0}, ["timeout must be at least 1"]),
    ("cce_node_pool", pool(0), ["count 0 would delete every node of node pool pool-compute", "allow_empty=true"]),
    ("cce_node_pool", pool(-2), ["count must be 0 or more"]),
    ("cce_node_pool", pool(-2, allow_empty=True), ["count must be 0 or more"]),
    ("cce_node_pool", pool("five"), ["count", "int"]),
    ("cce_node_pool", pool(2.5), ["count", "int"]),
    ("cce_node_pool", {"cluster_id": CCE_POOLS, "node_pool": "pool-compute"}, ["missing required arguments: count"]),
    ("cce_node_pool", {"cluster_id": CCE_POOLS, "count": 3}, ["missing required arguments: node_pool"]),
    ("cce_node_pool", pool(node_pool=" "), ["node_pool must name a node pool"]),
    ("cce_node_pool", pool(cluster_id=""), ["cluster_id must not be empty"]),
    ("cce_node_pool", pool(state="absent"), ["state", "present"]),
    ("cce_node_pool", pool(protected_nodes=["pool-compute-1", " "]), ["protected_nodes", "empty entries"]),
    ("cce_node_pool", pool(allow_empty="sometimes"), ["allow_empty", "bool"]),
    ("cce_node_pool", pool(wait_timeout=0), ["wait_timeout must be at least 1"]),
    ("cce_node_pool", pool(nodes=["x"]), ["Unsupported parameters", "nodes"]),
    ("cce_node_pool_info", {"cluster_id": " "}, ["cluster_id must not be empty"]),
    ("cce_node_pool_info", {"cluster_id": CCE_POOLS, "node_pool": ""}, ["node_pool must not be blank"]),
    ("cce_node_pool_info", {"cluster_id": CCE_POOLS, "query": "[?"}, ["JMESPath"]),
    ("cce_node_pool_info", {"cluster_id": CCE_POOLS, "query_only": True}, ["query_only is True", "missing: query"]),
    ("modelarts_hyper_cluster", {"id": "bad id!"}, ["not a hyper cluster ID"]),
    ("modelarts_hyper_cluster", {"id": "h" * 65}, ["not a hyper cluster ID"]),
    ("modelarts_hyper_cluster", {"id": ""}, ["not a hyper cluster ID"]),
    ("modelarts_hyper_cluster", {"id": HYPER_CLUSTER_HPS, "project_id": "../etc"}, ["not a project ID"]),
    ("modelarts_hyper_cluster", {"id": HYPER_CLUSTER_HPS, "type": "GPU"}, ["type", "HPS, ECS"]),
    ("modelarts_hyper_cluster", {"id": HYPER_CLUSTER_HPS, "state": "present"}, ["state", "absent"]),
    ("modelarts_hyper_cluster", {"id": HYPER_CLUSTER_HPS, "wait_timeout": 0}, ["wait_timeout must be at least 1"]),
    ("modelarts_hyper_cluster_info", {"id": "a/b"}, ["not a hyper cluster ID"]),
    ("modelarts_hyper_cluster_info", {"type": "TPU"}, ["type", "HPS, ECS"]),
    ("modelarts_hyper_cluster_info", {"query": "[?"}, ["JMESPath"]),
    ("modelarts_hyper_cluster_info", {"query_only": True}, ["query_only is True", "missing: query"]),
]


def test_bad_input_matrix_covers_every_module():
    assert sorted(set(case[0] for case in BAD_INPUT)) == sorted(MODULES)


@pytest.mark.parametrize("index", range(len(BAD_INPUT)), ids=lambda i: "%02d-%s" % (i, BAD_INPUT[i][0]))
def test_bad_input_fails_with_a_clear_message_before_any_call(monkeypatch, index):
    module, args, words = BAD_INPUT[index]
    run = run_module(monkeypatch, module, args)
    assert run.failed and run.exit_code == 1, run
    for word in words:
        assert word in run.msg, (module, args, run.msg)
    assert run.http_calls == [], run


# --- missing credentials: refused before any call ---------------------------------------------

# An endpoint is given, so a call, if one were tried, would be refused and recorded.
ENDPOINT = "https://cloud.invalid"
QY = {"endpoint": ENDPOINT, "zone": QY_ZONE}
HW = {"endpoint": ENDPOINT, "project_id": HW_PROJECT_ID, "region": None}

# (name, module, arguments, words the message must hold); no credential in the environment.
MISSING_CREDENTIALS = [
    ("ehpc none", "ehpc_nodes", dict(QY, cluster_id=EHPC, count=2),
     ["missing required arguments", "access_key_id", "secret_access_key"]),
    ("ehpc no secret", "ehpc_nodes_info", dict(QY, cluster_id=EHPC, access_key_id=QY_ACCESS_KEY),
     ["missing required arguments: secret_access_key"]),
    ("ehpc no zone", "ehpc_nodes_info",
     {"cluster_id": EHPC, "endpoint": ENDPOINT, "access_key_id": QY_ACCESS_KEY, "secret_access_key": "x"},
     ["missing required arguments: zone"]),
    ("cce none", "cce_node_remove", dict(HW, **remove(["cce-demo-node-1"])), ["no Huawei Cloud credentials", "HW_"]),
    ("cce ak only", "cce_nodes_info", dict(HW, cluster_id=CCE, access_key=HW_ACCESS_KEY),
     ["access_key and secret_key must be given together"]),
    ("cce sk only", "cce_nodes_info", dict(HW, cluster_id=CCE, secret_key="x"),
     ["access_key and secret_key must be given together"]),
    ("cce pool none", "cce_node_pool", dict(HW, **pool()), ["no Huawei Cloud credentials", "HW_"]),
    ("cce pool info half an iam user", "cce_node_pool_info",
     dict(HW, cluster_id=CCE_POOLS, iam_user="demo", iam_password="x"),
     ["iam_user, iam_password and iam_domain must be given together"]),
    ("modelarts iam no password", "modelarts_hyper_cluster",
     dict(HW, id=HYPER_CLUSTER_HPS, iam_user="demo", iam_domain=HW_DOMAIN),
     ["iam_user, iam_password and iam_domain must be given together"]),
    ("modelarts token only security_token", "modelarts_hyper_cluster_info", dict(HW, security_token="x"),
     ["no Huawei Cloud credentials"]),
    ("modelarts no project", "modelarts_hyper_cluster_info", {"endpoint": ENDPOINT, "auth_token": "x"},
     ["missing required arguments: project_id"]),
    ("cce iam without region", "cce_nodes_info",
     {"cluster_id": CCE, "endpoint": ENDPOINT, "project_id": HW_PROJECT_ID, "iam_user": "demo",
      "iam_password": "x", "iam_domain": HW_DOMAIN},
     ["iam_user needs region or iam_endpoint"]),
]


def test_missing_credentials_cover_every_module():
    assert sorted(set(case[1] for case in MISSING_CREDENTIALS)) == sorted(MODULES)


@pytest.mark.parametrize("name, module, args, words", MISSING_CREDENTIALS, ids=[c[0] for c in MISSING_CREDENTIALS])
def test_missing_credentials_fail_clearly_before_any_call(monkeypatch, name, module, args, words):
    run = run_module(monkeypatch, module, args, credentials=False)
    assert run.failed and run.exit_code == 1, (name, run)
    for word in words:
        assert word in run.msg, (name, run.msg)
    assert run.http_calls == [], (name, run)
