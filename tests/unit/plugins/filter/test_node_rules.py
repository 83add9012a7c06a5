# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The roles' node rules: node_names, node_labels, drained_to_resume, split_removal, k8s_drain_outcome."""

from __future__ import annotations

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.hpcops.clusters.plugins.filter import (drained_to_resume, k8s_drain_outcome, node_labels, node_names,
                                                                split_removal)

EHPC = [
    {"id": "cln-1", "name": "compute01", "role": "compute", "private_ip": "10.0.0.1", "instance_id": "i-1", "transition_status": ""},
    {"id": "cln-2", "name": "compute02", "role": "compute", "private_ip": "10.0.0.2", "instance_id": "", "transition_status": ""},
    {"id": "cln-3", "name": "compute03", "role": "compute", "private_ip": "10.0.0.2", "transition_status": "deleting"},
    {"id": "cln-9", "name": "login01", "role": "login", "private_ip": "10.0.0.9", "transition_status": ""},
]
CCE = [
    {"uid": "u-1", "name": "cce-demo-node-1", "private_ip": "192.168.0.11", "phase": "Active"},
    {"uid": "u-2", "name": "cce-demo-node-2", "private_ip": "192.168.0.12", "phase": "Active"},
    {"uid": "u-3", "name": "cce-demo-node-3", "private_ip": "192.168.0.13", "phase": "Deleting"},
]


@pytest.mark.parametrize("keys, attribute, key, nodes, expected", [
    (["cln-2", "cln-1"], "name", "id", EHPC,
     {"names": ["compute02", "compute01"], "by_key": {"cln-2": "compute02", "cln-1": "compute01"}, "unlisted": [],
      "complete": True}),
    (["cln-1"], "private_ip", "id", EHPC,
     {"names": ["10.0.0.1"], "by_key": {"cln-1": "10.0.0.1"}, "unlisted": [], "complete": True}),
    # a blank or missing attribute cannot name the node
    (["cln-1", "cln-2"], "instance_id", "id", EHPC,
     {"names": ["i-1", ""], "by_key": {"cln-1": "i-1", "cln-2": ""}, "unlisted": [], "complete": False}),
    (["cln-3"], "instance_id", "id", EHPC,
     {"names": [""], "by_key": {"cln-3": ""}, "unlisted": [], "complete": False}),
    # two picked nodes with one name would drain one node twice
    (["cln-2", "cln-3"], "private_ip", "id", EHPC,
     {"names": ["10.0.0.2", "10.0.0.2"], "by_key": {"cln-2": "10.0.0.2", "cln-3": "10.0.0.2"}, "unlisted": [],
      "complete": False}),
    (["cln-1", "cln-7"], "name", "id", EHPC,
     {"names": ["compute01"], "by_key": {"cln-1": "compute01"}, "unlisted": ["cln-7"], "complete": False}),
    ([], "name", "id", EHPC, {"names": [], "by_key": {}, "unlisted": [], "complete": True}),
    (["cce-demo-node-2"], "private_ip", "name", CCE,
     {"names": ["192.168.0.12"], "by_key": {"cce-demo-node-2": "192.168.0.12"}, "unlisted": [], "complete": True}),
    ([" x "], "name", "id", [{"id": " x ", "name": "  spaced  "}],
     {"names": ["spaced"], "by_key": {" x ": "spaced"}, "unlisted": [], "complete": True}),
], ids=["names", "private-ip", "blank-attribute", "missing-attribute", "duplicate-names", "unlisted", "nothing-picked",
        "cce-by-name", "trimmed"])
def test_node_names_fails_closed_on_any_node_it_cannot_name(keys, attribute, key, nodes, expected):
    assert node_names.node_names(keys, nodes, attribute, key=key) == expected


@pytest.mark.parametrize("keys, nodes", [("cln-1", EHPC), (["cln-1"], {"cln-1": {}})])
def test_node_names_refuses_other_shapes(keys, nodes):
    with pytest.raises(AnsibleFilterError, match="node_names expects"):
        node_names.node_names(keys, nodes, "name")


@pytest.mark.parametrize("keys, lists, key, expected", [
    (["cln-1", "cln-9"], [EHPC], "id", ["compute01 (cln-1)", "login01 (cln-9)"]),
    # an ID no read shows stays as it is
    (["cln-1", "cln-404"], [EHPC], "id", ["compute01 (cln-1)", "cln-404"]),
    # the later list wins
    (["cln-1"], [EHPC, [{"id": "cln-1", "name": "renamed"}]], "id", ["renamed (cln-1)"]),
    (["cln-5"], [EHPC, [{"id": "cln-5", "name": "compute05"}]], "id", ["compute05 (cln-5)"]),
    (["cln-5"], [[{"id": "cln-5", "name": ""}], [{"id": "cln-6"}]], "id", ["cln-5"]),
    (["u-3"], [CCE], "uid", ["cce-demo-node-3 (u-3)"]),
    ([], [EHPC], "id", []),
    (["cln-1"], [[], None], "id", ["cln-1"]),
], ids=["labels", "unknown-id", "later-list-wins", "only-in-later-list", "no-name", "cce-uid", "none", "empty-lists"])
def test_node_labels_name_each_node_with_its_id(keys, lists, key, expected):
    assert node_labels.node_labels(keys, *lists, key=key) == expected


def test_node_labels_refuses_a_string_and_unknown_options():
    with pytest.raises(AnsibleFilterError, match="list of node keys"):
        node_labels.node_labels("cln-1", EHPC)
    with pytest.raises(AnsibleFilterError, match="unknown option"):
        node_labels.node_labels(["cln-1"], EHPC, kee="id")


NAMES = {"cln-1": "compute01", "cln-2": "compute02"}
SKIPPED = {"changed": False, "skipped": True, "skip_reason": "Conditional result was False"}
UNREAD = {"failed": True, "msg": "connection refused"}


def read(*nodes):
    return {"changed": False, "nodes": list(nodes)}


@pytest.mark.parametrize("drained, after, expected", [
    # the drain failed or timed out: no removal was tried, every node this run drained goes back
    (["compute01", "compute02"], SKIPPED, {"resume": ["compute01", "compute02"], "left_out": [], "unread": False}),
    # a node an operator had drained before is not this run's to resume
    (["compute02"], SKIPPED, {"resume": ["compute02"], "left_out": [], "unread": False}),
    ([], SKIPPED, {"resume": [], "left_out": [], "unread": False}),
    # the removal failed: nodes on their way out stay drained
    (["compute01", "compute02"], read(dict(EHPC[0]), dict(EHPC[1], transition_status="deleting")),
     {"resume": ["compute01"], "left_out": ["compute02"], "unread": False}),
    (["compute01", "compute02"], read(dict(EHPC[1])), {"resume": ["compute02"], "left_out": ["compute01"], "unread": False}),
    # the cluster could not be read again: nothing is known to stay, nothing is resumed
    (["compute01", "compute02"], UNREAD, {"resume": [], "left_out": ["compute01", "compute02"], "unread": True}),
    # a read that is none of these is a surprise, not "nothing there"
    (["compute01"], {"changed": False}, {"resume": [], "left_out": ["compute01"], "unread": True}),
], ids=["drain-failed", "operator-drained", "nothing-drained", "one-deleting", "one-gone", "unread", "surprise"])
def test_drained_to_resume_puts_back_only_this_runs_nodes_that_stay(drained, after, expected):
    assert drained_to_resume.drained_to_resume(drained, NAMES, after) == expected


def test_drained_to_resume_reads_cce_nodes_by_name_and_phase():
    names = {"cce-demo-node-2": "192.168.0.12", "cce-demo-node-3": "192.168.0.13"}
    result = drained_to_resume.drained_to_resume(["192.168.0.12", "192.168.0.13"], names, read(*CCE), key="name")
    assert result == {"resume": ["192.168.0.12"], "left_out": ["192.168.0.13"], "unread": False}


def test_drained_to_resume_refuses_other_shapes():
    with pytest.raises(AnsibleFilterError, match="drained_to_resume expects"):
        drained_to_resume.drained_to_resume("compute01", NAMES, SKIPPED)


@pytest.mark.parametrize("nodes, removed, key, expected", [
    (CCE, ["u-2"], "uid", {"leaving": ["cce-demo-node-2"], "staying": ["cce-demo-node-1"], "live": 2}),
    (CCE, ["u-1", "u-2"], "uid", {"leaving": ["cce-demo-node-1", "cce-demo-node-2"], "staying": [], "live": 2}),
    # a node already being deleted neither leaves nor stays
    (CCE, ["u-3"], "uid", {"leaving": [], "staying": ["cce-demo-node-1", "cce-demo-node-2"], "live": 2}),
    (EHPC, ["cln-9"], "id", {"leaving": ["login01"], "staying": ["compute01", "compute02"], "live": 3}),
    ([], [], "uid", {"leaving": [], "staying": [], "live": 0}),
], ids=["one", "all", "deleting", "ehpc", "empty"])
def test_split_removal_splits_the_live_nodes(nodes, removed, key, expected):
    assert split_removal.split_removal(nodes, removed, key=key) == expected


@pytest.mark.parametrize("module, name", [
    (node_names, "node_names"), (node_labels, "node_labels"), (drained_to_resume, "drained_to_resume"),
    (split_removal, "split_removal"), (k8s_drain_outcome, "k8s_drain_outcome"),
])
def test_each_filter_is_registered_under_its_documented_name(module, name):
    assert list(module.FilterModule().filters()) == [name]
    assert "\nname: %s\n" % name in module.DOCUMENTATION


LATE = "timeout reached while pods were still running."


def drain_item(name, changed=True, warnings=None):
    item = {"changed": changed, "k8s_node": name, "result": "node %s done." % name}
    if warnings is not None:
        item["warnings"] = warnings
    return item


@pytest.mark.parametrize("result, expected", [
    ({"changed": True, "results": [drain_item("10.0.0.1"), drain_item("10.0.0.2")]},
     {"drained": ["10.0.0.1", "10.0.0.2"], "late": []}),
    # a node already cordoned before is not changed, and not this run's to uncordon
    ({"changed": True, "results": [drain_item("10.0.0.1", changed=False), drain_item("10.0.0.2")]},
     {"drained": ["10.0.0.2"], "late": []}),
    ({"changed": True, "results": [drain_item("10.0.0.1"), drain_item("10.0.0.2", warnings=[LATE])]},
     {"drained": ["10.0.0.1", "10.0.0.2"], "late": ["10.0.0.2"]}),
    # the warning moved to the loop's result (ansible-core 2.19): every node counts as late
    ({"changed": True, "warnings": [LATE], "results": [drain_item("10.0.0.1"), drain_item("10.0.0.2")]},
     {"drained": ["10.0.0.1", "10.0.0.2"], "late": ["10.0.0.1", "10.0.0.2"]}),
    ({"changed": True, "warnings": ["something else"], "results": [drain_item("10.0.0.1", warnings=["other"])]},
     {"drained": ["10.0.0.1"], "late": []}),
    # check mode skips the loop; an empty result (nothing run yet) drained nothing
    ({"changed": False, "skipped": True, "results": [{"changed": False, "skipped": True, "k8s_node": "10.0.0.1"}]},
     {"drained": [], "late": []}),
    ({}, {"drained": [], "late": []}),
], ids=["drained", "cordoned-before", "late-item", "late-loop", "other-warnings", "check-mode", "nothing-run"])
def test_k8s_drain_outcome_names_the_nodes_drained_and_the_late_ones(result, expected):
    assert k8s_drain_outcome.k8s_drain_outcome(result, ["10.0.0.1", "10.0.0.2"], "k8s_node") == expected


def test_k8s_drain_outcome_refuses_other_shapes():
    with pytest.raises(AnsibleFilterError, match="k8s_drain_outcome expects"):
        k8s_drain_outcome.k8s_drain_outcome([], ["10.0.0.1"])
