"""The simulator's CCE cluster as the pytest files that still drive Huawei modules see it.

What was shared from test_cce_node_remove.py before that file moved to the ``cce_node_remove``
target: the cluster id, a key-pair login, the task environment of each Huawei credentials
form, and the cluster's nodes by name as a state shows them.
"""

from __future__ import annotations

from tests.simulator.world import CCE_CLUSTER_ID, HW_SECURITY_TOKEN, HW_TEMP_ACCESS_KEY, HW_TEMP_SECRET_KEY

CLUSTER = CCE_CLUSTER_ID
KEY_LOGIN = {"ssh_key": "KeyPair-demo"}
# Task environment: a blank HW_* variable counts as unset (the AK/SK env fallback off).
NO_AKSK = {"HW_ACCESS_KEY": "", "HW_SECRET_KEY": ""}


def auth_env(form: str, token: str | None = None) -> dict | None:
    """Task environment for one credentials form (``token``: an IAM token got before the run, for
    the token form). A task's environment cannot unset a variable: a blank one turns its fallback off."""
    if form == "aksk":
        return None
    if form == "aksk_security_token":
        return {"HW_ACCESS_KEY": HW_TEMP_ACCESS_KEY, "HW_SECRET_KEY": HW_TEMP_SECRET_KEY,
                "HW_SECURITY_TOKEN": HW_SECURITY_TOKEN}
    if form == "token":
        return dict(NO_AKSK, HW_AUTH_TOKEN=token)
    if form == "iam_user":
        return dict(NO_AKSK, HW_USER_NAME="demo", HW_USER_PASSWORD="demo-password", HW_DOMAIN_NAME="demo")
    raise ValueError(form)


def cce_nodes(state) -> dict:
    """name -> node record of the simulator's cluster, read from a state (no API call logged)."""
    nodes = state["cce"]["clusters"][CLUSTER]["nodes"]
    return dict((node["name"], node) for node in nodes.values())
