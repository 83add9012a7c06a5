# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP transport: one requests session, timeouts, TLS, retries, one error type.

Private to hpcops.clusters. Service clients hand it a function that builds (and signs)
the request afresh for every attempt, because the vendors' signatures carry a
timestamp that a retry after a backoff must renew.
"""

from __future__ import annotations

__metaclass__ = type

import email.utils
import json
import re
import time
import traceback
from urllib.parse import urlsplit

from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError
from ansible_collections.hpcops.clusters.plugins.module_utils.retries import RetryPolicy

REQUESTS_IMPORT_ERROR = None
try:
    import requests
except ImportError:  # pragma: no cover - reported by the module base class
    requests = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

USER_AGENT = "hpcops.clusters/0.1.0"

# Statuses that say "try again later". 429 is a refusal before any work was done, so
# even a write may be re-sent; a 5xx may come after the server acted, so for a write
# it is ambiguous (see ``ApiError.ambiguous``).
RETRYABLE_STATUSES = frozenset((429, 500, 502, 503, 504))
# Connections kept per host: paging.WORKERS pages for each of the inventory's 4 clusters at once.
CONNECTIONS_PER_HOST = 32


class HttpRequest:
    """A request ready to send: ``url`` includes the query string, ``body`` is bytes."""

    def __init__(self, method: str, url: str, headers: dict | None = None, body: bytes | None = None):
        self.method = method.upper()
        self.url = url
        self.headers = headers or {}
        self.body = body

    @property
    def path(self) -> str:
        return urlsplit(self.url).path


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def json_body(response) -> dict | list | None:
    """The response's JSON, or None when the body is empty or not JSON."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _connection_error(err: Exception, request: HttpRequest) -> ApiError:
    """Turn a requests exception into an ApiError, deciding whether the server may have acted."""
    text = str(err)
    never_sent = isinstance(err, requests.exceptions.ConnectTimeout) or (
        "NewConnectionError" in text or "Connection refused" in text
        or "Name or service not known" in text or "nodename nor servname" in text)
    if isinstance(err, requests.exceptions.SSLError):
        return ApiError("TLS error talking to %s: %s (set validate_certs: false only for a "
                        "trusted endpoint with a self-signed certificate)"
                        % (urlsplit(request.url).netloc, _first_line(text)),
                        method=request.method, path=request.path)
    if isinstance(err, requests.exceptions.Timeout) and not never_sent:
        message = "no answer within the read timeout"
    elif never_sent:
        message = "could not connect to %s" % urlsplit(request.url).netloc
    else:
        message = "connection dropped before an answer came"
    return ApiError("%s: %s" % (message, _first_line(text)), method=request.method,
                    path=request.path, retryable=True, ambiguous=not never_sent)


def _first_line(text: str) -> str:
    # urllib3 messages repeat the full URL, query (and so a signature carried there)
    # included, before the cause ("... with url: /p?q (Caused by ...)"): cut every
    # query string (it ends at white space) but keep the cause.
    text = text.splitlines()[0] if text else ""
    return re.sub(r"\?\S*", "", text)[:500]


class Transport:
    """Sends requests with timeouts and retries; raises ApiError for every failure."""

    def __init__(self, validate_certs: bool = True, timeout: float = 30.0,
                 retry_policy: RetryPolicy | None = None, connect_timeout: float = 10.0):
        if requests is None:
            raise ApiError("the Python library 'requests' is required")
        self.session = requests.Session()
        # Reads run side by side (module_utils/paging.py: pages of a list, clusters of an
        # inventory source); a pool smaller than the calls in flight makes urllib3 drop and
        # re-open connections, with a warning on stderr each time.
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=CONNECTIONS_PER_HOST)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.verify = validate_certs
        self.session.headers["User-Agent"] = USER_AGENT
        self.timeout = (min(connect_timeout, timeout), timeout)
        self.retry_policy = retry_policy or RetryPolicy()

    def send(self, build, check=None, safe_to_repeat: bool = False):
        """Send the request ``build()`` makes, retrying per the policy.

        ``check(response)`` returns an ApiError for a vendor-level failure (an API
        that answers HTTP 200 with an error code in the body), or None. ``safe_to_repeat``
        is true for reads and for writes that the API makes idempotent.
        """
        return self.retry_policy.call(lambda: self._send_once(build(), check), safe_to_repeat)

    def _send_once(self, request: HttpRequest, check):
        # requests lets REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE in the environment override the
        # session's verify=False (psf/requests#3829), so validate_certs=false is said per request.
        no_verify = {} if self.session.verify else {"verify": False}
        try:
            response = self.session.request(request.method, request.url, headers=request.headers,
                                            data=request.body, timeout=self.timeout,
                                            allow_redirects=False, **no_verify)
        except requests.exceptions.RequestException as err:
            raise _connection_error(err, request) from None
        error = check(response) if check else None
        if error is None and response.status_code >= 400:
            error = ApiError(_generic_message(response))
        if error is not None:
            error.status = response.status_code
            error.method = request.method
            error.path = request.path
            error.request_id = error.request_id or response.headers.get("X-Request-Id")
            if response.status_code in RETRYABLE_STATUSES:
                error.retryable = True
                error.ambiguous = response.status_code >= 500
                error.retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise error
        return response


def _generic_message(response) -> str:
    body = json_body(response)
    if isinstance(body, dict):
        for key in ("error_msg", "message", "msg", "error"):
            if body.get(key):
                return str(body[key])
    return response.reason or "HTTP error"


def dumps(data) -> bytes:
    """The exact JSON bytes sent as a body (and, where a signer hashes it, signed)."""
    return json.dumps(data, separators=(",", ":"), sort_keys=True).encode("utf-8")
