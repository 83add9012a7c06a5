# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

__metaclass__ = type


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  region:
    description:
      - Huawei Cloud region, for example V(cn-north-4). Service and IAM endpoints are derived from it
        (C(https://<service>.<region>.myhuaweicloud.com)) unless given.
      - If not set, the value of the E(HW_REGION_NAME) environment variable is used.
    type: str
  project_id:
    description:
      - Project ID (the C(project_id) path parameter of every call).
      - If not set, the value of the E(HW_PROJECT_ID) environment variable is used.
    type: str
    required: true
  auth_token:
    description:
      - An IAM token, sent as C(X-Auth-Token). Takes precedence over the other credentials.
      - If not set, the value of the E(HW_AUTH_TOKEN) environment variable is used.
    type: str
  access_key:
    description:
      - Access key (AK) for AK/SK request signing (C(SDK-HMAC-SHA256)). Needs O(secret_key).
      - If not set, the value of the E(HW_ACCESS_KEY) environment variable is used.
    type: str
  secret_key:
    description:
      - Secret key (SK) for AK/SK signing. Never sent or logged.
      - If not set, the value of the E(HW_SECRET_KEY) environment variable is used.
    type: str
  security_token:
    description:
      - Security token of temporary AK/SK credentials, sent as C(X-Security-Token).
      - If not set, the value of the E(HW_SECURITY_TOKEN) environment variable is used.
    type: str
  iam_user:
    description:
      - IAM user name; with O(iam_password) and O(iam_domain) a project-scoped token is asked
        of IAM once per task. Used when neither O(auth_token) nor O(access_key) is set.
      - If not set, the value of the E(HW_USER_NAME) environment variable is used.
    type: str
  iam_password:
    description:
      - Password of O(iam_user).
      - If not set, the value of the E(HW_USER_PASSWORD) environment variable is used.
    type: str
  iam_domain:
    description:
      - Account (domain) name of O(iam_user).
      - If not set, the value of the E(HW_DOMAIN_NAME) environment variable is used.
    type: str
  iam_endpoint:
    description:
      - Base URL of IAM, when it is not C(https://iam.<region>.myhuaweicloud.com).
      - If not set, the value of the E(HW_IAM_ENDPOINT) environment variable is used.
    type: str
  endpoint:
    description:
      - Base URL of the service the module calls (CCE or ModelArts), when it is not
        C(https://<service>.<region>.myhuaweicloud.com).
      - If not set, the value of E(HW_CCE_ENDPOINT) is used by the CCE modules and of
        E(HW_MODELARTS_ENDPOINT) by the ModelArts modules.
    type: str
  validate_certs:
    description:
      - Whether to verify the endpoints' TLS certificates. Turn off only for a trusted endpoint
        with a self-signed certificate.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for each HTTP answer (the connect timeout is the smaller of this and 10).
    type: int
    default: 30
notes:
  - "Credentials are taken in this order: O(auth_token); O(access_key) and O(secret_key)
    (with O(security_token) for temporary credentials); O(iam_user), O(iam_password) and O(iam_domain)."
  - Reads are retried with capped exponential backoff and jitter on HTTP 429 and 5xx (honouring
    C(Retry-After)). A write that may have reached the API is never re-sent blindly.
requirements:
  - requests
"""
