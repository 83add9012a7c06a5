# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rules ehpc_rolling_restart reads from filters besides the stop report: role_nodes (the restart
targets, the compute nodes of a batch to drain), split_busy (the nodes of a batch still running HPC
jobs) and ehpc_rolling_restart_summary (the summary line and the failure for nodes skipped as busy).

The nodes are shaped as hpcops.clusters.ehpc_nodes_info returns them (id, name, role,
transition_status; busy and jobs when read with the jobs).
"""

from __future__ import annotations

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.hpcops.clusters.plugins.filter import ehpc_rolling_restart_summary, role_nodes, split_busy
from ansible_collections.hpcops.clusters.plugins.filter.rolling_restart_report import rolling_restart_report

CLUSTER = "ehpc-8jqdq0mz"


def node(name, role="compute", transition="", jobs=()):
    return {"id": "cln-" + name, "name": name, "role": role, "transition_status": transition,
            "busy": bool(jobs), "jobs": list(jobs)}


NODES = [node("login01", "login"), node("compute01"), node("compute02", transition="deleting"),
         node("compute03", transition="restarting"), node("login02", "login", transition="deleting")]


# --- role_nodes --------------------------------------------------------------------------------

@pytest.mark.parametrize("role, options, expected", [
    ("compute", {"live": True}, ["cln-compute01", "cln-compute03"]),
    # a node being restarted is still there; only one being deleted is on its way out
    ("login", {"live": True}, ["cln-login01"]),
    ("compute", {}, ["cln-compute01", "cln-compute02", "cln-compute03"]),
    ("gpu", {"live": True}, []),
    # among: in the order asked, nodes of another role left out
    ("compute", {"among": ["cln-compute03", "cln-login01", "cln-compute01"]}, ["cln-compute03", "cln-compute01"]),
    # a node on its way out is still a compute node of the batch: Slurm may run jobs on it
    ("compute", {"among": ["cln-compute02"]}, ["cln-compute02"]),
    ("compute", {"among": ["cln-compute02"], "live": True}, []),
    # a node the list does not show is kept: its role cannot be told (node_names then reports it)
    ("compute", {"among": ["cln-login01", "cln-new"]}, ["cln-new"]),
    ("compute", {"among": []}, []),
    ("compute", {"key": "name", "live": True}, ["compute01", "compute03"]),
], ids=["live-compute", "live-login", "all-compute", "no-such-role", "among-in-order", "among-leaving",
        "among-live", "among-unknown-kept", "among-empty", "by-name"])
def test_role_nodes_picks_the_nodes_of_a_role(role, options, expected):
    assert role_nodes.role_nodes(NODES, role, **options) == expected


def test_role_nodes_of_an_empty_cluster_is_empty():
    assert role_nodes.role_nodes([], "compute", live=True) == []


@pytest.mark.parametrize("nodes, among", [({"cln-1": {}}, None), (NODES, "cln-compute01"), (NODES, {"cln-1": 1})])
def test_role_nodes_refuses_other_shapes(nodes, among):
    with pytest.raises(AnsibleFilterError, match="role_nodes expects a list of nodes"):
        role_nodes.role_nodes(nodes, "compute", among=among)


# --- split_busy --------------------------------------------------------------------------------

BUSY = [node("compute01", jobs=["19455", "19456"]), node("compute02"), node("compute03", jobs=["19460"]),
        node("compute04", jobs=["19470"])]


@pytest.mark.parametrize("among, expected", [
    (["cln-compute01", "cln-compute02", "cln-compute03"],
     {"busy": ["cln-compute01", "cln-compute03"], "idle": ["cln-compute02"],
      "jobs": {"cln-compute01": ["19455", "19456"], "cln-compute03": ["19460"]}}),
    # the order asked, not the list's
    (["cln-compute03", "cln-compute02"],
     {"busy": ["cln-compute03"], "idle": ["cln-compute02"], "jobs": {"cln-compute03": ["19460"]}}),
    (["cln-compute02"], {"busy": [], "idle": ["cln-compute02"], "jobs": {}}),
    # busy nodes outside the batch are not the batch's business
    ([], {"busy": [], "idle": [], "jobs": {}}),
    # a node the list does not show runs no job that could be seen
    (["cln-gone", "cln-compute04"], {"busy": ["cln-compute04"], "idle": ["cln-gone"], "jobs": {"cln-compute04": ["19470"]}}),
], ids=["mixed", "batch-order", "all-idle", "empty-batch", "unlisted-is-idle"])
def test_split_busy_splits_a_batch_into_busy_and_idle_nodes(among, expected):
    assert split_busy.split_busy(BUSY, among) == expected


def test_split_busy_reads_busy_not_the_job_list():
    # ehpc_nodes_info decides what busy means; a node marked busy without job IDs is still busy
    nodes = [{"id": "cln-1", "busy": True}, {"id": "cln-2", "busy": False, "jobs": ["1"]}]
    assert split_busy.split_busy(nodes, ["cln-1", "cln-2"]) == {"busy": ["cln-1"], "idle": ["cln-2"], "jobs": {"cln-1": []}}


@pytest.mark.parametrize("nodes, among", [({"cln-1": {}}, ["cln-1"]), (BUSY, "cln-compute01"), (BUSY, None)])
def test_split_busy_refuses_other_shapes(nodes, among):
    with pytest.raises(AnsibleFilterError, match="split_busy expects"):
        split_busy.split_busy(nodes, among)


# --- ehpc_rolling_restart_summary ------------------------------------------------------------------

FOUR = [node("compute%02d" % i) for i in range(1, 5)]
IDS = [n["id"] for n in FOUR]
LABEL = dict((n["id"], "%s (%s)" % (n["name"], n["id"])) for n in FOUR)


def run(**extra):
    facts = {"cluster_id": CLUSTER, "targets": IDS, "done": IDS, "batches": [IDS[:2], IDS[2:]], "batch_size": 2,
             "nodes": FOUR, "skipped": [], "skipped_jobs": {}, "idle_timeout": 3600}
    facts.update(extra)
    return facts


def labels(*ids):
    return ", ".join(LABEL[i] for i in ids)


@pytest.mark.parametrize("facts, check_mode, msg", [
    (run(), False, "restarted 4 of 4 nodes of %s in 2 batch(es) of up to 2: %s" % (CLUSTER, labels(*IDS))),
    (run(done=IDS[:3], skipped=IDS[3:], skipped_jobs={IDS[3]: ["19455"]}), False,
     "restarted 3 of 4 nodes of %s in 2 batch(es) of up to 2: %s; skipped because still busy: %s"
     % (CLUSTER, labels(*IDS[:3]), labels(IDS[3]))),
    (run(done=IDS[:3], skipped=IDS[3:]), True,
     "would restart 3 of 4 nodes of %s in 2 batch(es) of up to 2: %s; busy now: %s"
     % (CLUSTER, labels(*IDS[:3]), labels(IDS[3]))),
    # every node skipped as busy
    (run(done=[], skipped=IDS[:1], targets=IDS[:1], batches=1, batch_size="1"), False,
     "restarted 0 of 1 nodes of %s in 1 batch(es) of up to 1: none; skipped because still busy: %s"
     % (CLUSTER, labels(IDS[0]))),
    # with a drain host: the Slurm nodes resumed over every batch, each once
    (run(drain=True, resumed=["compute01", "compute02", "compute03", "compute04", "compute01"]), False,
     "restarted 4 of 4 nodes of %s in 2 batch(es) of up to 2: %s; resumed in Slurm: compute01, compute02, compute03, "
     "compute04" % (CLUSTER, labels(*IDS))),
    # only login nodes restarted: nothing was drained
    (run(drain=True, resumed=[]), False,
     "restarted 4 of 4 nodes of %s in 2 batch(es) of up to 2: %s; resumed in Slurm: none" % (CLUSTER, labels(*IDS))),
    (run(drain=True, resumed=["compute01"], done=IDS[:1], targets=IDS[:1], batches=1), True,
     "would restart 1 of 1 nodes of %s in 1 batch(es) of up to 2: %s; would drain and resume in Slurm: compute01"
     % (CLUSTER, labels(IDS[0]))),
    # without a drain host the resumed list is not the summary's business
    (run(drain=False, resumed=["compute01"]), False,
     "restarted 4 of 4 nodes of %s in 2 batch(es) of up to 2: %s" % (CLUSTER, labels(*IDS))),
    # a node no read showed keeps its ID; a node without a name is its ID
    (run(done=["cln-new", "cln-x"], targets=["cln-new", "cln-x"], batches=1, nodes=[{"id": "cln-x", "name": ""}]), False,
     "restarted 2 of 2 nodes of %s in 1 batch(es) of up to 2: cln-new, cln-x" % CLUSTER),
], ids=["all-restarted", "one-skipped", "check-mode-busy-now", "all-skipped", "drained-and-resumed", "drain-none-resumed",
        "check-mode-drain", "no-drain", "unlabelled"])
def test_the_summary_names_the_nodes_restarted_skipped_and_resumed(facts, check_mode, msg):
    assert ehpc_rolling_restart_summary.ehpc_rolling_restart_summary(facts, check_mode=check_mode)["msg"] == msg


@pytest.mark.parametrize("facts, skipped_msg", [
    (run(), ""),
    (run(done=IDS[:2], skipped=IDS[2:], skipped_jobs={IDS[2]: ["19455", "19456"], IDS[3]: ["19460"]}, idle_timeout="2"),
     "2 node(s) of %s were not restarted because they still ran HPC jobs after 2 s: %s jobs 19455, 19456; %s jobs 19460; "
     "run again later, or set ehpc_rolling_restart_allow_skipped=true to accept this" % (CLUSTER, LABEL[IDS[2]], LABEL[IDS[3]])),
    (run(done=IDS[:3], skipped=IDS[3:], skipped_jobs={}),
     "1 node(s) of %s were not restarted because they still ran HPC jobs after 3600 s: %s jobs unknown; "
     "run again later, or set ehpc_rolling_restart_allow_skipped=true to accept this" % (CLUSTER, LABEL[IDS[3]])),
], ids=["none-skipped", "jobs-named", "jobs-unknown"])
def test_nodes_skipped_as_busy_are_named_with_their_jobs_in_the_failure(facts, skipped_msg):
    assert ehpc_rolling_restart_summary.ehpc_rolling_restart_summary(facts)["skipped_msg"] == skipped_msg


@pytest.mark.parametrize("value, message", [
    ("text", "ehpc_rolling_restart_summary needs a dict of the run's facts, got str"),
    ({"cluster_id": CLUSTER}, "ehpc_rolling_restart_summary: missing targets, done, batches, batch_size, skipped, nodes"),
    (run(done="cln-compute01"), "done must be a list, got str"),
])
def test_the_summary_refuses_incomplete_facts(value, message):
    with pytest.raises(AnsibleFilterError, match=message):
        ehpc_rolling_restart_summary.ehpc_rolling_restart_summary(value)


# --- rolling_restart_report reads the labels from the node list ---------------------------------

def test_the_stop_report_labels_nodes_from_the_node_list_as_the_summary_does():
    facts = {"cluster_id": CLUSTER, "targets": IDS, "done": IDS[:2], "skipped": [], "batch": IDS[2:3], "ready": IDS[2:3],
             "restart": {}, "nodes": FOUR, "errors": ["the error"]}
    report = rolling_restart_report(facts)
    assert report["lines"][0] == "restarted before the failure: %s" % labels(*IDS[:2])
    assert report["lines"][1] == "failed batch: %s" % labels(IDS[2])
    assert "not attempted: %s" % labels(IDS[3]) in report["lines"]
    assert report["msg"] == ("rolling restart of %s stopped at the batch %s: the error; restarted before the failure: %s"
                             % (CLUSTER, labels(IDS[2]), labels(*IDS[:2])))


def test_the_stop_report_needs_labels_or_nodes():
    facts = {"cluster_id": CLUSTER, "targets": [], "done": [], "skipped": [], "batch": [], "ready": [], "restart": {}}
    with pytest.raises(AnsibleFilterError, match="rolling_restart_report: missing labels or nodes"):
        rolling_restart_report(facts)


@pytest.mark.parametrize("module, name", [(role_nodes, "role_nodes"), (split_busy, "split_busy"),
                                          (ehpc_rolling_restart_summary, "ehpc_rolling_restart_summary")])
def test_each_filter_is_registered_under_its_documented_name(module, name):
    assert list(module.FilterModule().filters()) == [name]
