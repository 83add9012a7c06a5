"""The collection's CCE node-pool requests are the ones huaweicloudsdkcce's own CceClient builds.

The SDK's request builders (``CceClient._<call>_http_info``) give the method, the path template and
the body model; ``http_utils.sanitize_for_serialization`` turns that model into the JSON it sends.
The collection's client is run over a fake HTTP session on the same inputs, and the two requests
must be the same: same method, same path, same JSON body.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import huaweicloudsdkcce.v3 as cce_models
import pytest
import requests
from huaweicloudsdkcce.v3.cce_client import CceClient as SdkCceClient
from huaweicloudsdkcore.utils import http_utils

from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.auth import HuaweiAuth
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.cce import CceClient
from ansible_collections.hpcops.clusters.plugins.module_utils.retries import RetryPolicy
from ansible_collections.hpcops.clusters.plugins.module_utils.transport import Transport

PROJECT = "0123456789abcdef0123456789abcdef"
CLUSTER = "c-0001"
POOL = "pool-uid-0001"


def collection_request(call) -> dict:
    """The one request ``call(client)`` sends, answered ``{}``: method, path and parsed body."""
    sent = []

    def session_request(method, url, headers=None, data=None, timeout=None, allow_redirects=True):
        sent.append({"method": method, "path": urlsplit(url).path, "body": json.loads(data) if data else None})
        response = requests.Response()
        response.status_code = 200
        response.url = url
        response._content = b"{}"  # pylint: disable=protected-access
        return response

    transport = Transport(retry_policy=RetryPolicy(attempts=1, sleep=lambda _s: None, rand=lambda: 0.0))
    transport.session.request = session_request
    call(CceClient(transport, HuaweiAuth(transport, PROJECT, region="cn-north-4", auth_token="TOKEN"), None))
    assert len(sent) == 1, sent
    return sent[0]


def sdk_request(http_info) -> dict:
    path = http_info["resource_path"].replace("{project_id}", PROJECT)
    for name, value in http_info["path_params"].items():
        path = path.replace("{%s}" % name, value)
    return {"method": http_info["method"], "path": path,
            "body": json.loads(json.dumps(http_utils.sanitize_for_serialization(http_info["body"])))}


@pytest.mark.parametrize("count", [0, 3, 2000])
def test_scale_node_pool_is_the_sdk_request(count):
    body = cce_models.ScaleNodePoolRequestBody(kind="NodePool", api_version="v3", spec=cce_models.ScaleNodePoolSpec(
        desired_node_count=count, scale_groups=["default"]))
    expected = sdk_request(SdkCceClient._scale_node_pool_http_info(  # pylint: disable=protected-access
        cce_models.ScaleNodePoolRequest(cluster_id=CLUSTER, nodepool_id=POOL, body=body)))
    assert collection_request(lambda client: client.scale_node_pool(CLUSTER, POOL, count)) == expected


@pytest.mark.parametrize("locked", [True, False])
def test_scale_down_lock_and_unlock_are_the_sdk_requests(locked):
    uids = ["node-uid-1", "node-uid-2"]
    if locked:
        expected = sdk_request(SdkCceClient._lock_nodepool_node_scale_down_http_info(  # pylint: disable=protected-access
            cce_models.LockNodepoolNodeScaleDownRequest(cluster_id=CLUSTER, body=cce_models.LockNodeScaledownRequestBody(
                api_version="v3", kind="List", node_list=uids))))
    else:
        expected = sdk_request(SdkCceClient._unlock_nodepool_node_scale_down_http_info(  # pylint: disable=protected-access
            cce_models.UnlockNodepoolNodeScaleDownRequest(cluster_id=CLUSTER, body=cce_models.UnlockNodeScaledownRequestBody(
                api_version="v3", kind="List", node_list=uids))))
    assert collection_request(lambda client: client.set_scale_down_lock(CLUSTER, uids, locked=locked)) == expected
