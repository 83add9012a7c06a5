# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei Cloud CCE client: list nodes, remove nodes (RemoveNodesTask), read jobs.

Private to hpcops.clusters.
"""

from __future__ import annotations

__metaclass__ = type

from ansible_collections.hpcops.clusters.plugins.module_utils import answer_shapes, paging, waiters
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.api_limits import MAX_NODES_PER_REMOVE
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError, WaitError
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.client import HuaweiCloudClient, is_absent

NODES = "/api/v3/projects/{project}/clusters/{cluster}/nodes"
REMOVE = "/api/v3/projects/{project}/clusters/{cluster}/nodes/operation/remove"
JOB = "/api/v3/projects/{project}/jobs/{job}"
# Node pools (huaweicloudsdkcce v3 CceClient: list_node_pools, show_node_pool, scale_node_pool,
# lock_nodepool_node_scale_down, unlock_nodepool_node_scale_down).
NODE_POOLS = "/api/v3/projects/{project}/clusters/{cluster}/nodepools"
NODE_POOL = "/api/v3/projects/{project}/clusters/{cluster}/nodepools/{pool}"
SCALE_NODE_POOL = "/api/v3/projects/{project}/clusters/{cluster}/nodepools/{pool}/operation/scale"
NODE_SCALEDOWN_LOCK = "/api/v3/projects/{project}/clusters/{cluster}/nodes/{action}"


class CceClient(HuaweiCloudClient):
    service = "cce"

    def list_nodes(self, cluster_id: str) -> list:
        """Every node of the cluster, page after page.

        ListNodes answers at most ``limit`` nodes (1..2000, default 2000) after the node
        whose uid is ``marker``; ``pageInfo.nextMarker`` names the next page and is absent
        on the last one (huaweicloudsdkcce v3 ListNodesRequest, NodePageInfo;
        docs/api-decisions.md). Each page names the next, so they are read in turn.
        """
        path = self.path(NODES, project=self.project_id, cluster=cluster_id)

        def fetch(marker):
            answer = self.call("GET", path, query={"marker": marker} if marker else None, shape="CCE ListNodes")
            page_info = answer.get("pageInfo")
            if page_info is None:
                return answer["items"], None
            next_marker = page_info.get("nextMarker") if isinstance(page_info, dict) else None
            if not isinstance(page_info, dict) or not isinstance(next_marker, (str, type(None))):
                raise answer_shapes.unexpected_answer(self.endpoint, "CCE ListNodes",
                                                      "`pageInfo` is not an object with a string `nextMarker`")
            return answer["items"], next_marker

        return paging.marker_pages(fetch, "CCE ListNodes of cluster %s at %s" % (cluster_id, self.endpoint))

    def remove_nodes(self, cluster_id: str, uids: list, login: dict) -> str:
        """Submit one RemoveNodesTask; returns its job id. ``login`` is the API's Login object."""
        if not 1 <= len(uids) <= MAX_NODES_PER_REMOVE:
            raise ApiError("RemoveNodesTask takes 1 to %d nodes, not %d" % (MAX_NODES_PER_REMOVE, len(uids)))
        body = {"apiVersion": "v3", "kind": "RemoveNodesTask",
                "spec": {"login": login, "nodes": [{"uid": uid} for uid in uids]}}
        # Not idempotent: a second task for nodes already Deleting is refused, so an
        # ambiguous failure is settled by re-reading the node list, never by re-sending.
        answer = self.call("PUT", self.path(REMOVE, project=self.project_id, cluster=cluster_id), body=body,
                           shape="CCE RemoveNodesTask")
        return answer["status"]["jobID"]

    def get_job(self, job_id: str) -> dict | None:
        try:
            return self.call("GET", self.path(JOB, project=self.project_id, job=job_id), shape="CCE ShowJob")
        except ApiError as err:
            if is_absent(err):
                return None
            raise

    def wait_for_job(self, job_id: str, timeout: float | waiters.Deadline, sleep=None) -> dict:
        """Wait until the job's phase is Success; Failed raises WaitError with its reason."""
        state = {"phase": "unknown", "missing": 0}

        def check():
            job = self.get_job(job_id)
            if job is None:
                state["missing"] += 1
                if state["missing"] >= waiters.VANISHED_AFTER_MISSES:
                    raise WaitError("CCE job %s is unknown to the API (vanished)" % job_id,
                                    job_id=job_id, status="missing")
                return False, None
            state["missing"] = 0
            status = job.get("status") or {}
            state["phase"] = status.get("phase") or "unknown"
            if state["phase"] == "Failed":
                raise WaitError("CCE job %s failed: %s" % (job_id, status.get("reason") or "no reason given"),
                                job_id=job_id, status="Failed")
            return state["phase"] == "Success", job

        def describe(_value):
            return job_id, state["phase"], "CCE job %s (phase %s)" % (job_id, state["phase"])

        kwargs = {"sleep": sleep} if sleep else {}
        return waiters.poll(check, timeout, describe, **kwargs)

    # --- node pools ------------------------------------------------------------------------

    def _checked_pool(self, item, call: str) -> dict:
        from ansible_collections.hpcops.clusters.plugins.module_utils.answer_shapes import unexpected_answer
        from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.cce_pool_plan import pool_problem
        problem = pool_problem(item)
        if problem:
            raise unexpected_answer(self.endpoint, call, problem)
        return item

    def list_node_pools(self, cluster_id: str) -> list:
        """The cluster's node pools (NodePool items, each checked). The default pool is not asked for:
        its nodes are the cluster's own and it can't be scaled by count."""
        answer = self.call("GET", self.path(NODE_POOLS, project=self.project_id, cluster=cluster_id),
                           shape="CCE ListNodePools")
        return [self._checked_pool(item, "CCE ListNodePools") for item in answer["items"]]

    def show_node_pool(self, cluster_id: str, pool_id: str) -> dict:
        answer = self.call("GET", self.path(NODE_POOL, project=self.project_id, cluster=cluster_id, pool=pool_id),
                           shape="CCE ShowNodePool")
        return self._checked_pool(answer, "CCE ShowNodePool")

    def scale_node_pool(self, cluster_id: str, pool_id: str, count: int) -> str | None:
        """Set the pool's node count; returns the order id (yearly/monthly nodes only) or None.

        ``desiredNodeCount`` is always sent: huaweicloudsdkcce's ScaleNodePoolSpec says an omitted
        count is 0, which deletes every node of the scale group.
        """
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ApiError("ScaleNodePool needs a node count of 0 or more, not %r" % (count,))
        body = {"kind": "NodePool", "apiVersion": "v3",
                "spec": {"desiredNodeCount": count, "scaleGroups": ["default"]}}
        # Not re-sent after an ambiguous failure: the caller reads the pool's count first.
        answer = self.call("POST", self.path(SCALE_NODE_POOL, project=self.project_id, cluster=cluster_id,
                                             pool=pool_id), body=body, shape="CCE ScaleNodePool")
        order_id = answer.get("orderID")
        if order_id is not None and not isinstance(order_id, str):
            from ansible_collections.hpcops.clusters.plugins.module_utils.answer_shapes import unexpected_answer
            raise unexpected_answer(self.endpoint, "CCE ScaleNodePool", "`orderID` is not a string")
        return order_id or None

    def set_scale_down_lock(self, cluster_id: str, uids: list, locked: bool = True) -> None:
        """Protect nodes from (or open them to) removal by a lower pool count."""
        if not uids:
            raise ApiError("a scale-down lock needs at least one node")
        action = "locknodescaledown" if locked else "unlocknodescaledown"
        body = {"apiVersion": "v3", "kind": "List", "nodeList": list(uids)}
        # Locking a locked node again changes nothing, so a lost answer is simply sent again.
        self.call("POST", self.path(NODE_SCALEDOWN_LOCK, project=self.project_id, cluster=cluster_id, action=action),
                  body=body, safe_to_repeat=True,
                  shape="CCE LockNodeScaleDown" if locked else "CCE UnlockNodeScaleDown")
