"""The simulator's CCE cluster as the pytest files that still drive Huawei modules see it.

What was shared from test_cce_node_remove.py before that file moved to the ``cce_node_remove``
target: the cluster id, a key-pair login, the IAM user credentials form, and the cluster's
nodes by name as a state shows them.
"""

from __future__ import annotations

from tests.simulator.world import CCE_CLUSTER_ID

CLUSTER = CCE_CLUSTER_ID
KEY_LOGIN = {"ssh_key": "KeyPair-demo"}
# The IAM user credentials form as a task environment: a task's environment cannot unset a
# variable, and a blank HW_* variable counts as unset (the AK/SK env fallback off).
IAM_USER_ENV = {"HW_ACCESS_KEY": "", "HW_SECRET_KEY": "", "HW_USER_NAME": "demo", "HW_USER_PASSWORD": "demo-password",
                "HW_DOMAIN_NAME": "demo"}


def cce_nodes(state) -> dict:
    """name -> node record of the simulator's cluster, read from a state (no API call logged)."""
    nodes = state["cce"]["clusters"][CLUSTER]["nodes"]
    return dict((node["name"], node) for node in nodes.values())
