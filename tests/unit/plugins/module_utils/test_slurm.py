# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parsing Slurm's output and planning node updates, on output captured from Slurm 22.05.8.

The files in fixtures/slurm/ are verbatim ``sinfo --json``, ``scontrol --oneliner show node``
and ``squeue --noheader --format=%i|%T|%N`` output of the test cluster
(tests/integration/slurm_cluster.py): compute01 real, compute[02-04] never answering.
"""

from __future__ import annotations

__metaclass__ = type

import json
from pathlib import Path

import pytest

from ansible_collections.hpcops.clusters.plugins.module_utils.slurm import node_plan as slurm

FIXTURES = Path(__file__).parent / "fixtures" / "slurm"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def brief(nodes: dict) -> dict:
    return dict((name, (node["state"], node["flags"], node["reason"])) for name, node in nodes.items())


DRAINED_DOWN = {
    "compute01": ("IDLE", ["DRAIN"], "maint x=1 y"),
    "compute02": ("DOWN", ["NOT_RESPONDING"], "gone"),
    "compute03": ("UNKNOWN", ["NOT_RESPONDING"], ""),
    "compute04": ("UNKNOWN", ["NOT_RESPONDING"], ""),
}
DRAINING = {
    "compute01": ("ALLOCATED", ["DRAIN"], "scale-in"),
    "compute02": ("IDLE", ["NOT_RESPONDING"], ""),
    "compute03": ("UNKNOWN", ["DRAIN", "NOT_RESPONDING"], "retire"),
    "compute04": ("UNKNOWN", ["NOT_RESPONDING"], ""),
}
AFTER_RESUME = {
    "compute01": ("IDLE", ["NOT_RESPONDING"], ""),
    "compute02": ("IDLE", ["NOT_RESPONDING"], ""),
    "compute03": ("UNKNOWN", ["DRAIN", "NOT_RESPONDING"], "retire"),
    "compute04": ("UNKNOWN", ["NOT_RESPONDING"], ""),
}


@pytest.mark.parametrize("name,expected", [
    ("drained_down", DRAINED_DOWN),
    ("draining", DRAINING),
    ("after_resume", AFTER_RESUME),
])
def test_sinfo_json_and_scontrol_oneliner_give_the_same_nodes(name, expected):
    from_json = slurm.parse_nodes_json(fixture("sinfo_22.05_%s.json" % name))
    from_scontrol = slurm.parse_scontrol_nodes(fixture("scontrol_show_node_22.05_%s.txt" % name))
    assert brief(from_json) == expected
    assert brief(from_scontrol) == expected


def test_scontrol_json_of_slurm_23_and_later_with_state_as_a_list_is_read_too():
    # Not captured (this machine has 22.05): the shape of Slurm's data_parser (v0.0.39 and
    # later, OPENAPI_NODES_RESP): "nodes" with "name", "state" as NODE_STATES flag names,
    # "reason"; plus "warnings" and "errors" lists.
    text = json.dumps({"nodes": [{"name": "c1", "hostname": "c1", "state": ["MIXED", "DRAIN"], "reason": "r",
                                  "next_state_after_reboot": ["INVALID"]},
                                 {"name": "c2", "hostname": "c2", "state": ["IDLE", "NOT_RESPONDING"], "reason": ""}],
                       "last_update": {"set": True, "infinite": False, "number": 1796277869},
                       "warnings": [], "errors": []})
    nodes = slurm.parse_nodes(text, "json", "scontrol --json show node")
    assert brief(nodes) == {"c1": ("MIXED", ["DRAIN"], "r"), "c2": ("IDLE", ["NOT_RESPONDING"], "")}


def test_sinfo_json_of_slurm_23_and_later_is_refused_not_misread():
    # From 23.02 sinfo --json prints sinfo's grouped records ("sinfo"), not the node table.
    text = json.dumps({"sinfo": [{"node": {"state": ["IDLE"]}, "nodes": {"nodes": ["c1"]}}], "errors": []})
    with pytest.raises(slurm.SlurmError, match="sinfo --json printed no 'nodes' list"):
        slurm.parse_nodes(text, "json", "sinfo --json")


def test_node_sources_go_from_the_newest_slurm_to_the_oldest():
    assert [" ".join([name] + args) for name, args, _kind in slurm.NODE_SOURCES] == [
        "scontrol --json show node", "sinfo --json", "scontrol --oneliner show node"]


@pytest.mark.parametrize("text,problem", [
    ("not json", "did not print JSON"),
    ("[]", "no 'nodes' list"),
    ('{"nodes": {}}', "no 'nodes' list"),
    ('{"nodes": [], "errors": [{"error": "boom"}]}', "reported errors"),
    ('{"nodes": [{"name": "c1"}]}', "no readable state"),
    ('{"nodes": [{"name": "c1", "state": "idle", "state_flags": "DRAIN"}]}', "no readable state"),
    ('{"nodes": [{"name": "c1", "state": "weird"}]}', "no base state"),
    ('{"nodes": [{"state": "idle"}]}', "without a name"),
    ('{"nodes": [{"name": "c1", "state": "idle", "reason": 3}]}', "not text"),
])
def test_unexpected_sinfo_json_is_an_error_not_an_empty_cluster(text, problem):
    with pytest.raises(slurm.SlurmError, match=problem):
        slurm.parse_nodes_json(text)


def test_scontrol_reason_keeps_equals_signs_and_drops_the_user_and_time():
    line = ("NodeName=n1 Arch=x86_64 OS=Linux 6.1.0 #1 SMP PREEMPT_DYNAMIC State=IDLE+DRAIN "
            "CfgTRES=cpu=2,mem=1M AllocTRES= Reason=disk a=b [root@2026-12-03T06:04:47]\n")
    assert brief(slurm.parse_scontrol_nodes(line)) == {"n1": ("IDLE", ["DRAIN"], "disk a=b")}


def test_an_asterisk_on_the_state_means_not_responding():
    line = "NodeName=n1 State=DOWN*+DRAIN ThreadsPerCore=1 Reason=gone [slurm@2020-01-01T00:00:00]"
    assert brief(slurm.parse_scontrol_nodes(line)) == {"n1": ("DOWN", ["DRAIN", "NOT_RESPONDING"], "gone")}


@pytest.mark.parametrize("text,problem", [
    ("slurm_load_node error: Unable to contact slurm controller", "no node"),
    ("NodeName=n1 Arch=x86_64", "no State="),
])
def test_unexpected_scontrol_output_is_an_error(text, problem):
    with pytest.raises(slurm.SlurmError, match=problem):
        slurm.parse_scontrol_nodes(text)


def test_squeue_lines_become_jobs_and_pending_jobs_hold_no_node():
    jobs = slurm.parse_squeue(fixture("squeue_22.05.txt"))
    assert jobs == [
        {"job_id": "4", "state": "PENDING", "nodes": []},
        {"job_id": "5", "state": "PENDING", "nodes": []},
        {"job_id": "2", "state": "RUNNING", "nodes": ["compute01"]},
        {"job_id": "3", "state": "RUNNING", "nodes": ["compute01"]},
    ]
    assert slurm.jobs_on(jobs, ["compute01", "compute02"]) == {"compute01": ["2", "3"], "compute02": []}


def test_a_completing_job_on_a_host_list_still_holds_its_nodes():
    jobs = slurm.parse_squeue("77|COMPLETING|compute[01-02]\n78_1|RUNNING|compute03\n")
    assert slurm.jobs_on(jobs, ["compute02", "compute03"]) == {"compute02": ["77"], "compute03": ["78_1"]}


@pytest.mark.parametrize("text", ["12|RUNNING", "|RUNNING|n1", "12|RUNNING|n[1-"])
def test_unexpected_squeue_lines_are_errors(text):
    with pytest.raises(slurm.SlurmError):
        slurm.parse_squeue(text)


def test_host_lists_split_by_ansible_at_commas_are_joined_again():
    assert slurm.expand_nodes(["compute[01", "03]", "login1", "compute01"]) == ["compute01", "compute03", "login1"]


def test_an_empty_bracket_in_nodes_fails_instead_of_being_dropped():
    # slurm_node nodes: ["compute[]", "compute01"] used to act on compute01 alone.
    from ansible_collections.hpcops.clusters.plugins.module_utils.slurm.hostlist import HostListError
    with pytest.raises(HostListError, match="empty brackets"):
        slurm.expand_nodes(["compute[]", "compute01"])


def test_plan_updates_only_nodes_not_yet_in_the_asked_state():
    nodes = slurm.parse_nodes_json(fixture("sinfo_22.05_draining.json"))
    names = ["compute01", "compute02", "compute03", "compute04"]
    assert slurm.plan(nodes, names, "drained") == ["compute02", "compute04"]
    assert slurm.plan(nodes, names, "resumed") == ["compute01", "compute03"]
    assert slurm.plan(nodes, names, "down") == names
    down = slurm.parse_nodes_json(fixture("sinfo_22.05_drained_down.json"))
    assert slurm.plan(down, names, "resumed") == ["compute01", "compute02"]
    assert slurm.plan(down, names, "down") == ["compute01", "compute03", "compute04"]


def test_plan_refuses_unknown_nodes():
    nodes = slurm.parse_nodes_json(fixture("sinfo_22.05_draining.json"))
    with pytest.raises(slurm.SlurmError, match="unknown Slurm nodes: gpu1, gpu2"):
        slurm.plan(nodes, ["compute01", "gpu1", "gpu2"], "drained")


def test_predicted_state_is_what_scontrol_update_does():
    node = {"name": "n1", "state": "MIXED", "flags": [], "reason": ""}
    drained = slurm.predicted(node, "drained", "scale-in")
    assert slurm.state_text(drained) == "MIXED+DRAIN" and drained["reason"] == "scale-in"
    resumed = slurm.predicted(dict(node, state="DOWN", flags=["DRAIN", "NOT_RESPONDING"], reason="x"), "resumed", None)
    assert slurm.state_text(resumed) == "IDLE+NOT_RESPONDING" and resumed["reason"] == ""
    assert slurm.state_text(slurm.predicted(node, "down", "dead")) == "DOWN"
    assert slurm.predicted(drained, "drained", "other reason") == drained


def test_update_arguments_are_separate_argv_words():
    assert slurm.update_args(["n1", "n2"], "drained", "scale in; rm -rf /") == [
        "update", "NodeName=n1,n2", "State=DRAIN", "Reason=scale in; rm -rf /"]
    assert slurm.update_args(["n1"], "resumed", None) == ["update", "NodeName=n1", "State=RESUME"]


@pytest.mark.parametrize("state,flags,jobs,drained", [
    ("IDLE", ["DRAIN"], [], True),
    ("DOWN", ["DRAIN", "NOT_RESPONDING"], [], True),
    ("IDLE", [], [], False),
    ("ALLOCATED", ["DRAIN"], [], False),  # squeue may lag behind the allocation
    ("MIXED", ["DRAIN"], ["7"], False),
    ("IDLE", ["DRAIN", "COMPLETING"], [], False),
    ("IDLE", ["DRAIN"], ["7"], False),
])
def test_a_node_is_drained_once_it_has_drain_and_no_job(state, flags, jobs, drained):
    assert slurm.is_drained({"name": "n1", "state": state, "flags": flags, "reason": ""}, jobs) is drained
