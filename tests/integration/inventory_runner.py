"""Run ``ansible-inventory`` on a source file the way an operator does, for the inventory tests."""

from __future__ import annotations

import contextlib
import copy
import json
import subprocess
from pathlib import Path
from typing import Iterator

import yaml

from tests.integration.ansible_runner import BIN_DIR, REPO_ROOT, base_env, run_cli
from tests.simulator.fixture import Simulator, running_simulator
from tests.simulator.world import CCE_CLUSTER_ID, EHPC_CLUSTER_ID, build_state

# A second cluster of each cloud, whose nodes have the same names as the first one's.
SECOND_EHPC_CLUSTER = "ehpc-2ndcl5tr"
SECOND_CCE_CLUSTER = "cce-second"
# Clusters of odd_names_state: a copy of the default one whose compute02 (CCE: node 3) has this name.
ODD_EHPC_CLUSTERS = {"ehpc-lclhost1": "localhost", "ehpc-loopbck1": "127.0.0.1", "ehpc-lclhost6": "::1",
                     "ehpc-allnames": "all", "ehpc-grpnames": "ehpc"}
ODD_CCE_CLUSTERS = {"cce-localhost": "localhost", "cce-all": "all"}


class InventoryRun:
    def __init__(self, proc: subprocess.CompletedProcess):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.data = None
        # With -v, ansible-inventory prints its config lines before the JSON document.
        start = 0 if proc.stdout.startswith("{") else proc.stdout.find("\n{") + 1
        if proc.returncode == 0 and start >= 0 and proc.stdout[start:].startswith("{"):
            self.data = plain(json.loads(proc.stdout[start:]))

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def hostvars(self) -> dict:
        return self.data["_meta"]["hostvars"]

    def hosts(self, group: str = "all") -> list:
        """Every host of ``group`` and of its children, sorted."""
        entry = self.data.get(group) or {}
        found = set(entry.get("hosts", []))
        for child in entry.get("children", []):
            found.update(self.hosts(child))
        return sorted(found)

    def __repr__(self) -> str:
        return "InventoryRun(rc=%s, stdout=%s, stderr=%s)" % (self.rc, self.stdout[-3000:], self.stderr[-3000:])


def plain(value):
    """ansible-core 2.19 prints inventory strings as ``{"__ansible_unsafe": "..."}``."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return dict((key, plain(item)) for key, item in value.items())
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def write_source(directory: Path, name: str, source: dict) -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump(source, sort_keys=False))
    return path


def run_inventory(source: Path, url: str, *args: str, env: dict | None = None, fail_on_unparsed: bool | None = True,
                  credentials: bool = True, timeout: float = 120) -> InventoryRun:
    """``ansible-inventory -i <source> --list`` (or ``args``) with the simulator's credentials in the env.

    ``fail_on_unparsed``: ansible-core only warns about a source that fails, and goes on
    without its hosts; docs/inventory.md tells operators to make that an error, and so do the tests
    unless they check what happens without it. None leaves it to the repository's ansible.cfg
    (the runs start in the repository's root).
    """
    run_env = base_env(url, env, credentials)
    run_env.pop("ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED", None)
    if fail_on_unparsed is not None:
        run_env["ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED"] = "true" if fail_on_unparsed else "false"
    run_env["ANSIBLE_INVENTORY_UNPARSED_WARNING"] = "true"
    cmd = [str(BIN_DIR / "ansible-inventory"), "-i", str(source)] + (list(args) or ["--list"])
    return InventoryRun(run_cli(cmd, run_env, str(REPO_ROOT), timeout))


def two_cluster_state() -> dict:
    """The default world plus a second EHPC and a second CCE cluster, copies of the first ones
    with other node IDs and IPs (and the same node names)."""
    state = build_state()
    first = state["ehpc"]["clusters"][EHPC_CLUSTER_ID]
    nodes = {}
    for index, node in enumerate(first["nodes"].values()):
        copied = dict(node, node_id="cln-2nd%05d" % index, instance_id="i-2nd%05d" % index,
                      cluster_id=SECOND_EHPC_CLUSTER, private_ip="192.168.200.%d" % (10 + index))
        nodes[copied["node_id"]] = copied
    state["ehpc"]["clusters"][SECOND_EHPC_CLUSTER] = {"cluster_id": SECOND_EHPC_CLUSTER, "zone": first["zone"],
                                                      "nodes": nodes}
    cce_nodes = {}
    for index, node in enumerate(state["cce"]["clusters"][CCE_CLUSTER_ID]["nodes"].values()):
        copied = dict(copy.deepcopy(node), uid="00000000-0000-4000-8000-%012d" % index,
                      name="%s-node-%d" % (SECOND_CCE_CLUSTER, index + 1), privateIP="192.168.1.%d" % (10 + index))
        cce_nodes[copied["uid"]] = copied
    state["cce"]["clusters"][SECOND_CCE_CLUSTER] = {"cluster_id": SECOND_CCE_CLUSTER, "nodes": cce_nodes}
    return state


def odd_names_state() -> dict:
    """The default world plus clusters whose one node is named like the controller or a group
    (ODD_EHPC_CLUSTERS, ODD_CCE_CLUSTERS), copies of the default clusters with other IDs."""
    state = build_state()
    first = state["ehpc"]["clusters"][EHPC_CLUSTER_ID]
    for number, (cluster_id, odd_name) in enumerate(sorted(ODD_EHPC_CLUSTERS.items())):
        nodes = {}
        for index, node in enumerate(first["nodes"].values()):
            copied = dict(node, node_id="cln-odd%d%04d" % (number, index), instance_id="i-odd%d%04d" % (number, index),
                          cluster_id=cluster_id, private_ip="192.168.%d.%d" % (210 + number, 10 + index))
            if node["name"] == "compute02":
                copied["name"] = odd_name
            nodes[copied["node_id"]] = copied
        state["ehpc"]["clusters"][cluster_id] = {"cluster_id": cluster_id, "zone": first["zone"], "nodes": nodes}
    for number, (cluster_id, odd_name) in enumerate(sorted(ODD_CCE_CLUSTERS.items())):
        cce_nodes = {}
        for index, node in enumerate(state["cce"]["clusters"][CCE_CLUSTER_ID]["nodes"].values()):
            copied = dict(copy.deepcopy(node), uid="00000000-0000-4000-8%03d-%012d" % (number, index),
                          name=odd_name if index == 2 else "%s-node-%d" % (cluster_id, index + 1),
                          privateIP="192.168.%d.%d" % (220 + number, 10 + index))
            cce_nodes[copied["uid"]] = copied
        state["cce"]["clusters"][cluster_id] = {"cluster_id": cluster_id, "nodes": cce_nodes}
    return state


@contextlib.contextmanager
def odd_names_simulator(directory: Path) -> Iterator[Simulator]:
    """A simulator of its own holding the clusters of odd_names_state."""
    state_file = directory / "odd-names.json"
    state_file.write_text(json.dumps(odd_names_state()))
    with running_simulator(extra_args=["--state", str(state_file)]) as simulator:
        yield simulator


@contextlib.contextmanager
def two_cluster_simulator(directory: Path) -> Iterator[Simulator]:
    """A simulator of its own (own port, own state file) holding two clusters of each cloud."""
    state_file = directory / "two-clusters.json"
    state_file.write_text(json.dumps(two_cluster_state()))
    with running_simulator(extra_args=["--state", str(state_file)]) as simulator:
        yield simulator


def api_calls(sim: Simulator) -> list:
    """The cloud calls the simulator answered (the control API is not logged)."""
    return [call for call in sim.calls() if not call["path"].startswith("/_sim")]
