from __future__ import annotations

# Huawei ModelArts Lite Server hyper clusters: show, list and delete under
# /v1/{project_id}/dev-servers/hyper-clusters. The answers carry only what the official
# SDK's models define (huaweicloudsdkmodelarts GetHyperClusterResponse, ListHyperClusterResponse,
# HyperCluster, HyperClusterNetworkInfo; see docs/api-decisions.md): id, name and network_info.
# The type and the deletion status are kept in the state, never answered.

import re
import time
from typing import Any
from urllib.parse import unquote

from .iam import authenticate, hw_error
from .messages import Reply, Request, json_reply
from .world import CallContext, World, random_uuid

# Lite Server error codes follow "ModelArts.5000" + HTTP status + "0" (e.g. the documented
# ModelArts.50004000 "Bad request." and ModelArts.50005000 "internal error").
BAD_REQUEST = "ModelArts.50004000"
FORBIDDEN = "ModelArts.50004030"
NOT_FOUND = "ModelArts.50004040"
TYPES = ("HPS", "ECS")
DEFAULT_TYPE = "HPS"  # ShowHyperCluster, ListHyperCluster and DeleteHyperCluster: type defaults to HPS
ID_RE = re.compile(r"[A-Za-z0-9-]{1,64}")  # path ids: 1-64 letters, digits, hyphens
LIST_RE = re.compile(r"/v1/([^/]*)/dev-servers/hyper-clusters")
ITEM_RE = re.compile(r"/v1/([^/]*)/dev-servers/hyper-clusters/([^/]*)")
ANSWERED = ("id", "name", "network_info")


def is_write(method: str) -> bool:
    return method == "DELETE"


def render(cluster: dict[str, Any]) -> dict[str, Any]:
    return {key: cluster[key] for key in ANSWERED}


def _type(req: Request, default: str | None) -> str | None:
    value = req.query_first("type")
    if value is None or value == "":
        return default
    if value not in TYPES:
        raise ValueError(f"type must be HPS or ECS, not {value!r}")
    return value


def _find(world: World, cluster_id: str, kind: str) -> dict[str, Any] | None:
    cluster = world.state["hyper_clusters"].get(cluster_id)
    # A cluster of the other type counts as absent: the type selects the lookup.
    if cluster is None or cluster["type"] != kind:
        return None
    return cluster


def _not_found(cluster_id: str, kind: str) -> Reply:
    return hw_error(404, NOT_FOUND, f"Hyper cluster {cluster_id} of type {kind} not found")


def _not_published(req: Request) -> Reply:
    return hw_error(404, "APIGW.0101", f"The API does not exist or has not been published: {req.method} {req.raw_path}")


def handle(world: World, req: Request, ctx: CallContext) -> Reply:
    item = ITEM_RE.fullmatch(req.raw_path)
    if item is not None:
        if req.method not in ("GET", "DELETE"):
            return _not_published(req)
        return _handle_item(world, req, ctx, unquote(item.group(1)), unquote(item.group(2)))
    listing = LIST_RE.fullmatch(req.raw_path)
    if listing is not None and req.method == "GET":
        return _handle_list(world, req, unquote(listing.group(1)))
    return _not_published(req)


def _bad_id(label: str, value: str) -> Reply | None:
    if ID_RE.fullmatch(value):
        return None
    return hw_error(400, BAD_REQUEST, f"{label} must be 1 to 64 letters, digits or hyphens")


def _handle_list(world: World, req: Request, project_id: str) -> Reply:
    invalid = _bad_id("project_id", project_id)
    if invalid is not None:
        return invalid
    try:
        kind = _type(req, DEFAULT_TYPE)
    except ValueError as exc:
        return hw_error(400, BAD_REQUEST, str(exc))
    principal = authenticate(world, req, project_id)
    if isinstance(principal, Reply):
        return principal
    # One list of one type, no paging (ListHyperClusterRequest has only `type`); other
    # query parameters are ignored, as an API gateway does.
    clusters = sorted((c for c in world.state["hyper_clusters"].values() if c["type"] == kind),
                      key=lambda c: (c["created_at"], c["id"]))
    return json_reply({"hyper_clusters": [render(c) for c in clusters]})


def _handle_item(world: World, req: Request, ctx: CallContext, project_id: str, cluster_id: str) -> Reply:
    invalid = _bad_id("project_id", project_id) or _bad_id("id", cluster_id)
    if invalid is not None:
        return invalid
    try:
        kind = _type(req, DEFAULT_TYPE) or DEFAULT_TYPE
    except ValueError as exc:
        return hw_error(400, BAD_REQUEST, str(exc))
    principal = authenticate(world, req, project_id)
    if isinstance(principal, Reply):
        return principal
    if req.method == "GET":
        cluster = _find(world, cluster_id, kind)
        return json_reply(render(cluster)) if cluster else _not_found(cluster_id, kind)
    if principal.read_only:
        return hw_error(403, FORBIDDEN, f"user {principal.user} has no permission for modelarts:hyperCluster:delete")
    cluster = _find(world, cluster_id, kind)
    if cluster is None:
        return _not_found(cluster_id, kind)
    if cluster["status"] != "Deleting":  # a repeated DELETE while deleting starts no new job
        cluster["status"] = "Deleting"
        world.new_job(ctx, job_id="hcdel-" + random_uuid(), service="modelarts", action="DeleteHyperCluster",
                      cluster_id=cluster_id, resource_ids=[cluster_id], now=time.time())
    return Reply(status=204)
