"""hpcops.clusters.cce_node_pool and cce_node_pool_info against the simulator's node pools.

A pool is scaled 2 -> 5 -> 5 (no write) -> 3 keeping two protected nodes, each step in check mode
first; then the refusals (count 0, outside the autoscaling bounds, an unknown pool, a sold-out pool)
and the waits that can't succeed. Each group of tasks is one ansible-playbook run (see
tests/integration/scenario.py); the simulator's call log says which calls each task made.
"""

from __future__ import annotations

import pytest

from tests.integration.scenario import Scenario
from tests.simulator.world import CCE_POOL_CLUSTER_ID

CLUSTER = CCE_POOL_CLUSTER_ID
SCALE = "/operation/scale"


def args(pool: str, count: int, **extra) -> dict:
    return dict({"cluster_id": CLUSTER, "node_pool": pool, "count": count}, **extra)


def pool_record(state: dict, name: str) -> dict:
    return next(p for p in state["cce"]["clusters"][CLUSTER]["pools"].values() if p["name"] == name)


def pool_nodes(state: dict, name: str) -> list:
    """The pool's nodes not being deleted, oldest first (simulator records)."""
    uid = pool_record(state, name)["uid"]
    nodes = [n for n in state["cce"]["clusters"][CLUSTER]["nodes"].values() if n.get("pool") == uid]
    return sorted((n for n in nodes if n["phase"] != "Deleting"), key=lambda n: n["created_at"])


@pytest.fixture(scope="module")
def scale_out(simulator_session, tmp_path_factory):
    sim = simulator_session
    sim.reset()
    scenario = (Scenario(sim, tmp_path_factory.mktemp("cce_node_pool_out"))
                .task("plan 2 to 5", "cce_node_pool", args("pool-compute", 5), check=True, diff=True)
                .snapshot("after plan")
                .task("2 to 5", "cce_node_pool", args("pool-compute", 5), diff=True)
                .snapshot("after 5")
                .task("5 again", "cce_node_pool", args("pool-compute", 5))
                .task("info", "cce_node_pool_info", {"cluster_id": CLUSTER, "node_pool": "pool-compute"}))
    return scenario.run()


def test_check_mode_shows_the_plan_and_writes_nothing(scale_out):
    result = scale_out["plan 2 to 5"]
    assert result["changed"] is True and not result.get("failed"), result
    assert result["plan"] == {"before": 2, "count": 5, "direction": "out", "add": 3, "remove": 0, "lock": [],
                              "changes": True}
    assert result["diff"] == {"before": {"node_pool": "pool-compute", "count": 2},
                              "after": {"node_pool": "pool-compute", "count": 5}}
    assert scale_out.writes_of("plan 2 to 5") == []
    assert len(pool_nodes(scale_out.state_at("after plan"), "pool-compute")) == 2


def test_scale_out_adds_the_nodes_and_returns_them(scale_out):
    result = scale_out["2 to 5"]
    assert result["changed"] is True and not result.get("failed"), result
    state = scale_out.state_at("after 5")
    nodes = pool_nodes(state, "pool-compute")
    assert len(nodes) == 5 and all(n["phase"] == "Active" for n in nodes)
    assert sorted(n["uid"] for n in result["added_nodes"]) == sorted(n["uid"] for n in nodes[2:])
    assert all(n["private_ip"] and n["name"].startswith("pool-compute-") for n in result["added_nodes"])
    assert result["removed_nodes"] == [] and result["locked_nodes"] == []
    assert (result["node_pool"]["current"], result["node_pool"]["creating"]) == (5, 0)
    assert [c["method"] for c in scale_out.writes_of("2 to 5")] == ["POST"]
    assert scale_out.writes_of("2 to 5")[0]["path"].endswith(SCALE)


def test_the_count_met_makes_no_write(scale_out):
    result = scale_out["5 again"]
    assert result["changed"] is False and not result.get("failed"), result
    assert scale_out.writes_of("5 again") == []
    assert result["plan"]["direction"] == "none"


def test_info_shows_the_pool(scale_out):
    pools = scale_out["info"]["node_pools"]
    assert [(p["name"], p["count"], p["current"], p["autoscaling"]["enabled"]) for p in pools] == [
        ("pool-compute", 5, 5, False)]


@pytest.fixture(scope="module")
def scale_in(scale_out, simulator_session, tmp_path_factory):
    """The same pool, on from 5 nodes (2 seeded + 3 added by ``scale_out``) to 3, keeping the two
    newest: the ones CCE's own pick (the newest first, in the simulator) would take, so only the
    locks can save them."""
    sim = simulator_session
    nodes = pool_nodes(sim.state(), "pool-compute")
    assert len(nodes) == 5 and scale_out["2 to 5"]["changed"]
    keep = [nodes[-1]["name"], nodes[-2]["uid"]]  # by name and by uid
    sim.clear_calls()  # the world stays; the call log starts afresh for this run's markers
    scenario = (Scenario(sim, tmp_path_factory.mktemp("cce_node_pool_in"))
                .task("plan 5 to 3", "cce_node_pool", args("pool-compute", 3, protected_nodes=keep), check=True,
                      diff=True)
                .task("5 to 3", "cce_node_pool", args("pool-compute", 3, protected_nodes=keep), diff=True)
                .snapshot("after 3")
                .task("3 again", "cce_node_pool", args("pool-compute", 3, protected_nodes=keep)))
    run = scenario.run()
    run.kept = [nodes[-1], nodes[-2]]
    return run


def test_scale_in_plan_names_the_locks_and_writes_nothing(scale_in):
    result = scale_in["plan 5 to 3"]
    assert result["changed"] is True and not result.get("failed"), result
    kept_uids = [n["uid"] for n in scale_in.kept]
    assert result["plan"]["direction"] == "in" and result["plan"]["remove"] == 2
    assert result["plan"]["lock"] == kept_uids
    assert [n["uid"] for n in result["locked_nodes"]] == kept_uids
    assert result["diff"]["before"]["count"] == 5 and result["diff"]["after"]["count"] == 3
    assert scale_in.writes_of("plan 5 to 3") == []


def test_scale_in_locks_the_protected_nodes_first_and_keeps_them(scale_in):
    result = scale_in["5 to 3"]
    assert result["changed"] is True and not result.get("failed"), result
    writes = scale_in.writes_of("5 to 3")
    assert [w["path"].rsplit("/", 2)[-2:] for w in writes] == [["nodes", "locknodescaledown"], ["operation", "scale"]]
    state = scale_in.state_at("after 3")
    left = pool_nodes(state, "pool-compute")
    kept_uids = set(n["uid"] for n in scale_in.kept)
    assert len(left) == 3 and kept_uids <= set(n["uid"] for n in left)
    assert all(state["cce"]["clusters"][CLUSTER]["nodes"][uid]["locked"] for uid in kept_uids)
    assert sorted(n["uid"] for n in result["locked_nodes"]) == sorted(kept_uids)
    assert len(result["removed_nodes"]) == 2 and not kept_uids & set(n["uid"] for n in result["removed_nodes"])
    assert result["added_nodes"] == []


def test_scale_in_again_changes_nothing(scale_in):
    result = scale_in["3 again"]
    assert result["changed"] is False and not result.get("failed"), result
    assert scale_in.writes_of("3 again") == [] and result["locked_nodes"] == []


@pytest.fixture(scope="module")
def refusals(simulator_session, tmp_path_factory):
    sim = simulator_session
    sim.reset()
    scenario = (Scenario(sim, tmp_path_factory.mktemp("cce_node_pool_refusals"))
                .task("count 0", "cce_node_pool", args("pool-compute", 0))
                .task("above bounds", "cce_node_pool", args("pool-autoscale", 6))
                .task("below bounds", "cce_node_pool", args("pool-autoscale", 0, allow_empty=True))
                .task("unknown pool", "cce_node_pool", args("pool-gpu", 3))
                .task("unknown pool info", "cce_node_pool_info", {"cluster_id": CLUSTER, "node_pool": "pool-gpu"})
                .task("sold out", "cce_node_pool", args("pool-soldout", 3))
                .task("too many protected", "cce_node_pool",
                      args("pool-compute", 1, protected_nodes=[n["name"] for n in pool_nodes(sim.state(), "pool-compute")]))
                .control("POST", "/_sim/cce/node_pools", {"name": "pool-limited", "nodes": 1, "capacity": 1})
                .task("sold out while scaling", "cce_node_pool", args("pool-limited", 4))
                .snapshot("after sold out")
                .config(job_seconds=30)
                .task("deadline", "cce_node_pool", args("pool-autoscale", 3, wait_timeout=2)))
    return scenario.run()


@pytest.mark.parametrize("name, words", [
    ("count 0", ["count 0 would delete every node of node pool pool-compute", "allow_empty=true"]),
    ("above bounds", ["count 6 is outside the autoscaling bounds of node pool pool-autoscale",
                      "minNodeCount 1, maxNodeCount 4"]),
    ("below bounds", ["count 0 is outside the autoscaling bounds"]),
    ("unknown pool", ["no node pool pool-gpu", "pool-compute (", "pool-soldout ("]),
    ("unknown pool info", ["no node pool pool-gpu"]),
    ("sold out", ["node pool pool-soldout can't grow", "Scalable is False: ResourceInsufficient",
                  "sold out", "nothing was changed"]),
    ("too many protected", ["would need protected node(s): 2 are protected"]),
])
def test_refusals_fail_clearly_with_zero_writes(refusals, name, words):
    result = refusals[name]
    assert result.get("failed") and result["changed"] is False, result
    for word in words:
        assert word in result["msg"], result["msg"]
    assert refusals.writes_of(name) == []


def test_count_0_is_refused_before_any_call(refusals):
    assert refusals.calls_of("count 0") == []


def test_a_pool_that_sells_out_while_scaling_fails_reporting_what_came_up(refusals):
    result = refusals["sold out while scaling"]
    assert result.get("failed") and result["changed"] is True, result
    assert "can't grow to 4: condition Scalable is False (ResourceInsufficient" in result["msg"]
    assert "2 of 4 nodes are there (1 were before)" in result["msg"]
    assert len(result["added_nodes"]) == 1 and result["added_nodes"][0]["phase"] == "Active"
    assert [w["path"].endswith(SCALE) for w in refusals.writes_of("sold out while scaling")] == [True]
    assert len(pool_nodes(refusals.state_at("after sold out"), "pool-limited")) == 2


def test_a_deadline_fails_saying_how_far_the_pool_got(refusals):
    result = refusals["deadline"]
    assert result.get("failed") and result["changed"] is True, result
    assert "timed out after 2s waiting for node pool pool-autoscale of cluster cce-pools to reach 3 nodes" in result["msg"]
    assert "(it has 3, 1 being created, 0 being deleted)" in result["msg"]
    assert [n["phase"] for n in result["added_nodes"]] == ["Installing"]
    assert result["failure"]["timed_out"] is True


@pytest.fixture(scope="module")
def answers(simulator_session, tmp_path_factory):
    """Wrong and lost answers: reads fail closed, a lost scale answer is settled by reading the pool."""
    sim = simulator_session
    sim.reset()
    scenario = (Scenario(sim, tmp_path_factory.mktemp("cce_node_pool_answers"))
                .task("pools html", "cce_node_pool", args("pool-compute", 4),
                      [{"kind": "bad_answer", "method": "GET", "path": "/nodepools$", "body": "html"}])
                .task("pools without items", "cce_node_pool", args("pool-compute", 4),
                      [{"kind": "bad_answer", "method": "GET", "path": "/nodepools$", "body": "missing:items"}])
                .task("info without kind", "cce_node_pool_info", {"cluster_id": CLUSTER},
                      [{"kind": "bad_answer", "method": "GET", "path": "/nodepools$", "body": "missing:kind"}])
                .task("pool status html while waiting", "cce_node_pool", args("pool-autoscale", 3),
                      [{"kind": "bad_answer", "method": "GET", "path": "/nodepools/[^/]+$", "body": "html", "times": 10}])
                .snapshot("after status html")
                .task("scale answer lost after it landed", "cce_node_pool", args("pool-compute", 4),
                      [{"kind": "drop_after", "path": SCALE}])
                .task("scale answered with a page", "cce_node_pool", args("pool-compute", 3),
                      [{"kind": "bad_answer", "path": SCALE, "body": "html"}])
                .task("scale refused", "cce_node_pool", args("pool-compute", 2),
                      [{"kind": "status", "status": 403, "path": SCALE}])
                .task("lock 503 once", "cce_node_pool",
                      args("pool-compute", 2, protected_nodes=[n["name"] for n in pool_nodes(sim.state(), "pool-compute")]),
                      [{"kind": "status", "status": 503, "path": "locknodescaledown"}]))
    return scenario.run()


@pytest.mark.parametrize("name, words", [
    ("pools html", ["unexpected answer from", "CCE ListNodePools", "the body is not JSON"]),
    ("pools without items", ["CCE ListNodePools", "no `items`"]),
    ("info without kind", ["CCE ListNodePools", "no `kind`"]),
])
def test_a_wrong_pool_list_fails_closed_with_zero_writes(answers, name, words):
    result = answers[name]
    assert result.get("failed") and result["changed"] is False, result
    for word in words:
        assert word in result["msg"], result["msg"]
    assert answers.writes_of(name) == []


def test_a_wrong_pool_status_while_waiting_fails_keeping_the_change(answers):
    result = answers["pool status html while waiting"]
    assert result.get("failed") and result["changed"] is True, result
    assert "CCE ShowNodePool" in result["msg"]
    assert len(answers.writes_of("pool status html while waiting", SCALE)) == 1


def test_a_lost_scale_answer_is_settled_by_reading_the_pool_not_resent(answers):
    for name, count in (("scale answer lost after it landed", 4), ("scale answered with a page", 3)):
        result = answers[name]
        assert result["changed"] is True and not result.get("failed"), result
        assert len(answers.writes_of(name, SCALE)) == 1, name
        assert result["node_pool"]["current"] == count and result["node_pool"]["count"] == count


def test_a_refused_scale_fails_with_no_change(answers):
    result = answers["scale refused"]
    assert result.get("failed") and result["changed"] is False, result
    assert "scaling to 2 was refused; nothing was scaled" in result["msg"] and "HTTP 403" in result["msg"]


def test_a_lock_refused_once_with_503_is_sent_again(answers):
    result = answers["lock 503 once"]
    assert result["changed"] is True and not result.get("failed"), result
    assert [c["status"] for c in answers.calls_of("lock 503 once", "locknodescaledown")] == [503, 200]
    assert result["node_pool"]["current"] == 2 and len(result["locked_nodes"]) == 2
