"""The cce_scale_in role through playbooks/cce_scale_in.yml against the simulator.

Everything else the role does is in the ansible-test target tests/integration/targets/cce_scale_in.
This test stays here: it needs a simulator started from a saved world with two nodes of one name
(the default world's names are unique, and its control API renames no node).
"""

from __future__ import annotations

import json

from tests.integration.ansible_runner import run_playbook
from tests.integration.role_runs import PLAYBOOKS, CCE_CLUSTER, SIM, CCE_KEY
from tests.simulator.fixture import running_simulator


def test_cce_scale_in_ambiguous_name_stays_refused(sim, tmp_path):
    # The default world has unique names: start a simulator whose saved world has two nodes named alike.
    state = sim.state()
    nodes = state["cce"]["clusters"][CCE_CLUSTER]["nodes"]
    for node in nodes.values():
        if node["name"] == "cce-demo-node-2":
            node["name"] = "cce-demo-node-1"
    state_file = tmp_path / "world.json"
    state_file.write_text(json.dumps(state))
    with running_simulator(extra_args=["--state", str(state_file)]) as twins:
        run = run_playbook(PLAYBOOKS / "cce_scale_in.yml", twins.url, SIM + CCE_KEY + ["-e", "cce_scale_in_nodes=cce-demo-node-1"])
        assert run.rc != 0 and run.failed, run
        assert "cce-demo-node-1" in run.result["msg"], run.result
        assert twins.writes() == []
        assert len(twins.state()["cce"]["clusters"][CCE_CLUSTER]["nodes"]) == 3
