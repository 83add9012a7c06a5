"""Options that would make a module act on the wrong thing are refused before any call.

- A boolean for an int option: Ansible's int type turns ``true`` into 1, so ``count: yes``
  would plan to remove all but one node.
- A blank credential, as AWX injects for an empty credential field, counts as not given.
- An endpoint without ``http(s)://`` is a configuration error, not a network fault to retry.

Every case is one task of a single ansible-playbook run (see tests/integration/scenario.py):
one per rule, so that each is proven through Ansible (the raw task arguments, the task's
``environment``). Every module and option of every rule runs in-process, with no network
call let out, in tests/unit/plugins/modules/test_option_rules.py.
"""

from __future__ import annotations

import pytest

from tests.integration.scenario import Scenario

EHPC_CLUSTER = "ehpc-8jqdq0mz"

# (task name, module, arguments, task environment, words the message must hold)
REFUSED = [
    ("boolean for an int", "ehpc_nodes", {"cluster_id": EHPC_CLUSTER, "count": True},
     None, ["count must be a whole number, not a boolean (got true)"]),
    ("blank qingcloud credential", "ehpc_nodes_info", {"cluster_id": EHPC_CLUSTER},
     {"QINGCLOUD_SECRET_ACCESS_KEY": ""}, ["missing QingCloud credentials", "QINGCLOUD_SECRET_ACCESS_KEY"]),
    ("blank huawei credentials", "modelarts_hyper_cluster_info", {},
     {"HW_ACCESS_KEY": "", "HW_SECRET_KEY": "", "HW_AUTH_TOKEN": ""}, ["no Huawei Cloud credentials"]),
    ("blank huawei project id", "cce_nodes_info", {"cluster_id": "cce-demo"},
     {"HW_PROJECT_ID": ""}, ["project_id"]),
    ("no scheme", "cce_nodes_info", {"cluster_id": "cce-demo", "endpoint": "127.0.0.1:8080"},
     None, ["endpoint '127.0.0.1:8080' has no scheme: write it as https://127.0.0.1:8080"]),
]


@pytest.fixture(scope="module")
def rules(simulator_session, tmp_path_factory):
    simulator_session.reset()
    scenario = Scenario(simulator_session, tmp_path_factory.mktemp("option_rules"))
    for name, module, args, environment, _words in REFUSED:
        scenario.task(name, module, args, environment=environment)
    scenario.task("numbers as strings", "ehpc_nodes", {"cluster_id": EHPC_CLUSTER, "count": "2", "timeout": "20"})
    return scenario.run()


@pytest.mark.parametrize("name, words", [(case[0], case[4]) for case in REFUSED], ids=[case[0] for case in REFUSED])
def test_a_rule_refuses_the_task_before_any_call(rules, name, words):
    result = rules[name]
    assert result.get("failed"), result
    for word in words:
        assert word in result["msg"], result["msg"]
    assert "could not connect" not in result["msg"]
    assert rules.calls_of(name) == []


def test_numbers_as_strings_still_work(rules):
    result = rules["numbers as strings"]
    assert not result.get("failed") and not result.get("changed"), result
