from __future__ import annotations

# Huawei CCE node pools: ListNodePools, ShowNodePool, ScaleNodePool and node scale-down
# protection (lock/unlock), as huaweicloudsdkcce v3 models them (CceClient.list_node_pools,
# show_node_pool, scale_node_pool, lock_nodepool_node_scale_down, unlock_nodepool_node_scale_down;
# models NodePool, NodePoolStatus, ScaleNodePoolRequestBody, LockNodeScaledownRequestBody).
#
# Scaling runs without a job: the answer is only an order id (ScaleNodePoolResponse), and the
# pool's status (currentNode / creatingNode / deletingNode) moves as world.advance() makes creating
# nodes Active and deleting nodes leave, job_seconds after the call.

import re
import time
from typing import Any

from .cce import BAD_REQUEST, FORBIDDEN, NOT_FOUND, BadRequest, v3_body
from .iam import Principal, authenticate, hw_error
from .messages import Reply, Request, json_reply
from .world import World, make_cce_node, make_pool, nth_ip, pool_node_name, random_uuid

PREFIX = r"/api/v3/projects/([^/]+)/clusters/([^/]+)"
POOLS_RE = re.compile(PREFIX + r"/nodepools")
POOL_RE = re.compile(PREFIX + r"/nodepools/([^/]+)")
SCALE_RE = re.compile(PREFIX + r"/nodepools/([^/]+)/operation/scale")
LOCK_RE = re.compile(PREFIX + r"/nodes/(locknodescaledown|unlocknodescaledown)")
DEFAULT_SCALE_GROUP = "default"
CREATING = ("Build", "Installing")


def _cluster(world: World, cluster_id: str) -> dict[str, Any] | None:
    return world.state["cce"]["clusters"].get(cluster_id)


def pool_nodes(cluster: dict[str, Any], pool_uid: str) -> list[dict[str, Any]]:
    nodes = [node for node in cluster["nodes"].values() if node.get("pool") == pool_uid]
    return sorted(nodes, key=lambda node: (node.get("created_at", 0.0), node["uid"]))


def render_pool(cluster: dict[str, Any], pool: dict[str, Any]) -> dict[str, Any]:
    nodes = pool_nodes(cluster, pool["uid"])
    deleting = [node for node in nodes if node["phase"] == "Deleting"]
    creating = [node for node in nodes if node["phase"] in CREATING]
    active = [node for node in nodes if node["phase"] == "Active"]
    scalable = pool["scalable"]
    condition = {"type": "Scalable", "status": scalable["status"]}
    if scalable["status"] == "False":
        condition.update(reason=scalable["reason"], message=scalable["message"])
    autoscaling = dict(pool["autoscaling"])
    return {
        "kind": "NodePool",
        "apiVersion": "v3",
        "metadata": {"name": pool["name"], "uid": pool["uid"], "creationTimestamp": pool["creationTimestamp"]},
        "spec": {
            "type": pool["type"],
            "nodeTemplate": {"flavor": pool["flavor"], "az": pool["az"], "billingMode": pool["billingMode"]},
            # NodePoolSpec.initialNodeCount: "when queried, the pool's target node count".
            "initialNodeCount": pool["initialNodeCount"],
            "autoscaling": autoscaling,
        },
        "status": {
            # currentNode: every node of the pool but those being deleted.
            "currentNode": len(nodes) - len(deleting),
            "creatingNode": len(creating),
            "deletingNode": len(deleting),
            "activeNode": len(active),
            "conditions": [condition],
        },
    }


def list_pools(world: World, cluster_id: str) -> Reply:
    cluster = _cluster(world, cluster_id)
    if cluster is None:
        return hw_error(404, NOT_FOUND, f"Cluster {cluster_id} not found")
    pools = sorted(cluster.get("pools", {}).values(), key=lambda pool: (pool["created_at"], pool["uid"]))
    return json_reply({"kind": "List", "apiVersion": "v3", "items": [render_pool(cluster, pool) for pool in pools]})


def _pool_or_error(world: World, cluster_id: str, pool_id: str) -> tuple[dict[str, Any], dict[str, Any]] | Reply:
    cluster = _cluster(world, cluster_id)
    if cluster is None:
        return hw_error(404, NOT_FOUND, f"Cluster {cluster_id} not found")
    pool = cluster.get("pools", {}).get(pool_id)
    if pool is None:
        return hw_error(404, NOT_FOUND, f"Node pool {pool_id} not found in cluster {cluster_id}")
    return cluster, pool


def show_pool(world: World, cluster_id: str, pool_id: str) -> Reply:
    found = _pool_or_error(world, cluster_id, pool_id)
    if isinstance(found, Reply):
        return found
    return json_reply(render_pool(*found))


def _parse_scale(req: Request) -> int:
    body = v3_body(req, "NodePool")
    spec = body.get("spec")
    if not isinstance(spec, dict):
        raise BadRequest("spec is required")
    groups = spec.get("scaleGroups")
    if not isinstance(groups, list) or not groups or not all(isinstance(g, str) for g in groups):
        raise BadRequest("spec.scaleGroups must name the scale groups to scale (\"default\" for the pool's own)")
    unknown = [g for g in groups if g != DEFAULT_SCALE_GROUP]
    if unknown:
        raise BadRequest(f"unknown scale group(s): {', '.join(unknown)}")
    # ScaleNodePoolSpec: "required; when omitted it defaults to 0, which deletes every node of the
    # pool's scale group". The simulator does exactly that, so a client that omits it is caught.
    count = spec.get("desiredNodeCount", 0)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise BadRequest("spec.desiredNodeCount must be 0 or a positive integer")
    return count


def scale_pool(world: World, req: Request, cluster_id: str, pool_id: str, principal: Principal) -> Reply:
    if principal.read_only:
        return hw_error(403, FORBIDDEN, f"user {principal.user} has no permission for cce:nodepool:update")
    found = _pool_or_error(world, cluster_id, pool_id)
    if isinstance(found, Reply):
        return found
    cluster, pool = found
    try:
        desired = _parse_scale(req)
    except BadRequest as exc:
        return hw_error(400, BAD_REQUEST, str(exc))
    now = time.time()
    seconds = float(world.config["job_seconds"])
    nodes = [node for node in pool_nodes(cluster, pool["uid"]) if node["phase"] != "Deleting"]
    pool["initialNodeCount"] = desired
    answer: dict[str, Any] = {}
    if desired > len(nodes):
        wanted = desired - len(nodes)
        # Scalable False: "the pool will not scale out again" (NodePoolCondition).
        possible = 0 if pool["scalable"]["status"] == "False" else wanted
        if pool["capacity"] is not None:
            possible = min(possible, pool["capacity"])
            pool["capacity"] -= possible
        for _index in range(possible):
            uid = random_uuid()
            while uid in cluster["nodes"]:
                uid = random_uuid()
            ts = world.next_create_ts(now)
            index = list(cluster["pools"]).index(pool["uid"])
            node = make_cce_node(uid, pool_node_name(pool), ts, nth_ip(f"192.168.{10 + index}.10", pool["next_ip"]),
                                 phase="Installing", pool=pool["uid"])
            node["ready_at"] = now + seconds
            pool["next_ip"] += 1
            cluster["nodes"][uid] = node
        if possible < wanted:
            pool["scalable"] = {"status": "False", "reason": "ResourceInsufficient",
                                "message": f"flavor {pool['flavor']} is sold out in {pool['az']}"}
        if pool["billingMode"] == 1:
            # ScaleNodePoolResponse.orderID: "returned only when yearly/monthly nodes are added".
            answer["orderID"] = "CS" + random_uuid().replace("-", "")[:22].upper()
    elif desired < len(nodes):
        # Nodes still being created go first, then the newest; a node protected from scale-down
        # (locknodescaledown) is never removed by lowering the count, so the pool may stay above it.
        candidates = [node for node in nodes if not node.get("locked")]
        candidates.sort(key=lambda node: (node["phase"] not in CREATING, -node.get("created_at", 0.0)))
        for node in candidates[:len(nodes) - desired]:
            node["phase"] = "Deleting"
            node["ready_at"] = None
            node["gone_at"] = now + seconds
    world.changed()
    return json_reply(answer)


def set_lock(world: World, req: Request, cluster_id: str, action: str, principal: Principal) -> Reply:
    if principal.read_only:
        return hw_error(403, FORBIDDEN, f"user {principal.user} has no permission for cce:node:update")
    cluster = _cluster(world, cluster_id)
    if cluster is None:
        return hw_error(404, NOT_FOUND, f"Cluster {cluster_id} not found")
    try:
        body = v3_body(req, "List")
        uids = body.get("nodeList")
        if not isinstance(uids, list) or not uids or not all(isinstance(uid, str) and uid for uid in uids):
            raise BadRequest("nodeList must be a non-empty array of node ids")
    except BadRequest as exc:
        return hw_error(400, BAD_REQUEST, str(exc))
    unknown = [uid for uid in uids if uid not in cluster["nodes"]]
    if unknown:
        return hw_error(404, NOT_FOUND, f"Node(s) not found in cluster {cluster_id}: {', '.join(unknown)}")
    for uid in uids:
        cluster["nodes"][uid]["locked"] = action == "locknodescaledown"
    world.changed()
    # LockNodepoolNodeScaleDownResponse / UnlockNodepoolNodeScaleDownResponse define no field.
    return json_reply({})


def handle(world: World, req: Request) -> Reply | None:
    """The answer to a node-pool call, or None when the path is not one (cce.handle answers it)."""
    path = req.raw_path
    for pattern, method in ((SCALE_RE, "POST"), (LOCK_RE, "POST"), (POOLS_RE, "GET"), (POOL_RE, "GET")):
        match = pattern.fullmatch(path)
        if match is None:
            continue
        if req.method != method:
            return hw_error(404, "APIGW.0101", f"The API does not exist or has not been published: {req.method} {path}")
        principal = authenticate(world, req, match.group(1))
        if isinstance(principal, Reply):
            return principal
        cluster_id = match.group(2)
        if pattern is SCALE_RE:
            return scale_pool(world, req, cluster_id, match.group(3), principal)
        if pattern is LOCK_RE:
            return set_lock(world, req, cluster_id, match.group(3), principal)
        if pattern is POOLS_RE:
            return list_pools(world, cluster_id)
        return show_pool(world, cluster_id, match.group(3))
    return None


# --- control API (/_sim/cce/node_pools) --------------------------------------------------------

class ControlProblem(ValueError):
    pass


def _int_field(body: dict[str, Any], name: str, low: int = 0, high: int = 5000) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ControlProblem(f"{name} must be an integer from {low} to {high}")
    return value


def _apply_settings(pool: dict[str, Any], body: dict[str, Any]) -> None:
    if "autoscaling" in body:
        bounds = body["autoscaling"]
        if bounds is None:
            pool["autoscaling"] = {"enable": False}
        elif isinstance(bounds, dict) and set(bounds) <= {"min", "max"}:
            low, high = _int_field(bounds, "min") or 0, _int_field(bounds, "max") or 0
            if low > high:
                raise ControlProblem("autoscaling min is above max")
            pool["autoscaling"] = {"enable": True, "minNodeCount": low, "maxNodeCount": high}
        else:
            raise ControlProblem("autoscaling must be null or {\"min\": n, \"max\": m}")
    if "capacity" in body:
        # How many more nodes can still come up; null: no limit. Scalable turns False when a scale-out
        # asks for more.
        pool["capacity"] = _int_field(body, "capacity")
    if "sold_out" in body:
        sold_out = body["sold_out"]
        if sold_out is None or sold_out is False:
            pool["scalable"] = {"status": "True", "reason": "", "message": ""}
        elif isinstance(sold_out, dict) and isinstance(sold_out.get("reason", ""), str):
            pool["scalable"] = {"status": "False", "reason": sold_out.get("reason") or "ResourceInsufficient",
                                "message": str(sold_out.get("message") or "sold out")}
            pool["capacity"] = 0 if pool["capacity"] is None else pool["capacity"]
        else:
            raise ControlProblem("sold_out must be null or {\"reason\": ..., \"message\": ...}")
    if "billing_mode" in body:
        if body["billing_mode"] not in (0, 1) or isinstance(body["billing_mode"], bool):
            raise ControlProblem("billing_mode must be 0 (on demand) or 1 (yearly/monthly)")
        pool["billingMode"] = body["billing_mode"]


KNOWN_KEYS = {"cluster_id", "name", "nodes", "autoscaling", "capacity", "sold_out", "billing_mode"}


def control_create(world: World, body: Any, default_cluster: str) -> dict[str, Any]:
    """A new pool: ``{"cluster_id"?, "name", "nodes"?, "autoscaling"?, "capacity"?, "sold_out"?, "billing_mode"?}``."""
    if not isinstance(body, dict) or not isinstance(body.get("name"), str) or not body["name"]:
        raise ControlProblem("a node pool needs a name")
    unknown = set(body) - KNOWN_KEYS
    if unknown:
        raise ControlProblem(f"unknown node pool keys: {', '.join(sorted(unknown))}")
    cluster = _cluster(world, body.get("cluster_id", default_cluster))
    if cluster is None:
        raise ControlProblem(f"no CCE cluster {body.get('cluster_id')}")
    pools = cluster.setdefault("pools", {})
    if any(pool["name"] == body["name"] for pool in pools.values()):
        raise ControlProblem(f"a node pool named {body['name']} exists already")
    now = time.time()
    pool = make_pool(random_uuid(), body["name"], world.next_create_ts(now))
    _apply_settings(pool, body)
    count = _int_field(body, "nodes") or 0
    pools[pool["uid"]] = pool
    index = len(pools) - 1
    for _number in range(count):
        uid = random_uuid()
        cluster["nodes"][uid] = make_cce_node(uid, pool_node_name(pool), world.next_create_ts(now),
                                              nth_ip(f"192.168.{10 + index}.10", pool["next_ip"]), pool=pool["uid"])
        pool["next_ip"] += 1
    pool["initialNodeCount"] = count
    world.changed()
    return {"uid": pool["uid"], "name": pool["name"]}


def control_update(world: World, pool_ref: str, body: Any, default_cluster: str) -> dict[str, Any]:
    """Change a pool's autoscaling, capacity, sold-out condition or billing mode (by uid or name)."""
    if not isinstance(body, dict):
        raise ControlProblem("body must be a JSON object")
    unknown = set(body) - (KNOWN_KEYS - {"name", "nodes"})
    if unknown:
        raise ControlProblem(f"unknown node pool keys: {', '.join(sorted(unknown))}")
    cluster = _cluster(world, body.get("cluster_id", default_cluster))
    if cluster is None:
        raise ControlProblem(f"no CCE cluster {body.get('cluster_id')}")
    pools = cluster.get("pools", {})
    pool = pools.get(pool_ref) or next((p for p in pools.values() if p["name"] == pool_ref), None)
    if pool is None:
        raise ControlProblem(f"no node pool {pool_ref}")
    _apply_settings(pool, body)
    world.changed()
    return {"uid": pool["uid"], "name": pool["name"]}
