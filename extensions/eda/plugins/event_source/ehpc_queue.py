# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Event source hpcops.clusters.ehpc_queue: an EHPC cluster's HPC job queue and nodes, polled.

Arguments (credentials fall back to the same QINGCLOUD_* environment variables as the modules):
  cluster_id (required), interval (seconds, default 60), access_key_id, secret_access_key,
  zone, endpoint, validate_certs (default true), max_backoff (seconds, default 600).

Every poll puts one event:
  {"ehpc": {"cluster_id", "pending_jobs", "running_jobs", "idle_nodes", "busy_nodes", "compute_nodes"}}
An API error puts {"ehpc_error": {"cluster_id", "message"}} instead and the next poll waits
twice as long (up to max_backoff); the source never exits on an API error.

The calls are the modules' own (module_utils/ehpc.EhpcClient, same signing and retries),
run in a worker thread so the blocking HTTP client doesn't stall the event loop.
"""

from __future__ import annotations

import asyncio
import os

from ansible_collections.hpcops.clusters.plugins.module_utils.ehpc import EhpcClient
from ansible_collections.hpcops.clusters.plugins.module_utils.ehpc_node_plan import removable
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError
from ansible_collections.hpcops.clusters.plugins.module_utils.hpc_jobs import busy_nodes
from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud_connection import QingCloudConnection


def _client(args: dict) -> EhpcClient:
    options = QingCloudConnection.options_from(args, os.environ)
    problem = QingCloudConnection.problem(options)
    if problem:
        raise ValueError("ehpc_queue: %s" % problem)
    return QingCloudConnection(options).client()


def snapshot(client: EhpcClient, cluster_id: str) -> dict:
    """One read of the queue and the nodes (blocking)."""
    nodes = [n for n in client.list_nodes(cluster_id) if n.get("role") == "compute" and removable(n)]
    running = client.list_hpc_jobs(cluster_id, "running")
    pending = client.list_hpc_jobs(cluster_id, "pending")
    busy = busy_nodes(nodes, running)
    return {"cluster_id": cluster_id, "pending_jobs": len(pending), "running_jobs": len(running),
            "idle_nodes": len(nodes) - len(busy), "busy_nodes": len(busy), "compute_nodes": len(nodes)}


async def main(queue: asyncio.Queue, args: dict):
    cluster_id = args.get("cluster_id")
    if not cluster_id:
        raise ValueError("ehpc_queue: cluster_id is required")
    interval = float(args.get("interval", 60))
    max_backoff = float(args.get("max_backoff", 600))
    client = _client(args)
    loop = asyncio.get_running_loop()
    wait = interval
    while True:
        try:
            event = await loop.run_in_executor(None, snapshot, client, cluster_id)
        except (ApiError, OSError, ValueError) as exc:
            await queue.put({"ehpc_error": {"cluster_id": cluster_id, "message": str(exc)}})
            wait = min(max(wait, interval) * 2, max_backoff)
        else:
            await queue.put({"ehpc": event})
            wait = interval
        await asyncio.sleep(wait)


if __name__ == "__main__":
    class _Print:
        async def put(self, event):
            print(event, flush=True)

    asyncio.run(main(_Print(), {"cluster_id": os.environ.get("EHPC_CLUSTER_ID"), "interval": 5}))
