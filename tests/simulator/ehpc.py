from __future__ import annotations

# QingCloud EHPC API (hpc-api.qingcloud.com/api/...): request signature check, the
# node calls of the vendor pages (deleteNodes, restartNodes / resatrtNodes, addNodes), listNodes, operation (job status)
# and job/list. API-level errors are HTTP 200 with {"ret_code": N, "message": ...} (docs/api-decisions.md, "QingCloud EHPC").
# Where QingCloud's sources disagree (deleteNodes' id key, the restart route) the reading served is a
# runtime setting (config ehpc_delete_ids_key, ehpc_restart_route; README.md here).

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import re
import time
from typing import Any, Callable
from urllib.parse import quote, unquote

from .messages import Reply, Request, json_reply
from .world import QY_ACCESS_KEY, QY_SECRET_KEY, CallContext, World, iso, make_ehpc_node, nth_ip, random_alnum

RET_BAD_PARAMS = 1100
RET_AUTH = 1200
RET_EXPIRED = 1300
RET_DENIED = 1400
RET_NOT_FOUND = 2100
RET_INTERNAL = 5000

KEYS = {QY_ACCESS_KEY: QY_SECRET_KEY}
# zone is not among them: QingCloud's EHPC SDK sends it in the query of a GET and in the body of a POST.
COMMON_PARAMS = ("access_key_id", "signature_method", "signature_version", "version", "timestamp", "signature")
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
MAX_SKEW_SECONDS = 60

CLUSTER_ID_RE = re.compile(r"ehpc-[a-z0-9]{8}")
NODE_ID_RE = re.compile(r"cln-[a-z0-9]{8}")
NODE_COUNT_RE = re.compile(r"[0-9]{1,2}")
IP_BASE = "192.168.100.10"
PAGE_CAP = 100
NODE_FIELDS = ("node_id", "role", "status", "transition_status", "name", "private_ip", "instance_id", "cluster_id",
               "create_time")
HPC_JOB_FILTERS = ("pending", "running", "finished", "exited", "cancelled", "stopped")


class ApiError(Exception):
    def __init__(self, ret_code: int, message: str) -> None:
        super().__init__(message)
        self.ret_code = ret_code
        self.message = message


def error_body(ret_code: int, message: str) -> dict[str, Any]:
    return {"ret_code": ret_code, "message": message}


# --- signature (docs/api-decisions.md, "Signing") ----------------------------------------------------
# As QingCloud's EHPC SDK computes it (PyPI qingcloud-hpc, qingcloud_hpc/request.py), and so as a
# server of the same make recomputes it from what it received: the query decoded, empty values
# dropped, names sorted and each name's values sorted, re-encoded with quote() ("/" kept); the
# path with a trailing "/"; the MD5 of the body bytes exactly as received.

def _encode(text: str) -> str:
    return quote(text)


def canonical_path(raw_path: str) -> str:
    path = "/".join(quote(part) for part in unquote(raw_path).split("/"))
    return path if path.endswith("/") else path + "/"


def canonical_query(params: list[tuple[str, str]]) -> str:
    values: dict[str, list[str]] = {}
    for key, value in params:
        if key != "signature" and value != "":
            values.setdefault(key, []).append(value)
    return "&".join(f"{_encode(key)}={_encode(value)}" for key in sorted(values) for value in sorted(values[key]))


def expected_signature(secret: str, method: str, raw_path: str, params: list[tuple[str, str]], body: bytes) -> str:
    string_to_sign = f"{method}\n{canonical_path(raw_path)}\n{canonical_query(params)}\n{hashlib.md5(body).hexdigest()}"
    mac = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(mac).decode("ascii")


def verify_signature(req: Request, now: float) -> None:
    params = req.query()
    first: dict[str, str] = {}
    for key, value in params:
        first.setdefault(key, value)
    missing = [name for name in COMMON_PARAMS if name not in first]
    if missing:
        raise ApiError(RET_BAD_PARAMS, f"missing common parameter(s): {', '.join(missing)}")
    if first["signature_method"] != "HmacSHA256":
        raise ApiError(RET_BAD_PARAMS, "signature_method must be HmacSHA256")
    if first["signature_version"] != "1" or first["version"] != "1":
        raise ApiError(RET_BAD_PARAMS, "signature_version and version must be 1")
    secret = KEYS.get(first["access_key_id"])
    if secret is None:
        raise ApiError(RET_AUTH, "authentication failed: unknown access_key_id")
    try:
        stamp = dt.datetime.strptime(first["timestamp"], TIMESTAMP_FORMAT).replace(tzinfo=dt.timezone.utc)
    except ValueError as exc:
        raise ApiError(RET_BAD_PARAMS, f"timestamp must look like 2024-01-01T00:00:00Z: {exc}") from exc
    # The client double-encodes the signature; parse_qsl undid one level, undo the other.
    given = unquote(first["signature"])
    expected = expected_signature(secret, req.method, req.raw_path, params, req.body)
    if not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        raise ApiError(RET_AUTH, "authentication failed: signature mismatch")
    if abs(now - stamp.timestamp()) > MAX_SKEW_SECONDS:
        raise ApiError(RET_EXPIRED, "request expired: timestamp is more than 60 seconds from server time")


# --- parameter helpers ------------------------------------------------------------------

def _require_str(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if value is None or value == "":
        raise ApiError(RET_BAD_PARAMS, f"missing parameter {name}")
    if not isinstance(value, str):
        raise ApiError(RET_BAD_PARAMS, f"parameter {name} must be a string")
    return value


def _cluster_id(params: dict[str, Any]) -> str:
    cluster_id = _require_str(params, "cluster_id")
    if not CLUSTER_ID_RE.fullmatch(cluster_id):
        raise ApiError(RET_BAD_PARAMS, f"invalid cluster_id {cluster_id!r}")
    return cluster_id


def request_zone(req: Request, params: dict[str, Any]) -> str:
    """The zone: from the query of a GET; from the body of a POST (the SDK's place) or its query
    (the signature page lists zone as a common parameter); where both have one they must agree."""
    query_zone = req.query_first("zone")
    body_zone = params.get("zone") if req.method == "POST" else None
    if body_zone is not None and not isinstance(body_zone, str):
        raise ApiError(RET_BAD_PARAMS, "parameter zone must be a string")
    if body_zone and query_zone and body_zone != query_zone:
        raise ApiError(RET_BAD_PARAMS, f"zone {body_zone!r} in the body differs from zone {query_zone!r} in the query")
    zone = body_zone or query_zone
    if not zone:
        raise ApiError(RET_BAD_PARAMS, "missing parameter zone")
    return zone


def _node_ids(params: dict[str, Any], name: str) -> list[str]:
    value = params.get(name)
    if value is None:
        raise ApiError(RET_BAD_PARAMS, f"missing parameter {name}")
    if not isinstance(value, list) or not value:
        raise ApiError(RET_BAD_PARAMS, f"parameter {name} must be a non-empty array of node ids")
    for item in value:
        if not isinstance(item, str) or not NODE_ID_RE.fullmatch(item):
            raise ApiError(RET_BAD_PARAMS, f"invalid node id {item!r} in {name}")
    return list(dict.fromkeys(value))


def _int_param(params: dict[str, Any], name: str, default: int, minimum: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError) as exc:
        raise ApiError(RET_BAD_PARAMS, f"parameter {name} must be an integer") from exc
    if value < minimum:
        raise ApiError(RET_BAD_PARAMS, f"parameter {name} must be >= {minimum}")
    return value


def _cluster(world: World, cluster_id: str, zone: str) -> dict[str, Any]:
    if zone not in world.state["ehpc"]["zones"]:
        raise ApiError(RET_NOT_FOUND, f"zone {zone} not found")
    cluster = world.state["ehpc"]["clusters"].get(cluster_id)
    if cluster is None or cluster["zone"] != zone:
        raise ApiError(RET_NOT_FOUND, f"cluster {cluster_id} not found in zone {zone}")
    return cluster


def _known_nodes(cluster: dict[str, Any], node_ids: list[str]) -> list[dict[str, Any]]:
    unknown = [node_id for node_id in node_ids if node_id not in cluster["nodes"]]
    if unknown:
        raise ApiError(RET_NOT_FOUND, f"node(s) not found in cluster {cluster['cluster_id']}: {', '.join(unknown)}")
    return [cluster["nodes"][node_id] for node_id in node_ids]


def _not_in_transition(nodes: list[dict[str, Any]]) -> None:
    busy = [f"{node['node_id']} ({node['transition_status']})" for node in nodes if node["transition_status"]]
    if busy:
        raise ApiError(RET_DENIED, f"node(s) in transition, cannot change now: {', '.join(busy)}")


def _new_job_id(world: World) -> str:
    while True:
        job_id = "j-" + random_alnum(11)
        if job_id not in world.state["jobs"]:
            return job_id


# --- naming -------------------------------------------------------------------------------

def next_role_names(existing: set[str], role: str, count: int) -> list[str]:
    pattern = re.compile(re.escape(role) + r"([0-9]+)")
    highest = 0
    for name in existing:
        match = pattern.fullmatch(name)
        if match:
            highest = max(highest, int(match.group(1)))
    return [f"{role}{number:02d}" for number in range(highest + 1, highest + 1 + count)]


def given_names(existing: set[str], base: str, count: int) -> list[str]:
    """node_name, node_name-2, node_name-3, ... skipping names the cluster already has."""
    names: list[str] = []
    suffix = 1
    while len(names) < count:
        candidate = base if suffix == 1 else f"{base}-{suffix}"
        if candidate not in existing:
            names.append(candidate)
        suffix += 1
    return names


def free_ips(used: set[str], count: int) -> list[str]:
    ips: list[str] = []
    index = 0
    while len(ips) < count:
        candidate = nth_ip(IP_BASE, index)
        if candidate not in used:
            ips.append(candidate)
        index += 1
    return ips


def hostlist(names: list[str]) -> str:
    """Compress host names Slurm-style: compute01..03 + compute07 + login01 -> compute[01-03,07],login01."""
    groups: dict[str, list[str]] = {}
    plain: list[str] = []
    for name in dict.fromkeys(names):
        match = re.fullmatch(r"(.*?)([0-9]+)", name)
        if match:
            groups.setdefault(match.group(1), []).append(match.group(2))
        else:
            plain.append(name)
    parts: list[tuple[str, str]] = [(name, name) for name in plain]
    for prefix, numbers in groups.items():
        numbers.sort(key=lambda digits: (int(digits), digits))
        if len(numbers) == 1:
            parts.append((prefix, prefix + numbers[0]))
            continue
        ranges: list[list[str]] = []
        for digits in numbers:
            last = ranges[-1][1] if ranges else None
            if last is not None and int(digits) == int(last) + 1 and len(digits) == len(last):
                ranges[-1][1] = digits
            else:
                ranges.append([digits, digits])
        inner = ",".join(start if start == end else f"{start}-{end}" for start, end in ranges)
        parts.append((prefix, f"{prefix}[{inner}]"))
    return ",".join(text for _key, text in sorted(parts))


# --- actions ---------------------------------------------------------------------------

def add_nodes(world: World, params: dict[str, Any], zone: str, ctx: CallContext) -> dict[str, Any]:
    cluster_id = _cluster_id(params)
    role = params.get("node_role")
    role = "compute" if role is None else role
    if role not in ("login", "compute"):
        raise ApiError(RET_BAD_PARAMS, f"node_role must be login or compute, not {role!r}")
    # Seed 004: node_count is a string, 1 to 99.
    raw_count = params.get("node_count")
    raw_count = "1" if raw_count is None else raw_count
    if not isinstance(raw_count, str) or not NODE_COUNT_RE.fullmatch(raw_count) or not 1 <= int(raw_count) <= 99:
        raise ApiError(RET_BAD_PARAMS, f"node_count must be a string from \"1\" to \"99\", not {raw_count!r}")
    count = int(raw_count)
    node_name = params.get("node_name")
    if node_name is not None and not isinstance(node_name, str):
        raise ApiError(RET_BAD_PARAMS, "node_name must be a string")
    resource_conf = params.get("resource_conf")
    if resource_conf is not None and not isinstance(resource_conf, str):
        raise ApiError(RET_BAD_PARAMS, "resource_conf must be a string")
    private_ips = params.get("private_ips")
    if private_ips is not None:
        if not isinstance(private_ips, list) or not all(isinstance(ip, str) for ip in private_ips):
            raise ApiError(RET_BAD_PARAMS, "private_ips must be an array of strings")
        if len(private_ips) != count:
            raise ApiError(RET_BAD_PARAMS, f"private_ips has {len(private_ips)} addresses for node_count {count}")
        for ip in private_ips:
            try:
                ipaddress.IPv4Address(ip)
            except ValueError as exc:
                raise ApiError(RET_BAD_PARAMS, f"invalid private ip {ip!r}") from exc
        if len(set(private_ips)) != len(private_ips):
            raise ApiError(RET_BAD_PARAMS, "private_ips contains duplicates")
    cluster = _cluster(world, cluster_id, zone)
    nodes = cluster["nodes"]
    used_ips = {node["private_ip"] for node in nodes.values()}
    if private_ips is not None:
        taken = [ip for ip in private_ips if ip in used_ips]
        if taken:
            raise ApiError(RET_BAD_PARAMS, f"private ip(s) already in use: {', '.join(taken)}")
    existing_names = {node["name"] for node in nodes.values()}
    names = given_names(existing_names, node_name, count) if node_name else next_role_names(existing_names, role, count)
    ips = list(private_ips) if private_ips is not None else free_ips(used_ips, count)
    now = time.time()
    new_ids: list[str] = []
    instance_ids = {node["instance_id"] for node in nodes.values()}
    for name, ip in zip(names, ips):
        node_id = "cln-" + random_alnum(8)
        while node_id in nodes:
            node_id = "cln-" + random_alnum(8)
        instance_id = "i-" + random_alnum(8)
        while instance_id in instance_ids:
            instance_id = "i-" + random_alnum(8)
        instance_ids.add(instance_id)
        node = make_ehpc_node(cluster_id, node_id, instance_id, role, name, ip, world.next_create_ts(now),
                              status="pending", transition_status="creating")
        if resource_conf is not None:
            node["resource_conf"] = resource_conf
        nodes[node_id] = node
        new_ids.append(node_id)
    job = world.new_job(ctx, job_id=_new_job_id(world), service="ehpc", action="AddClusterNodes",
                        cluster_id=cluster_id, resource_ids=new_ids, now=now)
    return {"action": "HpcClusterAddClusterNodesResponse", "job_id": job["job_id"], "ret_code": 0}


def delete_nodes(world: World, params: dict[str, Any], zone: str, ctx: CallContext) -> dict[str, Any]:
    cluster_id = _cluster_id(params)
    # The SDK (a required field) and the later doc page send node_ids, the seed's table says
    # node_list: the simulator reads one of them, the other is an unknown key it ignores.
    node_ids = _node_ids(params, world.config["ehpc_delete_ids_key"])
    cluster = _cluster(world, cluster_id, zone)
    targets = _known_nodes(cluster, node_ids)
    _not_in_transition(targets)
    # Seed 000: every node role keeps at least one node.
    leaving = set(node_ids)
    for role in sorted({node["role"] for node in targets}):
        remaining = [node for node in cluster["nodes"].values()
                     if node["role"] == role and node["transition_status"] != "deleting" and node["node_id"] not in leaving]
        if not remaining:
            raise ApiError(RET_DENIED, f"cannot delete the last {role} node: every node role must keep at least one node")
    for node in targets:
        node["transition_status"] = "deleting"
    job = world.new_job(ctx, job_id=_new_job_id(world), service="ehpc", action="DeleteClusterNodes",
                        cluster_id=cluster_id, resource_ids=node_ids, now=time.time())
    # The vendor page's table says job_ids, its example job_id: the key is a runtime setting.
    return {"action": "HpcClusterDeleteClusterNodesResponse", world.config["delete_job_key"]: job["job_id"], "ret_code": 0}


def restart_nodes(world: World, params: dict[str, Any], zone: str, ctx: CallContext) -> dict[str, Any]:
    cluster_id = _cluster_id(params)
    node_ids = _node_ids(params, "node_ids")
    cluster = _cluster(world, cluster_id, zone)
    targets = _known_nodes(cluster, node_ids)
    _not_in_transition(targets)
    for node in targets:
        node["transition_status"] = "restarting"
    job = world.new_job(ctx, job_id=_new_job_id(world), service="ehpc", action="RestartClusterNodes",
                        cluster_id=cluster_id, resource_ids=node_ids, now=time.time())
    return {"action": "HpcClusterRestartClusterNodesResponse", "job_id": job["job_id"], "ret_code": 0}


def _page(params: dict[str, Any]) -> tuple[int, int]:
    limit = min(_int_param(params, "limit", 10, 1), PAGE_CAP)
    offset = _int_param(params, "offset", 0, 0)
    return limit, offset


def list_nodes(world: World, params: dict[str, Any], query_zone: str, _ctx: CallContext) -> dict[str, Any]:
    cluster_id = _cluster_id(params)
    limit, offset = _page(params)
    status = params.get("status")
    cluster = _cluster(world, cluster_id, query_zone)
    nodes = sorted(cluster["nodes"].values(), key=lambda node: (node["create_time"], node["node_id"]))
    if status:
        nodes = [node for node in nodes if node["status"] == status]
    page = [{key: node[key] for key in NODE_FIELDS} for node in nodes[offset:offset + limit]]
    return {"action": "HpcClusterGetClusterNodesResponse", "hpc_app_nodes_set": page, "total_count": len(nodes), "ret_code": 0}


def render_job(job: dict[str, Any]) -> dict[str, Any]:
    finished = job["status"] != "pending"
    return {
        "job_id": job["job_id"],
        "status": job["status"],
        "job_action": job["action"],
        "resource_ids": " ".join([job["cluster_id"]] + job["resource_ids"]),
        "error_codes": str(RET_INTERNAL) if job["status"] == "failed" else "",
        "create_time": iso(job["created_at"]),
        "status_time": iso(job["finished_at"] if finished else job["created_at"]),
    }


def operation(world: World, params: dict[str, Any], _zone: str, _ctx: CallContext) -> dict[str, Any]:
    job_ids: list[str] = []
    for key, value in params["_pairs"]:
        if key in ("job_ids", "jobs") or key.startswith(("job_ids.", "jobs.")):
            job_ids.extend(part.strip() for part in value.split(",") if part.strip())
    if not job_ids:
        raise ApiError(RET_BAD_PARAMS, "missing parameter job_ids")
    # Paged like the other lists: limit defaults to 10 (the operation page), capped at 100.
    limit, offset = _page(params)
    job_set = []
    for job_id in dict.fromkeys(job_ids):
        job = world.visible_job(job_id, "ehpc")
        if job is not None:
            job_set.append(render_job(job))
    return {"action": "HpcOperationListOperationResponse", "job_set": job_set[offset:offset + limit],
            "total_count": len(job_set), "ret_code": 0}


def render_hpc_job(hpc_job: dict[str, Any]) -> dict[str, Any]:
    return {
        "job_id": hpc_job["job_id"],
        "job_name": hpc_job["job_name"],
        "job_status": hpc_job["job_status"],
        # A test may give a job a node list of its own (empty, unreadable, naming no node).
        "job_node_list": hpc_job["node_list_text"] if hpc_job.get("node_list_text") is not None
        else hostlist(hpc_job["nodes"]),
        "queue_name": hpc_job["queue_name"],
        "run_user": hpc_job["run_user"],
        "started_time": hpc_job["started_time"],
    }


# Which name of job/list's status filter the server reads: the docs say `jobs_status`, QingCloud's
# SDK sends `job_status` (sdk_api/hpc.py). "both" reads either; "ignored" is a server that reads
# neither and answers every job, finished ones included (config `job_list_status_param`).
JOB_LIST_STATUS_PARAMS = ("both", "jobs_status", "job_status", "ignored")


def job_list(world: World, params: dict[str, Any], query_zone: str, _ctx: CallContext) -> dict[str, Any]:
    cluster_id = _cluster_id(params)
    limit, offset = _page(params)
    reads = world.config.get("job_list_status_param", "both")
    names = {"both": ("jobs_status", "job_status"), "ignored": ()}.get(reads, (reads,))
    status = None
    for name in names:
        value = params.get(name)
        if value and value not in HPC_JOB_FILTERS:
            raise ApiError(RET_BAD_PARAMS, f"{name} must be one of {', '.join(HPC_JOB_FILTERS)}")
        status = status or value
    _cluster(world, cluster_id, query_zone)
    jobs = sorted((job for job in world.state["hpc_jobs"].values() if job["cluster_id"] == cluster_id),
                  key=lambda job: job["job_id"])
    if status:
        jobs = [job for job in jobs if job["job_status"] == status]
    page = [render_hpc_job(job) for job in jobs[offset:offset + limit]]
    return {"action": "HpcJobListJobsResponse", "hpc_job_set": page, "total_count": len(jobs), "ret_code": 0}


Action = Callable[[World, dict[str, Any], str, CallContext], dict[str, Any]]
ROUTES: dict[tuple[str, str], Action] = {
    ("POST", "/api/cluster/addNodes"): add_nodes,
    ("POST", "/api/cluster/deleteNodes"): delete_nodes,
    # The SDK and the later page restartnodes.md say restartNodes, seed 002 resatrtNodes: one of
    # the two is served (config ehpc_restart_route), the other is a web server's HTML 404.
    ("POST", "/api/cluster/restartNodes"): restart_nodes,
    ("POST", "/api/cluster/resatrtNodes"): restart_nodes,
    ("GET", "/api/cluster/listNodes"): list_nodes,
    ("GET", "/api/operation"): operation,
    ("GET", "/api/job/list"): job_list,
}
PATHS = {path for _method, path in ROUTES}
RESTART_ROUTES = ("restartNodes", "resatrtNodes")
DELETE_IDS_KEYS = ("node_ids", "node_list")
NOT_FOUND_HTML = (b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
                  b"<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")


def is_write(method: str) -> bool:
    return method == "POST"


def handle(world: World, req: Request, ctx: CallContext) -> Reply:
    route_name = req.raw_path.rsplit("/", 1)[-1]
    if route_name in RESTART_ROUTES and route_name != world.config["ehpc_restart_route"]:
        return Reply(status=404, raw=NOT_FOUND_HTML)
    if req.raw_path not in PATHS:
        return json_reply(error_body(RET_BAD_PARAMS, f"unknown action path {req.raw_path}"), status=404)
    action = ROUTES.get((req.method, req.raw_path))
    if action is None:
        return json_reply(error_body(RET_BAD_PARAMS, f"{req.raw_path} does not accept {req.method}"), status=405)
    try:
        verify_signature(req, world.clock())
        if req.method == "POST":
            try:
                params = req.json()
            except ValueError as exc:
                raise ApiError(RET_BAD_PARAMS, f"request body is not JSON: {exc}") from exc
            if not isinstance(params, dict):
                raise ApiError(RET_BAD_PARAMS, "request body must be a JSON object")
        else:
            pairs = req.query()
            params = {}
            for key, value in pairs:
                params.setdefault(key, value)
            params["_pairs"] = pairs
        return json_reply(action(world, params, request_zone(req, params), ctx))
    except ApiError as exc:
        return json_reply(error_body(exc.ret_code, exc.message))
