# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

__metaclass__ = type


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Wait for the cloud's asynchronous job(s) to finish before returning.
      - With V(false) the task returns as soon as the API has accepted the request, with the job IDs.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait, in all, when O(wait=true). A job still running then, or one
        that fails, fails the task with the job ID and its last status.
    type: int
    default: 600
"""
