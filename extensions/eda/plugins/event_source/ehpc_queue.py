# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Event source hpcops.clusters.ehpc_queue: an EHPC cluster's HPC job queue and nodes, polled.

Arguments (credentials fall back to the same QINGCLOUD_* environment variables as the modules):
  cluster_id (required), interval (seconds, at least 1, default 60), access_key_id,
  secret_access_key, zone, endpoint, validate_certs (default true), max_backoff (seconds, at
  least interval, default 600 or interval if longer). They are checked at start: a wrong one stops the source with a
  message that names it, before any API call. A number may be given as text ("60").

Every poll puts one event:
  {"ehpc": {"cluster_id", "pending_jobs", "running_jobs", "idle_nodes", "busy_nodes", "compute_nodes"}}
Jobs count by their own job_status (the job list is filtered again after the API's filter), and a
running job whose nodes can't be identified makes every compute node busy (docs/api-decisions.md).
An API error or an answer of the wrong shape puts {"ehpc_error": {"cluster_id", "message"}}
instead and the next poll waits twice as long (up to max_backoff); once the source has
started, nothing it reads makes it exit.

The calls are the modules' own (module_utils/qingcloud/ehpc.EhpcClient, same signing, retries and answer
checks), run in a worker thread so the blocking HTTP client doesn't stall the event loop.
"""

from __future__ import annotations

import asyncio
import math
import os

from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.ehpc import EhpcClient
from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.ehpc_node_plan import CLUSTER_ID_PATTERN, removable
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError, WaitError
from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.hpc_jobs import busy_nodes
from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.connection import QingCloudConnection


MIN_INTERVAL = 1.0  # seconds; 0 made 400 API calls in 20 s (issue 29 item 5)
DEFAULTS = {"interval": 60.0, "max_backoff": 600.0}


def _seconds(args: dict, name: str, minimum: float) -> float:
    """``args[name]`` as seconds, or ValueError naming the argument."""
    value = args.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULTS[name]
    number = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            pass
    if number is None or math.isnan(number) or math.isinf(number):
        raise ValueError("ehpc_queue: %s must be a number of seconds, got %r" % (name, value))
    if number < minimum:
        raise ValueError("ehpc_queue: %s must be at least %s seconds, got %r" % (name, _text(minimum), value))
    return number


def _text(seconds: float) -> str:
    return ("%d" % seconds) if float(seconds).is_integer() else ("%s" % seconds)


def settings(args: dict) -> dict:
    """The checked arguments: cluster_id, interval, max_backoff. ValueError names a wrong one."""
    if not isinstance(args, dict):
        raise ValueError("ehpc_queue: the arguments must be a mapping, got %s" % type(args).__name__)
    cluster_id = args.get("cluster_id")
    if not cluster_id:
        raise ValueError("ehpc_queue: cluster_id is required")
    if not isinstance(cluster_id, str) or not CLUSTER_ID_PATTERN.match(cluster_id):
        raise ValueError("ehpc_queue: cluster_id %r is not an EHPC cluster ID (ehpc- followed by letters and digits)"
                         % (cluster_id,))
    interval = _seconds(args, "interval", MIN_INTERVAL)
    max_backoff = _seconds(args, "max_backoff", MIN_INTERVAL)
    given = args.get("max_backoff")
    if given is None or (isinstance(given, str) and not given.strip()):
        max_backoff = max(max_backoff, interval)  # the default never undercuts a long interval
    if max_backoff < interval:
        raise ValueError("ehpc_queue: max_backoff (%s) must be at least interval (%s)"
                         % (_text(max_backoff), _text(interval)))
    return {"cluster_id": cluster_id, "interval": interval, "max_backoff": max_backoff}


def _client(args: dict) -> EhpcClient:
    try:
        options = QingCloudConnection.options_from(args, os.environ)
    except (TypeError, ValueError) as exc:
        raise ValueError("ehpc_queue: %s" % exc) from None
    problem = QingCloudConnection.problem(options)
    if problem:
        raise ValueError("ehpc_queue: %s" % problem)
    return QingCloudConnection(options).client()


def snapshot(client: EhpcClient, cluster_id: str) -> dict:
    """One read of the queue and the nodes (blocking)."""
    nodes = [n for n in client.list_nodes(cluster_id) if n.get("role") == "compute" and removable(n)]
    # list_hpc_jobs checks each entry's shape and keeps only the jobs in the status asked for.
    running = client.list_hpc_jobs(cluster_id, "running")
    pending = client.list_hpc_jobs(cluster_id, "pending")
    busy = busy_nodes(nodes, running)
    return {"cluster_id": cluster_id, "pending_jobs": len(pending), "running_jobs": len(running),
            "idle_nodes": len(nodes) - len(busy), "busy_nodes": len(busy), "compute_nodes": len(nodes)}


def _message(exc: Exception) -> str:
    if isinstance(exc, (ApiError, WaitError, OSError, ValueError)):
        return str(exc)
    # Not an error the client knows: still an event, never a dead source.
    return "unexpected error reading the cluster: %s: %s" % (type(exc).__name__, exc)


async def main(queue: asyncio.Queue, args: dict):
    checked = settings(args)
    cluster_id, interval, max_backoff = checked["cluster_id"], checked["interval"], checked["max_backoff"]
    client = _client(args)
    loop = asyncio.get_running_loop()
    wait = interval
    while True:
        try:
            event = await loop.run_in_executor(None, snapshot, client, cluster_id)
        except Exception as exc:  # pylint: disable=broad-except
            await queue.put({"ehpc_error": {"cluster_id": cluster_id, "message": _message(exc)}})
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
