# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure decisions about CCE node pools: what a pool says, and what scaling it to a count takes.

Private to hpcops.clusters. Works on plain answers (ListNodePools / ShowNodePool items, ListNodes
items), no I/O, so every rule can be tested on tables. Field names are huaweicloudsdkcce v3's
(NodePool, NodePoolSpec, NodePoolStatus, NodePoolNodeAutoscaling, NodePoolCondition); see
docs/api-decisions.md, "CCE node pools".
"""

from __future__ import annotations

__metaclass__ = type

from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.cce_node_plan import (
    NodePlanError, is_deleting, name_of, node_summary, resolve, uid_of)

# A pool's nodes carry the pool's uid under this annotation in ListNodes
# (terraform-provider-huaweicloud finds a pool's nodes the same way).
POOL_ANNOTATION = "kubernetes.io/node-pool.id"
STATUS_COUNTS = ("currentNode", "creatingNode", "deletingNode", "activeNode")


class PoolPlanError(ValueError):
    """The wanted count can't be planned safely; nothing may be sent."""


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def pool_problem(item) -> str | None:
    """What a NodePool item lacks to be used, or None.

    The counts are read as 0 when absent (a Go server leaves out a zero) but must be whole
    numbers when present; uid, name, spec and status must be there.
    """
    if not isinstance(item, dict):
        return "a node pool is not an object"
    metadata, spec, status = item.get("metadata"), item.get("spec"), item.get("status")
    if not isinstance(metadata, dict) or not metadata.get("uid") or not isinstance(metadata.get("uid"), str):
        return "a node pool has no `metadata.uid`"
    if not isinstance(metadata.get("name"), str) or not metadata["name"]:
        return "node pool %s has no `metadata.name`" % metadata["uid"]
    where = "node pool %s" % metadata["name"]
    if not isinstance(spec, dict):
        return "%s has no `spec`" % where
    if not isinstance(status, dict):
        return "%s has no `status`" % where
    if "initialNodeCount" in spec and not _is_int(spec["initialNodeCount"]):
        return "%s: `spec.initialNodeCount` is not a whole number" % where
    for key in STATUS_COUNTS:
        if key in status and not _is_int(status[key]):
            return "%s: `status.%s` is not a whole number" % (where, key)
    autoscaling = spec.get("autoscaling")
    if autoscaling is not None:
        if not isinstance(autoscaling, dict):
            return "%s: `spec.autoscaling` is not an object" % where
        if "enable" in autoscaling and not isinstance(autoscaling["enable"], bool):
            return "%s: `spec.autoscaling.enable` is not a boolean" % where
        for key in ("minNodeCount", "maxNodeCount"):
            if key in autoscaling and not _is_int(autoscaling[key]):
                return "%s: `spec.autoscaling.%s` is not a whole number" % (where, key)
        if autoscaling.get("enable") and not all(_is_int(autoscaling.get(k)) for k in ("minNodeCount", "maxNodeCount")):
            # Bounds we can't read must not read as "no bounds" (the autoscaler would undo the count).
            return "%s: autoscaling is on but `minNodeCount`/`maxNodeCount` are missing" % where
    conditions = status.get("conditions")
    if conditions is not None and (not isinstance(conditions, list) or not all(isinstance(c, dict) for c in conditions)):
        return "%s: `status.conditions` is not a list of objects" % where
    return None


def scalable_condition(item: dict) -> dict:
    """The pool's ``Scalable`` condition: ``{"scalable": bool, "reason", "message"}``.

    NodePoolCondition: Scalable "False" means the pool will not scale out again (sold out, quota);
    no Scalable condition reads as scalable.
    """
    for condition in (item.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Scalable":
            return {"scalable": str(condition.get("status")) != "False",
                    "reason": condition.get("reason") or "", "message": condition.get("message") or ""}
    return {"scalable": True, "reason": "", "message": ""}


def pool_summary(item: dict) -> dict:
    """A NodePool item as the modules return it (call ``pool_problem`` first)."""
    metadata, spec, status = item["metadata"], item["spec"], item["status"]
    autoscaling = spec.get("autoscaling") or {}
    enabled = bool(autoscaling.get("enable"))
    return {
        "uid": metadata["uid"],
        "name": metadata["name"],
        "type": spec.get("type") or "",
        # NodePoolSpec.initialNodeCount: "when queried, the pool's target node count".
        "count": spec.get("initialNodeCount") or 0,
        "current": status.get("currentNode") or 0,
        "creating": status.get("creatingNode") or 0,
        "deleting": status.get("deletingNode") or 0,
        "active": status.get("activeNode") or 0,
        "autoscaling": {"enabled": enabled,
                        "min": autoscaling.get("minNodeCount") if enabled else None,
                        "max": autoscaling.get("maxNodeCount") if enabled else None},
        "scalable": scalable_condition(item),
    }


def find_pool(items: list, ref: str) -> dict:
    """The pool whose uid, else name, is ``ref``; PoolPlanError naming the pools when none is."""
    for item in items:
        if item["metadata"]["uid"] == ref:
            return item
    named = [item for item in items if item["metadata"]["name"] == ref]
    if len(named) > 1:
        raise PoolPlanError("node pool name %s matches %d pools (%s): give its ID instead"
                            % (ref, len(named), ", ".join(sorted(i["metadata"]["uid"] for i in named))))
    if not named:
        known = ", ".join("%s (%s)" % (i["metadata"]["name"], i["metadata"]["uid"]) for i in items) or "none"
        raise PoolPlanError("no node pool %s (the cluster's pools: %s)" % (ref, known))
    return named[0]


def pool_uid_of(node: dict) -> str:
    return ((node.get("metadata") or {}).get("annotations") or {}).get(POOL_ANNOTATION) or ""


def nodes_of_pool(items: list, pool_uid: str) -> list:
    """The ListNodes items of the pool ``pool_uid``."""
    return [item for item in items if pool_uid_of(item) == pool_uid]


def live(nodes: list) -> list:
    return [node for node in nodes if not is_deleting(node)]


def bounds_problem(pool: dict, count: int) -> str | None:
    """Why ``count`` is outside the pool's autoscaling bounds, or None."""
    autoscaling = pool["autoscaling"]
    if autoscaling["enabled"] and not autoscaling["min"] <= count <= autoscaling["max"]:
        return ("count %d is outside the autoscaling bounds of node pool %s (minNodeCount %d, maxNodeCount %d): "
                "the autoscaler would undo it; change the bounds or pick a count within them"
                % (count, pool["name"], autoscaling["min"], autoscaling["max"]))
    return None


def plan_scale(pool: dict, nodes: list, count: int, allow_empty: bool = False, protected: list | None = None) -> dict:
    """What bringing ``pool`` (a ``pool_summary``) to ``count`` nodes takes.

    ``nodes`` are the pool's ListNodes items; ``protected`` entries (uids or names) must survive a
    scale-in: they are locked against scale-down before the count is lowered. Raises PoolPlanError,
    before anything is sent, for ``count: 0`` without ``allow_empty``, a count outside the pool's
    autoscaling bounds, a scale-out of a pool that says it can't grow, and a scale-in that would
    need a protected node (more protected nodes than the count) or names one that is not there.
    """
    if count < 0:
        raise PoolPlanError("count must be 0 or more, got %d" % count)
    if count == 0 and not allow_empty:
        raise PoolPlanError("count 0 would delete every node of node pool %s; set allow_empty=true to do it"
                            % pool["name"])
    problem = bounds_problem(pool, count)
    if problem:
        raise PoolPlanError(problem)
    staying = live(nodes)
    # The larger of the pool's own count and the nodes listed: a status we misread must not turn a
    # scale-in into a "scale-out" that skips the protection.
    before = max(pool["current"], len(staying))
    direction = "out" if count > before else "in" if count < before else "none"
    try:
        targets, absent = resolve(nodes, protected or [])
    except NodePlanError as err:
        raise PoolPlanError(str(err))
    lock = []
    if direction == "in":
        if absent:
            raise PoolPlanError("protected node(s) %s are not nodes of node pool %s: a protection that matches "
                                "nothing protects nothing; nothing was changed" % (", ".join(absent), pool["name"]))
        leaving = [t for t in targets if is_deleting(t)]
        if leaving:
            raise PoolPlanError("protected node(s) %s of node pool %s are already being deleted"
                                % (", ".join("%s (%s)" % (name_of(t), uid_of(t)) for t in leaving), pool["name"]))
        if len(targets) > count:
            raise PoolPlanError("scaling node pool %s in to %d would need protected node(s): %d are protected (%s); "
                                "nothing was changed" % (pool["name"], count, len(targets),
                                                         ", ".join(name_of(t) for t in targets)))
        lock = [uid_of(t) for t in targets]
    scalable = pool["scalable"]
    if direction == "out" and not scalable["scalable"]:
        raise PoolPlanError("node pool %s can't grow (condition Scalable is False: %s%s); nothing was changed"
                            % (pool["name"], scalable["reason"] or "no reason given",
                               (", " + scalable["message"]) if scalable["message"] else ""))
    changes = pool["count"] != count
    return {
        "node_pool": pool["name"], "uid": pool["uid"],
        "before": before, "count": count, "direction": direction,
        "add": max(0, count - before), "remove": max(0, before - count),
        "lock": lock if changes else [],
        "protected": [node_summary(t) for t in targets],
        "protected_absent": absent,
        "changes": changes,
        # The count is set already but the pool has not got there: wait, send nothing.
        "in_progress": not changes and (pool["current"] != count or bool(pool["creating"]) or bool(pool["deleting"])),
    }


def pool_reached(pool: dict, count: int) -> bool:
    """Done: ``count`` nodes, none being created or deleted."""
    return pool["current"] == count and not pool["creating"] and not pool["deleting"]


def stalled(pool: dict, count: int) -> bool:
    """The pool says it can't grow and nothing is coming any more: waiting can't help."""
    return not pool["scalable"]["scalable"] and pool["current"] < count and not pool["creating"]


def node_changes(before: list, after: list) -> tuple:
    """``(added, removed)`` node summaries between two reads of a pool's nodes (those not Deleting)."""
    old = dict((uid_of(n), n) for n in live(before))
    new = dict((uid_of(n), n) for n in live(after))
    added = [node_summary(n) for uid, n in new.items() if uid not in old]
    # A removed node is shown as it was last seen (Deleting, or as before when it is gone).
    last = dict((uid_of(n), n) for n in after)
    removed = [node_summary(last.get(uid, n)) for uid, n in old.items() if uid not in new]
    return added, removed
