# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read Slurm's node and job lists and plan node state changes (private to hpcops.clusters).

Pure functions: command output in, node/job dicts or a plan out; the slurm_node module runs
the commands. The output formats relied on are described in docs/api-decisions.md ("Slurm").
A node is ``{"name", "state", "flags", "reason"}``: ``state`` is Slurm's base state in upper
case (IDLE, ALLOCATED, MIXED, DOWN, ...), ``flags`` the state flags (DRAIN, COMPLETING,
NOT_RESPONDING, ...). Anything that does not have that shape is an error, never an empty list.
"""

__metaclass__ = type

import json
import re
from typing import Optional

from ansible_collections.hpcops.clusters.plugins.module_utils.slurm.hostlist import HostListError, expand

# Slurm's base node states (slurm.h NODE_STATE_*); every other word in a state is a flag.
BASE_STATES = ("UNKNOWN", "DOWN", "IDLE", "ALLOCATED", "ERROR", "MIXED", "FUTURE")
# A node in these base states still holds a job's allocation.
BUSY_STATES = ("ALLOCATED", "MIXED")
# squeue lists a job on its nodes from the start of its allocation until it has left them;
# only a pending job holds no node.
WAITING_JOB_STATES = ("PENDING",)
# "scontrol update State=..." for each module state.
UPDATE_STATES = {"drained": "DRAIN", "resumed": "RESUME", "down": "DOWN"}
# squeue's --format: job ID, state, node host list; none of them can hold a "|".
SQUEUE_FORMAT = "%i|%T|%N"

_SCONTROL_KEY = re.compile(r"(?:^|\s)([A-Za-z][A-Za-z0-9_]*)=")
_REASON_SUFFIX = re.compile(r"\s*\[[^\]@]*@[^\]]*\]$")


class SlurmError(ValueError):
    """Slurm's output does not have the shape this module relies on."""


def _node(name, words: list, reason) -> dict:
    if not isinstance(name, str) or not name:
        raise SlurmError("a node without a name: %r" % (name,))
    words = [str(word).upper() for word in words if str(word)]
    # Older scontrol writes "not responding" as a trailing "*" on the state (DOWN*+DRAIN).
    if any(word.endswith("*") for word in words):
        words = [word.rstrip("*") for word in words] + ["NOT_RESPONDING"]
    base = [word for word in words if word in BASE_STATES]
    if not base:
        raise SlurmError("node %s has no base state in %r" % (name, words))
    flags = []
    for word in words:
        if word != base[0] and word not in flags:
            flags.append(word)
    if reason is not None and not isinstance(reason, str):
        raise SlurmError("node %s has a reason that is not text: %r" % (name, reason))
    return {"name": name, "state": base[0], "flags": flags, "reason": reason or ""}


# Where the node table comes from, newest Slurm first (docs/api-decisions.md, "Slurm"):
# (command, its arguments, what it prints). 23.02 turned ``sinfo --json`` into sinfo's own
# grouped records and gave the node table to ``scontrol --json show node``; 21.08-22.05
# have only ``sinfo --json``; older ones only the text of ``scontrol --oneliner``.
NODE_SOURCES = (
    ("scontrol", ["--json", "show", "node"], "json"),
    ("sinfo", ["--json"], "json"),
    ("scontrol", ["--oneliner", "show", "node"], "text"),
)


def parse_nodes(text: str, kind: str, command: str = "the node list") -> dict:
    if kind == "json":
        return parse_nodes_json(text, command)
    return parse_scontrol_nodes(text)


def parse_nodes_json(text: str, command: str = "sinfo --json") -> dict:
    """Nodes by name from ``scontrol --json show node`` (23.02+) or ``sinfo --json`` (21.08-22.05).

    Both print ``{"nodes": [...], "errors": [...]}``. Up to 22.05 (OpenAPI v0.0.37/38) a node's
    ``state`` is one lower-case word and its flags are in ``state_flags``; from 23.02 ``state``
    is a list of upper-case words holding both.
    """
    try:
        data = json.loads(text)
    except ValueError as err:
        raise SlurmError("%s did not print JSON: %s" % (command, err)) from None
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        raise SlurmError("%s printed no 'nodes' list" % command)
    errors = data.get("errors") or []
    if errors:
        raise SlurmError("%s reported errors: %s" % (command, json.dumps(errors)))
    nodes = {}
    for entry in data["nodes"]:
        if not isinstance(entry, dict):
            raise SlurmError("%s: a node entry is not an object: %r" % (command, entry))
        state = entry.get("state")
        words = list(state) if isinstance(state, list) else [state] if isinstance(state, str) else None
        flags = entry.get("state_flags", [])
        if words is None or not isinstance(flags, list):
            raise SlurmError("%s: node %r has no readable state (%r, %r)"
                             % (command, entry.get("name"), state, flags))
        node = _node(entry.get("name"), words + flags, entry.get("reason"))
        nodes[node["name"]] = node
    return nodes


def parse_scontrol_nodes(text: str) -> dict:
    """Nodes by name from ``scontrol --oneliner show node`` (Slurm before 21.08: no JSON).

    One line per node of ``Key=value`` pairs; values may hold spaces (``OS=Linux 6.1 #1 SMP``)
    and ``Reason=`` is the last pair, free text followed by `` [user@time]``.
    """
    nodes = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line == "No nodes in the system":
            continue
        if not line.startswith("NodeName="):
            raise SlurmError("scontrol show node printed a line that is no node: %r" % line[:200])
        head, sep, reason = line.partition(" Reason=")
        fields = {}
        matches = list(_SCONTROL_KEY.finditer(head))
        for index, match in enumerate(matches):
            end = matches[index + 1].start() if index + 1 < len(matches) else len(head)
            fields[match.group(1)] = head[match.end():end].strip()
        if "State" not in fields:
            raise SlurmError("scontrol show node: no State= for %r" % line[:200])
        reason = _REASON_SUFFIX.sub("", reason.strip()) if sep else ""
        node = _node(fields["NodeName"], fields["State"].split("+"), reason)
        nodes[node["name"]] = node
    return nodes


def parse_squeue(text: str) -> list:
    """Jobs from ``squeue --noheader --format=%i|%T|%N``: ``{"job_id", "state", "nodes"}``."""
    jobs = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = line.strip().split("|")
        if len(parts) != 3 or not parts[0] or not parts[1]:
            raise SlurmError("squeue printed a line that is not 'job|state|nodes': %r" % line[:200])
        try:
            hosts = expand(parts[2])
        except HostListError as err:
            raise SlurmError("squeue: job %s has a node list Slurm would not print: %s" % (parts[0], err)) from None
        jobs.append({"job_id": parts[0], "state": parts[1].upper(), "nodes": hosts})
    return jobs


def jobs_on(jobs: list, names) -> dict:
    """Job IDs holding each of ``names`` (pending jobs hold no node)."""
    held = {name: [] for name in names}
    for job in jobs:
        if job["state"] in WAITING_JOB_STATES:
            continue
        for host in job["nodes"]:
            if host in held and job["job_id"] not in held[host]:
                held[host].append(job["job_id"])
    return held


def expand_nodes(items: list) -> list:
    """Node names from names and host lists, in order, without duplicates.

    Ansible splits a string given for a list option at every comma, also inside brackets
    (``compute[01,03]`` arrives as ``compute[01`` and ``03]``); joining the items again gives
    back the host list Slurm would read.
    """
    return expand(",".join(items))


def needs_update(node: dict, state: str) -> bool:
    if state == "drained":
        return "DRAIN" not in node["flags"]
    if state == "resumed":
        # RESUME on a node that is neither drained nor down is refused by slurmctld
        # ("Invalid node state specified"), so it is also no change.
        return "DRAIN" in node["flags"] or "FAIL" in node["flags"] or node["state"] == "DOWN"
    if state == "down":
        return node["state"] != "DOWN"
    raise ValueError("unknown state %r" % state)


def plan(nodes: dict, names: list, state: str) -> list:
    """The names among ``names`` whose node needs ``scontrol update``; unknown names raise."""
    unknown = [name for name in names if name not in nodes]
    if unknown:
        raise SlurmError("unknown Slurm node%s: %s" % ("s" if len(unknown) > 1 else "", ", ".join(unknown)))
    return [name for name in names if needs_update(nodes[name], state)]


def predicted(node: dict, state: str, reason: Optional[str]) -> dict:
    """What ``scontrol update`` does to ``node`` (check mode and the diff's "after")."""
    if not needs_update(node, state):
        return dict(node)
    flags = list(node["flags"])
    if state == "drained":
        return dict(node, flags=flags + ["DRAIN"], reason=reason or "")
    if state == "down":
        return dict(node, state="DOWN", reason=reason or "")
    flags = [flag for flag in flags if flag not in ("DRAIN", "FAIL")]
    return dict(node, state="IDLE" if node["state"] == "DOWN" else node["state"], flags=flags, reason="")


def update_args(names: list, state: str, reason: Optional[str]) -> list:
    """Arguments after ``scontrol``, one argv element each (no shell quoting involved)."""
    args = ["update", "NodeName=" + ",".join(names), "State=" + UPDATE_STATES[state]]
    if state != "resumed":
        args.append("Reason=" + (reason or ""))
    return args


def is_drained(node: dict, jobs: list) -> bool:
    """DRAIN set and no job left: Slurm shows such a node as "drained", not "draining"."""
    return ("DRAIN" in node["flags"] and node["state"] not in BUSY_STATES
            and "COMPLETING" not in node["flags"] and not jobs)


def is_in_service(node: dict) -> bool:
    """Resumed and answering: a resumed node counts as not responding until slurmctld's next ping."""
    return (node["state"] not in ("DOWN", "UNKNOWN", "FUTURE")
            and not set(node["flags"]) & {"DRAIN", "FAIL", "NOT_RESPONDING"})


def is_done(node: dict, jobs: list, state: str) -> bool:
    """Whether ``wait`` is over for ``node``: drained with no job, or resumed and answering."""
    if state == "drained":
        return is_drained(node, jobs)
    if state == "resumed":
        return is_in_service(node)
    return True


def state_text(node: dict) -> str:
    """``IDLE+DRAIN``, the way scontrol writes a state."""
    return "+".join([node["state"]] + node["flags"])
