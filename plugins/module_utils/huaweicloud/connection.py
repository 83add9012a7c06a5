# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei Cloud: options, credential rules and service clients (private to hpcops.clusters).

One connection class per service, because each service has its own endpoint and its own
endpoint environment variable; credentials and their rules are the same for all.
"""

from __future__ import annotations

__metaclass__ = type

from ansible_collections.hpcops.clusters.plugins.module_utils.connection import Connection

HUAWEI_ENV = {
    "region": "HW_REGION_NAME",
    "project_id": "HW_PROJECT_ID",
    "auth_token": "HW_AUTH_TOKEN",
    "access_key": "HW_ACCESS_KEY",
    "secret_key": "HW_SECRET_KEY",
    "security_token": "HW_SECURITY_TOKEN",
    "iam_user": "HW_USER_NAME",
    "iam_password": "HW_USER_PASSWORD",
    "iam_domain": "HW_DOMAIN_NAME",
    "iam_endpoint": "HW_IAM_ENDPOINT",
}
SECRETS = ("auth_token", "secret_key", "security_token", "iam_password")


def credentials_problem(params: dict) -> str | None:
    """Why the Huawei credentials given can't work, or None."""
    if params.get("auth_token"):
        return None
    if bool(params.get("access_key")) != bool(params.get("secret_key")):
        return "access_key and secret_key must be given together"
    if params.get("access_key"):
        return None
    iam = [params.get(name) for name in ("iam_user", "iam_password", "iam_domain")]
    if all(iam):
        if not (params.get("region") or params.get("iam_endpoint")):
            return "iam_user needs region or iam_endpoint to find IAM"
        return None
    if any(iam):
        return "iam_user, iam_password and iam_domain must be given together"
    return ("no Huawei Cloud credentials: give auth_token, or access_key and secret_key, or "
            "iam_user, iam_password and iam_domain (or their HW_* environment variables)")


class HuaweiCloudConnection(Connection):
    """Subclasses name their service's endpoint variable and client."""

    required_options = ("project_id",)
    secret_options = SECRETS
    credential_options = tuple(name for name in HUAWEI_ENV if name != "iam_endpoint")
    endpoint_env: str = ""

    @classmethod
    def environment(cls) -> dict:
        return dict(HUAWEI_ENV, endpoint=cls.endpoint_env)

    @classmethod
    def problem(cls, params: dict) -> str | None:
        problem = super().problem(params)
        if problem:
            return problem
        if not params.get("project_id"):
            return "missing Huawei Cloud project_id: set project_id or HW_PROJECT_ID (a blank value counts as unset)"
        problem = credentials_problem(params)
        if problem:
            return problem
        if not (params.get("endpoint") or params.get("region")):
            return "region is required to derive the service endpoint (or set endpoint)"
        return None

    def auth(self):
        from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.auth import HuaweiAuth
        p = self.params
        return HuaweiAuth(self.transport, p["project_id"], region=p.get("region"), auth_token=p.get("auth_token"),
                          access_key=p.get("access_key"), secret_key=p.get("secret_key"),
                          security_token=p.get("security_token"), iam_user=p.get("iam_user"),
                          iam_password=p.get("iam_password"), iam_domain=p.get("iam_domain"),
                          iam_endpoint=p.get("iam_endpoint"))

    def service_client(self, client_class):
        return client_class(self.transport, self.auth(), self.params.get("endpoint"))


class CceConnection(HuaweiCloudConnection):
    endpoint_env = "HW_CCE_ENDPOINT"

    def client(self):
        from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.cce import CceClient
        return self.service_client(CceClient)


class ModelArtsConnection(HuaweiCloudConnection):
    endpoint_env = "HW_MODELARTS_ENDPOINT"

    def client(self):
        from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.modelarts import ModelArtsClient
        return self.service_client(ModelArtsClient)
