# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei Cloud CCE client: list nodes, remove nodes (RemoveNodesTask), read jobs.

Private to hpcops.clusters.
"""

from __future__ import annotations

__metaclass__ = type

from ansible_collections.hpcops.clusters.plugins.module_utils import answer_shapes, paging, waiters
from ansible_collections.hpcops.clusters.plugins.module_utils.api_limits import MAX_NODES_PER_REMOVE
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError, WaitError
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud_client import HuaweiCloudClient, is_absent

NODES = "/api/v3/projects/{project}/clusters/{cluster}/nodes"
REMOVE = "/api/v3/projects/{project}/clusters/{cluster}/nodes/operation/remove"
JOB = "/api/v3/projects/{project}/jobs/{job}"


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
