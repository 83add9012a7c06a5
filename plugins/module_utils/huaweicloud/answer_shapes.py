# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a successful answer to each Huawei Cloud call must hold (private to hpcops.clusters).

The checking itself is shared (plugins/module_utils/answer_shapes.py); this file holds
Huawei Cloud's shapes. See docs/api-decisions.md, "Huawei answers".
"""

from __future__ import annotations

__metaclass__ = type

from ansible_collections.hpcops.clusters.plugins.module_utils import answer_shapes

# --- Huawei Cloud ---
# From the official SDK's response models (huaweicloudsdkcce 3.1.219, huaweicloudsdkmodelarts
# 3.1.219; docs/api-decisions.md "Huawei answers"). Keys may be dotted (`status.jobID`): a
# Huawei success nests what it must hold. The failure also names the option that sets the
# endpoint (`endpoint` or `iam_endpoint`).

# call name -> ((dotted key, required type), ...)
HUAWEI_SHAPES = {
    # huaweicloudsdkcce ListNodesResponse: kind, apiVersion, items (list of Node).
    "CCE ListNodes": (("kind", str), ("items", list)),
    # huaweicloudsdkcce RemoveNodeResponse: status is a TaskStatus holding jobID.
    "CCE RemoveNodesTask": (("status", dict), ("status.jobID", str)),
    # huaweicloudsdkcce ShowJobResponse: status.phase, status.reason.
    "CCE ShowJob": (("status", dict), ("status.phase", str)),
    # huaweicloudsdkcce ListNodePoolsResponse: kind, apiVersion, items (list of NodePoolResp); each
    # pool is checked further by cce_pool_plan.pool_problem.
    "CCE ListNodePools": (("kind", str), ("items", list)),
    # huaweicloudsdkcce ShowNodePoolResponse: a NodePool (metadata, spec, status).
    "CCE ShowNodePool": (("metadata", dict), ("metadata.uid", str), ("spec", dict), ("status", dict)),
    # huaweicloudsdkcce ScaleNodePoolResponse has one field, orderID, "returned only for yearly/monthly
    # nodes": a success is a JSON object, possibly empty.
    "CCE ScaleNodePool": (),
    # Lock/UnlockNodepoolNodeScaleDownResponse define no field: a JSON object, possibly empty.
    "CCE LockNodeScaleDown": (),
    "CCE UnlockNodeScaleDown": (),
    # huaweicloudsdkmodelarts GetHyperClusterResponse: id, name, network_info.
    "ModelArts ShowHyperCluster": (("id", str),),
    # huaweicloudsdkmodelarts ListHyperClusterResponse: hyper_clusters (list of HyperCluster).
    "ModelArts ListHyperCluster": (("hyper_clusters", list),),
}

# call name -> header a success always carries
HEADER_SHAPES = {
    # --- Huawei Cloud ---
    # IAM KeystoneCreateUserTokenByPassword: the token is the X-Subject-Token header.
    "IAM token": "X-Subject-Token",
}


def huawei_problem(call: str, answer) -> str | None:
    """What ``answer`` (decoded JSON, or None) lacks for ``call``'s shape, or None when it fits."""
    return answer_shapes.dotted_problem(HUAWEI_SHAPES[call], answer)


def check(call: str, endpoint: str, response, answer, option: str = "endpoint", method=None, path=None):
    """``answer`` (``response``'s decoded JSON) when it fits ``call``'s shape; else ApiError."""
    return answer_shapes.check(call, endpoint, response, answer, HUAWEI_SHAPES[call], option=option,
                               method=method, path=path)


def check_header(call: str, endpoint: str, response, option: str = "endpoint", method=None, path=None) -> str:
    """The value of the header ``call``'s success carries; ApiError when it is absent."""
    return answer_shapes.check_header(call, endpoint, response, HEADER_SHAPES[call], option=option,
                                      method=method, path=path)
