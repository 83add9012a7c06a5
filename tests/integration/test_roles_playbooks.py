"""Every role's argument specs, the demo playbook and playbooks/module_defaults.yml against the simulator."""

from __future__ import annotations

import json

import pytest

from tests.integration.role_runs import (PLAYBOOKS, EHPC_CLUSTER, CCE_CLUSTER, changed_count, failed_count,
                                         messages, ehpc_nodes, cce_node_names, write_failing_cases, case_failures)


# --- argument specs ------------------------------------------------------------------------

BAD_ROLE_VARIABLES = [
    ("scale-count-not-int", "ehpc_scale", {"ehpc_scale_cluster_id": EHPC_CLUSTER, "ehpc_scale_count": "lots"},
     "argument 'ehpc_scale_count' is of type str and we were unable to convert to int"),
    ("scale-bad-role", "ehpc_scale", {"ehpc_scale_cluster_id": EHPC_CLUSTER, "ehpc_scale_count": 3, "ehpc_scale_role": "gpu"},
     "value of ehpc_scale_role must be one of: compute, login, got: gpu"),
    ("scale-no-cluster", "ehpc_scale", {"ehpc_scale_count": 3}, "missing required arguments: ehpc_scale_cluster_id"),
    ("restart-batch-not-int", "ehpc_rolling_restart",
     {"ehpc_rolling_restart_cluster_id": EHPC_CLUSTER, "ehpc_rolling_restart_batch_size": "two"},
     "argument 'ehpc_rolling_restart_batch_size' is of type str"),
    ("restart-idle-not-bool", "ehpc_rolling_restart",
     {"ehpc_rolling_restart_cluster_id": EHPC_CLUSTER, "ehpc_rolling_restart_wait_for_idle": "maybe"},
     "argument 'ehpc_rolling_restart_wait_for_idle' is of type str"),
    ("cce-no-cluster", "cce_scale_in", {"cce_scale_in_nodes": ["cce-demo-node-3"], "cce_scale_in_ssh_key": "KeyPair-demo"},
     "missing required arguments: cce_scale_in_cluster_id"),
    ("cce-password-missing", "cce_scale_in", {"cce_scale_in_cluster_id": CCE_CLUSTER, "cce_scale_in_nodes": ["cce-demo-node-3"],
                                              "cce_scale_in_user_password": {"username": "root"}},
     "missing required arguments: password found in cce_scale_in_user_password"),
]


def test_bad_role_variables_fail_at_the_start_with_a_clear_message(sim, playbook_runner, tmp_path):
    # One playbook, each case in a block of its own whose rescue records the message.
    run = playbook_runner(write_failing_cases(tmp_path, [(role, role_vars) for _id, role, role_vars, _m in BAD_ROLE_VARIABLES]))
    assert run.rc == 0 and run.stats["localhost"]["rescued"] == len(BAD_ROLE_VARIABLES), run
    for (case, _role, _vars, expected), msg in zip(BAD_ROLE_VARIABLES, case_failures(run, len(BAD_ROLE_VARIABLES))):
        assert msg is not None and msg.startswith("Validation of arguments failed"), (case, msg)
        assert expected in msg, (case, msg)
    assert sim.calls() == []


# --- demo and module_defaults --------------------------------------------------------------

@pytest.mark.slow
def test_demo_playbook_runs_green_end_to_end(sim, playbook_runner):
    run = playbook_runner(PLAYBOOKS / "demo.yml", ["-i", str(PLAYBOOKS / "inventory" / "simulator.yml")])
    assert run.rc == 0, run
    assert failed_count(run) == 0
    assert len(ehpc_nodes(sim, "compute")) == 4
    assert cce_node_names(sim) == ["cce-demo-node-1", "cce-demo-node-2"]
    assert sorted(sim.state()["hyper_clusters"]) == ["hc-demo-hps"]
    summary = messages(run, "Step 8 - summary")[0]
    assert summary[0] == "EHPC %s: 2 -> 4 compute nodes, 4 restarted in batches of 2" % EHPC_CLUSTER
    assert summary[1] == "CCE cce-demo: 3 -> 2 nodes (cce-demo-node-1, cce-demo-node-2)"
    assert summary[2] == "ModelArts: hc-demo-ecs deleted; hyper clusters left: hc-demo-hps"


def test_module_defaults_playbook_passes_credentials_through_the_action_groups(sim, playbook_runner):
    # No credential in the environment: everything reaches the modules through module_defaults.
    extra = {
        "qingcloud_access_key_id": "QYACCESSKEYIDEXAMPLE", "qingcloud_secret_access_key": "SECRETACCESSKEY",
        "qingcloud_zone": "jn1a", "qingcloud_ehpc_endpoint": sim.url,
        "huaweicloud_region": "cn-north-4", "huaweicloud_project_id": "0123456789abcdef0123456789abcdef",
        "huaweicloud_access_key": "HWSIMACCESSKEY", "huaweicloud_secret_key": "HWSIMSECRETKEY",
        "huaweicloud_cce_endpoint": sim.url, "huaweicloud_modelarts_endpoint": sim.url, "huaweicloud_iam_endpoint": sim.url,
    }
    run = playbook_runner(PLAYBOOKS / "module_defaults.yml", ["-e", json.dumps(extra)], credentials=False)
    assert run.rc == 0, run
    assert changed_count(run) == 0
    found = messages(run, "Show what the three calls found")[0]
    assert found == ["EHPC %s: login01, compute01, compute02" % EHPC_CLUSTER,
                     "CCE cce-demo: cce-demo-node-1, cce-demo-node-2, cce-demo-node-3",
                     "ModelArts: hc-demo-hps, hc-demo-ecs"]


def test_module_defaults_playbook_runs_with_credentials_from_the_environment(sim, playbook_runner):
    run = playbook_runner(PLAYBOOKS / "module_defaults.yml")
    assert run.rc == 0, run
    assert sim.writes() == []
