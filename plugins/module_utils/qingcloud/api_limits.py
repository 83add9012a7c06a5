# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Limits QingCloud EHPC documents for one call (private to hpcops.clusters).

Kept apart from the client so the pure plans can split work into batches without
importing a client (and its transport) for a number.
"""

from __future__ import annotations

__metaclass__ = type

# EHPC addNodes: node_count is 1..99 per call (docs/api-decisions.md, "QingCloud EHPC").
MAX_NODES_PER_ADD = 99
