# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Transport against a real (local, threaded) HTTP server: retries, what is re-sent,
error classification, and that errors never carry the query string or secrets."""

from __future__ import annotations

__metaclass__ = type

import email.utils
import http.server
import json
import socket
import threading
import time

import pytest

from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.client import huawei_error
from ansible_collections.hpcops.clusters.plugins.module_utils.retries import RetryPolicy
from ansible_collections.hpcops.clusters.plugins.module_utils.transport import (
    USER_AGENT, HttpRequest, Transport, dumps, json_body, parse_retry_after)

requests = pytest.importorskip("requests")

SECRETS = ("SIGSECRET", "AKIDSECRET", "TOKENSECRET", "BODYSECRET")
QUERY = "?access_key_id=AKIDSECRET&signature=SIGSECRET"


class _Handler(http.server.BaseHTTPRequestHandler):
    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        server = self.server.owner
        server.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                "body": body})
        action = server.script.pop(0) if server.script else (200, {}, b"{}")
        if action == "drop":  # the connection closes before any answer
            self.close_connection = True
            return
        if action == "hang":  # no answer until the test is over
            server.release.wait(5)
            self.close_connection = True
            return
        status, headers, payload = action
        if isinstance(payload, (dict, list)):
            payload = json.dumps(payload).encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = _handle

    def log_message(self, *args):  # keep pytest output clean
        pass


class LocalServer:
    def __init__(self):
        self.script = []
        self.requests = []
        self.release = threading.Event()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05})
        self.thread.daemon = True

    def url(self, path, scheme="http"):
        return "%s://127.0.0.1:%d%s" % (scheme, self.httpd.server_address[1], path)


@pytest.fixture
def server():
    srv = LocalServer()
    srv.thread.start()
    yield srv
    srv.release.set()
    srv.httpd.shutdown()
    srv.httpd.server_close()


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def transport(sleeps):
    return Transport(timeout=5, retry_policy=RetryPolicy(attempts=4, sleep=sleeps.append, rand=lambda: 0.0))


def closed_port_url(path):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return "http://127.0.0.1:%d%s" % (port, path)


def builder(method, url, headers=None, body=None):
    """A build() that counts its calls, the way clients re-sign on every attempt."""
    calls = []

    def build():
        calls.append(1)
        return HttpRequest(method, url, dict(headers or {}), body)
    build.calls = calls
    return build


def assert_no_secrets(err):
    for text in (str(err), repr(err.as_dict()), err.message, err.path or ""):
        for secret in SECRETS:
            assert secret not in text
        assert "?" not in (err.path or "")


# --- retries ---------------------------------------------------------------------------

def test_429_with_retry_after_is_retried_then_succeeds(server, transport, sleeps):
    server.script = [(429, {"Retry-After": "2"}, {"message": "slow down"}), (200, {}, {"ok": 1})]
    response = transport.send(builder("GET", server.url("/api/x" + QUERY)), safe_to_repeat=True)
    assert response.status_code == 200
    assert json_body(response) == {"ok": 1}
    assert len(server.requests) == 2
    assert sleeps == [2.0]


def test_503_on_get_is_retried(server, transport, sleeps):
    server.script = [(503, {}, b""), (503, {}, b""), (200, {}, {"items": []})]
    response = transport.send(builder("GET", server.url("/api/x")), safe_to_repeat=True)
    assert json_body(response) == {"items": []}
    assert [r["method"] for r in server.requests] == ["GET", "GET", "GET"]
    assert len(sleeps) == 2


def test_503_on_non_idempotent_write_is_not_resent(server, transport, sleeps):
    server.script = [(503, {"X-Request-Id": "req-503"}, {"error_msg": "busy"}), (200, {}, {})]
    build = builder("POST", server.url("/api/cluster/addNodes" + QUERY), body=b'{"a":"BODYSECRET"}')
    with pytest.raises(ApiError) as info:
        transport.send(build, safe_to_repeat=False)
    err = info.value
    assert err.status == 503
    assert err.ambiguous and err.retryable
    assert err.request_id == "req-503"
    assert len(server.requests) == 1
    assert sleeps == []
    assert_no_secrets(err)


def test_429_on_write_is_resent_with_a_freshly_built_request(server, transport, sleeps):
    server.script = [(429, {}, b""), (200, {}, {"job_id": "j-1"})]
    build = builder("POST", server.url("/api/cluster/addNodes"), {"Content-Type": "application/json"}, b'{"n":1}')
    response = transport.send(build, safe_to_repeat=False)
    assert json_body(response) == {"job_id": "j-1"}
    assert len(server.requests) == 2
    assert len(build.calls) == 2  # re-built (and so re-signed) for the second attempt
    assert [r["body"] for r in server.requests] == [b'{"n":1}', b'{"n":1}']
    assert len(sleeps) == 1


def test_503_on_write_marked_safe_to_repeat_is_resent(server, transport):
    server.script = [(503, {}, b""), (204, {}, b"")]
    response = transport.send(builder("DELETE", server.url("/v1/p/x")), safe_to_repeat=True)
    assert response.status_code == 204
    assert len(server.requests) == 2


def test_retries_stop_after_the_policy_attempts(server, transport, sleeps):
    server.script = [(502, {}, b"")] * 10
    with pytest.raises(ApiError) as info:
        transport.send(builder("GET", server.url("/x")), safe_to_repeat=True)
    assert info.value.status == 502
    assert len(server.requests) == 4
    assert len(sleeps) == 3


def test_client_error_is_not_retried(server, transport, sleeps):
    server.script = [(400, {}, {"error_msg": "bad"})]
    with pytest.raises(ApiError) as info:
        transport.send(builder("GET", server.url("/x")), safe_to_repeat=True)
    assert info.value.status == 400
    assert not info.value.retryable
    assert len(server.requests) == 1
    assert sleeps == []


def test_retry_after_as_http_date_is_understood():
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= parse_retry_after(when) <= 31
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 5 ") == 5.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    past = email.utils.formatdate(time.time() - 300, usegmt=True)
    assert parse_retry_after(past) == 0.0


# --- connection failures ----------------------------------------------------------------

def test_connection_refused_is_not_ambiguous_so_even_a_write_is_retried(transport, sleeps):
    url = closed_port_url("/api/cluster/addNodes" + QUERY)
    with pytest.raises(ApiError) as info:
        transport.send(builder("POST", url, body=b"{}"), safe_to_repeat=False)
    err = info.value
    assert not err.ambiguous
    assert err.retryable
    assert err.status is None
    assert "could not connect" in err.message
    assert len(sleeps) == 3  # all four attempts were made
    assert err.method == "POST" and err.path == "/api/cluster/addNodes"
    assert_no_secrets(err)


def test_connection_error_message_keeps_the_cause_but_not_the_query(transport):
    with pytest.raises(ApiError) as info:
        transport.send(builder("GET", closed_port_url("/api/x" + QUERY)), safe_to_repeat=True)
    assert "Connection refused" in str(info.value)
    assert_no_secrets(info.value)


def test_connection_dropped_after_a_write_is_ambiguous_and_not_resent(server, transport, sleeps):
    server.script = ["drop", (200, {}, {})]
    with pytest.raises(ApiError) as info:
        transport.send(builder("POST", server.url("/api/cluster/deleteNodes" + QUERY), body=b"{}"))
    err = info.value
    assert err.ambiguous and err.retryable
    assert "connection dropped" in err.message
    assert len(server.requests) == 1
    assert sleeps == []
    assert_no_secrets(err)


def test_connection_dropped_on_a_read_is_retried(server, transport):
    server.script = ["drop", (200, {}, {"ok": True})]
    response = transport.send(builder("GET", server.url("/api/x")), safe_to_repeat=True)
    assert json_body(response) == {"ok": True}
    assert len(server.requests) == 2


def test_read_timeout_on_a_write_is_ambiguous(server, sleeps):
    transport = Transport(timeout=0.3, retry_policy=RetryPolicy(attempts=3, sleep=sleeps.append))
    server.script = ["hang"]
    with pytest.raises(ApiError) as info:
        transport.send(builder("PUT", server.url("/api/v3/remove" + QUERY), body=b"{}"))
    err = info.value
    assert err.ambiguous
    assert "read timeout" in err.message
    assert len(server.requests) == 1
    assert_no_secrets(err)


def test_ssl_error_mentions_validate_certs_and_is_not_retried(server, transport, sleeps):
    # TLS spoken to a plain-HTTP server: the handshake fails.
    with pytest.raises(ApiError) as info:
        transport.send(builder("GET", server.url("/api/x" + QUERY, scheme="https")), safe_to_repeat=True)
    err = info.value
    assert "validate_certs" in err.message
    assert "TLS error" in err.message
    assert "Caused by SSLError" in err.message  # the cause is kept (its wording varies by OpenSSL version)
    assert not err.retryable
    assert sleeps == []
    assert_no_secrets(err)


# --- the error's content ----------------------------------------------------------------

def test_api_error_carries_status_code_message_request_id_and_path(server, transport):
    server.script = [(400, {"X-Request-Id": "req-abc-123"},
                      {"error_code": "CCE.01400001", "error_msg": "Invalid node uid"})]
    build = builder("GET", server.url("/api/v3/projects/p/clusters/c/nodes" + QUERY),
                    {"X-Auth-Token": "TOKENSECRET"})
    with pytest.raises(ApiError) as info:
        transport.send(build, check=huawei_error, safe_to_repeat=True)
    err = info.value
    assert err.status == 400
    assert err.code == "CCE.01400001"
    assert err.message == "Invalid node uid"
    assert err.request_id == "req-abc-123"
    assert err.method == "GET"
    assert err.path == "/api/v3/projects/p/clusters/c/nodes"
    text = str(err)
    for part in ("GET /api/v3/projects/p/clusters/c/nodes", "HTTP 400", "code CCE.01400001",
                 "Invalid node uid", "request id req-abc-123"):
        assert part in text
    assert err.as_dict() == {"status": 400, "code": "CCE.01400001", "message": "Invalid node uid",
                             "request_id": "req-abc-123", "method": "GET",
                             "path": "/api/v3/projects/p/clusters/c/nodes", "ambiguous": False}
    assert_no_secrets(err)


def test_error_without_check_uses_the_json_message_or_the_reason(server, transport):
    server.script = [(404, {}, {"message": "no such cluster"}), (409, {}, b"<html>conflict</html>")]
    with pytest.raises(ApiError) as info:
        transport.send(builder("GET", server.url("/a" + QUERY)))
    assert info.value.message == "no such cluster"
    assert info.value.status == 404
    with pytest.raises(ApiError) as info:
        transport.send(builder("GET", server.url("/b" + QUERY)))
    assert info.value.message == "Conflict"
    assert_no_secrets(info.value)


def test_check_can_fail_an_http_200_answer(server, transport):
    server.script = [(200, {}, {"ret_code": 1100})]

    def check(response):
        body = json_body(response)
        return ApiError("vendor error", code=body["ret_code"]) if body.get("ret_code") else None

    with pytest.raises(ApiError) as info:
        transport.send(builder("GET", server.url("/api/x")), check=check, safe_to_repeat=True)
    assert info.value.code == 1100
    assert info.value.status == 200
    assert len(server.requests) == 1


# --- session setup ----------------------------------------------------------------------

def test_user_agent_and_headers_are_sent(server, transport):
    transport.send(builder("GET", server.url("/x"), {"X-Custom": "v"}))
    headers = server.requests[0]["headers"]
    assert headers["User-Agent"] == USER_AGENT
    assert headers["X-Custom"] == "v"


def test_validate_certs_and_timeouts_are_applied():
    assert Transport(validate_certs=False).session.verify is False
    assert Transport().session.verify is True
    assert Transport(timeout=30, connect_timeout=10).timeout == (10, 30)
    assert Transport(timeout=5, connect_timeout=10).timeout == (5, 5)


def test_redirects_are_not_followed(server, transport):
    server.script = [(302, {"Location": server.url("/elsewhere")}, b"")]
    response = transport.send(builder("GET", server.url("/x")))
    assert response.status_code == 302
    assert len(server.requests) == 1


def test_dumps_is_compact_and_sorted():
    data = {"b": 1, "a": "é", "c": [1, 2]}
    assert dumps(data) == b'{"a":"\\u00e9","b":1,"c":[1,2]}'
    assert json.loads(dumps(data)) == data


def test_http_request_upper_cases_method_and_exposes_path_without_query():
    request = HttpRequest("post", "https://h:8443/api/x?signature=SIGSECRET")
    assert request.method == "POST"
    assert request.path == "/api/x"
    assert request.headers == {}
