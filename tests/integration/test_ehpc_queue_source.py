"""The ehpc_queue event source driven in-process (asyncio) against the simulator.

The run under the real ansible-rulebook is test_ehpc_autoscale_rulebook.py; this checks the
plugin's events exactly and that an API error gives an error event and the source goes on.
"""

from __future__ import annotations

import asyncio
import importlib.util

from tests.integration.ansible_runner import REPO_ROOT
from tests.simulator.world import EHPC_CLUSTER_ID, QY_ACCESS_KEY, QY_SECRET_KEY, QY_ZONE

SOURCE = REPO_ROOT / "extensions" / "eda" / "plugins" / "event_source" / "ehpc_queue.py"


def load_source():
    spec = importlib.util.spec_from_file_location("ehpc_queue", SOURCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def first_events(args: dict, count: int, timeout: float = 60) -> list:
    source = load_source()

    async def run():
        queue: asyncio.Queue = asyncio.Queue()
        task = asyncio.create_task(source.main(queue, args))
        try:
            return [await asyncio.wait_for(queue.get(), timeout) for _event in range(count)]
        finally:
            task.cancel()
    return asyncio.run(run())


def creds(url: str) -> dict:
    return {"cluster_id": EHPC_CLUSTER_ID, "access_key_id": QY_ACCESS_KEY, "secret_access_key": QY_SECRET_KEY,
            "zone": QY_ZONE, "endpoint": url, "interval": 0.05}


def test_events_count_pending_running_idle_and_busy(sim):
    sim.start_hpc_job(["compute01"], job_name="running")
    for _pending in range(2):
        sim.queue_hpc_job()
    events = first_events(creds(sim.url), 2)
    assert events[0] == events[1] == {"ehpc": {"cluster_id": EHPC_CLUSTER_ID, "pending_jobs": 2, "running_jobs": 1,
                                               "idle_nodes": 1, "busy_nodes": 1, "compute_nodes": 2}}


def test_api_errors_give_error_events_and_the_source_keeps_polling(sim):
    args = dict(creds(sim.url), secret_access_key="wrong", max_backoff=0.2)
    events = first_events(args, 3)
    assert all(set(e) == {"ehpc_error"} for e in events)
    assert events[0]["ehpc_error"]["cluster_id"] == EHPC_CLUSTER_ID and events[0]["ehpc_error"]["message"]
