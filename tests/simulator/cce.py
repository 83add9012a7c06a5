from __future__ import annotations

# Huawei CCE: list nodes, remove nodes (the vendor's RemoveNodesTask page, PUT .../nodes/operation/remove) and
# job status, under /api/v3/projects/{project_id}/...

import re
import time
from typing import Any

from .iam import Principal, authenticate, hw_error
from .messages import Reply, Request, json_reply
from .world import CallContext, World, cce_time, random_uuid

BAD_REQUEST = "CCE.01400001"
FORBIDDEN = "CCE.01403001"
NOT_FOUND = "CCE.01404001"
MAX_REMOVE_NODES = 200  # at most 200 nodes per call (docs/api-decisions.md, "Huawei Cloud")
# ListNodes `limit`: 1..2000, 2000 when absent (huaweicloudsdkcce v3 ListNodesRequest).
MAX_LIST_LIMIT = 2000
MASKED_PASSWORD = "******"

NODES_RE = re.compile(r"/api/v3/projects/([^/]+)/clusters/([^/]+)/nodes")
NODE_RE = re.compile(r"/api/v3/projects/([^/]+)/clusters/([^/]+)/nodes/([^/]+)")
REMOVE_RE = re.compile(r"/api/v3/projects/([^/]+)/clusters/([^/]+)/nodes/operation/remove")
JOB_RE = re.compile(r"/api/v3/projects/([^/]+)/jobs/([^/]+)")


class BadRequest(Exception):
    pass


def v3_body(req: Request, kind: str) -> dict[str, Any]:
    """A CCE v3 request body: a JSON object whose ``apiVersion`` and ``kind``, when given, are v3 and ``kind``."""
    try:
        body = req.json()
    except ValueError as exc:
        raise BadRequest("request body is not JSON") from exc
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    if body.get("apiVersion", "v3") != "v3" or body.get("kind", kind) != kind:
        raise BadRequest(f"apiVersion must be v3 and kind {kind}")
    return body


def is_write(method: str) -> bool:
    # PUT: RemoveNodesTask; POST: ScaleNodePool and scale-down (un)lock (cce_pools.py).
    return method in ("PUT", "POST")


def render_node(node: dict[str, Any]) -> dict[str, Any]:
    status: dict[str, Any] = {"phase": node["phase"], "privateIP": node["privateIP"]}
    if node.get("jobID"):
        status["jobID"] = node["jobID"]
    metadata: dict[str, Any] = {"uid": node["uid"], "name": node["name"], "creationTimestamp": node["creationTimestamp"]}
    if node.get("pool"):
        # A node pool's nodes carry the pool's uid (NodeMetadata.annotations; terraform-provider-huaweicloud
        # finds a pool's nodes by it).
        metadata["annotations"] = {"kubernetes.io/node-pool.id": node["pool"]}
    return {
        "kind": "Node",
        "apiVersion": "v3",
        "metadata": metadata,
        "spec": {"flavor": node["flavor"], "az": node["az"], "login": {"sshKey": node["sshKey"]}},
        "status": status,
    }


def _cluster(world: World, cluster_id: str) -> dict[str, Any] | None:
    return world.state["cce"]["clusters"].get(cluster_id)


def _cluster_missing(cluster_id: str) -> Reply:
    return hw_error(404, NOT_FOUND, f"Cluster {cluster_id} not found")


def list_nodes(world: World, req: Request, cluster_id: str) -> Reply:
    """One page of nodes: `limit` (1..2000, default 2000, and never more than the configured
    `cce_page_size`), from after the node whose uid is `marker`. `pageInfo.nextMarker` is the
    page's last uid, absent on the last page (huaweicloudsdkcce v3 NodePageInfo)."""
    cluster = _cluster(world, cluster_id)
    if cluster is None:
        return _cluster_missing(cluster_id)
    raw_limit = req.query_first("limit")
    limit = MAX_LIST_LIMIT
    if raw_limit is not None:
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIST_LIMIT:
            return hw_error(400, BAD_REQUEST, f"limit must be an integer from 1 to {MAX_LIST_LIMIT}")
        limit = int(raw_limit)
    limit = min(limit, int(world.config.get("cce_page_size", MAX_LIST_LIMIT)))
    uids = list(cluster["nodes"])
    start = 0
    marker = req.query_first("marker")
    if marker:
        if marker not in cluster["nodes"]:
            # The vendor does not say what an unknown marker answers; refusing it is the
            # answer a client cannot mistake for "no more nodes".
            return hw_error(400, BAD_REQUEST, f"marker {marker} is not a node of cluster {cluster_id}")
        start = uids.index(marker) + 1
    page = uids[start:start + limit]
    page_info: dict[str, Any] = {"currentCount": len(page)}
    if start + limit < len(uids):
        page_info["nextMarker"] = page[-1]
    items = [render_node(cluster["nodes"][uid]) for uid in page]
    return json_reply({"kind": "List", "apiVersion": "v3", "items": items, "pageInfo": page_info})


def show_node(world: World, cluster_id: str, node_id: str) -> Reply:
    cluster = _cluster(world, cluster_id)
    if cluster is None:
        return _cluster_missing(cluster_id)
    node = cluster["nodes"].get(node_id)
    if node is None:
        return hw_error(404, NOT_FOUND, f"Node {node_id} not found in cluster {cluster_id}")
    return json_reply(render_node(node))


def _parse_login(spec: dict[str, Any]) -> dict[str, Any]:
    """The masked login block to answer with; the password itself is never kept or echoed."""
    login = spec.get("login")
    if not isinstance(login, dict):
        raise BadRequest("spec.login is required")
    ssh_key = login.get("sshKey")
    password_block = login.get("userPassword")
    has_key = ssh_key is not None
    has_password = password_block not in (None, {})  # the vendor page's own answer carries "userPassword": {}
    if has_key == has_password:
        raise BadRequest("spec.login needs exactly one of sshKey and userPassword")
    if has_key:
        if not isinstance(ssh_key, str) or not ssh_key:
            raise BadRequest("spec.login.sshKey must be a non-empty string")
        return {"sshKey": ssh_key, "userPassword": {}}
    if not isinstance(password_block, dict):
        raise BadRequest("spec.login.userPassword must be an object")
    username = password_block.get("username", "root")
    password = password_block.get("password")
    if not isinstance(username, str) or not username:
        raise BadRequest("spec.login.userPassword.username must be a non-empty string")
    if not isinstance(password, str) or not password:
        raise BadRequest("spec.login.userPassword.password is required")
    return {"userPassword": {"username": username, "password": MASKED_PASSWORD}}


def _parse_uids(spec: dict[str, Any]) -> list[str]:
    nodes = spec.get("nodes")
    if not isinstance(nodes, list) or not nodes:
        raise BadRequest("spec.nodes must be a non-empty array")
    if len(nodes) > MAX_REMOVE_NODES:
        raise BadRequest(f"spec.nodes has {len(nodes)} nodes; at most {MAX_REMOVE_NODES} can be removed per call")
    uids: list[str] = []
    for item in nodes:
        uid = item.get("uid") if isinstance(item, dict) else None
        if not isinstance(uid, str) or not uid:
            raise BadRequest("every item of spec.nodes needs a uid string")
        if uid in uids:
            raise BadRequest(f"node {uid} is listed twice")
        uids.append(uid)
    return uids


def remove_nodes(world: World, req: Request, cluster_id: str, principal: Principal, ctx: CallContext) -> Reply:
    if principal.read_only:
        return hw_error(403, FORBIDDEN, f"user {principal.user} has no permission for cce:node:delete")
    cluster = _cluster(world, cluster_id)
    if cluster is None:
        return _cluster_missing(cluster_id)
    try:
        body = v3_body(req, "RemoveNodesTask")
        spec = body.get("spec")
        if not isinstance(spec, dict):
            raise BadRequest("spec is required")
        login = _parse_login(spec)
        uids = _parse_uids(spec)
    except BadRequest as exc:
        return hw_error(400, BAD_REQUEST, str(exc))
    nodes = cluster["nodes"]
    unknown = [uid for uid in uids if uid not in nodes]
    if unknown:
        return hw_error(404, NOT_FOUND, f"Node(s) not found in cluster {cluster_id}: {', '.join(unknown)}")
    deleting = [uid for uid in uids if nodes[uid]["phase"] == "Deleting"]
    if deleting:
        return hw_error(400, BAD_REQUEST, f"Node(s) already being deleted: {', '.join(deleting)}")
    job_id = random_uuid()
    while job_id in world.state["jobs"]:
        job_id = random_uuid()
    world.new_job(ctx, job_id=job_id, service="cce", action="DeleteNode", cluster_id=cluster_id,
                  resource_ids=uids, now=time.time())
    for uid in uids:
        nodes[uid]["phase"] = "Deleting"
        nodes[uid]["jobID"] = job_id
    return json_reply({
        "apiVersion": "v3",
        "kind": "RemoveNodesTask",
        "spec": {"login": login, "nodes": [{"uid": uid} for uid in uids]},
        "status": {"jobID": job_id},
    })


def show_job(world: World, job_id: str) -> Reply:
    job = world.visible_job(job_id, "cce")
    if job is None:
        return hw_error(404, NOT_FOUND, f"Job {job_id} not found")
    updated = job["finished_at"] if job["finished_at"] is not None else job["created_at"]
    return json_reply({
        "kind": "Job",
        "apiVersion": "v3",
        "metadata": {"uid": job_id, "creationTimestamp": cce_time(job["created_at"]), "updateTimestamp": cce_time(updated)},
        "spec": {"type": "DeleteNode", "clusterUID": job["cluster_id"], "resourceID": job["cluster_id"], "subJobs": []},
        "status": {"phase": world.job_phase(job, time.time()), "reason": job["reason"]},
    })


def handle(world: World, req: Request, ctx: CallContext) -> Reply:
    path = req.raw_path
    for pattern, method in ((REMOVE_RE, "PUT"), (JOB_RE, "GET"), (NODES_RE, "GET"), (NODE_RE, "GET")):
        match = pattern.fullmatch(path)
        if match is None:
            continue
        if req.method != method:
            break
        project_id = match.group(1)
        principal = authenticate(world, req, project_id)
        if isinstance(principal, Reply):
            return principal
        if pattern is REMOVE_RE:
            return remove_nodes(world, req, match.group(2), principal, ctx)
        if pattern is JOB_RE:
            return show_job(world, match.group(2))
        if pattern is NODES_RE:
            return list_nodes(world, req, match.group(2))
        return show_node(world, match.group(2), match.group(3))
    return hw_error(404, "APIGW.0101", f"The API does not exist or has not been published: {req.method} {path}")
