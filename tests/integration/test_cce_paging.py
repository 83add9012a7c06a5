"""Clusters larger than one CCE ListNodes page (2,000 nodes): every reader follows ``marker``.

huaweicloudsdkcce v3 ListNodesRequest: ``limit`` 1..2000 (default 2000), ``marker`` = the uid
after which to list; NodePageInfo: ``nextMarker`` absent on the last page. A reader that read
one page saw 2,000 of 2,100 nodes: a node past the first page was "not found" and never removed.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from tests.integration.scenario import Scenario
from tests.integration.test_cce_node_remove import CLUSTER, args

NODES = 2100
NAMES = ["%s-node-%d" % (CLUSTER, i) for i in range(1, NODES + 1)]
TARGET = "%s-node-2050" % CLUSTER


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
           .task("remove node 2050 by name", "cce_node_remove", args([TARGET]))
           .task("remove node 2050 again", "cce_node_remove", args([TARGET]))
           .run())
    sim.reset()
    return run


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

