# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

__metaclass__ = type


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  access_key_id:
    description:
      - QingCloud API access key ID.
      - If not set, the value of the E(QINGCLOUD_ACCESS_KEY_ID) environment variable is used.
    type: str
    required: true
  secret_access_key:
    description:
      - QingCloud API secret access key, used to sign every request (HMAC-SHA256). Never sent or logged.
      - If not set, the value of the E(QINGCLOUD_SECRET_ACCESS_KEY) environment variable is used.
    type: str
    required: true
  zone:
    description:
      - QingCloud zone of the cluster, for example V(jn1a).
      - If not set, the value of the E(QINGCLOUD_ZONE) environment variable is used.
    type: str
    required: true
  endpoint:
    description:
      - Base URL of the EHPC API.
      - If not set, the value of the E(QINGCLOUD_EHPC_ENDPOINT) environment variable is used,
        and failing that V(https://hpc-api.qingcloud.com).
      - Point it at the local simulator (for example V(http://127.0.0.1:8080)) to rehearse.
    type: str
  validate_certs:
    description:
      - Whether to verify the endpoint's TLS certificate. Turn off only for a trusted endpoint
        with a self-signed certificate.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for each HTTP answer (the connect timeout is the smaller of this and 10).
    type: int
    default: 30
notes:
  - Requests are retried with capped exponential backoff and jitter when the API is
    throttling or briefly unavailable (HTTP 429/5xx, C(ret_code) 5000, 5100, 5300).
    A write that may have reached the API is never re-sent blindly; the module re-reads
    the cluster first.
  - C(ret_code) 2500 (quota exceeded) is not retried, because the API call quota is per day.
requirements:
  - requests
"""
