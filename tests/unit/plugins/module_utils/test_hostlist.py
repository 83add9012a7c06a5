# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Slurm host list expansion (EHPC job_node_list, see docs/api-decisions.md)."""

from __future__ import annotations

__metaclass__ = type

import pytest

from ansible_collections.hpcops.clusters.plugins.module_utils.slurm.hostlist import HostListError, expand


@pytest.mark.parametrize("text,hosts", [
    (None, []),
    ("", []),
    ("login1", ["login1"]),
    ("node1,node2", ["node1", "node2"]),
    ("node1 node2", ["node1", "node2"]),
    ("node[01-03]", ["node01", "node02", "node03"]),
    ("node[08-10]", ["node08", "node09", "node10"]),  # padding comes from the lower bound
    ("node[1-3,7]", ["node1", "node2", "node3", "node7"]),
    ("node[01-02],login1", ["node01", "node02", "login1"]),
    ("r[1-2]n[1-2]", ["r1n1", "r1n2", "r2n1", "r2n2"]),
    ("node[1-2]-ib", ["node1-ib", "node2-ib"]),
    ("node1,node1,node[1-2]", ["node1", "node2"]),  # no duplicates, first order kept
    ("10.0.0.[5-6]", ["10.0.0.5", "10.0.0.6"]),
])
def test_slurm_host_lists_expand(text, hosts):
    assert expand(text) == hosts


@pytest.mark.parametrize("text", ["node[1-3", "node1-3]", "node[a-c]", "node[3-1]", "node[1-]"])
def test_malformed_host_lists_are_refused(text):
    with pytest.raises(HostListError):
        expand(text)


@pytest.mark.parametrize("text", ["compute[]", "compute[ ]", "compute[],compute01", "compute[1,]", "compute[,1]",
                                  "r[1-2]n[]", "node[1[2]]"])
def test_empty_brackets_and_ranges_are_refused_not_dropped(text):
    with pytest.raises(HostListError, match="empty|nested"):
        expand(text)


def test_a_list_naming_more_hosts_than_the_limit_is_refused_before_building_it():
    with pytest.raises(HostListError, match="more than 100000 hosts"):
        expand("c[1-100001]")
    with pytest.raises(HostListError, match="more than 100000 hosts"):
        expand("r[1-1000]n[1-1000]")  # a million, refused from the sizes alone
    with pytest.raises(HostListError, match="more than 10 hosts"):
        expand("c[1-6],d[1-5]", limit=10)


def test_the_largest_allowed_list_expands_completely_and_in_order():
    hosts = expand("c[1-100000]")
    assert len(hosts) == 100000 and hosts[0] == "c1" and hosts[-1] == "c100000"


def test_duplicates_are_dropped_without_comparing_every_pair():
    # c[1-20000] took 2.2 s with a list scan per host (issue 29 item 11); the set-based
    # de-duplication keeps the first occurrence and the order.
    assert expand("c[1-3],c2,c[2-4]") == ["c1", "c2", "c3", "c4"]
    assert len(expand("c[1-5000],c[1-5000]")) == 5000
