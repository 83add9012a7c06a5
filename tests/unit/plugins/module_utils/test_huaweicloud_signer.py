# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei Cloud AK/SK signing must give the same Authorization header as the official
SDK's signer (huaweicloudsdkcore.signer.signer.Signer) for the same request."""

from __future__ import annotations

__metaclass__ = type

import datetime
import json
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest

from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud import signer as huaweicloud_signer
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.cce import CceClient
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.auth import HuaweiAuth
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.modelarts import ModelArtsClient

sdk_signer = pytest.importorskip("huaweicloudsdkcore.signer.signer")
sdk_credentials = pytest.importorskip("huaweicloudsdkcore.auth.credentials")
sdk_request = pytest.importorskip("huaweicloudsdkcore.sdk_request")

AK = "HPUAEXAMPLEAK0000001"
SK = "exampleSecretKey/With+Symbols=0123456789"
NOW = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.timezone.utc)
SDK_DATE = "20260304T050607Z"
PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"


def sdk_authorization(method, url, headers, body):
    """The Authorization header the SDK computes for a request sent to ``url`` with
    ``headers`` (which must already hold X-Sdk-Date) and ``body``, set up the way the
    SDK's own client does: host = netloc, resource_path = the (quoted) path, query as a
    list of (name, value) tuples, every header signed."""
    parts = urlsplit(url)
    request = sdk_request.SdkRequest(
        method=method, schema=parts.scheme, host=parts.netloc, resource_path=parts.path, uri=None,
        query_params=parse_qsl(parts.query, keep_blank_values=True),
        header_params=dict(headers), body=body)
    signer = sdk_signer.Signer(sdk_credentials.BasicCredentials(AK, SK))
    return signer.sign(request).header_params["Authorization"]


def url_for(host, path, query=None):
    url = "https://%s%s" % (host, path)
    if query:
        url += "?" + urlencode(query, quote_via=quote)
    return url


CASES = [
    # (method, host, path, query pairs, headers, body)
    ("GET", "cce.cn-north-4.myhuaweicloud.com",
     "/api/v3/projects/%s/clusters/c-1/nodes" % PROJECT, None,
     {"Content-Type": "application/json", "X-Project-Id": PROJECT}, b""),
    ("GET", "cce.cn-north-4.myhuaweicloud.com",
     "/api/v3/projects/%s/jobs/4a3f0b1e-0000-11ee-9b2a-0255ac100b05" % PROJECT, None,
     {"Content-Type": "application/json"}, b""),
    ("PUT", "cce.ap-southeast-1.myhuaweicloud.com",
     "/api/v3/projects/%s/clusters/c-1/nodes/operation/remove" % PROJECT, None,
     {"Content-Type": "application/json", "X-Project-Id": PROJECT},
     json.dumps({"apiVersion": "v3", "kind": "RemoveNodesTask",
                 "spec": {"login": {"sshKey": "kp-1"}, "nodes": [{"uid": "n-1"}, {"uid": "n-2"}]}},
                separators=(",", ":"), sort_keys=True).encode()),
    ("DELETE", "modelarts.cn-southwest-2.myhuaweicloud.com",
     "/v1/%s/dev-servers/hyper-clusters/hc-01" % PROJECT, [("type", "HPS")],
     {"Content-Type": "application/json", "X-Project-Id": PROJECT}, b""),
    ("GET", "modelarts.cn-southwest-2.myhuaweicloud.com",
     "/v1/%s/dev-servers/hyper-clusters" % PROJECT, [("limit", "100"), ("offset", "200"), ("type", "ECS")],
     {"Content-Type": "application/json"}, b""),
    ("GET", "modelarts.cn-southwest-2.myhuaweicloud.com",
     "/v1/%s/dev-servers/hyper-clusters" % PROJECT, [("name", "my cluster"), ("a", "x+y/z~w:v")],
     {"Content-Type": "application/json"}, b""),
    ("GET", "example.internal:8443",  # a port in the host, as an endpoint override may have
     "/v1/%s/dev-servers/hyper-clusters/%s" % (PROJECT, quote("a b~c+d", safe="")), [("type", "HPS")],
     {}, b""),
    ("GET", "modelarts.cn-north-4.myhuaweicloud.com",
     "/v1/%s/x/%s/" % (PROJECT, quote("节点", safe="")), None,  # unicode segment, trailing slash
     {"Content-Type": "application/json;charset=UTF-8"}, b""),
    ("POST", "iam.cn-north-4.myhuaweicloud.com", "/v3/auth/tokens", None,
     {"Content-Type": "application/json", "X-Security-Token": "sts-token-value/+=",
      "X-Project-Id": PROJECT, "X-Extra": "  padded value  "},
     b'{"auth":{"identity":{"methods":["hw_ak_sk"]}}}'),
    ("POST", "cce.cn-north-4.myhuaweicloud.com", "/api/v3/projects/%s/clusters" % PROJECT,
     [("b", "2"), ("a", "1"), ("a", "0")],  # repeated name: sorted by name then value
     {"Content-Type": "application/json", "X-Language": "en-us"}, "{\"名\":\"值\"}".encode("utf-8")),
]


@pytest.mark.parametrize("method,host,path,query,headers,body", CASES)
def test_authorization_matches_the_sdk_signer(method, host, path, query, headers, body):
    url = url_for(host, path, query)
    ours = huaweicloud_signer.sign(method, url, headers, body, AK, SK, now=NOW)
    assert ours["X-Sdk-Date"] == SDK_DATE
    assert ours["Host"] == host
    theirs = sdk_authorization(method, url, dict(headers, **{"X-Sdk-Date": SDK_DATE}), body)
    assert ours["Authorization"] == theirs


def test_every_header_given_is_signed_with_host_and_date():
    headers = {"Content-Type": "application/json", "X-Project-Id": PROJECT, "X-Security-Token": "tok"}
    signed = huaweicloud_signer.sign("GET", "https://cce.r.myhuaweicloud.com/api/v3/x", headers, b"", AK, SK, now=NOW)
    assert ("SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token,"
            in signed["Authorization"])
    assert signed["Authorization"].startswith("SDK-HMAC-SHA256 Access=%s, SignedHeaders=" % AK)


def test_header_names_with_underscore_are_not_signed_like_the_sdk():
    headers = {"Content-Type": "application/json", "X_Custom": "v"}
    url = "https://cce.r.myhuaweicloud.com/api/v3/x"
    ours = huaweicloud_signer.sign("GET", url, headers, b"", AK, SK, now=NOW)
    assert "x_custom" not in ours["Authorization"]
    assert ours["Authorization"] == sdk_authorization("GET", url, dict(headers, **{"X-Sdk-Date": SDK_DATE}), b"")


def test_input_headers_are_not_modified():
    headers = {"Content-Type": "application/json"}
    huaweicloud_signer.sign("GET", "https://h/x", headers, b"", AK, SK, now=NOW)
    assert headers == {"Content-Type": "application/json"}


def test_preset_sdk_date_is_kept():
    signed = huaweicloud_signer.sign("GET", "https://h/x", {"X-Sdk-Date": "20200101T000000Z"}, b"", AK, SK, now=NOW)
    assert signed["X-Sdk-Date"] == "20200101T000000Z"
    assert signed["Authorization"] == sdk_authorization("GET", "https://h/x", {"X-Sdk-Date": "20200101T000000Z"}, b"")


def test_signature_depends_on_body_query_and_path():
    base = huaweicloud_signer.sign("PUT", "https://h/a?x=1", {}, b"{}", AK, SK, now=NOW)["Authorization"]
    assert huaweicloud_signer.sign("PUT", "https://h/a?x=2", {}, b"{}", AK, SK, now=NOW)["Authorization"] != base
    assert huaweicloud_signer.sign("PUT", "https://h/b?x=1", {}, b"{}", AK, SK, now=NOW)["Authorization"] != base
    assert huaweicloud_signer.sign("PUT", "https://h/a?x=1", {}, b"[]", AK, SK, now=NOW)["Authorization"] != base


# --- the clients' real requests, re-signed by the SDK ------------------------------------

class _CapturingTransport:
    """Builds each request the way Transport.send does, records it, answers ``answer``."""

    def __init__(self, answer):
        self.answer = answer
        self.requests = []

    def send(self, build, check=None, safe_to_repeat=False):
        self.requests.append(build())
        return self.answer


class _Response:
    status_code = 200
    reason = "OK"
    headers = {}

    def __init__(self, data):
        self.content = json.dumps(data).encode() if data is not None else b""
        self._data = data

    def json(self):
        return self._data


def _assert_sdk_agrees(request):
    headers = dict(request.headers)
    authorization = headers.pop("Authorization")
    assert authorization == sdk_authorization(request.method, request.url, headers, request.body or b"")


def test_cce_remove_nodes_request_is_signed_as_the_sdk_would():
    transport = _CapturingTransport(_Response({"status": {"jobID": "job-1"}}))
    auth = HuaweiAuth(transport, PROJECT, region="cn-north-4", access_key=AK, secret_key=SK,
                      security_token="temporary-security-token")
    client = CceClient(transport, auth)
    assert client.remove_nodes("cluster 1", ["n-1"], {"sshKey": "kp"}) == "job-1"
    request = transport.requests[0]
    assert request.headers["X-Security-Token"] == "temporary-security-token"
    assert request.headers["X-Project-Id"] == PROJECT
    assert "x-security-token" in request.headers["Authorization"]
    assert urlsplit(request.url).path.endswith("/clusters/cluster%201/nodes/operation/remove")
    _assert_sdk_agrees(request)


def test_modelarts_requests_with_query_are_signed_as_the_sdk_would():
    # An answer that fits both calls' shapes (ListHyperCluster, ShowHyperCluster).
    transport = _CapturingTransport(_Response({"hyper_clusters": [], "id": "hc-1"}))
    auth = HuaweiAuth(transport, PROJECT, region="cn-southwest-2", access_key=AK, secret_key=SK)
    client = ModelArtsClient(transport, auth)
    client.list_hyper_clusters("HPS")
    client.get_hyper_cluster("hc-1", "ECS")
    assert len(transport.requests) == 2
    assert "type=HPS" in transport.requests[0].url and "limit=" not in transport.requests[0].url
    for request in transport.requests:
        _assert_sdk_agrees(request)
