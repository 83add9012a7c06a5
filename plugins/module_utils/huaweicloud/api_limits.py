# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Limits Huawei Cloud documents for one call (private to hpcops.clusters).

Kept apart from the clients so the pure plans can split work into batches without
importing a client (and its transport) for a number.
"""

from __future__ import annotations

__metaclass__ = type

# CCE RemoveNodesTask: at most 200 nodes per call (docs/api-decisions.md, "Huawei Cloud").
MAX_NODES_PER_REMOVE = 200
