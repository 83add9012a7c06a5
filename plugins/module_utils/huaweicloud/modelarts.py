# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei Cloud ModelArts client: show, list and delete hyper clusters.

The calls and their answers follow the official SDK (huaweicloudsdkmodelarts
GetHyperCluster, ListHyperCluster, DeleteHyperCluster; docs/api-decisions.md): a hyper
cluster is answered as ``id``, ``name`` and ``network_info`` only, the list is of one
``type`` (HPS when none is sent) and has no paging.

Private to hpcops.clusters.
"""

from __future__ import annotations

__metaclass__ = type

import re

from ansible_collections.hpcops.clusters.plugins.module_utils import waiters
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.client import HuaweiCloudClient, is_absent

# The path parameters project_id and id are 1-64 letters, digits and hyphens; a bad one
# would otherwise reach the API as another path.
ID_PATTERN = re.compile(r"^[A-Za-z0-9-]{1,64}$")
HYPER_CLUSTERS = "/v1/{project}/dev-servers/hyper-clusters"
HYPER_CLUSTER = "/v1/{project}/dev-servers/hyper-clusters/{id}"
TYPES = ("HPS", "ECS")
DEFAULT_TYPE = "HPS"  # the API's own default for `type` on every call


def invalid_id(value) -> bool:
    return not isinstance(value, str) or not ID_PATTERN.match(value)


def public_hyper_cluster(cluster: dict | None, cluster_type: str) -> dict | None:
    """A hyper cluster as the modules return it: the API's three fields and its type.

    The API does not answer the type: every call is made for one type, so a hyper
    cluster found is of the type it was looked up as.
    """
    if cluster is None:
        return None
    return {
        "id": cluster.get("id"),
        "name": cluster.get("name"),
        "type": cluster_type,
        "network_info": cluster.get("network_info") or [],
    }


class ModelArtsClient(HuaweiCloudClient):
    service = "modelarts"

    def get_hyper_cluster(self, cluster_id: str, cluster_type: str = DEFAULT_TYPE) -> dict | None:
        """The hyper cluster (ShowHyperCluster), or None when the API answers 404."""
        try:
            return self.call("GET", self.path(HYPER_CLUSTER, project=self.project_id, id=cluster_id),
                             query={"type": cluster_type}, shape="ModelArts ShowHyperCluster")
        except ApiError as err:
            if is_absent(err):
                return None
            raise

    def list_hyper_clusters(self, cluster_type: str) -> list:
        """Every hyper cluster of one type (ListHyperCluster: one answer, no paging)."""
        answer = self.call("GET", self.path(HYPER_CLUSTERS, project=self.project_id),
                           query={"type": cluster_type}, shape="ModelArts ListHyperCluster")
        return answer["hyper_clusters"]

    def delete_hyper_cluster(self, cluster_id: str, cluster_type: str = DEFAULT_TYPE) -> bool:
        """DELETE, which answers 204. Returns False when it was already gone (404)."""
        try:
            # Deleting twice ends the same way, so a retry after a dropped connection is safe.
            self.call("DELETE", self.path(HYPER_CLUSTER, project=self.project_id, id=cluster_id),
                      query={"type": cluster_type}, safe_to_repeat=True, expect_json=False)
        except ApiError as err:
            if is_absent(err):
                return False
            raise
        return True

    def wait_until_gone(self, cluster_id: str, cluster_type: str, timeout: float | waiters.Deadline, sleep=None) -> None:
        """Poll ShowHyperCluster until it answers 404: the one documented sign of the end."""

        def check():
            return self.get_hyper_cluster(cluster_id, cluster_type) is None, None

        def describe(_value):
            return cluster_id, "present", "hyper cluster %s (type %s) to be deleted: it is still there" % (
                cluster_id, cluster_type)

        kwargs = {"sleep": sleep} if sleep else {}
        waiters.poll(check, timeout, describe, **kwargs)
