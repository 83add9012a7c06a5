# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure decisions about CCE nodes: which to remove, in which batches (private to hpcops.clusters).

Works on plain ListNodes items (``metadata``/``spec``/``status``), no I/O, so every rule
can be tested on lists.
"""

from __future__ import annotations

__metaclass__ = type

from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.api_limits import MAX_NODES_PER_REMOVE
from ansible_collections.hpcops.clusters.plugins.module_utils.node_refs import unique

DELETING = "Deleting"


class NodePlanError(ValueError):
    """The wanted change can't be planned (an ambiguous name, a protected node, the cluster's last nodes)."""


def uid_of(item: dict) -> str:
    return (item.get("metadata") or {}).get("uid") or ""


def name_of(item: dict) -> str:
    return (item.get("metadata") or {}).get("name") or ""


def phase_of(item: dict) -> str:
    return (item.get("status") or {}).get("phase") or ""


def is_deleting(item: dict) -> bool:
    return phase_of(item) == DELETING


def node_summary(item: dict) -> dict:
    """A ListNodes item as cce_node_remove returns it (no spec: it carries the login)."""
    return {"uid": uid_of(item), "name": name_of(item), "phase": phase_of(item),
            "private_ip": (item.get("status") or {}).get("privateIP") or ""}


def node_info(item: dict) -> dict:
    """A ListNodes item as cce_nodes_info returns it."""
    spec = item.get("spec") or {}
    result = node_summary(item)
    result.update({"flavor": spec.get("flavor") or "", "az": spec.get("az") or "",
                   "creation_timestamp": (item.get("metadata") or {}).get("creationTimestamp") or ""})
    return result


def resolve(items: list, wanted: list) -> tuple:
    """Match each wanted entry with a node: by uid first, else by name.

    Returns ``(targets, absent)``: the matched items (each once, in the order asked)
    and the entries that match no node (taken as removed already). A name shared by
    several nodes raises NodePlanError: removing the wrong node can't be undone.
    """
    by_uid = dict((uid_of(item), item) for item in items)
    by_name = {}  # one pass over the cluster, however many entries are asked for
    for item in items:
        by_name.setdefault(name_of(item), []).append(item)
    targets = []
    taken = set()
    absent = []
    for entry in unique(wanted):
        item = by_uid.get(entry)
        if item is None:
            named = by_name.get(entry, [])
            if len(named) > 1:
                raise NodePlanError("node name %s matches %d nodes (%s): give their uids instead"
                                    % (entry, len(named), ", ".join(sorted(uid_of(i) for i in named))))
            item = named[0] if named else None
        if item is None:
            absent.append(entry)
        elif uid_of(item) not in taken:
            taken.add(uid_of(item))
            targets.append(item)
    return targets, absent


def protected_among(targets: list, wanted: list, protected: list) -> list:
    """``uid (name)`` of each target, or bare entry of ``wanted``, that ``protected`` names.

    A protected entry is a uid or a name and matches a node by either, whichever way
    ``wanted`` named it; an entry of ``wanted`` that is itself protected counts even when it
    matches no node, so a protection can never be dodged by a lookup that failed.
    """
    shield = set(entry for entry in protected if entry)
    hits = ["%s (%s)" % (uid_of(t), name_of(t)) for t in targets if uid_of(t) in shield or name_of(t) in shield]
    named = set(uid_of(t) for t in targets) | set(name_of(t) for t in targets)
    hits += [entry for entry in unique(wanted) if entry in shield and entry not in named]
    return hits


def plan_removal(items: list, wanted: list, allow_empty_cluster: bool = False, protected: list | None = None) -> dict:
    """What a RemoveNodesTask run must do for ``wanted`` (uids or names).

    ``remove``: uids to submit; ``deleting``: uids an earlier task is already removing
    (submitting them again is refused by CCE, so they are only awaited); ``absent``:
    entries matching no node. Refuses, by NodePlanError, to remove a node that
    ``protected`` names (uids or names), and to leave the cluster without a node unless
    ``allow_empty_cluster``.
    """
    targets, absent = resolve(items, wanted)
    shielded = protected_among(targets, wanted, protected or [])
    if shielded:
        raise NodePlanError("refusing to remove protected node(s) %s: they are listed in protected_nodes; "
                            "nothing was removed" % ", ".join(shielded))
    remove = [uid_of(t) for t in targets if not is_deleting(t)]
    deleting = [uid_of(t) for t in targets if is_deleting(t)]
    if remove and not allow_empty_cluster:
        leaving = set(remove)
        staying = [i for i in items if not is_deleting(i) and uid_of(i) not in leaving]
        if not staying:
            raise NodePlanError("refusing to remove the last %d node(s) of the cluster: that would leave it "
                                "without any node; set allow_empty_cluster=true to do it anyway" % len(remove))
    return {"remove": remove, "deleting": deleting, "absent": absent,
            "batches": batches(remove), "changes": bool(remove)}


def batches(uids: list, size: int = MAX_NODES_PER_REMOVE) -> list:
    """The uids cut into RemoveNodesTask-sized lists (the API takes at most 200 a task)."""
    return [uids[start:start + size] for start in range(0, len(uids), size)]


def membership(items: list, leaving: list | None = None) -> list:
    """``uid (name)`` of the nodes that stay members: not Deleting, not in ``leaving``."""
    leaving_set = set(leaving or [])
    staying = [i for i in items if not is_deleting(i) and uid_of(i) not in leaving_set]
    return ["%s (%s)" % (uid_of(i), name_of(i)) for i in sorted(staying, key=lambda i: (name_of(i), uid_of(i)))]
