# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure decisions about EHPC nodes: what to add, remove, restart (private to hpcops.clusters).

No I/O and no Ansible here: ``plan_nodes`` takes the listNodes entries, the task's
options and the busy map and returns the one plan of a task; ``remaining_work`` is all a
later round (a lost answer, a concurrent run) may send, and it only shrinks that plan.
Every rule is unit-tested on plain lists of listNodes entries.
"""

from __future__ import annotations

__metaclass__ = type

import re

from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.api_limits import MAX_NODES_PER_ADD
from ansible_collections.hpcops.clusters.plugins.module_utils.node_refs import unique

CLUSTER_ID_PATTERN = re.compile(r"^ehpc-[A-Za-z0-9]+$")
ROLES = ("login", "compute")
PUBLIC_KEYS = ("role", "status", "transition_status", "name", "private_ip", "instance_id", "create_time")
CHAIN_KEYS = (("id", "node_id"), ("name", "name"), ("role", "role"), ("status", "status"),
              ("private_ip", "private_ip"), ("instance_id", "instance_id"))


def removable(node: dict) -> bool:
    """A node counts towards its role unless it is already on its way out."""
    return node.get("transition_status") != "deleting" and node.get("status") not in ("deleted", "ceased")


def in_transition(node: dict) -> bool:
    """Being created, restarted or deleted: the API refuses to delete such a node."""
    return bool(node.get("transition_status")) or node.get("status") == "pending"


def plan_add_batches(missing: int) -> list:
    """Node counts for addNodes calls: as few as the addNodes limit of 1..99 allows."""
    full, rest = divmod(missing, MAX_NODES_PER_ADD)
    return [MAX_NODES_PER_ADD] * full + ([rest] if rest else [])


def _newest_first(nodes: list) -> list:
    # create_time is ISO 8601, so text order is time order; the node id breaks ties
    # so the choice is the same on every run.
    return sorted(nodes, key=lambda n: (n.get("create_time") or "", n["node_id"]), reverse=True)


def surplus_nodes(nodes: list, how_many: int, busy: dict) -> tuple:
    """Choose ``how_many`` nodes to remove: idle ones first, newest first.

    Returns ``(chosen, protected, short)``: ``protected`` maps each busy node kept to
    its job ids; ``short`` is how many more idle nodes would be needed (0 when the
    choice is complete). With ``busy`` empty every node counts as idle.
    """
    ordered = _newest_first(nodes)
    idle = [n for n in ordered if n["node_id"] not in busy]
    chosen = idle[:how_many]
    protected = dict((n["node_id"], busy[n["node_id"]]) for n in ordered if n["node_id"] in busy)
    return chosen, protected, how_many - len(chosen)


def role_of_last_nodes(nodes: list, to_remove: list) -> str | None:
    """The role that would be left with no node if ``to_remove`` went (a deleteNodes rule: docs/api-decisions.md)."""
    leaving = set(n["node_id"] for n in to_remove)
    for role in sorted(set(n.get("role") for n in to_remove)):
        remaining = [n for n in nodes if n.get("role") == role and removable(n) and n["node_id"] not in leaving]
        if not remaining:
            return role
    return None


def nodes_by_role(nodes: list) -> dict:
    grouped = dict((role, []) for role in ROLES)
    for node in nodes:
        grouped.setdefault(node.get("role") or "unknown", []).append(node["node_id"])
    return dict((role, sorted(ids)) for role, ids in grouped.items())


def public_node(node: dict) -> dict:
    """A listNodes entry as the modules return it."""
    result = {"id": node.get("node_id")}
    for key in PUBLIC_KEYS:
        result[key] = node.get(key) if node.get(key) is not None else ""
    return result


class PlanError(ValueError):
    """A refusal: the wanted change can't be planned safely; nothing is sent.

    ``plan`` is the plan as far as it got (e.g. the busy nodes kept), ``extra`` more keys
    for the task result (``not_found``).
    """

    def __init__(self, message: str, plan: dict | None = None, **extra):
        super().__init__(message)
        self.message = message
        self.plan = plan
        self.extra = extra


def empty_plan() -> dict:
    return {"add": 0, "add_batches": [], "remove": [], "restart": [], "protected": {},
            "not_found": [], "changes": False}


def resolve_nodes(nodes: list, wanted: list) -> tuple:
    """Match each wanted entry with a node: by node ID first, else by name.

    Returns ``(targets, not_found)``: the matched nodes (each once, in the order asked) and
    the entries matching no node. A name shared by several nodes raises PlanError: acting
    on the wrong node can't be undone.
    """
    by_id = dict((n["node_id"], n) for n in nodes)
    by_name = {}  # one pass over the cluster, however many entries are asked for
    for n in nodes:
        by_name.setdefault(n.get("name"), []).append(n)
    targets = []
    taken = set()
    not_found = []
    for entry in unique(wanted):
        node = by_id.get(entry)
        if node is None:
            named = by_name.get(entry, [])
            if len(named) > 1:
                raise PlanError("node name %s matches %d nodes (%s): give their IDs instead"
                                % (entry, len(named), ", ".join(sorted(n["node_id"] for n in named))))
            node = named[0] if named else None
        if node is None:
            not_found.append(entry)
        elif node["node_id"] not in taken:
            taken.add(node["node_id"])
            targets.append(node)
    return targets, not_found


def is_protected(node: dict, protected) -> bool:
    """Whether ``protected`` (node IDs or names) names ``node``."""
    return node["node_id"] in protected or (bool(node.get("name")) and node.get("name") in protected)


def _describe(node: dict) -> str:
    return "%s (%s)" % (node["node_id"], node.get("name") or "no name")


def describe_busy(protected: dict) -> str:
    return ", ".join("%s (jobs %s)" % (node, ", ".join(str(j) for j in jobs))
                     for node, jobs in sorted(protected.items())) or "none"


def role_nodes(nodes: list, role: str) -> list:
    """The nodes counted towards ``role``'s count: every node of it not already leaving."""
    return [n for n in nodes if n.get("role") == role and removable(n)]


def needs_busy_map(nodes: list, options: dict) -> bool:
    """Whether the plan may remove nodes, so the running HPC jobs must be asked first."""
    if options.get("busy_nodes") == "remove":
        return False
    if options["state"] == "present":
        return len(role_nodes(nodes, options["role"])) > options["count"]
    if options["state"] == "absent":
        try:
            targets, _not_found = resolve_nodes(nodes, options["nodes"])
        except PlanError:
            return False  # plan_nodes raises the same refusal before anything is asked
        return any(removable(t) for t in targets)
    return False


def plan_nodes(nodes: list, options: dict, busy: dict | None = None) -> dict:
    """What one ehpc_nodes task must do, from one read of the cluster.

    ``nodes``: the listNodes entries of the whole cluster. ``options``: ``state``,
    ``role``, ``count``, ``nodes``, ``private_ips``, ``protected_nodes`` and
    ``cluster_id`` (for messages). ``busy``: node ID -> running HPC job IDs (empty when
    jobs are ignored). Returns the plan; raises PlanError for a refusal.
    """
    busy = busy or {}
    plan = empty_plan()
    state = options["state"]
    cluster = options.get("cluster_id") or "the cluster"
    protected = set(options.get("protected_nodes") or [])
    if state == "present":
        role, count = options["role"], options["count"]
        members = role_nodes(nodes, role)
        missing = count - len(members)
        if missing > 0:
            plan["add"] = missing
            plan["add_batches"] = plan_add_batches(missing)
            ips = options.get("private_ips") or []
            if ips and len(ips) < missing:
                raise PlanError("%d nodes to add but only %d private_ips given" % (missing, len(ips)))
            taken = sorted(set(ips) & set(n.get("private_ip") for n in nodes))
            if taken:
                # Checked before the first addNodes: a later batch refused for it would
                # leave the scale-out half done.
                raise PlanError("private_ips already used by nodes of cluster %s: %s" % (cluster, ", ".join(taken)))
        elif missing < 0:
            # A node still being created, restarted or deleted can't be removed (the API
            # refuses it), so it is never picked; if only such nodes could go, say which.
            settled = [n for n in members if not in_transition(n)]
            if len(settled) < -missing:
                raise PlanError("scale-in to %d %s nodes would have to remove nodes in transition: %s; "
                                "re-run once they are active" % (count, role, ", ".join(
                                    "%s (%s)" % (n["node_id"], n.get("transition_status") or n.get("status"))
                                    for n in members if in_transition(n))), plan)
            shielded = [n for n in settled if is_protected(n, protected)]
            candidates = [n for n in settled if not is_protected(n, protected)]
            chosen, kept_busy, short = surplus_nodes(candidates, -missing, busy)
            plan["remove"] = [n["node_id"] for n in chosen]
            plan["protected"] = kept_busy
            if short:
                reasons = []
                if kept_busy:
                    reasons.append("busy nodes kept: %s (set busy_nodes=remove to remove them anyway)"
                                   % describe_busy(kept_busy))
                if shielded:
                    reasons.append("protected nodes block it: %s (listed in protected_nodes)"
                                   % ", ".join(_describe(n) for n in shielded))
                raise PlanError("scale-in to %d %s nodes needs %d more removable nodes; %s"
                                % (count, role, short, "; ".join(reasons)), plan)
    else:
        targets, not_found = resolve_nodes(nodes, options["nodes"])
        plan["not_found"] = not_found
        if state == "restarted":
            if not_found:
                raise PlanError("nodes not in cluster %s: %s" % (cluster, ", ".join(not_found)), plan,
                                not_found=not_found)
            plan["restart"] = [t["node_id"] for t in targets]
        else:
            # Checked against every entry, found or not, before anything else: a protection
            # can't be dodged by a node list that failed to match.
            shielded = [_describe(t) for t in targets if is_protected(t, protected)]
            shielded += [e for e in not_found if e in protected]
            if shielded:
                raise PlanError("refusing to remove protected node(s) %s: they are listed in protected_nodes; "
                                "nothing was removed" % ", ".join(shielded), plan, not_found=not_found)
            leaving = [t for t in targets if removable(t)]
            emptied = role_of_last_nodes(nodes, leaving)
            if emptied:
                raise PlanError("refusing to delete every %s node of cluster %s: the API keeps at least one "
                                "node of each role" % (emptied, cluster), plan, not_found=not_found)
            kept_busy = dict((t["node_id"], busy[t["node_id"]]) for t in leaving if t["node_id"] in busy)
            if kept_busy:
                plan["protected"] = kept_busy
                raise PlanError("nodes run HPC jobs: %s (set busy_nodes=remove to remove them anyway)"
                                % describe_busy(kept_busy), plan, not_found=not_found)
            plan["remove"] = [t["node_id"] for t in leaving]
    plan["changes"] = bool(plan["add"] or plan["remove"] or plan["restart"])
    return plan


def remaining_work(first: dict, delivered: dict, nodes: list, options: dict) -> dict:
    """What is left of ``first`` after a later read of the cluster; it can only shrink.

    ``delivered``: ``add`` (nodes whose addNodes landed), ``remove`` and ``restart``
    (node IDs whose write landed). The adds left never exceed the first plan's adds not
    yet delivered, nor what ``count`` still lacks (another run may have added some); the
    removals left are the first plan's that are still there, and for ``state=present``
    no more than the surplus now; a restart already under way is not sent again.
    """
    by_id = dict((n["node_id"], n) for n in nodes)
    removed, restarted = set(delivered["remove"]), set(delivered["restart"])
    left = empty_plan()
    if options["state"] == "present":
        have = len(role_nodes(nodes, options["role"]))
        left["add"] = max(0, min(first["add"] - delivered["add"], options["count"] - have))
        left["add_batches"] = plan_add_batches(left["add"])
        still = [i for i in first["remove"] if i not in removed and i in by_id and removable(by_id[i])]
        left["remove"] = still[:max(0, have - options["count"])]
    else:
        left["remove"] = [i for i in first["remove"]
                          if i not in removed and i in by_id and removable(by_id[i])]
    left["restart"] = [i for i in first["restart"] if i not in restarted and i in by_id
                       and by_id[i].get("transition_status") != "restarting"]
    left["changes"] = bool(left["add"] or left["remove"] or left["restart"])
    return left


def landed_removals(nodes: list, node_ids: list) -> list:
    """Of ``node_ids``, those gone or being deleted: a deleteNodes whose answer was lost landed for them."""
    by_id = dict((n["node_id"], n) for n in nodes)
    return [i for i in node_ids if i not in by_id or not removable(by_id[i])]


def landed_restarts(nodes: list, node_ids: list) -> list:
    """Of ``node_ids``, those restarting now: a restart whose answer was lost landed for them."""
    by_id = dict((n["node_id"], n) for n in nodes)
    return [i for i in node_ids if i in by_id and by_id[i].get("transition_status") == "restarting"]


def chain_node(node: dict) -> dict:
    """The keys a following task needs of a node (``add_host``: name, private_ip)."""
    return dict((key, node.get(source) if node.get(source) is not None else "") for key, source in CHAIN_KEYS)
