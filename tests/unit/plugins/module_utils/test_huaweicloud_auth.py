# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HuaweiAuth: which credentials win, the IAM token, and endpoint derivation."""

from __future__ import annotations

__metaclass__ = type

import json

import pytest

from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.auth import HuaweiAuth, endpoint_for
from ansible_collections.hpcops.clusters.plugins.module_utils.retries import RetryPolicy
from ansible_collections.hpcops.clusters.plugins.module_utils.transport import Transport

requests = pytest.importorskip("requests")

PROJECT = "proj-0123"
PASSWORD = "Pa55-w0rd!SECRET"
IAM_USER = dict(iam_user="ops", iam_password=PASSWORD, iam_domain="example-domain")
AKSK = dict(access_key="AKEXAMPLE", secret_key="SKEXAMPLESECRET")


class FakeIam:
    """Stands in for ``Transport.session.request``; answers IAM token requests."""

    def __init__(self, status=201, token="iam-token-1", body=None):
        self.status = status
        self.token = token
        self.body = body if body is not None else {"token": {"expires_at": "2026-01-03T00:00:00Z"}}
        self.calls = []

    def __call__(self, method, url, headers=None, data=None, timeout=None, allow_redirects=True):
        self.calls.append({"method": method, "url": url, "headers": headers, "body": json.loads(data)})
        response = requests.Response()
        response.status_code = self.status
        response.reason = "Created" if self.status < 400 else "Unauthorized"
        response.url = url
        if self.token:
            response.headers["X-Subject-Token"] = self.token
        response._content = json.dumps(self.body).encode()
        return response


def make_transport(fake=None):
    transport = Transport(retry_policy=RetryPolicy(attempts=3, sleep=lambda _s: None, rand=lambda: 0.0))
    transport.session.request = fake or FakeIam()
    return transport


# --- which credentials are used ---------------------------------------------------------

def test_token_wins_over_aksk_and_password():
    auth = HuaweiAuth(make_transport(), PROJECT, region="r", auth_token="given-token", **dict(AKSK, **IAM_USER))
    assert auth.method == "token"


def test_aksk_wins_over_password():
    assert HuaweiAuth(make_transport(), PROJECT, region="r", **dict(AKSK, **IAM_USER)).method == "aksk"


def test_password_is_used_alone_or_when_aksk_is_incomplete():
    assert HuaweiAuth(make_transport(), PROJECT, region="r", **IAM_USER).method == "password"
    assert HuaweiAuth(make_transport(), PROJECT, region="r", access_key="AK", **IAM_USER).method == "password"


@pytest.mark.parametrize("kwargs", [{}, {"access_key": "AK"}, {"iam_user": "u", "iam_password": "p"},
                                    {"auth_token": ""}])
def test_missing_credentials_are_refused(kwargs):
    with pytest.raises(ApiError, match="no Huawei Cloud credentials"):
        HuaweiAuth(make_transport(), PROJECT, region="r", **kwargs)


def test_token_is_sent_as_is_without_asking_iam():
    fake = FakeIam()
    auth = HuaweiAuth(make_transport(fake), PROJECT, region="r", auth_token="given-token")
    headers = auth.headers("GET", "https://cce.r.myhuaweicloud.com/x", None, {"X-Project-Id": PROJECT})
    assert headers == {"X-Project-Id": PROJECT, "X-Auth-Token": "given-token"}
    assert fake.calls == []


def test_aksk_signs_and_adds_the_security_token():
    fake = FakeIam()
    auth = HuaweiAuth(make_transport(fake), PROJECT, region="r", security_token="sts-token", **AKSK)
    base = {"Content-Type": "application/json"}
    headers = auth.headers("GET", "https://cce.r.myhuaweicloud.com/api/v3/x", None, base)
    assert headers["X-Security-Token"] == "sts-token"
    assert headers["Host"] == "cce.r.myhuaweicloud.com"
    assert "X-Sdk-Date" in headers
    assert headers["Authorization"].startswith("SDK-HMAC-SHA256 Access=AKEXAMPLE, ")
    assert "SignedHeaders=content-type;host;x-sdk-date;x-security-token," in headers["Authorization"]
    assert "X-Auth-Token" not in headers
    assert base == {"Content-Type": "application/json"}  # the caller's dict is left alone
    assert fake.calls == []


# --- the IAM token ----------------------------------------------------------------------

def test_iam_token_is_fetched_once_and_reused():
    fake = FakeIam(token="iam-token-xyz")
    auth = HuaweiAuth(make_transport(fake), PROJECT, region="cn-north-4", **IAM_USER)
    first = auth.headers("GET", "https://cce.cn-north-4.myhuaweicloud.com/a", None, {})
    second = auth.headers("PUT", "https://cce.cn-north-4.myhuaweicloud.com/b", b"{}", {"X-Project-Id": PROJECT})
    assert first["X-Auth-Token"] == second["X-Auth-Token"] == "iam-token-xyz"
    assert auth.token() == "iam-token-xyz"
    assert len(fake.calls) == 1
    call = fake.calls[0]
    assert call["method"] == "POST"
    assert call["url"] == "https://iam.cn-north-4.myhuaweicloud.com/v3/auth/tokens"
    assert call["body"] == {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "ops", "password": PASSWORD, "domain": {"name": "example-domain"}}}},
        "scope": {"project": {"id": PROJECT}}}}


def test_iam_endpoint_override_is_used():
    fake = FakeIam()
    auth = HuaweiAuth(make_transport(fake), PROJECT, region=None, iam_endpoint="https://iam.example.eu/", **IAM_USER)
    auth.token()
    assert fake.calls[0]["url"] == "https://iam.example.eu/v3/auth/tokens"


def test_iam_401_message_does_not_contain_the_password():
    fake = FakeIam(status=401, token=None,
                   body={"error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}})
    auth = HuaweiAuth(make_transport(fake), PROJECT, region="cn-north-4", **IAM_USER)
    with pytest.raises(ApiError) as info:
        auth.headers("GET", "https://cce.cn-north-4.myhuaweicloud.com/a", None, {})
    err = info.value
    assert err.status == 401
    assert err.code == 401
    assert "IAM refused the user name, password or domain" in err.message
    assert "The username or password is wrong." in err.message
    for text in (str(err), repr(err.as_dict()), repr(err.args)):
        assert PASSWORD not in text
    assert len(fake.calls) == 1  # a refusal is not retried


def test_iam_answer_without_token_header_is_an_error():
    auth = HuaweiAuth(make_transport(FakeIam(token=None)), PROJECT, region="r", **IAM_USER)
    with pytest.raises(ApiError, match="X-Subject-Token"):
        auth.token()


# --- endpoints --------------------------------------------------------------------------

def test_endpoint_is_derived_from_service_and_region():
    assert endpoint_for("cce", "cn-north-4") == "https://cce.cn-north-4.myhuaweicloud.com"
    assert endpoint_for("modelarts", "ap-southeast-1") == "https://modelarts.ap-southeast-1.myhuaweicloud.com"
    assert endpoint_for("iam", "eu-west-101") == "https://iam.eu-west-101.myhuaweicloud.com"


def test_endpoint_override_wins_and_loses_its_trailing_slash():
    assert endpoint_for("cce", "cn-north-4", "https://cce.example.eu/") == "https://cce.example.eu"
    assert endpoint_for("cce", None, "http://127.0.0.1:8080") == "http://127.0.0.1:8080"


def test_endpoint_without_region_or_override_is_an_error():
    with pytest.raises(ApiError, match="region"):
        endpoint_for("cce", None)
    with pytest.raises(ApiError, match="region"):
        endpoint_for("cce", "")
