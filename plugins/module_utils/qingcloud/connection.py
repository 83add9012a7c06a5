# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""QingCloud: options, credential rules and the EHPC client (private to hpcops.clusters)."""

from __future__ import annotations

__metaclass__ = type

from ansible_collections.hpcops.clusters.plugins.module_utils.connection import Connection

# Option -> the environment variable it falls back to (also named in failure messages).
QINGCLOUD_ENV = {
    "access_key_id": "QINGCLOUD_ACCESS_KEY_ID",
    "secret_access_key": "QINGCLOUD_SECRET_ACCESS_KEY",
    "zone": "QINGCLOUD_ZONE",
    "endpoint": "QINGCLOUD_EHPC_ENDPOINT",
}
REQUIRED = ("access_key_id", "secret_access_key", "zone")


class QingCloudConnection(Connection):
    option_env = QINGCLOUD_ENV
    required_options = REQUIRED
    secret_options = ("secret_access_key",)
    credential_options = REQUIRED

    @classmethod
    def problem(cls, params: dict) -> str | None:
        problem = super().problem(params)
        if problem:
            return problem
        missing = [name for name in REQUIRED if not params.get(name)]
        if missing:
            return "missing QingCloud credentials: set %s or the %s environment variable (a blank value counts as unset)" % (
                " and ".join(missing), " and ".join(QINGCLOUD_ENV[n] for n in missing))
        return None

    def client(self):
        from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.ehpc import EhpcClient
        p = self.params
        return EhpcClient(self.transport, p["access_key_id"], p["secret_access_key"], p["zone"], p.get("endpoint"))
