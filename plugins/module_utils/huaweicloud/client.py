# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every Huawei Cloud service client shares: URLs, auth, JSON and error shape.

Private to hpcops.clusters.
"""

from __future__ import annotations

__metaclass__ = type

from urllib.parse import quote, urlencode

from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud import answer_shapes
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.auth import endpoint_for
from ansible_collections.hpcops.clusters.plugins.module_utils.transport import HttpRequest, dumps, json_body


def huawei_error(response):
    """Huawei answers errors as ``{"error_code", "error_msg"}`` (some services ``code``/``message``)."""
    if response.status_code < 400:
        return None
    body = json_body(response)
    code = message = None
    if isinstance(body, dict):
        code = body.get("error_code") or body.get("code")
        message = body.get("error_msg") or body.get("message")
    if response.status_code == 401:
        message = "authentication failed (%s)" % (message or "check the token or AK/SK")
    elif response.status_code == 403:
        message = "permission denied (%s)" % (message or "the credentials may not perform this action")
    return ApiError(message or response.reason or "HTTP %s" % response.status_code, code=code)


# API Gateway's "the API does not exist or has not been published": a 404 of the gateway,
# not of the resource, so a sign of a wrong endpoint rather than of something absent.
GATEWAY_NO_SUCH_API = "APIGW.0101"


def is_absent(err: ApiError) -> bool:
    """A 404 that says the resource is absent: the service's own error body, not a page
    from whatever else answers at a wrong endpoint (which must not read as "absent")."""
    return err.status == 404 and err.code not in (None, "", GATEWAY_NO_SUCH_API)


class HuaweiCloudClient:
    service = ""

    def __init__(self, transport, auth, endpoint: str | None = None):
        self.transport = transport
        self.auth = auth
        self.project_id = auth.project_id
        self.endpoint = endpoint_for(self.service, auth.region, endpoint)

    def path(self, template: str, **values) -> str:
        return template.format(**dict((k, quote(str(v), safe="")) for k, v in values.items()))

    def call(self, method: str, path: str, query: dict | None = None, body=None,
             safe_to_repeat: bool | None = None, expect_json: bool = True, shape: str | None = None):
        """Send one call; returns the decoded JSON answer (None for an empty body).

        ``shape`` names the call in answer_shapes: a 2xx answer that does not fit it
        raises ApiError before anything uses it.
        """
        url = self.endpoint + path
        if query:
            url += "?" + urlencode(sorted(query.items()), quote_via=quote)
        data = dumps(body) if body is not None else None
        base_headers = {"Content-Type": "application/json", "X-Project-Id": self.project_id}

        def build():
            return HttpRequest(method, url, self.auth.headers(method, url, data, base_headers), data)

        # Any IAM token is asked for (with its own retries) before this call's retry loop:
        # asked from build(), a failing IAM would be asked again on every retry of the call.
        self.auth.prepare()
        if safe_to_repeat is None:
            safe_to_repeat = method == "GET"
        response = self.transport.send(build, check=huawei_error, safe_to_repeat=safe_to_repeat)
        if shape:
            try:
                return answer_shapes.check(shape, self.endpoint, response, json_body(response),
                                           method=method, path=path)
            except ApiError as err:
                # A write answered wrongly may still have been applied: the caller re-reads.
                err.ambiguous = method != "GET"
                raise
        return json_body(response) if expect_json else None
