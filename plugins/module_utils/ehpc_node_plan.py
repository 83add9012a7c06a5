# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure decisions about EHPC nodes: what to add, which to remove (private to hpcops.clusters).

No I/O here, so every rule is unit-tested on plain lists of listNodes entries.
"""

from __future__ import annotations

__metaclass__ = type

import re

from ansible_collections.hpcops.clusters.plugins.module_utils.api_limits import MAX_NODES_PER_ADD

CLUSTER_ID_PATTERN = re.compile(r"^ehpc-[A-Za-z0-9]+$")
NODE_ID_PATTERN = re.compile(r"^cln-[A-Za-z0-9]+$")
ROLES = ("login", "compute")
PUBLIC_KEYS = ("role", "status", "transition_status", "name", "private_ip", "instance_id", "create_time")


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
