"""The pure work that grows with a cluster stays linear: plans, busy-node matching, results.

Checked on 20,000 nodes by counting, not timing: every node is a dict that counts how often
its keys are read. Work that is linear in the cluster reads each node a bounded number of
times, so 10 times the nodes costs about 10 times the reads; a scan per wanted entry
(quadratic) would cost about 100 times. Wall times are in tests/bench/run.py (section 6).
"""

from __future__ import annotations

from ansible_collections.hpcops.clusters.plugins.module_utils.slurm import hostlist
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.cce_node_plan import plan_removal
from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.ehpc_node_plan import (
    chain_node, nodes_by_role, plan_nodes, public_node, remaining_work)
from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.hpc_jobs import busy_nodes

BIG = 20000
SMALL = 2000
# Reads per node that linear work stays under, whatever the constant factor of each step.
LINEAR_RATIO = 12  # 10x the nodes; a quadratic step would give about 100x


class Counter:
    reads = 0


class CountingNode(dict):
    def __getitem__(self, key):
        Counter.reads += 1
        return dict.__getitem__(self, key)

    def get(self, key, default=None):
        Counter.reads += 1
        return dict.get(self, key, default)


def ehpc_cluster(n):
    nodes = [CountingNode(node_id="cln-l0000001", role="login", status="active", transition_status="",
                          name="login01", private_ip="10.1.0.1", instance_id="i-l1",
                          create_time="2026-11-01T00:00:00Z")]
    for i in range(1, n + 1):
        nodes.append(CountingNode(node_id="cln-%07d" % i, role="compute", status="active", transition_status="",
                                  name="compute%05d" % i, private_ip="10.%d.%d.%d" % (i >> 16, (i >> 8) & 255, i & 255),
                                  instance_id="i-%07d" % i, create_time="2026-11-01T%02d:%02d:%02dZ" % (
                                      i // 3600 % 24, i // 60 % 60, i % 60)))
    return nodes


def running_jobs(n):
    """A job on every 10 compute nodes of the first half of the cluster, as Slurm host lists."""
    return [{"job_id": 1000 + j, "job_status": "running",
             "job_node_list": "compute[%05d-%05d]" % (j * 10 + 1, j * 10 + 10)} for j in range(n // 20)]


def ehpc_work(n):
    """Everything an ehpc_nodes task does with the node list, start to result."""
    nodes = ehpc_cluster(n)
    busy = busy_nodes(nodes, running_jobs(n))
    half = n // 2
    options = {"cluster_id": "ehpc-big", "state": "present", "role": "compute", "count": n - n // 4,
               "nodes": [], "private_ips": [], "busy_nodes": "keep",
               "protected_nodes": ["compute%05d" % i for i in range(half, half + n // 10)]}
    scale_in = plan_nodes(nodes, options, busy)
    absent = plan_nodes(nodes, dict(options, state="absent", count=0,
                                    nodes=["compute%05d" % i for i in range(half + n // 10 + 1, n + 1)]), busy)
    delivered = {"add": 0, "add_batches": [], "remove": absent["remove"][: len(absent["remove"]) // 2], "restart": []}
    left = remaining_work(absent, delivered, nodes, dict(options, state="absent"))
    result = {"nodes": [public_node(x) for x in nodes], "removed_nodes": [chain_node(x) for x in nodes[:half]],
              "by_role": nodes_by_role(nodes)}
    return busy, scale_in, absent, left, result


def cce_items(n):
    return [CountingNode(metadata={"uid": "uid-%06d" % i, "name": "pool-%05d" % i}, status={"phase": "Active"})
            for i in range(1, n + 1)]


def reads(work, n):
    Counter.reads = 0
    value = work(n)
    return Counter.reads, value


def test_ehpc_plans_busy_matching_and_results_are_linear_on_20000_nodes():
    small, dummy = reads(ehpc_work, SMALL)
    big, (busy, scale_in, absent, left, result) = reads(ehpc_work, BIG)
    # The answers are right at 20,000 nodes ...
    assert len(busy) == BIG // 2 and busy["cln-0000001"] == [1000]
    # Busy nodes kept: all but compute10000, which protected_nodes shields before jobs are looked at.
    assert len(scale_in["remove"]) == BIG // 4 and len(scale_in["protected"]) == BIG // 2 - 1
    assert not set(scale_in["remove"]) & set(busy)
    assert len(absent["not_found"]) == 0 and len(absent["remove"]) == BIG - (BIG // 2 + BIG // 10)
    assert left["remove"] == absent["remove"][len(absent["remove"]) // 2:]
    assert len(result["nodes"]) == BIG + 1 and len(result["by_role"]["compute"]) == BIG
    # ... and cost ten times what 2,000 nodes cost, not a hundred.
    assert big <= LINEAR_RATIO * small, (small, big)


def test_cce_removal_plan_by_name_is_linear_on_20000_nodes():
    def work(n):
        return plan_removal(cce_items(n), ["pool-%05d" % i for i in range(n // 2, n + 1)] + ["gone"],
                            protected=["pool-%05d" % i for i in range(1, n // 4)])

    small, dummy = reads(work, SMALL)
    big, plan = reads(work, BIG)
    assert len(plan["remove"]) == BIG // 2 + 1 and plan["absent"] == ["gone"]
    assert len(plan["batches"]) == (BIG // 2 + 1 + 199) // 200
    assert big <= LINEAR_RATIO * small, (small, big)


def test_a_host_list_of_20000_hosts_expands_in_order_without_repeats():
    hosts = hostlist.expand("compute[00001-20000],compute[00001-00010],login01")
    assert len(hosts) == BIG + 1 and hosts[0] == "compute00001" and hosts[-1] == "login01"
