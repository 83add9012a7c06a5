# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a successful answer to each QingCloud EHPC call must hold (private to hpcops.clusters).

The checking itself is shared (plugins/module_utils/answer_shapes.py); this file holds
QingCloud's shapes. See docs/api-decisions.md, "What a success must hold".
"""

from __future__ import annotations

__metaclass__ = type

from ansible_collections.hpcops.clusters.plugins.module_utils import answer_shapes

# --- QingCloud EHPC -------------------------------------------------------------------
# Keys from the EHPC API reference (addNodes, deleteNodes, restartNodes or the seed's
# resatrtNodes, listNodes, job/list, operation); ret_code 0 is checked by the client before the shape.

EHPC_NODE = {"node_id": str}

EHPC_JOB = {"job_id": str, "status": str}

SHAPES = {
    "EHPC listNodes": {"hpc_app_nodes_set": EHPC_NODE, "total_count": int},
    "EHPC job/list": {"hpc_job_set": list, "total_count": int},
    "EHPC operation": {"job_set": EHPC_JOB},
    "EHPC addNodes": {"job_id": str},
    "EHPC restartNodes": {"job_id": str},
    "EHPC resatrtNodes": {"job_id": str},
    # deleteNodes names its job key `job_ids` in the table and `job_id` in the example:
    # the client requires one of the two (see docs/api-decisions.md).
    "EHPC deleteNodes": {},
}


def checked(answer, call: str, endpoint: str) -> dict:
    """``answer`` if it has the shape SHAPES declares for ``call``; ApiError otherwise."""
    return answer_shapes.checked(answer, call, endpoint, SHAPES)
