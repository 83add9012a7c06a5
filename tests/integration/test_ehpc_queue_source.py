"""The ehpc_queue event source driven in-process (asyncio) against the simulator.

The run under the real ansible-rulebook is test_ehpc_autoscale_rulebook.py; this checks the
plugin's events exactly and that an API error gives an error event and the source goes on.
"""

from __future__ import annotations

import asyncio
import importlib.util

import pytest

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
            "zone": QY_ZONE, "endpoint": url, "interval": 1}


def test_events_count_pending_running_idle_and_busy(sim):
    sim.start_hpc_job(["compute01"], job_name="running")
    for _pending in range(2):
        sim.queue_hpc_job()
    events = first_events(creds(sim.url), 2)
    assert events[0] == events[1] == {"ehpc": {"cluster_id": EHPC_CLUSTER_ID, "pending_jobs": 2, "running_jobs": 1,
                                               "idle_nodes": 1, "busy_nodes": 1, "compute_nodes": 2}}


def test_api_errors_give_error_events_and_the_source_keeps_polling(sim):
    args = dict(creds(sim.url), secret_access_key="wrong", max_backoff=1)
    events = first_events(args, 3)
    assert all(set(e) == {"ehpc_error"} for e in events)
    assert events[0]["ehpc_error"]["cluster_id"] == EHPC_CLUSTER_ID and events[0]["ehpc_error"]["message"]


# --- arguments are checked at start, each named (issue 29 items 4 and 5) -----------------------

@pytest.mark.parametrize("changes, message", [
    ({"interval": 0}, "interval must be at least 1 seconds, got 0"),
    ({"interval": -5}, "interval must be at least 1 seconds, got -5"),
    ({"interval": "0"}, "interval must be at least 1 seconds, got '0'"),
    ({"interval": 0.5}, "interval must be at least 1 seconds, got 0.5"),
    ({"interval": "abc"}, "interval must be a number of seconds, got 'abc'"),
    ({"interval": True}, "interval must be a number of seconds, got True"),
    ({"interval": "nan"}, "interval must be a number of seconds, got 'nan'"),
    ({"interval": [5]}, "interval must be a number of seconds, got [5]"),
    ({"max_backoff": "soon"}, "max_backoff must be a number of seconds, got 'soon'"),
    ({"interval": 30, "max_backoff": 10}, "max_backoff (10) must be at least interval (30)"),
    ({"cluster_id": None}, "cluster_id is required"),
    ({"cluster_id": 7}, "cluster_id 7 is not an EHPC cluster ID"),
    ({"cluster_id": "cluster-1"}, "cluster_id 'cluster-1' is not an EHPC cluster ID"),
    ({"validate_certs": "maybe"}, "validate_certs"),
])
def test_wrong_arguments_stop_the_source_at_start_naming_the_argument_before_any_call(sim, changes, message):
    source = load_source()

    async def run():
        await source.main(asyncio.Queue(), dict(creds(sim.url), **changes))
    with pytest.raises(ValueError) as err:
        asyncio.run(run())
    assert str(err.value).startswith("ehpc_queue: ") and message in str(err.value), str(err.value)
    assert [c for c in sim.calls() if c["path"].startswith("/api/")] == []


@pytest.mark.parametrize("value, seconds, backoff", [(1, 1.0, 600.0), ("60", 60.0, 600.0), (" 2.5 ", 2.5, 600.0),
                                                     (None, 60.0, 600.0), ("", 60.0, 600.0), (900, 900.0, 900.0)])
def test_interval_takes_numbers_and_numeric_text(value, seconds, backoff):
    checked = load_source().settings({"cluster_id": "ehpc-8jqdq0mz", "interval": value})
    assert checked["interval"] == seconds and checked["max_backoff"] == backoff


# --- a bad answer is an error event and a backoff, never a dead source --------------------------

@pytest.mark.parametrize("body", ['set:hpc_job_set=["oops"]', "set:hpc_job_set.0.job_node_list=7",
                                  'set:hpc_job_set.0.job_node_list=["compute01"]', "html"])
def test_a_wrong_shape_job_list_gives_an_error_event_then_the_source_goes_on(sim, body):
    sim.start_hpc_job(["compute01"], job_name="running")
    sim.fault(kind="bad_answer", path="/api/job/list", body=body)
    events = first_events(creds(sim.url), 2)
    assert set(events[0]) == {"ehpc_error"}, events
    assert "EHPC job/list" in events[0]["ehpc_error"]["message"], events
    assert "has no attribute" not in events[0]["ehpc_error"]["message"]
    assert events[1] == {"ehpc": {"cluster_id": EHPC_CLUSTER_ID, "pending_jobs": 0, "running_jobs": 1,
                                  "idle_nodes": 1, "busy_nodes": 1, "compute_nodes": 2}}


def test_errors_back_off_doubling_up_to_max_backoff(monkeypatch):
    source = load_source()
    waits = []

    class Broken:
        def list_nodes(self, _cluster_id):
            raise AttributeError("'str' object has no attribute 'get'")

    async def fake_sleep(seconds):
        waits.append(seconds)
        if len(waits) == 5:
            raise asyncio.CancelledError

    monkeypatch.setattr(source, "_client", lambda _args: Broken())
    monkeypatch.setattr(source.asyncio, "sleep", fake_sleep)
    queue: asyncio.Queue = asyncio.Queue()

    async def run():
        with pytest.raises(asyncio.CancelledError):
            await source.main(queue, {"cluster_id": "ehpc-8jqdq0mz", "interval": "2", "max_backoff": 10})
    asyncio.run(run())
    assert waits == [4.0, 8.0, 10.0, 10.0, 10.0]
    event = queue.get_nowait()
    assert event["ehpc_error"]["message"].startswith("unexpected error reading the cluster: AttributeError")
