# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

__metaclass__ = type


class ModuleDocFragment:
    # What every _info module shares: it only reads, and it can reshape its list with JMESPath.
    DOCUMENTATION = r"""
options:
  query:
    description:
      - A JMESPath expression applied to the returned list; the outcome is returned as RV(query_result).
      - An invalid expression fails the task before any API call.
    type: str
  query_only:
    description:
      - Return only RV(query_result), without the list it was taken from.
      - For large clusters, where a task needs a few values of many nodes; ansible-core's cost
        of a result grows with its size, whatever the task does with it.
      - Needs O(query).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Reads only, so it runs the same in check mode.
  diff_mode:
    support: none
    description: Reads only; there is nothing to diff.
requirements:
  - jmespath (only when O(query) is used)
"""
