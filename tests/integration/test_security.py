"""Bad input, missing, wrong or stale credentials, and secrets in output, for every module.

Each group is one ansible-playbook run of many tasks (see tests/integration/scenario.py).
The full bad-input and missing-credentials matrices run in-process, where they cost
milliseconds, in tests/unit/plugins/modules/test_bad_input.py; here one case per module
(per cloud for credentials) proves the path through ansible-playbook.
"""

from __future__ import annotations

import re

import pytest

from tests.integration.scenario import Scenario
from tests.simulator.client import iam_token_request
from tests.simulator.world import (CCE_CLUSTER_ID, CCE_POOL_CLUSTER_ID, EHPC_CLUSTER_ID, HW_DOMAIN, HW_PROJECT_ID,
                                   HW_SECRET_KEY, HW_SECURITY_TOKEN, HW_TEMP_ACCESS_KEY, HW_TEMP_SECRET_KEY,
                                   HYPER_CLUSTER_ECS, HYPER_CLUSTER_HPS, IAM_USERS, QY_SECRET_KEY, QY_ZONE)

# A long file: tests/conftest.py has pytest-xdist start the slow files first.
pytestmark = pytest.mark.slow

EHPC = EHPC_CLUSTER_ID
CCE = CCE_CLUSTER_ID
KEY_LOGIN = {"ssh_key": "KeyPair-demo"}
IAM_PASSWORD = IAM_USERS["demo"]["password"]
NO_AKSK = {"HW_ACCESS_KEY": "", "HW_SECRET_KEY": ""}  # task environment: AK/SK env fallback off
MODULES = ["ehpc_nodes", "ehpc_nodes_info", "cce_node_remove", "cce_nodes_info", "cce_node_pool", "cce_node_pool_info",
           "modelarts_hyper_cluster", "modelarts_hyper_cluster_info"]


def remove(nodes, login=None, **extra):
    return dict({"cluster_id": CCE, "nodes": list(nodes), "login": KEY_LOGIN if login is None else login}, **extra)


# --- bad input: refused before any call ------------------------------------------------------

# One case per module, of a different kind each, through ansible-playbook: the path Ansible ->
# module -> message stays proven for every module. The full matrix (every case here and 41
# more) runs in-process, with no network call let out, in tests/unit/plugins/modules/test_bad_input.py.
# (module, arguments, words the message must hold)
BAD_INPUT = [
    # Ansible's own check, naming the module by the name the task used.
    ("ehpc_nodes", {"cluster_id": EHPC, "count": 2, "colour": "blue"},
     ["Unsupported parameters for (hpcops.clusters.ehpc_nodes) module", "colour"]),
    ("ehpc_nodes_info", {"cluster_id": EHPC, "query": "[?"}, ["JMESPath"]),
    # Sub-options; the password is a secret on its way in.
    ("cce_node_remove", remove(["cce-demo-node-1"], {"ssh_key": "KeyPair-x", "user_password": {"password": "$6$x"}}),
     ["mutually exclusive: ssh_key|user_password"]),
    # A connection option, checked by the module before the client is built.
    ("cce_nodes_info", {"cluster_id": CCE, "timeout": 0}, ["timeout must be at least 1"]),
    # Emptying a node pool needs allow_empty.
    ("cce_node_pool", {"cluster_id": CCE_POOL_CLUSTER_ID, "node_pool": "pool-compute", "count": 0},
     ["count 0 would delete every node", "allow_empty=true"]),
    ("cce_node_pool_info", {"cluster_id": CCE_POOL_CLUSTER_ID, "node_pool": " "}, ["node_pool must not be blank"]),
    ("modelarts_hyper_cluster", {"id": HYPER_CLUSTER_HPS, "state": "present"}, ["state", "absent"]),
    ("modelarts_hyper_cluster_info", {"id": "a/b"}, ["not a hyper cluster ID"]),
]


def case_name(index, case):
    return "%02d %s" % (index, case[0])


@pytest.fixture(scope="module")
def bad_input(simulator_session, tmp_path_factory):
    simulator_session.reset()
    scenario = Scenario(simulator_session, tmp_path_factory.mktemp("bad_input"))
    for index, case in enumerate(BAD_INPUT):
        scenario.task(case_name(index, case), case[0], case[1])
    return scenario.run()


def test_bad_input_cases_cover_every_module():
    assert sorted(case[0] for case in BAD_INPUT) == sorted(MODULES)


@pytest.mark.parametrize("index", range(len(BAD_INPUT)), ids=lambda i: "%02d-%s" % (i, BAD_INPUT[i][0]))
def test_bad_input_fails_with_a_clear_message(bad_input, index):
    module, args, words = BAD_INPUT[index]
    result = bad_input[case_name(index, BAD_INPUT[index])]
    assert result.get("failed"), (module, args, result)
    for word in words:
        assert word in result["msg"], (module, args, result["msg"])
    assert bad_input.calls_of(case_name(index, BAD_INPUT[index])) == []


def test_bad_input_makes_no_call_at_all(bad_input):
    assert bad_input.cloud_calls() == []


# --- missing credentials: refused before any call ---------------------------------------------

# One case per cloud through ansible-playbook; every case (these and 8 more) runs in-process
# in tests/unit/plugins/modules/test_bad_input.py.
@pytest.fixture(scope="module")
def missing_credentials(simulator_session, tmp_path_factory):
    sim = simulator_session
    sim.reset()
    # No credential in the environment (credentials=False); endpoints point at the
    # simulator so that a call, if one were made, would show in its log.
    qy = {"endpoint": sim.url, "zone": QY_ZONE}
    hw = {"endpoint": sim.url, "project_id": HW_PROJECT_ID, "region": None}
    scenario = (Scenario(sim, tmp_path_factory.mktemp("missing_credentials"))
                .task("ehpc none", "ehpc_nodes", dict(qy, cluster_id=EHPC, count=2))
                .task("cce none", "cce_node_remove", dict(hw, **remove(["cce-demo-node-1"]))))
    return scenario.run(credentials=False)


@pytest.mark.parametrize("name, words", [
    ("ehpc none", ["missing required arguments", "access_key_id", "secret_access_key"]),
    ("cce none", ["no Huawei Cloud credentials", "HW_"]),
])
def test_missing_credentials_fail_clearly_before_any_call(missing_credentials, name, words):
    result = missing_credentials[name]
    assert result.get("failed"), result
    for word in words:
        assert word in result["msg"], result["msg"]
    assert missing_credentials.calls_of(name) == []


def test_missing_credentials_make_no_call_at_all(missing_credentials):
    assert missing_credentials.cloud_calls() == []


# --- wrong credentials, unknown ids, a skewed clock: refused by the API, nothing written -------

WRONG_QY_SECRET = "WRONG-QY-SECRET-c0ffee-1"
WRONG_HW_SK = "WRONG-HW-SK-c0ffee-2"
WRONG_STS_TOKEN = "WRONG-HW-STS-TOKEN-c0ffee-3"
WRONG_AUTH_TOKEN = "WRONG-HW-AUTH-TOKEN-c0ffee-4"
WRONG_IAM_PASSWORD = "WRONG-IAM-PASSWORD-c0ffee-5"
WRONG_LOGIN_PASSWORD = "$6$WRONG-LOGIN-PASSWORD-c0ffee-6"
# A key pair name, no secret (never masked): not in WRONG_SECRETS.
WRONG_KEYPAIR = "WRONG-KEYPAIR-c0ffee-7"
WRONG_SECRETS = [WRONG_QY_SECRET, WRONG_HW_SK, WRONG_STS_TOKEN, WRONG_AUTH_TOKEN, WRONG_IAM_PASSWORD,
                 WRONG_LOGIN_PASSWORD]
CLOCK_OFFSET = 3600
IAM_USER = {"iam_user": "demo", "iam_domain": HW_DOMAIN}


@pytest.fixture(scope="module")
def refused(simulator_session, tmp_path_factory):
    sim = simulator_session
    sim.reset()
    compute01 = [n["node_id"] for n in sim.state()["ehpc"]["clusters"][EHPC]["nodes"].values()
                 if n["name"] == "compute01"][0]
    scenario = (Scenario(sim, tmp_path_factory.mktemp("refused"))
                # Wrong credentials, each form once, each module once at least.
                .task("qy wrong secret", "ehpc_nodes", {"cluster_id": EHPC, "count": 3, "secret_access_key": WRONG_QY_SECRET})
                .task("qy wrong key id", "ehpc_nodes_info", {"cluster_id": EHPC, "access_key_id": "QYNOSUCHKEY"})
                .task("hw wrong sk", "cce_node_remove", dict(remove(["cce-demo-node-3"]), secret_key=WRONG_HW_SK))
                .task("hw wrong ak", "cce_nodes_info", {"cluster_id": CCE, "access_key": "HWNOSUCHKEY"})
                .task("hw wrong security token", "modelarts_hyper_cluster",
                      {"id": HYPER_CLUSTER_HPS, "access_key": HW_TEMP_ACCESS_KEY, "secret_key": HW_TEMP_SECRET_KEY,
                       "security_token": WRONG_STS_TOKEN})
                .task("hw wrong token", "modelarts_hyper_cluster_info", {"auth_token": WRONG_AUTH_TOKEN},
                      environment=NO_AKSK)
                .task("hw wrong iam password", "modelarts_hyper_cluster",
                      dict(IAM_USER, id=HYPER_CLUSTER_ECS, type="ECS", iam_password=WRONG_IAM_PASSWORD),
                      environment=NO_AKSK)
                .task("hw other project", "cce_nodes_info", {"cluster_id": CCE, "project_id": "f" * 32})
                # Unknown ids: read, then refused or found absent.
                .task("ehpc unknown cluster", "ehpc_nodes", {"cluster_id": "ehpc-zzzzzzzz", "count": 3})
                .task("ehpc info unknown cluster", "ehpc_nodes_info", {"cluster_id": "ehpc-zzzzzzzz"})
                .task("ehpc restart unknown node", "ehpc_nodes",
                      {"cluster_id": EHPC, "state": "restarted", "nodes": [compute01, "cln-zzzzzzzz"]})
                .task("ehpc absent unknown node", "ehpc_nodes",
                      {"cluster_id": EHPC, "state": "absent", "nodes": ["cln-zzzzzzzz"]})
                .task("cce unknown cluster", "cce_node_remove",
                      dict(remove(["cce-demo-node-1"], {"user_password": {"password": WRONG_LOGIN_PASSWORD}}),
                           cluster_id="cce-nosuch"))
                .task("cce unknown cluster keypair", "cce_node_remove",
                      dict(remove(["cce-demo-node-1"], {"ssh_key": WRONG_KEYPAIR}), cluster_id="cce-nosuch"))
                .task("cce unknown nodes", "cce_node_remove", remove(["cce-demo-node-9", "0000-no-such-uid"]))
                .task("cce info unknown cluster", "cce_nodes_info", {"cluster_id": "cce-nosuch"})
                .task("modelarts unknown id", "modelarts_hyper_cluster", {"id": "hc-nosuch"})
                .task("modelarts info unknown id", "modelarts_hyper_cluster_info", {"id": "hc-nosuch"})
                # The server's clock an hour ahead of this machine's.
                .config(clock_offset_seconds=CLOCK_OFFSET)
                .task("qy clock", "ehpc_nodes", {"cluster_id": EHPC, "count": 3})
                .task("qy info clock", "ehpc_nodes_info", {"cluster_id": EHPC})
                .task("hw clock", "cce_node_remove", remove(["cce-demo-node-3"]))
                .task("hw modelarts clock", "modelarts_hyper_cluster", {"id": HYPER_CLUSTER_HPS}))
    return scenario.run(extra_args=["-vvv"])


@pytest.mark.parametrize("name, status, code, words", [
    ("qy wrong secret", 200, 1200, ["authentication failed", "secret_access_key"]),
    ("qy wrong key id", 200, 1200, ["authentication failed", "unknown access_key_id"]),
    ("hw wrong sk", 401, "APIGW.0301", ["authentication failed", "signature"]),
    ("hw wrong ak", 401, "APIGW.0301", ["authentication failed", "unknown access key"]),
    ("hw wrong security token", 401, "APIGW.0301", ["authentication failed", "X-Security-Token"]),
    ("hw wrong token", 401, "APIGW.0301", ["authentication failed", "token is not valid"]),
    ("hw wrong iam password", 401, "IAM.0002", ["IAM refused the user name, password or domain"]),
    ("hw other project", 401, "APIGW.0301", ["authentication failed", "no access to project"]),
])
def test_wrong_credentials_fail_at_the_first_call_and_are_not_retried(refused, name, status, code, words):
    result = refused[name]
    assert result.get("failed"), result
    for word in words:
        assert word in result["msg"], result["msg"]
    assert (result["failure"]["status"], result["failure"]["code"]) == (status, code)
    assert len(refused.calls_of(name)) == 1, refused.calls_of(name)


@pytest.mark.parametrize("name, words", [
    ("ehpc unknown cluster", ["code 2100", "resource not found", "ehpc-zzzzzzzz"]),
    ("ehpc info unknown cluster", ["code 2100", "ehpc-zzzzzzzz"]),
    ("ehpc restart unknown node", ["nodes not in cluster", "cln-zzzzzzzz"]),
    ("cce unknown cluster", ["HTTP 404", "cce-nosuch"]),
    ("cce unknown cluster keypair", ["HTTP 404", "cce-nosuch"]),
    ("cce info unknown cluster", ["HTTP 404", "cce-nosuch"]),
])
def test_unknown_ids_fail_clearly_without_a_write(refused, name, words):
    result = refused[name]
    assert result.get("failed"), result
    for word in words:
        assert word in result["msg"], result["msg"]
    assert refused.writes_of(name) == []


@pytest.mark.parametrize("name", ["ehpc absent unknown node", "cce unknown nodes", "modelarts unknown id",
                                  "modelarts info unknown id"])
def test_unknown_ids_of_things_to_remove_count_as_already_gone(refused, name):
    result = refused[name]
    assert not result.get("failed") and not result["changed"], result
    assert refused.writes_of(name) == []


@pytest.mark.parametrize("name, words", [
    ("qy clock", ["code 1300", "request expired", "clock"]),
    ("qy info clock", ["code 1300", "clock"]),
    ("hw clock", ["HTTP 401", "X-Sdk-Date", "server time"]),
    ("hw modelarts clock", ["HTTP 401", "X-Sdk-Date", "server time"]),
])
def test_request_timestamps_off_by_an_hour_fail_naming_the_clock(refused, name, words):
    result = refused[name]
    assert result.get("failed"), result
    for word in words:
        assert word in result["msg"], result["msg"]
    assert len(refused.calls_of(name)) == 1


def test_refused_requests_write_nothing(refused):
    assert refused.writes() == []
    assert refused.state["hyper_clusters"] and len(refused.state["cce"]["clusters"][CCE]["nodes"]) == 3


def test_wrong_secrets_never_appear_in_verbose_output(refused):
    for secret in WRONG_SECRETS:
        assert secret not in refused.output, secret


# --- secrets never shown ---------------------------------------------------------------------

LOGIN_PASSWORD = "$6$Distinct-Login-Password-4417"


@pytest.fixture(scope="module")
def verbose(simulator_session, tmp_path_factory):
    sim = simulator_session
    sim.reset()
    answer = iam_token_request(sim.url, "demo", IAM_PASSWORD, HW_DOMAIN, HW_PROJECT_ID)
    assert answer.status == 201, answer
    token = answer.headers["x-subject-token"]
    temp = {"access_key": HW_TEMP_ACCESS_KEY, "secret_key": HW_TEMP_SECRET_KEY, "security_token": HW_SECURITY_TOKEN}
    scenario = (Scenario(sim, tmp_path_factory.mktemp("verbose"))
                # Every module, every credential form, on its path to success...
                .task("ehpc_nodes", "ehpc_nodes", {"cluster_id": EHPC, "count": 3})
                .task("ehpc_nodes_info", "ehpc_nodes_info", {"cluster_id": EHPC})
                .task("cce password login", "cce_node_remove",
                      remove(["cce-demo-node-3"], {"user_password": {"password": LOGIN_PASSWORD}}))
                .task("cce key login temp aksk", "cce_node_remove", dict(remove(["cce-demo-node-2"]), **temp))
                .task("cce_nodes_info iam", "cce_nodes_info", dict(IAM_USER, cluster_id=CCE, iam_password=IAM_PASSWORD),
                      environment=NO_AKSK)
                .task("modelarts token", "modelarts_hyper_cluster", {"id": HYPER_CLUSTER_HPS, "auth_token": token})
                .task("modelarts_info temp aksk", "modelarts_hyper_cluster_info", temp)
                # ...and on paths to failure, where messages and exceptions are made.
                .task("ehpc drop", "ehpc_nodes_info", {"cluster_id": EHPC},
                      [{"kind": "drop", "path": "listNodes", "times": 10}])
                .task("iam 503", "cce_nodes_info", dict(IAM_USER, cluster_id=CCE, iam_password=IAM_PASSWORD),
                      [{"kind": "status", "status": 503, "path": "/v3/auth/tokens", "times": 5}], environment=NO_AKSK)
                .task("cce password login fails", "cce_node_remove",
                      remove(["cce-demo-node-1"], {"user_password": {"password": LOGIN_PASSWORD}},
                             allow_empty_cluster=True),
                      [{"kind": "status", "status": 500, "path": "/operation/remove", "times": 10}])
                .task("cce key login fails", "cce_node_remove", remove(["cce-demo-node-1"], allow_empty_cluster=True),
                      [{"kind": "drop", "path": "/operation/remove", "times": 10}]))
    run = scenario.run(extra_args=["-vvv"], json_output=False)
    run.token = token
    return run


def test_every_module_ran_with_verbose_output(verbose):
    recap = re.search(r"localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=0\s+failed=0\s+skipped=0\s+"
                      r"rescued=0\s+ignored=(\d+)", verbose.output)
    assert recap, verbose.output[-3000:]
    # 7 tasks succeed (4 with a change), 4 fail as meant to (ignored, counted in "ok" too;
    # the two failed removals count as changed: they had set out to change the cluster).
    assert tuple(int(n) for n in recap.groups()) == (11, 6, 4), recap.group(0)
    assert [c["status"] for c in verbose.calls_of("cce password login fails", "/operation/remove")] == [500] * 3
    state = verbose.state
    assert sorted(n["name"] for n in state["cce"]["clusters"][CCE]["nodes"].values()) == ["cce-demo-node-1"]
    assert HYPER_CLUSTER_HPS not in state["hyper_clusters"]
    assert "<127.0.0.1> EXEC" in verbose.output or "ESTABLISH LOCAL CONNECTION" in verbose.output


@pytest.mark.parametrize("secret", [QY_SECRET_KEY, HW_SECRET_KEY, HW_TEMP_SECRET_KEY, HW_SECURITY_TOKEN, IAM_PASSWORD,
                                    LOGIN_PASSWORD, "token"])
def test_secrets_never_appear_in_verbose_output(verbose, secret):
    value = verbose.token if secret == "token" else secret
    assert value not in verbose.output
    # Only masked: the values were there to hide.
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in verbose.output


def test_signatures_and_signed_urls_never_appear_in_verbose_output(verbose):
    assert "signature=" not in verbose.output and "Signature=" not in verbose.output
    assert "connection dropped" in verbose.output  # the drop's message was shown, cut short
