# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the ehpc_rolling_restart role decides about a batch, and how it reports a stop
(private to hpcops.clusters).

Controller-side only: the role's filters (``plugins/filter/rolling_restart_outcome.py`` and
``plugins/filter/rolling_restart_report.py``) call these pure functions, so the safety rule
"a node whose restart is not known to have finished stays drained in Slurm" is tested on a
table of cases (tests/unit/plugins/filter/test_rolling_restart.py) instead of living in
nested Jinja.

The input is the registered result of ``hpcops.clusters.ehpc_nodes`` with
``state: restarted`` and ``wait: true``. That module marks the task changed as soon as the
API accepts a write, and its failures carry a ``failure`` dict: a job that failed, vanished
or timed out (``job_id``, ``status``, ``timed_out``) or an API error (``ambiguous`` when the
answer to a write was lost). See plugins/module_utils/base.py and errors.py.
"""

from __future__ import annotations

__metaclass__ = type

from collections.abc import Mapping

from ansible_collections.hpcops.clusters.plugins.plugin_utils.role_rules import labels_by_key

SENT = "yes"
NOT_SENT = "no"
MAYBE_SENT = "unknown"


class OutcomeError(ValueError):
    """The role handed over something that is not what it registered."""


def _ids(value, name: str) -> list:
    if value is None:
        return []
    if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
        raise OutcomeError("%s must be a list, got %s" % (name, type(value).__name__))
    return [str(item) for item in value]


def _ran(restart: Mapping) -> bool:
    """Whether the restart task ran for this batch (not reset, not skipped)."""
    return bool(restart) and not restart.get("skipped") and ("changed" in restart or "failed" in restart)


def _classify(restart: Mapping, job_ids: list) -> tuple:
    """(restart_sent, what became of the batch's nodes): restarted, restarting, failed or not_sent."""
    if not _ran(restart):
        return NOT_SENT, "not_sent"
    if not restart.get("failed"):
        return SENT, "restarted"
    failure = restart.get("failure")
    failure = failure if isinstance(failure, Mapping) else {}
    # A module that crashed left no answer of its own: what it sent is unknown.
    crashed = "module_stderr" in restart
    if restart.get("changed"):
        # The API took the restart. Only a job seen ending in "failed" is over; a timeout, a
        # job the API no longer knows, a status that could not be read, or one failed job
        # among several (the others may still run) is a restart not known to have finished.
        if (failure.get("status") == "failed" and not failure.get("timed_out") and len(job_ids) <= 1
                and not crashed):
            return SENT, "failed"
        return SENT, "restarting"
    if failure.get("ambiguous") or "timed_out" in failure or crashed:
        # The answer to the restart call was lost (or a wait ran without an accepted write):
        # the nodes may be restarting.
        return MAYBE_SENT, "restarting"
    return NOT_SENT, "not_sent"


def batch_outcome(restart, batch, drained=None, slurm_names=None) -> dict:
    """What became of one batch, and which of the nodes it drained in Slurm to resume.

    ``restart``: the batch's registered ``ehpc_nodes`` result; ``{}`` or a skipped result when
    the restart task did not run (the drain failed first, or every node was busy).
    ``batch``: the node IDs that task was given. ``drained``: the Slurm names this batch
    drained (``slurm_node``'s ``changed_nodes``); ``slurm_names``: node ID -> Slurm name.

    A drained node is resumed unless its restart is not known to have finished; a drained
    name that belongs to no node of the batch is kept drained when any restart is unfinished.
    """
    if restart is None:
        restart = {}
    if not isinstance(restart, Mapping):
        raise OutcomeError("the restart result must be a dict (the registered ehpc_nodes result), got %s"
                           % type(restart).__name__)
    batch = _ids(batch, "batch")
    drained = _ids(drained, "drained")
    if slurm_names is None:
        slurm_names = {}
    if not isinstance(slurm_names, Mapping):
        raise OutcomeError("slurm_names must be a dict of node ID to Slurm name, got %s" % type(slurm_names).__name__)
    job_ids = _ids(restart.get("job_ids"), "job_ids") if _ran(restart) else []
    sent, fate = _classify(restart, job_ids)
    groups = {"restarted": [], "restarting": [], "failed": [], "not_sent": []}
    if fate == "restarted" and isinstance(restart.get("restarted"), list):
        # What the module reports as restarted; any other node of the batch was not.
        done = set(str(node_id) for node_id in restart["restarted"])
        for node_id in batch:
            groups["restarted" if node_id in done else "not_sent"].append(node_id)
    else:
        groups[fate] = list(batch)
    unfinished = set(str(slurm_names[node_id]) for node_id in groups["restarting"] if node_id in slurm_names)
    known = set(str(slurm_names[node_id]) for node_id in batch if node_id in slurm_names)
    resume, keep = [], []
    for name in drained:
        if name in unfinished or (name not in known and groups["restarting"]):
            keep.append(name)
        elif name not in resume:
            resume.append(name)
    return {
        "restart_sent": sent,
        "job_ids": job_ids,
        "restarted": groups["restarted"],
        "restarting": groups["restarting"],
        "restart_failed": groups["failed"],
        "not_restarted": groups["not_sent"],
        "resume": resume,
        "keep_drained": keep,
    }


REPORT_KEYS = ("cluster_id", "targets", "done", "skipped", "batch", "ready", "restart")
SUMMARY_KEYS = ("cluster_id", "targets", "done", "batches", "batch_size", "skipped", "nodes")


def _facts(facts, keys: tuple, name: str) -> Mapping:
    """The run's facts, with every key the filter ``name`` reads."""
    if not isinstance(facts, Mapping):
        raise OutcomeError("%s needs a dict of the run's facts, got %s" % (name, type(facts).__name__))
    missing = [key for key in keys if key not in facts]
    if "nodes" not in keys and "labels" not in facts and "nodes" not in facts:
        missing.append("labels or nodes")
    if missing:
        raise OutcomeError("%s: missing %s" % (name, ", ".join(missing)))
    return facts


def _labels(facts: Mapping) -> Mapping:
    """Node ID -> "name (ID)": from the node list read at the start (``nodes``), or as given (``labels``)."""
    if isinstance(facts.get("nodes"), list):
        return labels_by_key([facts["nodes"]])
    return facts["labels"] if isinstance(facts.get("labels"), Mapping) else {}


def _label(labels: Mapping, node_ids: list) -> str:
    return ", ".join(str(labels.get(node_id, node_id)) for node_id in node_ids) or "none"


def stop_report(facts) -> dict:
    """The report and the failure message of a rolling restart stopped at a batch.

    ``facts``: ``cluster_id``; ``targets``, ``done``, ``skipped`` (node IDs of the whole run);
    ``batch`` (the failed batch) and ``ready`` (those of it given to the restart); ``restart``
    (its registered result); ``nodes`` (the node list the labels ``name (ID)`` are read from)
    or ``labels`` (node ID -> label); ``errors`` (messages, in
    the order they happened); with a drain host ``drain: true``, ``drained``, ``resumed``
    (Slurm names) and ``slurm_names``.

    Returns ``lines`` (one fact a line), ``msg`` (one line) and ``changed`` (a restart was or
    may have been sent), plus the batch's ``outcome`` (``batch_outcome``).
    """
    facts = _facts(facts, REPORT_KEYS, "rolling_restart_report")
    labels = _labels(facts)
    drain = bool(facts.get("drain"))
    drained = _ids(facts.get("drained"), "drained") if drain else []
    resumed = _ids(facts.get("resumed"), "resumed") if drain else []
    outcome = batch_outcome(facts["restart"], facts["ready"], drained, facts.get("slurm_names"))
    done, batch, skipped = (_ids(facts[key], key) for key in ("done", "batch", "skipped"))
    not_attempted = [node_id for node_id in _ids(facts["targets"], "targets")
                     if node_id not in done and node_id not in batch and node_id not in skipped]
    errors = []
    for error in _ids(facts.get("errors"), "errors"):
        if error.strip() and error not in errors:
            errors.append(error)
    error = "; then ".join(errors) or "unknown error"
    jobs = ", ".join(outcome["job_ids"]) or "unknown"
    sent = {SENT: "yes, job(s) %s" % jobs, NOT_SENT: "no",
            MAYBE_SENT: "unknown (the answer to the restart call was lost; it may have been sent)"}
    left = [name for name in drained if name not in resumed]

    lines = [
        "restarted before the failure: %s" % _label(labels, done),
        "failed batch: %s" % _label(labels, batch),
        "restart sent for the failed batch: %s" % sent[outcome["restart_sent"]],
        "restarted in the failed batch: %s" % _label(labels, outcome["restarted"]),
        "still restarting (restart not known to have finished): %s" % _label(labels, outcome["restarting"]),
        "restart job failed: %s" % _label(labels, outcome["restart_failed"]),
    ]
    if drain:
        lines.append("resumed in Slurm: %s" % (", ".join(resumed) or "none"))
        lines.append("left drained in Slurm: %s" % (", ".join(left) or "none"))
    lines.extend([
        "not attempted: %s" % _label(labels, not_attempted),
        "skipped as busy: %s" % _label(labels, skipped),
        "error: %s" % error,
    ])

    note = {SENT: " (restart sent, job(s) %s)" % jobs, NOT_SENT: "",
            MAYBE_SENT: " (restart may have been sent: the answer to it was lost)"}[outcome["restart_sent"]]
    parts = ["rolling restart of %s stopped at the batch %s%s: %s"
             % (facts["cluster_id"], _label(labels, batch) if batch else "(none)", note, error)]
    for key, title in (("restarted", "restarted in this batch"),
                       ("restarting", "still restarting (restart not known to have finished)"),
                       ("restart_failed", "restart job failed")):
        if outcome[key]:
            parts.append("%s: %s" % (title, _label(labels, outcome[key])))
    if drain:
        parts.append("resumed in Slurm: %s" % (", ".join(resumed) or "none"))
        if left:
            parts.append("left drained in Slurm: %s" % ", ".join(left))
    parts.append("restarted before the failure: %s" % _label(labels, done))
    return {"lines": lines, "msg": "; ".join(parts), "changed": outcome["restart_sent"] != NOT_SENT,
            "outcome": outcome}


def run_summary(facts, check_mode: bool = False) -> dict:
    """The summary line of a rolling restart that went through every batch, and what it left undone.

    ``facts``: ``cluster_id``; ``targets``, ``done`` and ``skipped`` (node IDs of the run);
    ``batches`` (the batches, or their number) and ``batch_size``; ``nodes`` (the node list the
    labels are read from); for nodes skipped as busy ``skipped_jobs`` (node ID -> HPC job IDs)
    and ``idle_timeout``; with a drain host ``drain: true`` and ``resumed`` (the Slurm names the
    run resumed, every batch's).

    Returns ``msg`` (the summary) and ``skipped_msg`` (why the run must fail when nodes were
    skipped as busy: work left undone; empty when none was).
    """
    facts = _facts(facts, SUMMARY_KEYS, "ehpc_rolling_restart_summary")
    labels = _labels(facts)
    targets, done, skipped = (_ids(facts[key], key) for key in ("targets", "done", "skipped"))
    batches = facts["batches"]
    if not isinstance(batches, int) or isinstance(batches, bool):
        batches = len(_ids(batches, "batches"))
    msg = "%s %d of %d nodes of %s in %d batch(es) of up to %s: %s" % (
        "would restart" if check_mode else "restarted", len(done), len(targets), facts["cluster_id"], batches,
        facts["batch_size"], _label(labels, done))
    if skipped:
        msg += "; %s: %s" % ("busy now" if check_mode else "skipped because still busy", _label(labels, skipped))
    if facts.get("drain"):
        resumed = []
        for name in _ids(facts.get("resumed"), "resumed"):
            if name not in resumed:
                resumed.append(name)
        msg += "; %s: %s" % ("would drain and resume in Slurm" if check_mode else "resumed in Slurm",
                             ", ".join(resumed) or "none")
    skipped_msg = ""
    if skipped:
        jobs = facts.get("skipped_jobs")
        jobs = jobs if isinstance(jobs, Mapping) else {}
        skipped_msg = ("%d node(s) of %s were not restarted because they still ran HPC jobs after %s s: %s; run again "
                       "later, or set ehpc_rolling_restart_allow_skipped=true to accept this" % (
                           len(skipped), facts["cluster_id"], facts.get("idle_timeout"), "; ".join(
                               "%s jobs %s" % (labels.get(node_id, node_id),
                                               ", ".join(_ids(jobs.get(node_id), "skipped_jobs")) or "unknown")
                               for node_id in skipped)))
    return {"msg": msg, "skipped_msg": skipped_msg}
