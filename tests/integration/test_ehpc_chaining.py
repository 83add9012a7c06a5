"""ehpc_nodes results that a next task can use, node names, protected nodes, large clusters."""

from __future__ import annotations

import json

from tests.integration.scenario import Scenario
from tests.simulator.world import EHPC_CLUSTER_ID

CLUSTER = EHPC_CLUSTER_ID
CHAIN_KEYS = {"id", "name", "role", "status", "private_ip", "instance_id"}
DELETE = "/api/cluster/deleteNodes"


def sim_nodes(sim) -> dict:
    """name -> node of the simulator's cluster (nodes being deleted left out)."""
    nodes = sim.state()["ehpc"]["clusters"][CLUSTER]["nodes"].values()
    return dict((n["name"], n) for n in nodes if n.get("transition_status") != "deleting")


def test_added_nodes_feed_add_host_and_a_later_play_targets_them(sim, playbook_runner, tmp_path):
    before = set(sim_nodes(sim))
    playbook = tmp_path / "chain.yml"
    playbook.write_text(json.dumps([
        {"name": "scale out", "hosts": "localhost", "gather_facts": False, "tasks": [
            {"name": "scale", "hpcops.clusters.ehpc_nodes": {"cluster_id": CLUSTER, "count": 4}, "register": "scaled"},
            {"name": "add the new nodes", "ansible.builtin.add_host": {
                "name": "{{ item.name }}", "ansible_host": "{{ item.private_ip }}", "node_id": "{{ item.id }}",
                "ansible_connection": "local", "groups": ["new_compute"]},
             "loop": "{{ scaled.added_nodes }}"},
        ]},
        {"name": "configure the new nodes", "hosts": "new_compute", "gather_facts": False, "tasks": [
            {"name": "configure", "ansible.builtin.debug": {
                "msg": "configure {{ inventory_hostname }} {{ ansible_host }} {{ node_id }}"}},
        ]},
    ]))
    run = playbook_runner(playbook)
    assert run.rc == 0, run
    scaled = run.results[0]
    assert scaled["changed"] and len(scaled["added_nodes"]) == 2, scaled
    nodes = sim_nodes(sim)
    new = sorted(set(nodes) - before)
    assert sorted(n["name"] for n in scaled["added_nodes"]) == new
    for shown in scaled["added_nodes"]:
        assert set(shown) == CHAIN_KEYS and shown["role"] == "compute"
        real = nodes[shown["name"]]
        # Read after the job ended: the nodes are active, with their real IDs and IPs.
        assert (shown["id"], shown["private_ip"], shown["instance_id"], shown["status"]) == (
            real["node_id"], real["private_ip"], real["instance_id"], "active")
    assert scaled["added"] == [n["id"] for n in scaled["added_nodes"]]
    configured = sorted(r["msg"] for r in run.results if str(r.get("msg", "")).startswith("configure "))
    assert configured == sorted("configure %s %s %s" % (name, nodes[name]["private_ip"], nodes[name]["node_id"])
                                for name in new)
    assert run.stats["compute03"]["ok"] == 1 and "localhost" in run.stats


def test_names_protection_and_chained_results(sim, tmp_path):
    sim.world(ehpc_compute_nodes=5)
    ids = dict((name, n["node_id"]) for name, n in sim_nodes(sim).items())

    def task(**args):
        return dict({"cluster_id": CLUSTER}, **args)

    run = (Scenario(sim, tmp_path)
           .task("absent names a protected node", "ehpc_nodes",
                 task(state="absent", nodes=["compute02"], protected_nodes=[ids["compute02"]]))
           .task("scale-in skips protected nodes", "ehpc_nodes",
                 task(count=4, protected_nodes=["compute05", ids["compute04"]], return_nodes="changed"))
           .task("scale-in blocked by protected nodes", "ehpc_nodes",
                 task(count=1, protected_nodes=["compute01", "compute02", "compute04"]))
           .task("absent by name", "ehpc_nodes", task(state="absent", nodes=["compute02", "compute99"]))
           .task("restart by name", "ehpc_nodes",
                 task(state="restarted", nodes=["compute01", ids["compute01"]], return_nodes="none"))
           .run())
    refused = run["absent names a protected node"]
    assert refused.get("failed") and not refused["changed"], refused
    assert "refusing to remove protected node(s) %s (compute02)" % ids["compute02"] in refused["msg"]
    assert run.writes_of("absent names a protected node") == []

    scale_in = run["scale-in skips protected nodes"]
    assert not scale_in.get("failed") and scale_in["changed"], scale_in
    # compute05 and compute04, the newest, are protected: the next newest goes.
    assert [n["name"] for n in scale_in["removed_nodes"]] == ["compute03"]
    assert scale_in["removed"] == [ids["compute03"]] == scale_in["plan"]["remove"]
    assert set(scale_in["removed_nodes"][0]) == CHAIN_KEYS and scale_in["removed_nodes"][0]["status"] == "active"
    assert [n["id"] for n in scale_in["nodes"]] == [ids["compute03"]]  # return_nodes=changed

    blocked = run["scale-in blocked by protected nodes"]
    assert blocked.get("failed") and not blocked["changed"], blocked
    assert "protected nodes block it" in blocked["msg"] and "compute04" in blocked["msg"], blocked["msg"]
    assert run.writes_of("scale-in blocked by protected nodes") == []

    by_name = run["absent by name"]
    assert not by_name.get("failed") and by_name["changed"], by_name
    assert [n["name"] for n in by_name["removed_nodes"]] == ["compute02"] and by_name["not_found"] == ["compute99"]
    assert any("compute99" in w for w in by_name.get("warnings", [])), by_name
    assert [c["status"] for c in run.writes_of("absent by name", DELETE)] == [200]

    restart = run["restart by name"]
    assert not restart.get("failed") and restart["changed"], restart
    # The same node by name and by ID is restarted once; read after the job ended.
    assert restart["restarted"] == [ids["compute01"]] and restart["nodes"] == []
    assert [(n["name"], n["status"]) for n in restart["restarted_nodes"]] == [("compute01", "active")]
    assert sorted(sim_nodes(sim)) == ["compute01", "compute04", "compute05", "login01"]


def test_a_no_op_on_a_2000_node_cluster_returns_under_20_kb_with_return_nodes_changed(sim, tmp_path):
    sim.world(ehpc_compute_nodes=2000)
    run = (Scenario(sim, tmp_path)
           .task("default", "ehpc_nodes", {"cluster_id": CLUSTER, "count": 2000})
           .task("changed", "ehpc_nodes", {"cluster_id": CLUSTER, "count": 2000, "return_nodes": "changed"})
           .task("none", "ehpc_nodes", {"cluster_id": CLUSTER, "count": 2000, "return_nodes": "none"})
           .run())
    sizes = dict((name, len(json.dumps(run[name]))) for name in ("default", "changed", "none"))
    for name in sizes:
        assert not run[name].get("failed") and not run[name]["changed"], run[name]
        assert run.writes_of(name) == []
    assert len(run["default"]["nodes"]) == 2001
    assert run["changed"]["nodes"] == [] and run["changed"]["added_nodes"] == []
    assert sizes["changed"] < 20000 and sizes["none"] < 20000, (
        "result sizes in bytes: %s (return_nodes=all is the default)" % sizes)
    print("2,000-node no-op result sizes in bytes: %s" % sizes)
