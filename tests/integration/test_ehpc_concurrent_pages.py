"""Concurrent page reads fail closed: a page that fails or comes back short fails the task, and
nothing is written (module_utils/paging.py: the pages after the first are read together).

450 nodes are 5 listNodes pages of 100. The faults hit one later page only (the simulator's
``query`` match on ``offset=``), so the first page, which tells the total, is fine.
"""

from __future__ import annotations

import pytest

from tests.integration.scenario import Scenario

CLUSTER = "ehpc-8jqdq0mz"
LIST_NODES = "/api/cluster/listNodes$"
COMPUTE = 449  # with the login node, 450 nodes
SCALE_OUT = {"cluster_id": CLUSTER, "count": COMPUTE + 2}


def on_page(offset, **fault):
    return [dict({"path": LIST_NODES, "query": "(^|&)offset=%d(&|$)" % offset}, **fault)]


@pytest.fixture(scope="module")
def pages(simulator_session, tmp_path_factory):
    sim = simulator_session
    sim.reset()
    run = (Scenario(sim, tmp_path_factory.mktemp("ehpc_concurrent_pages"))
           .world(ehpc_compute_nodes=COMPUTE)
           .task("page 300 refused", "ehpc_nodes", SCALE_OUT, on_page(300, kind="status", status=400))
           .task("page 300 short", "ehpc_nodes", SCALE_OUT,
                 on_page(300, kind="bad_answer", body="short:hpc_app_nodes_set"))
           .task("last page short", "ehpc_nodes", SCALE_OUT,
                 on_page(400, kind="bad_answer", body="short:hpc_app_nodes_set"))
           .task("page 200 dropped", "ehpc_nodes", SCALE_OUT, on_page(200, kind="drop", times=5))
           .task("check mode, page 100 short", "ehpc_nodes", SCALE_OUT,
                 on_page(100, kind="bad_answer", body="short:hpc_app_nodes_set"), check=True)
           .task("info, page 400 short", "ehpc_nodes_info", {"cluster_id": CLUSTER, "jobs": False},
                 on_page(400, kind="bad_answer", body="short:hpc_app_nodes_set"))
           .task("page 200 busy once", "ehpc_nodes", {"cluster_id": CLUSTER, "count": COMPUTE},
                 on_page(200, kind="ret_code", ret_code=5100))
           .run())
    sim.reset()
    return run


@pytest.mark.parametrize("name, message", [
    ("page 300 refused", "HTTP 400"),
    ("page 300 short", "the page at offset 300 holds 99 items, not 100 (total 450)"),
    ("last page short", "the page at offset 400 holds 49 items, not 50 (total 450)"),
    ("page 200 dropped", "connection dropped"),
    ("check mode, page 100 short", "the page at offset 100 holds 99 items, not 100"),
    ("info, page 400 short", "the page at offset 400 holds 49 items, not 50"),
])
def test_a_failed_or_short_page_fails_the_task_with_zero_writes(pages, name, message):
    result = pages[name]
    assert result.get("failed") and not result.get("changed"), result
    assert message in result["msg"], result["msg"]
    assert pages.writes_of(name) == []
    # Every page was asked for (the others in flight), none twice but the retried drop.
    if name != "page 200 dropped":
        assert len(pages.calls_of(name, "/api/cluster/listNodes")) <= 5


def test_a_transient_refusal_of_one_page_is_retried_and_the_read_is_whole(pages):
    result = pages["page 200 busy once"]
    assert not result.get("failed") and not result.get("changed"), result
    assert pages.outcomes("page 200 busy once", "/api/cluster/listNodes").count("ret_code 5100") == 1
    assert len(pages.calls_of("page 200 busy once", "/api/cluster/listNodes")) == 6  # 5 pages, one sent twice
    assert pages.writes_of("page 200 busy once") == []
