# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules the roles' filters share (private to hpcops.clusters; controller side only).

How the roles read a number, a blank answer, a node on its way out and a node's label is
written here once; each filter in ``plugins/filter/`` is one decision built on these.
"""

from __future__ import annotations

__metaclass__ = type

from collections.abc import Mapping, Sequence


def whole_number(value):
    """``value`` as an int the way Jinja's ``int`` filter reads it (``"5"``, ``5.0``), or None.

    A boolean is not a number here: Ansible's int type would read ``true`` as 1.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        pass
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None


def is_blank(value) -> bool:
    """True for an answer that was not given: null, a text of blanks, an empty list or mapping.

    A survey leaves an unanswered text question as "", and ``-e x=`` gives "" too.
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (Mapping, Sequence)):
        return len(value) == 0
    return False


def is_leaving(node: Mapping) -> bool:
    """True for a node that is already being deleted, in the node shapes the modules return.

    The modules' own documented return values: an EHPC node (ehpc_nodes, ehpc_nodes_info) says
    so in ``transition_status`` (``deleting``), a CCE node (cce_nodes_info, cce_node_remove) in
    ``phase`` (``Deleting``).
    """
    return node.get("transition_status") == "deleting" or node.get("phase") == "Deleting"


def label(node: Mapping, key: str = "id") -> str:
    """How the roles name a node in their messages: ``name (ID)``, or the ID alone without a name."""
    name = node.get("name")
    if name is None or str(name) == "":
        return str(node.get(key))
    return "%s (%s)" % (name, node.get(key))


def labels_by_key(node_lists, key: str = "id") -> dict:
    """Key -> label over several node lists; a later list wins (it was read later)."""
    found = {}
    for nodes in node_lists:
        for node in nodes or []:
            if isinstance(node, Mapping) and node.get(key) is not None:
                found[node[key]] = label(node, key)
    return found
