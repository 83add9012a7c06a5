# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei Cloud credentials: a token, an IAM user, or AK/SK (private to hpcops.clusters).

One of three forms, taken in this order when several are set:
1. ``auth_token``: sent as X-Auth-Token as is;
2. ``access_key`` + ``secret_key`` (+ ``security_token`` for temporary credentials):
   every request is signed (see huaweicloud_signer);
3. ``iam_user`` + ``iam_password`` + ``iam_domain``: a project-scoped token is asked
   of IAM once and reused for the rest of the module run.
"""

from __future__ import annotations

__metaclass__ = type

import threading

from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud import answer_shapes
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud import signer as huaweicloud_signer
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError
from ansible_collections.hpcops.clusters.plugins.module_utils.transport import HttpRequest, dumps, json_body


def endpoint_for(service: str, region: str, override: str | None = None) -> str:
    """``https://{service}.{region}.myhuaweicloud.com`` unless an endpoint is given."""
    if override:
        return override.rstrip("/")
    if not region:
        raise ApiError("region is needed to derive the %s endpoint (or give the endpoint)" % service)
    return "https://%s.%s.myhuaweicloud.com" % (service, region)


class HuaweiAuth:
    def __init__(self, transport, project_id: str, region: str | None = None,
                 auth_token: str | None = None, access_key: str | None = None,
                 secret_key: str | None = None, security_token: str | None = None,
                 iam_user: str | None = None, iam_password: str | None = None,
                 iam_domain: str | None = None, iam_endpoint: str | None = None):
        self.transport = transport
        self.project_id = project_id
        self.region = region
        self._token = auth_token or None
        # Reads may run side by side (an inventory's clusters): one of them asks IAM, the others wait.
        self._token_lock = threading.Lock()
        self._access_key = access_key
        self._secret_key = secret_key
        self._security_token = security_token
        self._iam_user = iam_user
        self._iam_password = iam_password
        self._iam_domain = iam_domain
        self._iam_endpoint = iam_endpoint
        if auth_token:
            self.method = "token"
        elif access_key and secret_key:
            self.method = "aksk"
        elif iam_user and iam_password and iam_domain:
            self.method = "password"
        else:
            raise ApiError("no Huawei Cloud credentials: give auth_token, or access_key and "
                           "secret_key, or iam_user, iam_password and iam_domain")

    def headers(self, method: str, url: str, body: bytes | None, headers: dict) -> dict:
        """``headers`` with authentication added, for a request about to be sent."""
        headers = dict(headers)
        if self.method == "aksk":
            if self._security_token:
                headers["X-Security-Token"] = self._security_token
            return huaweicloud_signer.sign(method, url, headers, body or b"",
                                           self._access_key, self._secret_key)
        headers["X-Auth-Token"] = self.token()
        return headers

    def prepare(self) -> None:
        """Get what signing needs from elsewhere (an IAM token) before a call is built."""
        if self.method == "password":
            self.token()

    def token(self) -> str:
        with self._token_lock:
            if self._token is None:
                self._token = self._token_from_iam()
        return self._token

    def _token_from_iam(self) -> str:
        endpoint = endpoint_for("iam", self.region, self._iam_endpoint)
        url = endpoint + "/v3/auth/tokens"
        body = dumps({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": self._iam_user, "password": self._iam_password,
                "domain": {"name": self._iam_domain}}}},
            "scope": {"project": {"id": self.project_id}}}})
        request = HttpRequest("POST", url, {"Content-Type": "application/json;charset=utf8"}, body)
        # Asking for a token changes nothing server-side, so a retry is harmless.
        response = self.transport.send(lambda: request, check=_iam_error, safe_to_repeat=True)
        return answer_shapes.check_header("IAM token", endpoint, response, option="iam_endpoint",
                                          method="POST", path="/v3/auth/tokens")


def _iam_error(response):
    if response.status_code < 400:
        return None
    body = json_body(response)
    code = message = None
    if isinstance(body, dict):
        error = body.get("error") if isinstance(body.get("error"), dict) else body
        code = error.get("code") or error.get("error_code")
        message = error.get("message") or error.get("error_msg")
    if response.status_code == 401:
        message = "IAM refused the user name, password or domain (%s)" % (message or "401")
    return ApiError(message or "IAM token request failed", code=code)
