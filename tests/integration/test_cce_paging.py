"""Clusters larger than one CCE ListNodes page (2,000 nodes): every reader follows ``marker``.

huaweicloudsdkcce v3 ListNodesRequest: ``limit`` 1..2000 (default 2000), ``marker`` = the uid
after which to list; NodePageInfo: ``nextMarker`` absent on the last page. A reader that read
one page saw 2,000 of 2,100 nodes: a node past the first page was "not found" and never removed.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from tests.integration.inventory_runner import api_calls, run_inventory
from tests.integration.scenario import Scenario
from tests.integration.test_cce_node_remove import CLUSTER, args
from tests.integration.test_inventory_cce import source

NODES = 2100
NAMES = ["%s-node-%d" % (CLUSTER, i) for i in range(1, NODES + 1)]
TARGET = "%s-node-2050" % CLUSTER
SMALL_PAGE = 300  # 7 pages of 300: the marker path many times over, still cheap


def markers(calls: list) -> list:
    """The ``marker`` each ListNodes call sent (None on the first page)."""
    return [parse_qs(c.get("query") or "").get("marker", [None])[0] for c in calls
            if c["method"] == "GET" and c["path"].endswith("/nodes")]


@pytest.fixture(scope="module")
def big(simulator_session, tmp_path_factory):
    sim = simulator_session
    sim.reset()
    run = (Scenario(sim, tmp_path_factory.mktemp("cce_paging"))
           .world(cce_nodes=NODES)
           .task("info, pages of 2000", "cce_nodes_info", {"cluster_id": CLUSTER, "query": "length(@)"})
           .config(cce_page_size=SMALL_PAGE)
           .task("info, pages of 300", "cce_nodes_info", {"cluster_id": CLUSTER, "query": "[].name"})
           .config(cce_page_size=2000)
           .task("remove node 2050 by name", "cce_node_remove", args([TARGET]))
           .task("remove node 2050 again", "cce_node_remove", args([TARGET]))
           .run())
    sim.reset()
    return run


def test_info_lists_all_2100_nodes_over_two_pages_of_2000(big):
    result = big["info, pages of 2000"]
    assert not result.get("failed"), result
    assert result["query_result"] == NODES
    assert [n["name"] for n in result["nodes"]] == NAMES
    found = markers(big.calls_of("info, pages of 2000"))
    # The second call starts after the first page's last node, the 2,000th.
    assert found == [None, result["nodes"][1999]["uid"]]


def test_info_follows_every_marker_of_small_pages_in_order(big):
    result = big["info, pages of 300"]
    assert not result.get("failed"), result
    assert result["query_result"] == NAMES
    uids = [n["uid"] for n in result["nodes"]]
    assert len(set(uids)) == NODES
    assert markers(big.calls_of("info, pages of 300")) == [None] + [uids[i - 1] for i in range(300, NODES, 300)]


def test_node_2050_past_the_first_page_is_removed_by_name(big):
    result = big["remove node 2050 by name"]
    assert result.get("changed") and not result.get("failed"), result
    assert result.get("not_found", []) == [], result
    removes = big.writes_of("remove node 2050 by name", "operation/remove")
    assert len(removes) == 1
    remaining = [n["name"] for n in big.state["cce"]["clusters"][CLUSTER]["nodes"].values()]
    assert TARGET not in remaining and len(remaining) == NODES - 1


def test_removing_node_2050_again_is_a_no_op_that_reads_every_page(big):
    result = big["remove node 2050 again"]
    assert not result.get("failed") and not result.get("changed"), result
    assert big.writes_of("remove node 2050 again") == []
    # Two pages read (2,099 nodes) before "absent" is decided: never from the first page alone.
    assert len(markers(big.calls_of("remove node 2050 again"))) == 2


def test_inventory_lists_all_2100_nodes_following_markers(sim, tmp_path):
    sim.world(cce_nodes=NODES)
    sim.config(cce_page_size=700)
    sim.clear_calls()
    run = run_inventory(source(tmp_path, sim.url), sim.url)
    assert run.rc == 0, run
    assert sorted(run.hosts("cce_demo")) == sorted(NAMES)
    assert len(markers(api_calls(sim))) == 3
