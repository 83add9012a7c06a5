"""Pure planning rules of ehpc_nodes: batches, surplus choice, the last-node rule, busy nodes."""

from __future__ import annotations

from ansible_collections.hpcops.clusters.plugins.module_utils.ehpc_node_plan import (
    nodes_by_role, plan_add_batches, public_node, removable, role_of_last_nodes, surplus_nodes)
from ansible_collections.hpcops.clusters.plugins.module_utils.hpc_jobs import busy_nodes


def node(node_id, role="compute", minute=0, **extra):
    data = {"node_id": node_id, "role": role, "status": "active", "transition_status": "",
            "name": node_id.replace("cln-", ""), "private_ip": "10.0.0.%d" % minute,
            "instance_id": "i-" + node_id[4:], "create_time": "2026-11-01T08:%02d:00Z" % minute}
    data.update(extra)
    return data


def test_add_batches_use_as_few_calls_as_the_99_limit_allows():
    assert plan_add_batches(1) == [1]
    assert plan_add_batches(99) == [99]
    assert plan_add_batches(100) == [99, 1]
    assert plan_add_batches(250) == [99, 99, 52]
    assert plan_add_batches(198) == [99, 99]


def test_surplus_takes_newest_idle_nodes_first():
    nodes = [node("cln-a", minute=1), node("cln-b", minute=2), node("cln-c", minute=3)]
    chosen, protected, short = surplus_nodes(nodes, 2, {})
    assert [n["node_id"] for n in chosen] == ["cln-c", "cln-b"]
    assert protected == {} and short == 0


def test_surplus_skips_busy_nodes_and_reports_them():
    nodes = [node("cln-a", minute=1), node("cln-b", minute=2), node("cln-c", minute=3)]
    chosen, protected, short = surplus_nodes(nodes, 2, {"cln-c": [7]})
    assert [n["node_id"] for n in chosen] == ["cln-b", "cln-a"]
    assert protected == {"cln-c": [7]} and short == 0


def test_surplus_says_how_many_idle_nodes_are_missing():
    nodes = [node("cln-a", minute=1), node("cln-b", minute=2)]
    chosen, protected, short = surplus_nodes(nodes, 2, {"cln-a": [1], "cln-b": [2]})
    assert chosen == [] and short == 2 and set(protected) == {"cln-a", "cln-b"}


def test_surplus_order_is_stable_for_equal_create_times():
    nodes = [node("cln-a"), node("cln-c"), node("cln-b")]
    chosen, _protected, _short = surplus_nodes(nodes, 1, {})
    assert chosen[0]["node_id"] == "cln-c"


def test_last_node_rule_names_the_role_left_empty():
    nodes = [node("cln-l", role="login"), node("cln-a"), node("cln-b")]
    assert role_of_last_nodes(nodes, [nodes[0]]) == "login"
    assert role_of_last_nodes(nodes, nodes[1:]) == "compute"
    assert role_of_last_nodes(nodes, [nodes[1]]) is None


def test_nodes_being_deleted_do_not_count_towards_their_role():
    deleting = node("cln-a", transition_status="deleting")
    assert not removable(deleting)
    assert role_of_last_nodes([deleting, node("cln-b")], [node("cln-b")]) == "compute"


def test_nodes_by_role_always_lists_both_roles():
    assert nodes_by_role([node("cln-b"), node("cln-a")]) == {"login": [], "compute": ["cln-a", "cln-b"]}


def test_public_node_renames_the_id_and_fills_missing_keys():
    shown = public_node({"node_id": "cln-a", "role": "compute"})
    assert shown["id"] == "cln-a" and shown["private_ip"] == "" and "node_id" not in shown


def test_busy_nodes_match_hosts_by_name_id_instance_and_ip():
    nodes = [node("cln-aaa", minute=1, name="compute01"), node("cln-bbb", minute=2, name="compute02"),
             node("cln-ccc", minute=3, name="compute03"), node("cln-ddd", minute=4, name="compute04")]
    jobs = [
        {"job_id": 1, "job_status": "running", "job_node_list": "compute[01-02]"},
        {"job_id": 2, "job_status": "running", "job_node_list": "i-ccc"},
        {"job_id": 3, "job_status": "running", "job_node_list": "10.0.0.4,compute01"},
        {"job_id": 4, "job_status": "finished", "job_node_list": "compute03"},
    ]
    assert busy_nodes(nodes, jobs) == {"cln-aaa": [1, 3], "cln-bbb": [1], "cln-ccc": [2], "cln-ddd": [3]}


def test_busy_nodes_match_fully_qualified_host_names():
    nodes = [node("cln-aaa", name="compute01")]
    jobs = [{"job_id": 9, "job_status": "running", "job_node_list": "compute01.cluster.local"}]
    assert busy_nodes(nodes, jobs) == {"cln-aaa": [9]}
