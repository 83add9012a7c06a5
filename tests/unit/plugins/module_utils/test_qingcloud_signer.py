# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""QingCloud EHPC signing, judged by QingCloud's own EHPC SDK.

The reference is PyPI ``qingcloud-hpc`` 0.0.1 (Yunify, a test-only dependency): its
``Builder`` (``build_request.py``) writes the body and query, its ``Request.sign``
(``request.py``) signs them. Every row of the table is signed by the collection's signer and
by the SDK's own functions, and the two must give the same string to sign, the same
signature and the same body bytes (docs/api-decisions.md, "Signing").
"""

from __future__ import annotations

__metaclass__ = type

import datetime
import hashlib
import json
import os
import random
import time
import types
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud import signer as qingcloud_signer
from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.ehpc import EhpcClient
from ansible_collections.hpcops.clusters.plugins.module_utils.retries import RetryPolicy
from ansible_collections.hpcops.clusters.plugins.module_utils.transport import Transport

try:
    from qingcloud_hpc import request as sdk_request
    from qingcloud_hpc.config import Config as SdkConfig
    from qingcloud_hpc.sdk_api.hpc import Hpc as SdkHpc
except ImportError:  # requirements-dev.txt and tests/unit/requirements.txt install it
    if os.environ.get("CI") == "true":
        raise
    sdk_request = pytest.importorskip("qingcloud_hpc.request")

requests = pytest.importorskip("requests")

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
TIMESTAMP = "2026-01-02T03:04:05Z"
AK = "QYACCESSKEYIDEXAMPLE"
SK = "SECRETACCESSKEY/+="
ZONE = "jn1a"
HOST = "hpc-api.example.test"
EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"


# --- the SDK's side --------------------------------------------------------------------------

def sdk_config(secret=SK):
    config = SdkConfig()
    config.qy_access_key_id = AK
    config.qy_secret_access_key = secret
    config.host, config.port, config.protocol = HOST, 443, "https"
    config.zone = ZONE  # request.Request reads it
    return config


def sdk_signed(monkeypatch, request):
    """``request`` (the SDK's Request) signed by the SDK: (string to sign, prepared request)."""
    seen = []
    original = sdk_request.process_canonical_request

    def recording(req):
        seen.append(original(req))
        return seen[-1]

    monkeypatch.setattr(sdk_request, "process_canonical_request", recording)
    prepared = request.sign()
    monkeypatch.setattr(sdk_request, "process_canonical_request", original)
    assert len(seen) == 1
    return seen[0], prepared


def sdk_operation(method, path, params, elements):
    """An operation as every call of sdk_api/hpc.py builds it: query ``Params`` (the timestamp
    fixed through the SDK's own ``timestamp`` parameter) and JSON body ``Elements``."""
    return {"API": "test", "Method": method, "URI": path, "Headers": {"Host": HOST},
            "Params": dict(params, timestamp=TIMESTAMP), "Properties": {}, "Body": None,
            "Elements": dict(elements)}


def query_signature(url):
    """The ``signature`` parameter of ``url`` as it is on the wire (still URL-encoded once)."""
    return urlsplit(url).query.rsplit("&signature=", 1)[1]


def sdk_body(prepared):
    body = prepared.body
    return body.encode("utf-8") if isinstance(body, str) else (body or b"")


# --- the table ---------------------------------------------------------------------------------
# (method, path, query parameters, JSON body elements): the calls the collection makes, with
# values that exercise the encoding (lists, a comma list, non-ASCII, reserved characters).

NODE_NAME = "登录节点1"  # the listNodes page's example node name
TABLE = [
    ("GET", "/api/cluster/listNodes", {"cluster_id": "ehpc-8jqdq0mz", "limit": 100, "offset": 0, "verbose": 1,
                                       "zone": ZONE}, {}),
    ("GET", "/api/cluster/listNodes", {"cluster_id": "ehpc-8jqdq0mz", "status": "active", "offset": 200,
                                       "limit": 100, "search_word": NODE_NAME, "zone": ZONE}, {}),
    ("GET", "/api/operation", {"job_ids": "j-1abc,j-2def,j-3ghi", "limit": 3, "zone": ZONE}, {}),
    ("GET", "/api/job/list", {"cluster_id": "ehpc-8jqdq0mz", "job_status": "running", "jobs_status": "running",
                              "limit": 100, "offset": 0, "zone": ZONE}, {}),
    ("GET", "/api/job/list", {"search_word": "a:b/c+d~e f&g=h%", "zone": ZONE}, {}),
    ("POST", "/api/cluster/addNodes", {}, {"cluster_id": "ehpc-8jqdq0mz", "node_role": "compute", "node_count": "2",
                                           "zone": ZONE}),
    ("POST", "/api/cluster/addNodes", {}, {"cluster_id": "ehpc-8jqdq0mz", "node_role": "login", "node_count": "2",
                                           "node_name": NODE_NAME, "private_ips": ["10.0.0.5", "10.0.0.6"],
                                           "resource_conf": "{\"cpu\": 4}", "zone": ZONE}),
    ("POST", "/api/cluster/deleteNodes", {}, {"cluster_id": "ehpc-8jqdq0mz", "node_ids": ["cln-1", "cln-2"],
                                              "node_list": ["cln-1", "cln-2"], "zone": ZONE}),
    ("POST", "/api/cluster/restartNodes", {}, {"cluster_id": "ehpc-8jqdq0mz", "node_ids": ["cln-9"], "zone": ZONE}),
    ("POST", "/api/cluster/resatrtNodes", {}, {"cluster_id": "ehpc-8jqdq0mz", "node_ids": ["cln-9"], "zone": ZONE}),
]


def collection_signed(method, path, params, elements, secret=SK, now=NOW):
    """(string to sign, query sent, body sent) from the collection's signer."""
    body = qingcloud_signer.body_bytes(elements) if method == "POST" else b""
    every = qingcloud_signer.query_params(params, AK, now)
    text = qingcloud_signer.string_to_sign(method, path, qingcloud_signer.canonical_query(every), body)
    return text, qingcloud_signer.signed_query(method, path, params, body, AK, secret, now=now), body


@pytest.mark.parametrize("method,path,params,elements", TABLE)
def test_the_collection_signs_as_the_sdk_does(monkeypatch, method, path, params, elements):
    sdk_text, prepared = sdk_signed(monkeypatch, sdk_request.Request(
        sdk_config(), sdk_operation(method, path, params, elements)))
    text, query, body = collection_signed(method, path, params, elements)
    assert text == sdk_text
    assert query.rsplit("&signature=", 1)[1] == query_signature(prepared.url)
    assert body == sdk_body(prepared)
    # The request goes to the path without the trailing "/" that is signed.
    assert urlsplit(prepared.url).path == path
    assert text.split("\n")[1] == path + "/"


def test_the_table_has_a_get_a_post_with_lists_and_a_non_ascii_node_name():
    assert {row[0] for row in TABLE} == {"GET", "POST"}
    assert any(isinstance(value, list) for row in TABLE for value in row[3].values())
    assert any(NODE_NAME in row[3].values() for row in TABLE)
    assert any(NODE_NAME in row[2].values() for row in TABLE)


# The SDK's own request builders (sdk_api/hpc.py) for the calls the collection makes, with the
# parameters the collection sends that the SDK knows: the operation dicts above are theirs.
SDK_CALLS = [
    ("get_cluster_nodes_request", {"cluster_id": "ehpc-8jqdq0mz", "limit": 100, "offset": 100, "verbose": 1,
                                   "zone": ZONE},
     "GET", "/api/cluster/listNodes"),
    ("list_operation_request", {"job_ids": "j-1abc,j-2def", "limit": 2, "zone": ZONE}, "GET", "/api/operation"),
    ("list_jobs_request", {"cluster_id": "ehpc-8jqdq0mz", "job_status": "pending", "limit": 100, "offset": 100,
                           "zone": ZONE},
     "GET", "/api/job/list"),
    ("add_cluster_nodes_request", {"cluster_id": "ehpc-8jqdq0mz", "node_count": "3", "node_name": NODE_NAME,
                                   "node_role": "compute", "private_ips": ["10.0.0.7", "10.0.0.8", "10.0.0.9"],
                                   "zone": ZONE},
     "POST", "/api/cluster/addNodes"),
    ("delete_cluster_nodes_request", {"cluster_id": "ehpc-8jqdq0mz", "node_ids": ["cln-1", "cln-2"], "zone": ZONE},
     "POST", "/api/cluster/deleteNodes"),
    ("restart_cluster_nodes_request", {"cluster_id": "ehpc-8jqdq0mz", "node_ids": ["cln-1"], "zone": ZONE},
     "POST", "/api/cluster/restartNodes"),
]


@pytest.mark.parametrize("builder,kwargs,method,path", SDK_CALLS)
def test_the_collection_signs_the_sdk_clients_own_requests_alike(monkeypatch, builder, kwargs, method, path):
    request = getattr(SdkHpc(sdk_config()), builder)(timestamp=TIMESTAMP, **kwargs)
    sdk_text, prepared = sdk_signed(monkeypatch, request)
    # zone is a query parameter of the SDK's GETs and a body element of its POSTs.
    params = dict(kwargs) if method == "GET" else {}
    elements = dict(kwargs) if method == "POST" else {}
    text, query, body = collection_signed(method, path, params, elements)
    assert urlsplit(prepared.url).path == path
    assert text == sdk_text
    assert query.rsplit("&signature=", 1)[1] == query_signature(prepared.url)
    assert body == sdk_body(prepared)


def test_random_parameters_sign_as_the_sdk_does(monkeypatch):
    rng = random.Random(20260102)
    alphabet = "abcXYZ019 -_.~:/+?&=%#@!*'()[]$,;éü中文😀"
    for dummy in range(200):
        values = dict(("p%d%s" % (i, rng.choice("abc_")),
                       "".join(rng.choice(alphabet) for dummy in range(rng.randint(1, 12))))
                      for i in range(rng.randint(1, 6)))
        method = rng.choice(("GET", "POST"))
        params, elements = (values, {}) if method == "GET" else ({}, values)
        secret = "".join(rng.choice(alphabet) for dummy in range(20))
        sdk_text, prepared = sdk_signed(monkeypatch, sdk_request.Request(
            sdk_config(secret), sdk_operation(method, "/api/x/y", params, elements)))
        text, query, body = collection_signed(method, "/api/x/y", params, elements, secret=secret)
        assert text == sdk_text, values
        assert query.rsplit("&signature=", 1)[1] == query_signature(prepared.url), values
        assert body == sdk_body(prepared), values


# --- what the client sends, checked by the SDK's canonicalisation ---------------------------------

class Recorder:
    """Stands in for the transport's ``session.request``: records and answers ret_code 0."""

    def __init__(self):
        self.sent = []

    def __call__(self, method, url, headers=None, data=None, timeout=None, allow_redirects=True, **_kwargs):
        self.sent.append((method, url, data))
        path = urlsplit(url).path
        answer = {"ret_code": 0, "job_id": "j-0000000001", "job_ids": ["j-0000000001"], "job_set": [],
                  "hpc_app_nodes_set": [], "hpc_job_set": [], "total_count": 0}
        if path.endswith("/operation"):
            answer["job_set"] = [{"job_id": "j-0000000001", "status": "successful"}]
        response = requests.Response()
        response.status_code = 200
        response.headers["Content-Type"] = "application/json"
        response._content = json.dumps(answer).encode()
        return response


def sdk_verifies(method, url, body):
    """Whether the SDK's own canonicalisation of the request as received (the signature
    taken out of the query, the body as sent) gives the signature that came with it."""
    unsigned, encoded = url.rsplit("&signature=", 1)
    received = requests.Request(method, unsigned, data=body.decode("utf-8") if body else None)
    expected = sdk_request.Request.calc_sign(types.SimpleNamespace(req=received, secret_access_key=SK))
    return unquote(encoded) == expected


def test_every_request_the_client_sends_verifies_with_the_sdks_canonicalisation():
    transport = Transport(retry_policy=RetryPolicy(attempts=1, sleep=lambda _s: None, rand=lambda: 0.0))
    recorder = Recorder()
    transport.session.request = recorder
    client = EhpcClient(transport, AK, SK, ZONE, endpoint="https://" + HOST)
    client.list_nodes("ehpc-8jqdq0mz")
    client.list_hpc_jobs("ehpc-8jqdq0mz")
    client.add_nodes("ehpc-8jqdq0mz", "login", 2, node_name=NODE_NAME, private_ips=["10.0.0.5", "10.0.0.6"])
    client.delete_nodes("ehpc-8jqdq0mz", ["cln-aaaaaaaa", "cln-bbbbbbbb"])
    client.restart_nodes("ehpc-8jqdq0mz", ["cln-aaaaaaaa"])
    client.job_statuses(["j-0000000001"])
    assert len(recorder.sent) == 6
    for method, url, body in recorder.sent:
        assert sdk_verifies(method, url, body), url
        assert not urlsplit(url).path.endswith("/")
        query = dict(parse_qsl(urlsplit(url).query))
        if method == "POST":
            elements = json.loads(body)
            # The SDK's bytes, zone in the body and not in the query.
            assert body == json.dumps(elements, sort_keys=True).encode("utf-8")
            assert elements["zone"] == ZONE and "zone" not in query
        else:
            assert body is None and query["zone"] == ZONE


# --- the signature page and details of the format ---------------------------------------------

def test_string_to_sign_is_the_signature_pages_example():
    # qingcloud-docs content/compute/hpc/api/get_api/signature.md, step 4 (its worked
    # signature does not reproduce from its stated key, so only the string is checked).
    page = ("GET\n/api/cluster/list/\naccess_key_id=QYACCESSKEYIDEXAMPLE&signature_method=HmacSHA256"
            "&signature_version=1&timestamp=2021-08-19T16%3A44%3A40Z&version=1&zone=jinan1a\n" + EMPTY_MD5)
    every = qingcloud_signer.query_params({"zone": "jinan1a"}, "QYACCESSKEYIDEXAMPLE",
                                          datetime.datetime(2021, 8, 19, 16, 44, 40, tzinfo=UTC))
    assert qingcloud_signer.string_to_sign("GET", "/api/cluster/list", qingcloud_signer.canonical_query(every),
                                           b"") == page


def test_signed_path_ends_with_a_slash_once():
    assert qingcloud_signer.canonical_uri("/api/cluster/listNodes") == "/api/cluster/listNodes/"
    assert qingcloud_signer.canonical_uri("/api/cluster/listNodes/") == "/api/cluster/listNodes/"


def test_post_body_is_the_sdks_json_with_default_separators_and_ascii_escapes():
    body = qingcloud_signer.body_bytes({"zone": ZONE, "node_ids": ["cln-1", "cln-2"], "node_name": "节点"})
    assert body == b'{"node_ids": ["cln-1", "cln-2"], "node_name": "\\u8282\\u70b9", "zone": "jn1a"}'


def test_empty_values_are_neither_sent_nor_signed():
    query = qingcloud_signer.signed_query("GET", "/api/x", {"empty": "", "none": None, "a": "1"}, b"", AK, SK,
                                          now=NOW)
    names = [pair.split("=", 1)[0] for pair in query.split("&")]
    assert "empty" not in names and "none" not in names and "a" in names


def test_timestamp_format_is_utc_iso_seconds_with_z():
    assert qingcloud_signer.common_params(AK, now=NOW)["timestamp"] == TIMESTAMP
    query = qingcloud_signer.signed_query("GET", "/api/x", {}, b"", AK, SK, now=NOW)
    assert "timestamp=2026-01-02T03%3A04%3A05Z" in query


def test_default_timestamp_is_utc_whatever_the_local_zone(monkeypatch):
    monkeypatch.setenv("TZ", "CST-8")  # POSIX form: UTC+8, no tz database needed
    time.tzset()
    try:
        before = datetime.datetime.now(UTC).replace(microsecond=0)
        stamp = qingcloud_signer.common_params(AK)["timestamp"]
        after = datetime.datetime.now(UTC)
    finally:
        monkeypatch.undo()
        time.tzset()
    parsed = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before <= parsed <= after


def test_query_is_sorted_by_name_with_signature_last_and_double_encoded():
    query = qingcloud_signer.signed_query("GET", "/api/x", {"zz": "1", "aa": "2", "zone": ZONE}, b"", AK, SK,
                                          now=NOW)
    names = [pair.split("=", 1)[0] for pair in query.split("&")]
    assert names[-1] == "signature" and names[:-1] == sorted(names[:-1])
    encoded = query.rsplit("&signature=", 1)[1]
    assert "%25" in encoded and not set("+/=") & set(encoded)  # a SHA-256 base64 always ends with "="


def test_signature_changes_with_any_byte_of_the_body():
    base = qingcloud_signer.signed_query("POST", "/api/x", {}, b'{"a": "1"}', AK, SK, now=NOW)
    other = qingcloud_signer.signed_query("POST", "/api/x", {}, b'{"a": "2"}', AK, SK, now=NOW)
    assert base.rsplit("&signature=", 1)[0] == other.rsplit("&signature=", 1)[0]
    assert base != other


def test_body_md5_is_of_the_bytes_sent():
    body = qingcloud_signer.body_bytes({"a": "1"})
    text = qingcloud_signer.string_to_sign("POST", "/api/x", "q=1", body)
    assert text.endswith("\n" + hashlib.md5(b'{"a": "1"}').hexdigest())
    assert qingcloud_signer.string_to_sign("GET", "/api/x", "q=1", b"").endswith("\n" + EMPTY_MD5)
