# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""QingCloud EHPC signing, checked against an independent implementation of the
steps in the EHPC docs' signature page (summarised in docs/api-decisions.md, "Signing")."""

from __future__ import annotations

__metaclass__ = type

import base64
import datetime
import hashlib
import hmac
import json
import random
import time

import pytest

from ansible_collections.hpcops.clusters.plugins.module_utils import qingcloud_signer
from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud_signer import signed_query

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"


# --- an independent implementation of the documented steps ------------------------------
# Written without urllib: RFC 3986 unreserved characters stay, every other UTF-8 byte
# becomes %XX with upper-case hex (so space is %20, never +).

_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")


def _pct(text) -> str:
    return "".join(chr(b) if b in _UNRESERVED else "%%%02X" % b for b in str(text).encode("utf-8"))


def _reference_signed_query(method, path, params, body, access_key_id, secret, zone, now):
    every = dict(params)
    every.update({
        "access_key_id": access_key_id,
        "zone": zone,
        "signature_method": "HmacSHA256",
        "signature_version": "1",
        "version": "1",
        "timestamp": "%04d-%02d-%02dT%02d:%02d:%02dZ" % (now.year, now.month, now.day,
                                                         now.hour, now.minute, now.second),
    })
    query = "&".join("%s=%s" % (_pct(name), _pct(every[name])) for name in sorted(every))
    to_sign = "%s\n%s\n%s\n%s" % (method, path, query, hashlib.md5(body).hexdigest())
    mac = hmac.new(secret.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).digest()
    return query + "&signature=" + _pct(_pct(base64.b64encode(mac).decode("ascii")))


def _body(data) -> bytes:
    return json.dumps(data, separators=(",", ":"), sort_keys=True).encode("utf-8")


GET_CASES = [
    ("/api/cluster/listNodes", {"cluster_id": "ehpc-abc123", "limit": 100, "offset": 0, "verbose": 1}),
    ("/api/cluster/listNodes", {"cluster_id": "ehpc-x", "status": "active", "offset": 200, "limit": 100}),
    ("/api/operation", {"job_ids": "j-1,j-2,j-3"}),
    ("/api/operation", {"job_ids": "j-1 j-2"}),  # space must become %20
    ("/api/job/list", {"cluster_id": "ehpc-a", "jobs_status": "running", "limit": 100, "offset": 0}),
    ("/api/job/list", {"name": "a:b/c+d~e"}),  # : / + encoded, ~ kept
    ("/api/job/list", {"name": "节点-α ü"}),  # unicode: UTF-8 bytes, upper-case hex
    ("/api/job/list", {"name": "!*'();@&=$,?#[]%"}),  # reserved characters, % itself
    ("/api/job/list", {"empty": "", "Upper": "x", "lower": "y"}),  # sort is by byte order
    ("/api/job/list", {}),
]

POST_CASES = [
    ("/api/cluster/addNodes", {"cluster_id": "ehpc-abc", "node_role": "compute", "node_count": "2",
                               "zone": "pek3"}),
    ("/api/cluster/addNodes", {"cluster_id": "ehpc-abc", "node_role": "login", "node_count": "1",
                               "node_name": "登录 node", "private_ips": ["10.0.0.5", "10.0.0.6"],
                               "resource_conf": "{\"cpu\": 4}", "zone": "ap2a"}),
    ("/api/cluster/deleteNodes", {"cluster_id": "ehpc-abc", "node_list": ["cln-1", "cln-2"], "zone": "pek3"}),
    ("/api/cluster/resatrtNodes", {"cluster_id": "ehpc-abc", "node_ids": ["cln-9"], "zone": "pek3"}),
]


@pytest.mark.parametrize("path,params", GET_CASES)
def test_get_query_matches_independent_implementation(path, params):
    got = signed_query("GET", path, params, b"", "QYACCESSKEY", "secret-key", "pek3", now=NOW)
    assert got == _reference_signed_query("GET", path, params, b"", "QYACCESSKEY", "secret-key", "pek3", NOW)


@pytest.mark.parametrize("path,data", POST_CASES)
def test_post_query_matches_independent_implementation_with_body_md5(path, data):
    body = _body(data)
    got = signed_query("POST", path, {}, body, "QYACCESSKEY", "s3cr3t/+=", data["zone"], now=NOW)
    assert got == _reference_signed_query("POST", path, {}, body, "QYACCESSKEY", "s3cr3t/+=", data["zone"], NOW)


def test_random_parameters_match_independent_implementation():
    rng = random.Random(20260102)
    alphabet = "abcXYZ019 -_.~:/+?&=%#@!*'()[]$,;éü中文😀\t"
    for dummy in range(300):
        params = dict(("p%d%s" % (i, rng.choice("abc_")),
                       "".join(rng.choice(alphabet) for dummy in range(rng.randint(0, 12))))
                      for i in range(rng.randint(0, 6)))
        body = _body(params) if rng.random() < 0.5 else b""
        method = "POST" if body else "GET"
        secret = "".join(rng.choice(alphabet) for dummy in range(20))
        now = NOW + datetime.timedelta(seconds=rng.randint(0, 10 ** 8))
        query_params = {} if body else params
        got = signed_query(method, "/api/x/y", query_params, body, "AK", secret, "pek3", now=now)
        assert got == _reference_signed_query(method, "/api/x/y", query_params, body, "AK", secret, "pek3", now)


# --- fixed vectors -----------------------------------------------------------------------
# Derived by hand in a Python shell, independently of the module under test:
#   q = "<the sorted, percent-encoded query written out literally below>"
#   s = METHOD + "\n" + path + "\n" + q + "\n" + hashlib.md5(body).hexdigest()
#   base64.b64encode(hmac.new(secret.encode(), s.encode(), hashlib.sha256).digest())
# and the signature then double-encoded by hand (+ -> %252B, / -> %252F, = -> %253D).

def test_fixed_vector_get_list_nodes():
    query = signed_query("GET", "/api/cluster/listNodes",
                         {"cluster_id": "ehpc-abc123", "limit": 100, "offset": 0, "verbose": 1},
                         b"", "QYACCESSKEYIDEXAMPLE", "SECRETACCESSKEY", "pek3", now=NOW)
    # base64 signature: NFxwKnFm0VVmijDjt3UgcojNi7kO2UYb2DDi0OaTiBA=
    assert query == (
        "access_key_id=QYACCESSKEYIDEXAMPLE&cluster_id=ehpc-abc123&limit=100&offset=0"
        "&signature_method=HmacSHA256&signature_version=1&timestamp=2026-01-02T03%3A04%3A05Z"
        "&verbose=1&version=1&zone=pek3"
        "&signature=NFxwKnFm0VVmijDjt3UgcojNi7kO2UYb2DDi0OaTiBA%253D")


def test_fixed_vector_post_add_nodes_hashes_the_body():
    body = b'{"cluster_id":"ehpc-abc123","node_count":"2","node_role":"compute","zone":"pek3"}'
    assert hashlib.md5(body).hexdigest() == "ff63fe1c03fe95d7983c97fdd30a96eb"
    query = signed_query("POST", "/api/cluster/addNodes", {}, body, "QYACCESSKEYIDEXAMPLE",
                         "SECRETACCESSKEY", "pek3", now=NOW)
    # base64 signature: yol3pi6v0nCrslm+3w8niHwC2wrj8fLw3vmqzuap9O4=
    assert query == (
        "access_key_id=QYACCESSKEYIDEXAMPLE&signature_method=HmacSHA256&signature_version=1"
        "&timestamp=2026-01-02T03%3A04%3A05Z&version=1&zone=pek3"
        "&signature=yol3pi6v0nCrslm%252B3w8niHwC2wrj8fLw3vmqzuap9O4%253D")


def test_fixed_vector_get_with_space_colon_slash_plus_tilde():
    now = datetime.datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)
    query = signed_query("GET", "/api/job/list", {"jobs_status": "running", "name": "login node/1:a+b~c"},
                         b"", "AK", "sk/with+chars=0", "ap2a", now=now)
    # base64 signature: DXLUTVhI/knJ+UEar51W0qOZmfSbdX79dsypqrVm3Fw=
    assert query == (
        "access_key_id=AK&jobs_status=running&name=login%20node%2F1%3Aa%2Bb~c"
        "&signature_method=HmacSHA256&signature_version=1&timestamp=2026-12-31T23%3A59%3A59Z"
        "&version=1&zone=ap2a"
        "&signature=DXLUTVhI%252FknJ%252BUEar51W0qOZmfSbdX79dsypqrVm3Fw%253D")


# --- details of the format ---------------------------------------------------------------

def _pairs(query):
    return [pair.split("=", 1) for pair in query.split("&")]


def test_string_to_sign_is_method_path_query_and_md5_of_body():
    assert qingcloud_signer.string_to_sign("get", "/api/x", "a=1", b"") == "GET\n/api/x\na=1\n" + EMPTY_MD5
    assert qingcloud_signer.string_to_sign("POST", "/api/x", "a=1", b"{}") == (
        "POST\n/api/x\na=1\n" + hashlib.md5(b"{}").hexdigest())


def test_empty_body_hashes_to_md5_of_nothing():
    assert qingcloud_signer.string_to_sign("GET", "/p", "", None).endswith("\n" + EMPTY_MD5)


def test_timestamp_format_is_utc_iso_seconds_with_z():
    params = qingcloud_signer.common_params("AK", "pek3", now=NOW)
    assert params["timestamp"] == "2026-01-02T03:04:05Z"
    assert "timestamp=2026-01-02T03%3A04%3A05Z" in signed_query("GET", "/api/x", {}, b"", "AK", "SK", "pek3", now=NOW)


def test_default_timestamp_is_utc_whatever_the_local_zone(monkeypatch):
    monkeypatch.setenv("TZ", "CST-8")  # POSIX form: UTC+8, no tz database needed
    time.tzset()
    try:
        before = datetime.datetime.now(UTC).replace(microsecond=0)
        stamp = qingcloud_signer.common_params("AK", "pek3")["timestamp"]
        after = datetime.datetime.now(UTC)
    finally:
        monkeypatch.undo()
        time.tzset()
    parsed = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before <= parsed <= after


def test_parameter_is_named_timestamp_not_time_stamp():
    names = [pair[0] for pair in _pairs(signed_query("GET", "/api/x", {}, b"", "AK", "SK", "pek3", now=NOW))]
    assert "timestamp" in names
    assert "time_stamp" not in names


def test_common_parameters_are_all_present():
    query = dict(_pairs(signed_query("GET", "/api/x", {}, b"", "AKID", "SK", "ap2a", now=NOW)))
    assert query["access_key_id"] == "AKID"
    assert query["zone"] == "ap2a"
    assert query["signature_method"] == "HmacSHA256"
    assert query["signature_version"] == "1"
    assert query["version"] == "1"


def test_query_is_sorted_by_name_with_signature_last():
    query = signed_query("GET", "/api/x", {"zz": "1", "aa": "2", "mm": "3"}, b"", "AK", "SK", "pek3", now=NOW)
    names = [pair[0] for pair in _pairs(query)]
    assert names[-1] == "signature"
    assert names[:-1] == sorted(names[:-1])


def test_signature_is_double_url_encoded():
    # The fixed POST vector's base64 signature contains both "+" and "=".
    body = b'{"cluster_id":"ehpc-abc123","node_count":"2","node_role":"compute","zone":"pek3"}'
    query = signed_query("POST", "/api/cluster/addNodes", {}, body, "QYACCESSKEYIDEXAMPLE",
                         "SECRETACCESSKEY", "pek3", now=NOW)
    encoded = query.rsplit("&signature=", 1)[1]
    assert "%252B" in encoded and "%253D" in encoded
    assert "+" not in encoded and "=" not in encoded
    # One decode (what the server's query parser does) leaves it still URL-encoded once.
    once = encoded.replace("%25", "%")
    assert once == "yol3pi6v0nCrslm%2B3w8niHwC2wrj8fLw3vmqzuap9O4%3D"


def test_signature_changes_with_any_byte_of_the_body():
    base = signed_query("POST", "/api/x", {}, b'{"a":"1"}', "AK", "SK", "pek3", now=NOW)
    other = signed_query("POST", "/api/x", {}, b'{"a":"2"}', "AK", "SK", "pek3", now=NOW)
    assert base.rsplit("&signature=", 1)[0] == other.rsplit("&signature=", 1)[0]
    assert base != other


def test_signed_path_is_exactly_the_path_given():
    with_slash = signed_query("GET", "/api/x/", {}, b"", "AK", "SK", "pek3", now=NOW)
    without = signed_query("GET", "/api/x", {}, b"", "AK", "SK", "pek3", now=NOW)
    assert with_slash != without
    assert without == _reference_signed_query("GET", "/api/x", {}, b"", "AK", "SK", "pek3", NOW)


def test_space_is_percent_20_and_hex_is_upper_case():
    assert qingcloud_signer.encode("a b") == "a%20b"
    assert qingcloud_signer.encode("a:b/c") == "a%3Ab%2Fc"
    assert qingcloud_signer.encode("é") == "%C3%A9"
    assert qingcloud_signer.encode("~-_.") == "~-_."
