from __future__ import annotations

# Entry point of the local cloud simulator: one HTTP(S) port serving QingCloud EHPC
# (/api/...), Huawei IAM (/v3/auth/tokens), CCE (/api/v3/projects/...), ModelArts (/v1/...)
# and the unauthenticated control API (/_sim/...).
#
#   python3 tests/simulator/server.py --host 127.0.0.1 --port 0 [--job-seconds 0.5]
#           [--state FILE] [--tls-cert CERT --tls-key KEY] [--verbose]
#           [--ehpc-delete-ids-key node_ids|node_list] [--ehpc-restart-route restartNodes|resatrtNodes]

import os
import sys

if __name__ == "__main__" and not __package__:
    # Run as a script: import this directory as the package "simulator" (PEP 366) so the
    # relative imports below work exactly as when the package is imported by pytest.
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "simulator"  # pylint: disable=redefined-builtin

import argparse
import copy
import json
import re
import signal
import socket
import ssl
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from . import cce, cce_pools, ehpc, iam, modelarts
from .faults import Fault, FaultQueue
from .messages import Reply, Request, json_reply, request_id
from .world import CCE_POOL_CLUSTER_ID, DEFAULT_COUNTS, EHPC_CLUSTER_ID, MAX_WORLD_NODES, CallContext, World, iso

# clock_offset_seconds skews the clock the clouds check request timestamps against (QingCloud
# `timestamp`, Huawei X-Sdk-Date), as if the client's clock were off by minus that much.
CONFIG_KEYS = {"job_seconds", "delete_job_key", "clock_offset_seconds", "ehpc_delete_ids_key", "ehpc_restart_route",
               "job_list_status_param", "cce_page_size", "latency_seconds"}
# CCE ListNodes pages hold at most 2000 nodes (huaweicloudsdkcce v3 ListNodesRequest `limit`).
MAX_CCE_PAGE_SIZE = 2000
MAX_LATENCY_SECONDS = 10.0
MAX_CLOCK_OFFSET_SECONDS = 7 * 24 * 3600
DELETE_JOB_KEYS = ("job_ids", "job_id")


def service_of(path: str) -> str:
    if path.startswith("/api/v3/projects/"):
        return "cce"
    if path.startswith("/api/"):
        return "ehpc"
    if path == "/v3/auth/tokens":
        return "iam"
    if path.startswith("/v1/"):
        return "modelarts"
    return "unknown"


def is_write(service: str, method: str) -> bool:
    if service == "ehpc":
        return ehpc.is_write(method)
    if service == "cce":
        return cce.is_write(method)
    if service == "modelarts":
        return modelarts.is_write(method)
    return False


BAD_ANSWER_HTML = (b"<!DOCTYPE html><html><head><title>Sign in</title></head>"
                   b"<body><h1>Network login required</h1></body></html>")


def bad_answer(reply: Reply, body: str) -> Reply:
    """A 200 that no vendor documents, in place of the real answer (the call was carried out)."""
    if body == "html":
        return Reply(status=200, raw=BAD_ANSWER_HTML)
    if body == "empty":
        return json_reply({})
    how, key = body.split(":", 1)
    answer = copy.deepcopy(reply.body) if isinstance(reply.body, dict) else {}
    if how == "set":
        # One value replaced; a numeric part of the dotted key indexes a list (hpc_job_set.0.job_node_list).
        key, value = key.split("=", 1)
        parent: Any = answer
        parts = key.split(".")
        for part in parts[:-1]:
            parent = parent[int(part)] if isinstance(parent, list) else parent.get(part)
        last = parts[-1]
        if isinstance(parent, list):
            parent[int(last)] = json.loads(value)
        elif isinstance(parent, dict):
            parent[last] = json.loads(value)
        return json_reply(answer, status=reply.status if 200 <= reply.status < 300 else 200, headers=dict(reply.headers))
    if how == "short":
        # A page one item short of what it should hold, the rest of the answer unchanged.
        if isinstance(answer.get(key), list) and answer[key]:
            answer[key].pop()
        return json_reply(answer, status=reply.status if 200 <= reply.status < 300 else 200, headers=dict(reply.headers))
    # A dotted key names a nested one (CCE's status.jobID).
    parent, last = answer, key.split(".")[-1]
    for part in key.split(".")[:-1]:
        parent = parent.get(part) if isinstance(parent, dict) else None
    if isinstance(parent, dict):
        parent.pop(last, None)
    # The key may name a header instead (IAM's token travels in X-Subject-Token).
    headers = dict((name, value) for name, value in reply.headers.items() if name.lower() != key.lower())
    return json_reply(answer, status=reply.status if 200 <= reply.status < 300 else 200, headers=headers)


def fault_reply(fault: Fault, service: str) -> Reply:
    """The answer a "status" or "ret_code" fault forces, in the vendor's error shape."""
    headers: dict[str, str] = {}
    if fault.retry_after is not None:
        value = fault.retry_after
        headers["Retry-After"] = str(int(value)) if float(value).is_integer() else str(value)
    if fault.kind == "ret_code":
        ret_code = fault.ret_code or ehpc.RET_INTERNAL
        return json_reply(ehpc.error_body(ret_code, fault.message or f"simulated ret_code {ret_code}"), headers=headers)
    status = fault.status or 500
    message = fault.message or f"simulated HTTP {status}"
    if service == "ehpc":
        ret_code = {403: 1400, 404: 2100, 429: 2500, 503: 5100}.get(status, 5000 if status >= 500 else 1100)
        return json_reply(ehpc.error_body(ret_code, message), status=status, headers=headers)
    if status == 429:
        code = "APIGW.0308"  # API Gateway's throttling code
    elif service == "cce":
        code = f"CCE.01{status}001"
    elif service == "modelarts":
        code = f"ModelArts.5000{status}0"
    else:
        code = f"IAM.{status:04d}"
    return json_reply({"error_code": code, "error_msg": message}, status=status, headers=headers)


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class App:
    """Everything a request can touch, guarded by world.lock."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.faults = FaultQueue()
        self.calls: list[dict[str, Any]] = []

    # --- cloud calls ------------------------------------------------------------------------

    def route(self, req: Request, ctx: CallContext) -> Reply:
        service = service_of(req.raw_path)
        if service == "ehpc":
            return ehpc.handle(self.world, req, ctx)
        if service == "cce":
            pools = cce_pools.handle(self.world, req)
            return pools if pools is not None else cce.handle(self.world, req, ctx)
        if service == "modelarts":
            return modelarts.handle(self.world, req, ctx)
        if service == "iam":
            return iam.issue_token(self.world, req)
        return iam.hw_error(404, "APIGW.0101", f"The API does not exist or has not been published: {req.raw_path}")

    def record(self, req: Request, service: str, status: int | None, reply: Reply | None, fault: str | None) -> None:
        call: dict[str, Any] = {"method": req.method, "path": req.raw_path, "status": status,
                                "write": is_write(service, req.method), "time": time.time()}
        if service == "ehpc" and reply is not None and isinstance(reply.body, dict) and "ret_code" in reply.body:
            call["ret_code"] = reply.body["ret_code"]
        if fault:
            call["fault"] = fault
        if service in ("cce", "modelarts"):  # never QingCloud's: its query carries the signature
            call["query"] = req.raw_query
        self.calls.append(call)

    # --- control API ------------------------------------------------------------------------

    def control(self, req: Request) -> Reply:
        body = self._control_body(req) if req.method in ("POST", "PUT") else None
        with self.world.lock:
            self.world.advance()
            try:
                return self._control(req.raw_path.rstrip("/"), req.method, body)
            finally:
                self.world.save_if_dirty()

    def _control(self, path: str, method: str, body: Any) -> Reply:  # pylint: disable=too-many-return-statements
        world = self.world
        if path == "/_sim/health" and method == "GET":
            return json_reply({"ok": True})
        if path == "/_sim/calls" and method == "GET":
            return json_reply(list(self.calls))
        if path == "/_sim/calls" and method == "DELETE":
            self.calls.clear()
            return json_reply({"ok": True})
        if path == "/_sim/reset" and method == "POST":
            world.reset()
            self.calls.clear()
            self.faults.clear()
            return json_reply({"ok": True})
        if path == "/_sim/faults" and method == "GET":
            return json_reply(self.faults.pending())
        if path == "/_sim/faults" and method == "DELETE":
            self.faults.clear()
            return json_reply({"ok": True})
        if path == "/_sim/faults" and method == "POST":
            try:
                added = self.faults.add(body)
            except ValueError as exc:
                raise ControlError(400, str(exc)) from exc
            return json_reply({"added": [fault.to_json() for fault in added], "pending": self.faults.pending()})
        if path == "/_sim/config" and method in ("GET", "POST"):
            if method == "POST":
                self._set_config(body)
            return json_reply(dict(world.config))
        if path == "/_sim/state" and method == "GET":
            return json_reply(world.state)
        if path == "/_sim/world" and method == "POST":
            world.rebuild(self._counts(body))
            return json_reply({"ok": True, "counts": world.state["counts"]})
        if path == "/_sim/hpc_jobs" and method == "POST":
            return json_reply(self._start_hpc_job(body))
        match = re.fullmatch(r"/_sim/hpc_jobs/([0-9]+)/finish", path)
        if match and method == "POST":
            return json_reply(self._finish_hpc_job(match.group(1), body))
        match = re.fullmatch(r"/_sim/cce/node_pools(?:/([^/]+))?", path)
        if match and method == "POST":
            try:
                if match.group(1) is None:
                    return json_reply(cce_pools.control_create(world, body, CCE_POOL_CLUSTER_ID))
                return json_reply(cce_pools.control_update(world, match.group(1), body, CCE_POOL_CLUSTER_ID))
            except cce_pools.ControlProblem as exc:
                raise ControlError(400, str(exc)) from exc
        raise ControlError(404, f"no control endpoint {method} {path}")

    @staticmethod
    def _control_body(req: Request) -> Any:
        try:
            body = req.json()
        except ValueError as exc:
            raise ControlError(400, f"body is not JSON: {exc}") from exc
        return {} if body is None else body

    def _set_config(self, body: Any) -> None:
        if not isinstance(body, dict):
            raise ControlError(400, "config must be a JSON object")
        unknown = set(body) - CONFIG_KEYS
        if unknown:
            raise ControlError(400, f"unknown config keys: {', '.join(sorted(unknown))}")
        if "job_seconds" in body:
            value = body["job_seconds"]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ControlError(400, "job_seconds must be a number >= 0")
        if "delete_job_key" in body and body["delete_job_key"] not in DELETE_JOB_KEYS:
            raise ControlError(400, f"delete_job_key must be one of {', '.join(DELETE_JOB_KEYS)}")
        for key, allowed in (("ehpc_delete_ids_key", ehpc.DELETE_IDS_KEYS), ("ehpc_restart_route", ehpc.RESTART_ROUTES),
                             ("job_list_status_param", ehpc.JOB_LIST_STATUS_PARAMS)):
            if key in body and body[key] not in allowed:
                raise ControlError(400, f"{key} must be one of {', '.join(allowed)}")
        if "clock_offset_seconds" in body:
            value = body["clock_offset_seconds"]
            if (isinstance(value, bool) or not isinstance(value, (int, float))
                    or abs(value) > MAX_CLOCK_OFFSET_SECONDS):
                raise ControlError(400, f"clock_offset_seconds must be a number within ±{MAX_CLOCK_OFFSET_SECONDS}")
        if "cce_page_size" in body:
            value = body["cce_page_size"]
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_CCE_PAGE_SIZE:
                raise ControlError(400, f"cce_page_size must be an integer from 1 to {MAX_CCE_PAGE_SIZE}")
        if "latency_seconds" in body:
            value = body["latency_seconds"]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_LATENCY_SECONDS:
                raise ControlError(400, f"latency_seconds must be a number from 0 to {MAX_LATENCY_SECONDS}")
        for key, value in body.items():
            self.world.config[key] = (float(value) if key in ("job_seconds", "clock_offset_seconds", "latency_seconds")
                                      else value)

    @staticmethod
    def _counts(body: Any) -> dict[str, int]:
        if not isinstance(body, dict):
            raise ControlError(400, "world must be a JSON object")
        unknown = set(body) - set(DEFAULT_COUNTS)
        if unknown:
            raise ControlError(400, f"unknown world keys: {', '.join(sorted(unknown))}; known: {', '.join(DEFAULT_COUNTS)}")
        counts = dict(DEFAULT_COUNTS)
        for key, value in body.items():
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_WORLD_NODES:
                raise ControlError(400, f"{key} must be an integer from 0 to {MAX_WORLD_NODES}")
            counts[key] = value
        return counts

    def _start_hpc_job(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ControlError(400, "hpc job must be a JSON object")
        state = self.world.state
        cluster_id = body.get("cluster_id", EHPC_CLUSTER_ID)
        cluster = state["ehpc"]["clusters"].get(cluster_id)
        if cluster is None:
            raise ControlError(404, f"no EHPC cluster {cluster_id}")
        # A pending job waits in the queue: it has no nodes yet (job/list's job_node_list is empty).
        job_status = body.get("job_status", "running")
        if job_status not in ("running", "pending"):
            raise ControlError(400, "job_status must be running or pending")
        # job_node_list: the text job/list shows for a running job instead of its nodes' host list
        # (empty, unreadable or naming no node: the API documents no format).
        node_list_text = body.get("job_node_list")
        if node_list_text is not None and (not isinstance(node_list_text, str) or job_status != "running"
                                           or "nodes" in body):
            raise ControlError(400, "job_node_list is a string, for a running job given without nodes")
        wanted = body.get("nodes", [] if job_status == "pending" or node_list_text is not None else None)
        if job_status == "pending" and wanted:
            raise ControlError(400, "a pending job has no nodes")
        if job_status == "running" and node_list_text is None and (
                not isinstance(wanted, list) or not wanted or not all(isinstance(item, str) for item in wanted)):
            raise ControlError(400, "nodes must be a non-empty list of node names or ids")
        by_name = {node["name"]: node for node in cluster["nodes"].values()}
        names = []
        for item in wanted:
            node = cluster["nodes"].get(item) or by_name.get(item)
            if node is None:
                raise ControlError(400, f"no node {item} in {cluster_id}")
            names.append(node["name"])
        seconds = body.get("seconds")
        if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0):
            raise ControlError(400, "seconds must be a number >= 0")
        now = time.time()
        job_id = state["next_hpc_job_id"]
        state["next_hpc_job_id"] = job_id + 1
        state["hpc_jobs"][str(job_id)] = {
            "job_id": job_id,
            "cluster_id": cluster_id,
            "job_name": str(body.get("job_name", "sim")),
            "job_status": job_status,
            "nodes": names,
            "node_list_text": node_list_text,
            "queue_name": str(body.get("queue_name", "normal")),
            "run_user": str(body.get("run_user", "root")),
            "started_time": iso(now) if job_status == "running" else "",
            "finish_at": None if seconds is None else now + seconds,
        }
        self.world.changed()
        return {"job_id": job_id}

    def _finish_hpc_job(self, job_id: str, body: Any) -> dict[str, Any]:
        hpc_job = self.world.state["hpc_jobs"].get(str(int(job_id)))
        if hpc_job is None:
            raise ControlError(404, f"no HPC job {job_id}")
        status = body.get("job_status", "finished") if isinstance(body, dict) else "finished"
        if status not in ("finished", "stopped"):
            raise ControlError(400, "job_status must be finished or stopped")
        hpc_job["job_status"] = status
        hpc_job["finished_time"] = iso(time.time())
        self.world.changed()
        return {"job_id": hpc_job["job_id"], "job_status": status}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hpcops-cloud-sim/1.0"
    timeout = 120  # idle keep-alive connections are closed after this
    app: App  # set on the subclass made by make_server
    verbose = False

    def setup(self) -> None:
        super().setup()
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.do_handshake()  # in this connection's thread, not the accept loop

    def log_message(self, format: str, *args: Any) -> None:
        if self.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:  # pylint: disable=invalid-name
        self._dispatch()

    def do_POST(self) -> None:  # pylint: disable=invalid-name
        self._dispatch()

    def do_PUT(self) -> None:  # pylint: disable=invalid-name
        self._dispatch()

    def do_DELETE(self) -> None:  # pylint: disable=invalid-name
        self._dispatch()

    def do_PATCH(self) -> None:  # pylint: disable=invalid-name
        self._dispatch()

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _request(self) -> Request:
        raw_path, _sep, raw_query = self.path.partition("?")
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            headers.setdefault(name.lower(), value)
        return Request(method=self.command, raw_path=raw_path, raw_query=raw_query, headers=headers, body=self._read_body())

    def _send(self, reply: Reply) -> None:
        payload = reply.payload()
        self.send_response(reply.status)
        self.send_header("X-Request-Id", request_id())
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.status != 204:
            self.send_header("Content-Type", "text/html; charset=utf-8" if reply.raw is not None else "application/json")
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if reply.status != 204 and self.command != "HEAD":
            self.wfile.write(payload)

    def _drop(self) -> None:
        """Close the connection without a single byte of answer."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # the peer may already be gone; closing is all that matters

    def _dispatch(self) -> None:
        try:
            req = self._request()
        except (ValueError, OSError):
            self.close_connection = True
            return
        if req.raw_path == "/_sim" or req.raw_path.startswith("/_sim/"):
            try:
                reply = self.app.control(req)
            except ControlError as exc:
                reply = json_reply({"error": exc.message}, status=exc.status)
            self._send(reply)
            return
        self._cloud(req)

    def _cloud(self, req: Request) -> None:
        app, world = self.app, self.app.world
        service = service_of(req.raw_path)
        with world.lock:
            fault = app.faults.take_request_fault(req.method, req.raw_path, req.raw_query)
            latency = float(world.config.get("latency_seconds", 0.0))
        if latency:
            time.sleep(latency)  # a public API's round trip; outside the lock, as calls overlap there
        kind = fault.kind if fault else None
        if fault is not None and kind == "delay":
            time.sleep(fault.seconds or 0.0)  # outside the lock: other calls go on meanwhile
        if fault is not None and kind == "drop":
            with world.lock:
                app.record(req, service, None, None, kind)
            self._drop()
            return
        if fault is not None and kind in ("status", "ret_code"):
            reply = fault_reply(fault, service)
            with world.lock:
                app.record(req, service, reply.status, reply, kind)
            self._send(reply)
            return
        with world.lock:
            world.advance()
            job_fault = app.faults.peek_job_fault(req.method, req.raw_path)
            ctx = CallContext(job_fault=job_fault.kind if job_fault else None)
            try:
                reply = app.route(req, ctx)
            except Exception:  # pylint: disable=broad-except
                # A simulator bug must still answer (and show up in stderr), not hang the client.
                traceback.print_exc()
                reply = (json_reply(ehpc.error_body(ehpc.RET_INTERNAL, "simulator internal error"), status=500)
                         if service == "ehpc" else iam.hw_error(500, "SIM.0500", "simulator internal error"))
            if ctx.jobs_created and job_fault is not None:
                app.faults.consume(job_fault)
            if kind == "bad_answer":
                reply = bad_answer(reply, fault.body or "empty")
            used = kind or (job_fault.kind if job_fault is not None and ctx.jobs_created else None)
            app.record(req, service, None if kind == "drop_after" else reply.status, reply, used)
            world.save_if_dirty()
        if kind == "drop_after":
            self._drop()
            return
        self._send(reply)


class SimServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type[Handler], tls: ssl.SSLContext | None) -> None:
        self.tls = tls
        super().__init__(address, handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, addr = super().get_request()
        if self.tls is not None:
            # Handshake later, in the handler's thread, so one slow client can't stall accept().
            sock = self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Broken or TLS-failing connections are the client's business; keep stderr quiet.
        if not isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):
            super().handle_error(request, client_address)


def make_server(app: App, host: str, port: int, tls: ssl.SSLContext | None, verbose: bool = False) -> SimServer:
    handler = type("BoundHandler", (Handler,), {"app": app, "verbose": verbose})
    return SimServer((host, port), handler, tls)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Local QingCloud EHPC / Huawei CCE / ModelArts simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--job-seconds", type=float, default=0.5, help="duration of every asynchronous job")
    parser.add_argument("--cce-page-size", type=int, default=MAX_CCE_PAGE_SIZE,
                        help="most nodes one CCE ListNodes page holds (1..2000, the API's default 2000)")
    parser.add_argument("--latency", type=float, default=0.0, metavar="SECONDS",
                        help="time every cloud call takes before it is answered (0..10)")
    parser.add_argument("--state", help="JSON file the world is loaded from and saved to")
    parser.add_argument("--tls-cert", help="PEM certificate: serve https")
    parser.add_argument("--tls-key", help="PEM private key for --tls-cert")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    # Where QingCloud's sources disagree (README.md here): the reading the simulator serves.
    parser.add_argument("--ehpc-delete-ids-key", choices=ehpc.DELETE_IDS_KEYS, default="node_ids",
                        help="the one key deleteNodes reads the node ids from (default: node_ids, as the SDK)")
    parser.add_argument("--ehpc-restart-route", choices=ehpc.RESTART_ROUTES, default="restartNodes",
                        help="the one restart route served; the other answers an HTML 404 (default: restartNodes)")
    parser.add_argument("--job-list-status-param", choices=ehpc.JOB_LIST_STATUS_PARAMS, default="both",
                        help="which status filter name EHPC job/list reads (ignored: none, every job is listed)")
    args = parser.parse_args(argv)
    if args.job_seconds < 0:
        parser.error("--job-seconds must be >= 0")
    if not 1 <= args.cce_page_size <= MAX_CCE_PAGE_SIZE:
        parser.error(f"--cce-page-size must be from 1 to {MAX_CCE_PAGE_SIZE}")
    if not 0 <= args.latency <= MAX_LATENCY_SECONDS:
        parser.error(f"--latency must be from 0 to {MAX_LATENCY_SECONDS}")
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    return args


class _Stop(BaseException):
    """SIGTERM, raised in the main thread wherever it is. Not an Exception: socketserver's
    request handling catches Exception (and carries on serving) when the signal lands mid-request."""


def _raise_stop(_signum: int, _frame: Any) -> None:
    raise _Stop()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    world = World(job_seconds=args.job_seconds, state_file=args.state, cce_page_size=args.cce_page_size,
                  latency_seconds=args.latency)
    world.startup_config.update(ehpc_delete_ids_key=args.ehpc_delete_ids_key, ehpc_restart_route=args.ehpc_restart_route,
                                job_list_status_param=args.job_list_status_param)
    world.config = dict(world.startup_config)
    try:
        world.load()
        world.save()  # fail now, not mid-request, if the state file can't be written
    except (OSError, ValueError) as exc:
        print(f"cannot use state file: {exc}", file=sys.stderr)
        return 2
    tls = None
    if args.tls_cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
    app = App(world)
    server = make_server(app, args.host, args.port, tls, args.verbose)
    signal.signal(signal.SIGTERM, _raise_stop)
    scheme = "https" if tls else "http"
    print(f"listening on {scheme}://{args.host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the final save
        server.server_close()
        with world.lock:
            world.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
