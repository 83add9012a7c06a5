# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small helpers shared by the node plans of every cloud (private to hpcops.clusters)."""

from __future__ import annotations

__metaclass__ = type


def unique(items: list) -> list:
    """``items`` without repeats, in first-seen order (a task may name a node twice)."""
    seen = set()
    result = []
    for item in items:
        if item not in seen:
            seen.add(item)
            result.append(item)
    return result
