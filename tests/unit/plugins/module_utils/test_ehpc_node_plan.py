"""Pure planning rules of ehpc_nodes: batches, surplus choice, the last-node rule, busy nodes."""

from __future__ import annotations

from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.ehpc_node_plan import (
    nodes_by_role, plan_add_batches, public_node, removable, role_of_last_nodes, surplus_nodes)
from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.hpc_jobs import busy_nodes


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


# --- plan_nodes: one plan per task, over a table of situations ---------------------------

import pytest  # noqa: E402

from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.ehpc_node_plan import (  # noqa: E402
    PlanError, chain_node, landed_removals, landed_restarts, needs_busy_map, plan_nodes, remaining_work, resolve_nodes)


def cluster(compute=3, login=1, **extra_by_id):
    nodes = [node("cln-l%d" % i, role="login", minute=i, name="login%02d" % i) for i in range(1, login + 1)]
    nodes += [node("cln-c%d" % i, minute=10 + i, name="compute%02d" % i) for i in range(1, compute + 1)]
    for item in nodes:
        item.update(extra_by_id.get(item["node_id"], {}))
    return nodes


def options(**given):
    base = {"cluster_id": "ehpc-test", "state": "present", "role": "compute", "count": 3, "nodes": None,
            "private_ips": None, "busy_nodes": "protect", "protected_nodes": []}
    base.update(given)
    return base


def summary(plan):
    return (plan["add"], plan["add_batches"], plan["remove"], plan["restart"], plan["not_found"], plan["changes"])


PLANS = [
    # (situation, nodes, options, busy, (add, add_batches, remove, restart, not_found, changes))
    ("at count: nothing", cluster(3), options(count=3), {}, (0, [], [], [], [], False)),
    ("scale out", cluster(3), options(count=5), {}, (2, [2], [], [], [], True)),
    ("scale out past 99", cluster(1), options(count=150), {}, (149, [99, 50], [], [], [], True)),
    ("login role counted apart", cluster(3, login=1), options(role="login", count=2), {}, (1, [1], [], [], [], True)),
    ("scale in: newest first", cluster(4), options(count=2), {}, (0, [], ["cln-c4", "cln-c3"], [], [], True)),
    ("scale in skips busy", cluster(4), options(count=3), {"cln-c4": [7]}, (0, [], ["cln-c3"], [], [], True)),
    ("scale in skips protected by name", cluster(4), options(count=3, protected_nodes=["compute04"]), {},
     (0, [], ["cln-c3"], [], [], True)),
    ("scale in skips protected by id", cluster(4), options(count=2, protected_nodes=["cln-c3"]), {},
     (0, [], ["cln-c4", "cln-c2"], [], [], True)),
    ("deleting nodes do not count", cluster(3, **{"cln-c3": {"transition_status": "deleting"}}), options(count=3), {},
     (1, [1], [], [], [], True)),
    ("creating nodes count, never picked", cluster(4, **{"cln-c4": {"transition_status": "creating"}}),
     options(count=3), {}, (0, [], ["cln-c3"], [], [], True)),
    ("absent by id and name", cluster(3), options(state="absent", count=None, nodes=["cln-c1", "compute02"]), {},
     (0, [], ["cln-c1", "cln-c2"], [], [], True)),
    ("absent: the same node twice", cluster(3), options(state="absent", count=None, nodes=["cln-c1", "compute01"]), {},
     (0, [], ["cln-c1"], [], [], True)),
    ("absent: unknown reported", cluster(3), options(state="absent", count=None, nodes=["cln-zz", "cln-c1"]), {},
     (0, [], ["cln-c1"], [], ["cln-zz"], True)),
    ("absent: already leaving", cluster(3, **{"cln-c1": {"transition_status": "deleting"}}),
     options(state="absent", count=None, nodes=["cln-c1"]), {}, (0, [], [], [], [], False)),
    ("absent: busy ignored with busy_nodes=remove", cluster(3),
     options(state="absent", count=None, nodes=["cln-c1"], busy_nodes="remove"), {},
     (0, [], ["cln-c1"], [], [], True)),
    ("restart by name", cluster(3), options(state="restarted", count=None, nodes=["compute03", "cln-l1"]), {},
     (0, [], [], ["cln-c3", "cln-l1"], [], True)),
    ("restart of a protected node is fine", cluster(3),
     options(state="restarted", count=None, nodes=["cln-c1"], protected_nodes=["cln-c1"]), {},
     (0, [], [], ["cln-c1"], [], True)),
]


@pytest.mark.parametrize("nodes, opts, busy, expected", [p[1:] for p in PLANS], ids=[p[0] for p in PLANS])
def test_plan_nodes_over_situations(nodes, opts, busy, expected):
    assert summary(plan_nodes(nodes, opts, busy)) == expected


REFUSALS = [
    ("last login node", cluster(3), options(state="absent", count=None, nodes=["login01"]), {},
     "refusing to delete every login node"),
    ("every compute node", cluster(2), options(state="absent", count=None, nodes=["cln-c1", "cln-c2"]), {},
     "refusing to delete every compute node"),
    ("absent names a protected node", cluster(3),
     options(state="absent", count=None, nodes=["compute02"], protected_nodes=["cln-c2"]), {},
     "refusing to remove protected node(s) cln-c2 (compute02)"),
    ("absent names a protected entry that matches nothing", cluster(3),
     options(state="absent", count=None, nodes=["compute09"], protected_nodes=["compute09"]), {},
     "refusing to remove protected node(s) compute09"),
    ("scale in blocked by protection", cluster(3), options(count=1, protected_nodes=["compute02", "cln-c3"]), {},
     "needs 1 more removable nodes; protected nodes block it: cln-c2 (compute02), cln-c3 (compute03)"),
    ("scale in blocked by busy nodes", cluster(3), options(count=1), {"cln-c3": [4], "cln-c2": [5]},
     "busy nodes kept: cln-c2 (jobs 5), cln-c3 (jobs 4)"),
    ("scale in onto nodes in transition",
     cluster(3, **{"cln-c3": {"status": "pending", "transition_status": "creating"},
                   "cln-c2": {"transition_status": "restarting"}}),
     options(count=1), {}, "would have to remove nodes in transition: cln-c2 (restarting), cln-c3 (creating)"),
    ("absent of a busy node", cluster(3), options(state="absent", count=None, nodes=["cln-c1"]), {"cln-c1": [9]},
     "nodes run HPC jobs: cln-c1 (jobs 9)"),
    ("restart of an unknown node", cluster(3), options(state="restarted", count=None, nodes=["compute09"]), {},
     "nodes not in cluster ehpc-test: compute09"),
    ("ambiguous name", cluster(3, **{"cln-c2": {"name": "compute01"}}),
     options(state="absent", count=None, nodes=["compute01"]), {}, "node name compute01 matches 2 nodes (cln-c1, cln-c2)"),
    ("private IP in use", cluster(3), options(count=4, private_ips=["10.0.0.11"]), {},
     "private_ips already used by nodes of cluster ehpc-test: 10.0.0.11"),
    ("too few private IPs", cluster(3), options(count=5, private_ips=["10.9.0.1"]), {},
     "2 nodes to add but only 1 private_ips given"),
]


@pytest.mark.parametrize("nodes, opts, busy, message", [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_plan_nodes_refusals_say_why(nodes, opts, busy, message):
    with pytest.raises(PlanError) as caught:
        plan_nodes(nodes, opts, busy)
    assert message in caught.value.message


def test_refusal_carries_the_partial_plan_and_not_found():
    with pytest.raises(PlanError) as caught:
        plan_nodes(cluster(3), options(count=1), {"cln-c3": [4], "cln-c2": [5]})
    assert caught.value.plan["protected"] == {"cln-c2": [5], "cln-c3": [4]}
    with pytest.raises(PlanError) as caught:
        plan_nodes(cluster(3), options(state="restarted", count=None, nodes=["cln-zz"]))
    assert caught.value.extra == {"not_found": ["cln-zz"]}


def test_busy_map_is_asked_only_when_nodes_may_be_removed():
    assert needs_busy_map(cluster(3), options(count=2))
    assert not needs_busy_map(cluster(3), options(count=3))
    assert not needs_busy_map(cluster(3), options(count=2, busy_nodes="remove"))
    assert needs_busy_map(cluster(3), options(state="absent", count=None, nodes=["compute01"]))
    assert not needs_busy_map(cluster(3), options(state="absent", count=None, nodes=["cln-zz"]))
    assert not needs_busy_map(cluster(3), options(state="restarted", count=None, nodes=["cln-c1"]))


def test_resolve_prefers_an_id_over_a_name():
    nodes = cluster(2, **{"cln-c2": {"name": "cln-c1"}})
    targets, not_found = resolve_nodes(nodes, ["cln-c1"])
    assert [t["node_id"] for t in targets] == ["cln-c1"] and not_found == []


# --- remaining_work: a later round only shrinks the first plan ---------------------------

def no_delivery():
    return {"add": 0, "add_batches": [], "remove": [], "restart": []}


def test_lost_add_that_landed_leaves_nothing_to_add():
    first = plan_nodes(cluster(2), options(count=4))
    left = remaining_work(first, dict(no_delivery(), add=2), cluster(4), options(count=4))
    assert not left["changes"] and left["add"] == 0


def test_lost_add_that_did_not_land_is_sent_again_but_never_more():
    first = plan_nodes(cluster(2), options(count=4))
    assert remaining_work(first, no_delivery(), cluster(2), options(count=4))["add_batches"] == [2]
    # Another run removed nodes meanwhile: still no more than the first plan's 2.
    assert remaining_work(first, no_delivery(), cluster(1), options(count=4))["add"] == 2


def test_adds_shrink_when_another_run_added_nodes():
    first = plan_nodes(cluster(2), options(count=5))
    assert remaining_work(first, no_delivery(), cluster(4), options(count=5))["add"] == 1
    assert remaining_work(first, no_delivery(), cluster(7), options(count=5))["add"] == 0


def test_removals_stay_within_the_first_plan_and_the_surplus_now():
    first = plan_nodes(cluster(5), options(count=2))
    assert first["remove"] == ["cln-c5", "cln-c4", "cln-c3"]
    leaving = cluster(5, **{"cln-c5": {"transition_status": "deleting"}})
    left = remaining_work(first, dict(no_delivery(), remove=["cln-c5"]), leaving, options(count=2))
    assert left["remove"] == ["cln-c4", "cln-c3"]
    # Another run removed cln-c1 and cln-c2: only one more of the first plan may go, never another node.
    others_gone = [n for n in cluster(5) if n["node_id"] not in ("cln-c1", "cln-c2")]
    assert remaining_work(first, no_delivery(), others_gone, options(count=2))["remove"] == ["cln-c5"]


def test_removals_already_leaving_are_dropped():
    first = plan_nodes(cluster(3), options(state="absent", count=None, nodes=["cln-c1", "cln-c2"]))
    nodes = cluster(3, **{"cln-c1": {"transition_status": "deleting"}})
    assert remaining_work(first, no_delivery(), nodes, options(state="absent", count=None, nodes=["x"]))["remove"] == ["cln-c2"]
    assert landed_removals(nodes, ["cln-c1", "cln-c2", "cln-gone"]) == ["cln-c1", "cln-gone"]


def test_a_restart_under_way_is_never_sent_again():
    first = plan_nodes(cluster(3), options(state="restarted", count=None, nodes=["cln-c1", "cln-c2"]))
    nodes = cluster(3, **{"cln-c1": {"transition_status": "restarting"}})
    opts = options(state="restarted", count=None, nodes=["cln-c1", "cln-c2"])
    assert landed_restarts(nodes, first["restart"]) == ["cln-c1"]
    assert remaining_work(first, no_delivery(), nodes, opts)["restart"] == ["cln-c2"]
    assert remaining_work(first, dict(no_delivery(), restart=["cln-c2"]), nodes, opts)["restart"] == []


def test_chain_node_keeps_what_a_next_task_needs():
    shown = chain_node(node("cln-a", minute=3, name="compute03"))
    assert shown == {"id": "cln-a", "name": "compute03", "role": "compute", "status": "active",
                     "private_ip": "10.0.0.3", "instance_id": "i-a"}


# A running job whose nodes can't be identified may run anywhere: every node is possibly busy
# (issue 29 item 2). The table: job_node_list -> why the job can't be placed.
UNPLACED = [
    ("", "empty"),
    (None, "empty"),
    ("   ", "empty"),
    ("hpc-host-[a,b]", "can't be read"),
    ("compute[]", "can't be read"),
    ("compute[01-03", "can't be read"),
    ("ghost[1-2]", "matches no node"),
    ("c[1-100001]", "can't be read"),
]


@pytest.mark.parametrize("node_list, why", UNPLACED)
def test_a_running_job_that_cannot_be_placed_makes_every_node_possibly_busy(node_list, why):
    nodes = [node("cln-aaa", minute=1, name="compute01"), node("cln-bbb", minute=2, name="compute02")]
    jobs = [{"job_id": 5, "job_status": "running", "job_node_list": node_list},
            {"job_id": 6, "job_status": "running", "job_node_list": "compute01"}]
    assert busy_nodes(nodes, jobs) == {"cln-aaa": [5, 6], "cln-bbb": [5]}
    placed, unplaced = placement(nodes, jobs)
    assert placed == {"cln-aaa": {6}}
    assert [job_id for job_id, _why in unplaced] == [5] and why in unplaced[0][1]
    # Callers that drain in Slurm first see only the placed jobs.
    assert placed_busy_nodes(nodes, jobs) == {"cln-aaa": [6]}


def test_a_job_with_some_hosts_matching_is_placed_on_those():
    nodes = [node("cln-aaa", name="compute01"), node("cln-bbb", name="compute02")]
    jobs = [{"job_id": 7, "job_status": "running", "job_node_list": "compute01,gone09"}]
    assert busy_nodes(nodes, jobs) == {"cln-aaa": [7]}


def test_pending_and_finished_jobs_never_make_a_node_busy():
    nodes = [node("cln-aaa", name="compute01")]
    jobs = [{"job_id": 8, "job_status": "pending", "job_node_list": ""},
            {"job_id": 9, "job_status": "finished", "job_node_list": "compute01"}]
    assert busy_nodes(nodes, jobs) == {}


# --- the job list's entries: shape and each job's own status (issue 28 item 5, issue 29 item 4) ---

from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError  # noqa: E402
from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.hpc_jobs import (  # noqa: E402
    jobs_in_status, placed_busy_nodes, placement)


def test_only_jobs_whose_own_status_was_asked_for_are_kept():
    # A server that ignores the status filter answers the job history.
    jobs = [{"job_id": 1, "job_status": "finished", "job_node_list": "compute01"},
            {"job_id": "2", "job_status": "pending", "job_node_list": ""},
            {"job_id": 3, "job_status": "running", "job_node_list": "compute01"}]
    assert [j["job_id"] for j in jobs_in_status(jobs, "pending", "https://e")] == ["2"]
    assert [j["job_id"] for j in jobs_in_status(jobs, "running", "https://e")] == [3]


@pytest.mark.parametrize("entry, what", [
    ("oops", "`hpc_job_set[1]` is not an object"),
    (["a"], "`hpc_job_set[1]` is not an object"),
    ({"job_id": 2}, "`hpc_job_set[1].job_status` is missing"),
    ({"job_id": 2, "job_status": ""}, "`hpc_job_set[1].job_status` is missing"),
    ({"job_id": 2, "job_status": 1}, "`hpc_job_set[1].job_status` is missing or not a string"),
    ({"job_status": "running"}, "`hpc_job_set[1].job_id` is missing"),
    ({"job_id": True, "job_status": "running"}, "`hpc_job_set[1].job_id` is missing"),
    ({"job_id": 2, "job_status": "running", "job_node_list": 7}, "`hpc_job_set[1].job_node_list` is not a string"),
    ({"job_id": 2, "job_status": "running", "job_node_list": ["compute01"]},
     "`hpc_job_set[1].job_node_list` is not a string"),
])
def test_a_job_entry_of_the_wrong_shape_fails_closed_naming_it(entry, what):
    jobs = [{"job_id": 1, "job_status": "running", "job_node_list": "compute01"}, entry]
    with pytest.raises(ApiError) as err:
        jobs_in_status(jobs, "running", "https://hpc.example")
    assert what in str(err.value) and "EHPC job/list" in str(err.value) and "https://hpc.example" in str(err.value)
