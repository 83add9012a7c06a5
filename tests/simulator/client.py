from __future__ import annotations

# A tiny raw-HTTP client for the simulator's own tests. It signs requests itself, written
# separately from the server's verifiers and from the collection's plugins, so a shared
# mistake can't hide in both ends.

import base64
import datetime as dt
import hashlib
import hmac
import http.client
import json
import ssl
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, TypeVar
from urllib.parse import quote, unquote, urlsplit

T = TypeVar("T")


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None


def send(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None, *,
         ssl_context: ssl.SSLContext | None = None, timeout: float = 10.0) -> Response:
    """One request on a fresh connection; connection failures raise (drops must be visible)."""
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(host, parts.port, timeout=timeout, context=ssl_context)
    else:
        conn = http.client.HTTPConnection(host, parts.port, timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request(method, target, body=body, headers=dict(headers or {}))
        resp = conn.getresponse()
        data = resp.read()
        return Response(resp.status, {name.lower(): value for name, value in resp.getheaders()}, data)
    finally:
        conn.close()


def poll(check: Callable[[], T | None], timeout: float = 5.0, interval: float = 0.02) -> T:
    """Call check() until it returns something truthy; fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s (last: {result!r})")
        time.sleep(interval)


# --- QingCloud ----------------------------------------------------------------------------

def qy_quote(text: str) -> str:
    # The signature page: space %20, upper-case hex; "/" stays, as in QingCloud's EHPC SDK.
    return quote(text, safe="-_.~/")


class QingCloud:
    def __init__(self, base_url: str, access_key: str, secret: str, zone: str,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.access_key = access_key
        self.secret = secret
        self.zone = zone
        self.ssl_context = ssl_context

    def signed_url(self, method: str, path: str, params: Iterable[tuple[str, str]] = (), body: bytes = b"", *,
                   secret: str | None = None, timestamp: dt.datetime | None = None,
                   omit: tuple[str, ...] = ()) -> str:
        stamp = (timestamp or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
        common = {"access_key_id": self.access_key, "zone": self.zone, "signature_method": "HmacSHA256",
                  "signature_version": "1", "version": "1", "timestamp": stamp}
        # An empty value is not signed by the server (the SDK's parse drops it): it is not sent.
        pairs = sorted([(k, v) for k, v in common.items() if k not in omit]
                       + [(k, str(v)) for k, v in params if str(v) != ""])
        query = "&".join(f"{qy_quote(k)}={qy_quote(v)}" for k, v in pairs)
        # The signed path ends with "/", the request goes to the path without it.
        to_sign = "\n".join([method, path + "/", query, hashlib.md5(body).hexdigest()])
        digest = hmac.new((secret or self.secret).encode(), to_sign.encode(), hashlib.sha256).digest()
        signature = base64.b64encode(digest).decode()
        return f"{self.base_url}{path}?{query}&signature={quote(quote(signature, safe=''), safe='')}"

    def post(self, path: str, body: dict[str, Any], *, raw_body: bytes | None = None, **sign: Any) -> Response:
        """Sign `body`; send `raw_body` instead when given (to tamper with it)."""
        data = json.dumps(body).encode()
        url = self.signed_url("POST", path, (), data, **sign)
        return send("POST", url, raw_body if raw_body is not None else data,
                    {"Content-Type": "application/json"}, ssl_context=self.ssl_context)

    def get(self, path: str, params: Iterable[tuple[str, str]] | dict[str, Any] = (), **sign: Any) -> Response:
        items = list(params.items()) if isinstance(params, dict) else list(params)
        return send("GET", self.signed_url("GET", path, items, b"", **sign), ssl_context=self.ssl_context)

    def add_nodes(self, cluster_id: str, **fields: Any) -> Response:
        return self.post("/api/cluster/addNodes", {"cluster_id": cluster_id, "zone": self.zone, **fields})

    def delete_nodes(self, cluster_id: str, node_ids: list[str], key: str = "node_ids") -> Response:
        return self.post("/api/cluster/deleteNodes", {"cluster_id": cluster_id, "zone": self.zone, key: node_ids})

    def restart_nodes(self, cluster_id: str, node_ids: list[str], route: str = "restartNodes") -> Response:
        return self.post(f"/api/cluster/{route}", {"cluster_id": cluster_id, "zone": self.zone, "node_ids": node_ids})

    def list_nodes(self, cluster_id: str, params: dict[str, Any] | None = None, **sign: Any) -> Response:
        return self.get("/api/cluster/listNodes", {"zone": self.zone, "cluster_id": cluster_id, **(params or {})}, **sign)

    def all_nodes(self, cluster_id: str) -> list[dict[str, Any]]:
        nodes: list[dict[str, Any]] = []
        while True:
            page = self.list_nodes(cluster_id, {"limit": 100, "offset": len(nodes)}).json()
            nodes.extend(page["hpc_app_nodes_set"])
            if not page["hpc_app_nodes_set"] or len(nodes) >= page["total_count"]:
                return nodes

    def jobs(self, *job_ids: str) -> Response:
        return self.get("/api/operation", {"zone": self.zone, "job_ids": ",".join(job_ids), "limit": len(job_ids)})

    def job_status(self, job_id: str) -> str | None:
        found = self.jobs(job_id).json()["job_set"]
        return found[0]["status"] if found else None


# --- Huawei -------------------------------------------------------------------------------

def hw_date(when: dt.datetime | None = None) -> str:
    return (when or dt.datetime.now(dt.timezone.utc)).strftime("%Y%m%dT%H%M%SZ")


def aksk_headers(method: str, url: str, body: bytes, access_key: str, secret_key: str, *,
                 date: str | None = None, security_token: str | None = None,
                 extra: dict[str, str] | None = None) -> dict[str, str]:
    """Headers (Host, X-Sdk-Date, Authorization, ...) signing every header sent."""
    parts = urlsplit(url)
    headers = {"Host": parts.netloc, "X-Sdk-Date": date or hw_date(), "Content-Type": "application/json"}
    if security_token is not None:
        headers["X-Security-Token"] = security_token
    headers.update(extra or {})
    names = sorted(name.lower() for name in headers)
    lowered = {name.lower(): value for name, value in headers.items()}
    path = "/".join(quote(seg, safe="~") for seg in unquote(parts.path).split("/"))
    path += "" if path.endswith("/") else "/"
    query_pairs = sorted(tuple(item.split("=", 1)) if "=" in item else (item, "") for item in parts.query.split("&") if item)
    query = "&".join(f"{quote(unquote(k), safe='~')}={quote(unquote(v), safe='~')}" for k, v in query_pairs)
    canonical = "\n".join([method, path, query, "".join(f"{n}:{lowered[n].strip()}\n" for n in names),
                           ";".join(names), hashlib.sha256(body).hexdigest()])
    to_sign = f"SDK-HMAC-SHA256\n{headers['X-Sdk-Date']}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    signature = hmac.new(secret_key.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = f"SDK-HMAC-SHA256 Access={access_key}, SignedHeaders={';'.join(names)}, Signature={signature}"
    return headers


def iam_token_request(base_url: str, user: str, password: str, domain: str, project_id: str | None, *,
                      ssl_context: ssl.SSLContext | None = None) -> Response:
    auth: dict[str, Any] = {"identity": {"methods": ["password"], "password": {
        "user": {"name": user, "password": password, "domain": {"name": domain}}}}}
    if project_id is not None:
        auth["scope"] = {"project": {"id": project_id}}
    return send("POST", base_url.rstrip("/") + "/v3/auth/tokens", json.dumps({"auth": auth}).encode(),
                {"Content-Type": "application/json"}, ssl_context=ssl_context)


class Huawei:
    """Calls with either an IAM token or AK/SK (optionally temporary, with a security token)."""

    def __init__(self, base_url: str, *, token: str | None = None, access_key: str | None = None,
                 secret_key: str | None = None, security_token: str | None = None,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.access_key = access_key
        self.secret_key = secret_key
        self.security_token = security_token
        self.ssl_context = ssl_context

    def request(self, method: str, path: str, body: Any = None) -> Response:
        url = self.base_url + path
        data = b"" if body is None else json.dumps(body).encode()
        if self.token is not None:
            headers = {"X-Auth-Token": self.token, "Content-Type": "application/json"}
        else:
            headers = aksk_headers(method, url, data, self.access_key or "", self.secret_key or "",
                                   security_token=self.security_token)
        return send(method, url, data if body is not None else None, headers, ssl_context=self.ssl_context)
