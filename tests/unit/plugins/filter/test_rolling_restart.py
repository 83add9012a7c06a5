# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rolling_restart_outcome and rolling_restart_report filters: which drained nodes a failed
batch of ehpc_rolling_restart may resume, and what its report says.

The restart results are shaped as hpcops.clusters.ehpc_nodes registers them (plugins/modules/
ehpc_nodes.py and plugins/module_utils/base.py): ``changed`` once the API took the restart,
``failure`` from a WaitError (job_id, status, timed_out) or an ApiError (ambiguous, ...).
"""

from __future__ import annotations

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.hpcops.clusters.plugins.filter.rolling_restart_outcome import (
    FilterModule as OutcomeFilters, rolling_restart_outcome)
from ansible_collections.hpcops.clusters.plugins.filter.rolling_restart_report import (
    FilterModule as ReportFilters, rolling_restart_report)

A, B, C, L = "cln-aaaa1111", "cln-bbbb2222", "cln-cccc3333", "cln-login001"
NAMES = {A: "compute01", B: "compute02", C: "compute03"}
LABELS = {A: "compute01 (%s)" % A, B: "compute02 (%s)" % B, C: "compute03 (%s)" % C, L: "login01 (%s)" % L}


def ok(*restarted):
    return {"changed": True, "failed": False, "job_ids": ["j-ok"], "restarted": list(restarted),
            "plan": {"restart": list(restarted)}}


def wait_error(status, timed_out=False, job_ids=("j-1",), changed=True):
    return {"changed": changed, "failed": True, "job_ids": list(job_ids), "msg": "EHPC job %s: %s" % (job_ids, status),
            "failure": {"job_id": job_ids[0] if job_ids else None, "status": status, "timed_out": timed_out,
                        "message": "..."}}


def api_error(changed, ambiguous, job_ids=()):
    result = {"changed": changed, "failed": True, "msg": "POST /api/cluster/resatrtNodes: HTTP 504",
              "failure": {"status": 504, "code": None, "message": "gateway timeout", "request_id": None,
                          "method": "POST", "path": "/api/cluster/resatrtNodes", "ambiguous": ambiguous}}
    if job_ids:
        result["job_ids"] = list(job_ids)
    return result


REFUSED = {"changed": False, "failed": True, "msg": "nodes not in cluster ehpc-x: compute09",
           "exception": "(traceback unavailable)"}
CRASHED = {"changed": False, "failed": True, "msg": "MODULE FAILURE: No start of json char found",
           "module_stderr": "Traceback ...", "module_stdout": "", "rc": 1}
SKIPPED = {"changed": False, "skipped": True, "skip_reason": "Conditional result was False"}

# (case, restart result, batch, drained Slurm names,
#  expected: restart_sent, restarted, restarting, restart_failed, not_restarted, resume, keep_drained)
CASES = [
    ("restart job succeeded", ok(A, B), [A, B], ["compute01", "compute02"],
     ("yes", [A, B], [], [], [], ["compute01", "compute02"], [])),
    ("restart job outlived wait_timeout", wait_error("running", timed_out=True), [A, B], ["compute01", "compute02"],
     ("yes", [], [A, B], [], [], [], ["compute01", "compute02"])),
    ("restart job vanished: status unknown", wait_error("missing"), [A], ["compute01"],
     ("yes", [], [A], [], [], [], ["compute01"])),
    ("restart job ended failed", wait_error("failed"), [A], ["compute01"],
     ("yes", [], [], [A], [], ["compute01"], [])),
    ("one job of several failed: the others may still run", wait_error("failed", job_ids=("j-1", "j-2")), [A], ["compute01"],
     ("yes", [], [A], [], [], [], ["compute01"])),
    ("job status unreadable after the restart was taken", api_error(True, False, ["j-1"]), [A], ["compute01"],
     ("yes", [], [A], [], [], [], ["compute01"])),
    ("answer to the restart call lost", api_error(False, True), [A], ["compute01"],
     ("unknown", [], [A], [], [], [], ["compute01"])),
    ("restart refused by the API", api_error(False, False), [A], ["compute01"],
     ("no", [], [], [], [A], ["compute01"], [])),
    ("restart refused before any call", REFUSED, [A], ["compute01"],
     ("no", [], [], [], [A], ["compute01"], [])),
    ("module crashed: what it sent is unknown", CRASHED, [A], ["compute01"],
     ("unknown", [], [A], [], [], [], ["compute01"])),
    ("restart never ran (the drain failed)", {}, [A, B], ["compute01"],
     ("no", [], [], [], [A, B], ["compute01"], [])),
    ("restart skipped", SKIPPED, [A], [],
     ("no", [], [], [], [A], [], [])),
    ("login node restarting, compute node drained and restarting", wait_error("running", timed_out=True), [L, A],
     ["compute01"], ("yes", [], [L, A], [], [], [], ["compute01"])),
    ("an operator's drained node is not this batch's to resume", ok(A, B), [A, B], ["compute02"],
     ("yes", [A, B], [], [], [], ["compute02"], [])),
    ("a node the module does not report as restarted", ok(A), [A, B], ["compute01", "compute02"],
     ("yes", [A], [], [], [B], ["compute01", "compute02"], [])),
    ("a drained name of no node of the batch stays drained while a restart is unfinished",
     wait_error("running", timed_out=True), [A], ["compute01", "compute09"],
     ("yes", [], [A], [], [], [], ["compute01", "compute09"])),
    ("a drained name of no node of the batch is resumed once every restart is over", ok(A), [A],
     ["compute01", "compute09"], ("yes", [A], [], [], [], ["compute01", "compute09"], [])),
]


@pytest.mark.parametrize("restart, batch, drained, expected", [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_a_drained_node_is_resumed_only_when_its_restart_is_known_to_be_over(restart, batch, drained, expected):
    outcome = rolling_restart_outcome(restart, batch, drained, NAMES)
    assert (outcome["restart_sent"], outcome["restarted"], outcome["restarting"], outcome["restart_failed"],
            outcome["not_restarted"], outcome["resume"], outcome["keep_drained"]) == expected
    # Every drained node is either resumed or kept drained, never both, never forgotten.
    assert sorted(outcome["resume"] + outcome["keep_drained"]) == sorted(set(drained))
    # Every node of the batch is in exactly one group.
    groups = outcome["restarted"] + outcome["restarting"] + outcome["restart_failed"] + outcome["not_restarted"]
    assert sorted(groups) == sorted(batch)


def test_the_job_ids_are_those_of_the_restart_that_ran():
    assert rolling_restart_outcome(wait_error("running", timed_out=True, job_ids=("j-9",)), [A])["job_ids"] == ["j-9"]
    assert rolling_restart_outcome({}, [A])["job_ids"] == []


@pytest.mark.parametrize("restart, batch, drained, names, message", [
    ("not a result", [A], [], {}, "the restart result must be a dict"),
    ({}, "cln-aaaa1111", [], {}, "batch must be a list, got str"),
    ({}, [A], "compute01", {}, "drained must be a list, got str"),
    ({}, [A], [], ["compute01"], "slurm_names must be a dict"),
])
def test_the_outcome_refuses_what_the_role_never_registers(restart, batch, drained, names, message):
    with pytest.raises(AnsibleFilterError, match="rolling_restart_outcome: %s" % message):
        rolling_restart_outcome(restart, batch, drained, names)


def facts(restart, **extra):
    base = {"cluster_id": "ehpc-8jqdq0mz", "targets": [A, B, C], "done": [], "skipped": [], "batch": [A],
            "ready": [A], "restart": restart, "labels": LABELS, "errors": ["", "the error"]}
    base.update(extra)
    return base


def drained_facts(restart, resumed, **extra):
    return facts(restart, drain=True, drained=["compute01"], resumed=resumed, slurm_names=NAMES, **extra)


def test_report_of_a_drained_batch_whose_restart_outlived_wait_timeout():
    restart = wait_error("running", timed_out=True, job_ids=("j-5h4i2duatxc",))
    report = rolling_restart_report(drained_facts(restart, [], done=[C], errors=[
        "timed out after 1s waiting for EHPC job j-5h4i2duatxc (status running)"] * 2))
    assert report["lines"] == [
        "restarted before the failure: %s" % LABELS[C],
        "failed batch: %s" % LABELS[A],
        "restart sent for the failed batch: yes, job(s) j-5h4i2duatxc",
        "restarted in the failed batch: none",
        "still restarting (restart not known to have finished): %s" % LABELS[A],
        "restart job failed: none",
        "resumed in Slurm: none",
        "left drained in Slurm: compute01",
        "not attempted: %s" % LABELS[B],
        "skipped as busy: none",
        "error: timed out after 1s waiting for EHPC job j-5h4i2duatxc (status running)",
    ]
    assert report["msg"] == (
        "rolling restart of ehpc-8jqdq0mz stopped at the batch %s (restart sent, job(s) j-5h4i2duatxc): "
        "timed out after 1s waiting for EHPC job j-5h4i2duatxc (status running); "
        "still restarting (restart not known to have finished): %s; resumed in Slurm: none; "
        "left drained in Slurm: compute01; restarted before the failure: %s" % (LABELS[A], LABELS[A], LABELS[C]))
    assert report["changed"] is True


def test_report_of_a_batch_whose_resume_wait_timed_out_says_the_restart_was_sent_and_the_node_resumed():
    report = rolling_restart_report(drained_facts(ok(A), ["compute01"], errors=[
        "timed out waiting for the nodes to be back in service; still compute01 IDLE+NOT_RESPONDING"] * 2))
    lines = report["lines"]
    assert lines[2] == "restart sent for the failed batch: yes, job(s) j-ok"
    assert lines[3] == "restarted in the failed batch: %s" % LABELS[A]
    assert lines[4] == "still restarting (restart not known to have finished): none"
    assert lines[6:8] == ["resumed in Slurm: compute01", "left drained in Slurm: none"]
    assert report["msg"].startswith("rolling restart of ehpc-8jqdq0mz stopped at the batch %s (restart sent, job(s) "
                                    "j-ok): timed out waiting for the nodes to be back in service" % LABELS[A])
    assert "; restarted in this batch: %s; resumed in Slurm: compute01; restarted before the failure: none" % LABELS[A] \
        in report["msg"]
    assert report["changed"] is True


def test_report_of_a_drain_that_timed_out_resumes_and_sent_nothing():
    report = rolling_restart_report(drained_facts({}, ["compute01"], errors=["", "jobs still on compute01: 42"]))
    assert report["lines"][2:8] == [
        "restart sent for the failed batch: no",
        "restarted in the failed batch: none",
        "still restarting (restart not known to have finished): none",
        "restart job failed: none",
        "resumed in Slurm: compute01",
        "left drained in Slurm: none",
    ]
    assert report["msg"] == ("rolling restart of ehpc-8jqdq0mz stopped at the batch %s: jobs still on compute01: 42; "
                             "resumed in Slurm: compute01; restarted before the failure: none" % LABELS[A])
    assert report["changed"] is False


def test_report_keeps_the_first_error_when_the_resume_after_it_failed_too():
    report = rolling_restart_report(drained_facts({}, [], errors=["drain timed out", "scontrol update failed (rc 1)"]))
    assert report["lines"][-1] == "error: drain timed out; then scontrol update failed (rc 1)"
    assert "left drained in Slurm: compute01" in report["msg"]


def test_report_of_a_lost_restart_answer_says_the_restart_may_have_been_sent():
    report = rolling_restart_report(facts(api_error(False, True)))
    assert report["lines"][2] == ("restart sent for the failed batch: unknown (the answer to the restart call was lost; "
                                  "it may have been sent)")
    assert " (restart may have been sent: the answer to it was lost): " in report["msg"]
    assert report["changed"] is True


def test_report_without_a_drain_host_has_no_slurm_lines():
    report = rolling_restart_report(facts(wait_error("failed"), done=[B], skipped=[C], batch=[A, L], ready=[A]))
    assert not any("Slurm" in line for line in report["lines"]) and "Slurm" not in report["msg"]
    assert report["lines"][:6] == [
        "restarted before the failure: %s" % LABELS[B],
        "failed batch: %s, %s" % (LABELS[A], LABELS[L]),
        "restart sent for the failed batch: yes, job(s) j-1",
        "restarted in the failed batch: none",
        "still restarting (restart not known to have finished): none",
        "restart job failed: %s" % LABELS[A],
    ]
    assert report["lines"][6:8] == ["not attempted: none", "skipped as busy: %s" % LABELS[C]]
    assert report["msg"].endswith("restart job failed: %s; restarted before the failure: %s" % (LABELS[A], LABELS[B]))


@pytest.mark.parametrize("value, message", [
    ("text", "needs a dict of the run's facts, got str"),
    ({"cluster_id": "ehpc-x"}, "missing targets, done, skipped, batch, ready, restart, labels"),
])
def test_the_report_refuses_incomplete_facts(value, message):
    with pytest.raises(AnsibleFilterError, match=message):
        rolling_restart_report(value)


def test_the_filters_are_registered_under_their_documented_names():
    assert OutcomeFilters().filters() == {"rolling_restart_outcome": rolling_restart_outcome}
    assert ReportFilters().filters() == {"rolling_restart_report": rolling_restart_report}
