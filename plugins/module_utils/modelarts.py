# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei Cloud ModelArts client: show, list and delete hyper clusters (seed 003).

Private to hpcops.clusters.
"""

from __future__ import annotations

__metaclass__ = type

import re

from ansible_collections.hpcops.clusters.plugins.module_utils import waiters
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud_client import HuaweiCloudClient

# Seed 003: project_id and id are 1-64 letters, digits and hyphens.
ID_PATTERN = re.compile(r"^[A-Za-z0-9-]{1,64}$")
HYPER_CLUSTERS = "/v1/{project}/dev-servers/hyper-clusters"
HYPER_CLUSTER = "/v1/{project}/dev-servers/hyper-clusters/{id}"
TYPES = ("HPS", "ECS")


def invalid_id(value) -> bool:
    return not isinstance(value, str) or not ID_PATTERN.match(value)


class ModelArtsClient(HuaweiCloudClient):
    service = "modelarts"

    def get_hyper_cluster(self, cluster_id: str, cluster_type: str = "HPS") -> dict | None:
        """The hyper cluster, or None when the API answers 404 (api-notes: 404 is absent)."""
        try:
            return self.call("GET", self.path(HYPER_CLUSTER, project=self.project_id, id=cluster_id),
                             query={"type": cluster_type})
        except ApiError as err:
            if err.status == 404:
                return None
            raise

    def list_hyper_clusters(self, cluster_type: str | None = None) -> list:
        clusters = []
        while True:
            query = {"limit": 100, "offset": len(clusters)}
            if cluster_type:
                query["type"] = cluster_type
            answer = self.call("GET", self.path(HYPER_CLUSTERS, project=self.project_id), query=query) or {}
            page = answer.get("hyper_clusters") or []
            clusters.extend(page)
            if not page or len(clusters) >= int(answer.get("total") or 0):
                return clusters

    def delete_hyper_cluster(self, cluster_id: str, cluster_type: str = "HPS") -> bool:
        """DELETE, which answers 204. Returns False when it was already gone (404)."""
        try:
            # Deleting twice ends the same way, so a retry after a dropped connection is safe.
            self.call("DELETE", self.path(HYPER_CLUSTER, project=self.project_id, id=cluster_id),
                      query={"type": cluster_type}, safe_to_repeat=True, expect_json=False)
        except ApiError as err:
            if err.status == 404:
                return False
            raise
        return True

    def wait_until_gone(self, cluster_id: str, cluster_type: str, timeout: float | waiters.Deadline, sleep=None) -> None:
        state = {"status": "unknown"}

        def check():
            cluster = self.get_hyper_cluster(cluster_id, cluster_type)
            if cluster is not None:
                state["status"] = cluster.get("status") or "present"
            return cluster is None, None

        def describe(_value):
            return cluster_id, state["status"], "hyper cluster %s to be deleted (status %s)" % (
                cluster_id, state["status"])

        kwargs = {"sleep": sleep} if sleep else {}
        waiters.poll(check, timeout, describe, **kwargs)
