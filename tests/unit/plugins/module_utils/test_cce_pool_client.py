# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CceClient's node-pool calls over the real Transport with a fake HTTP session: the bodies sent
(desiredNodeCount always there) and the answers refused."""

from __future__ import annotations

__metaclass__ = type

import pytest

from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.cce import CceClient
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError
from ansible_collections.hpcops.clusters.tests.unit.plugins.module_utils.test_cce_modelarts import PROJECT, make

CLUSTER = "/api/v3/projects/%s/clusters/c1" % PROJECT
POOL = {"kind": "NodePool", "metadata": {"uid": "p1", "name": "pool-a"},
        "spec": {"initialNodeCount": 2}, "status": {"currentNode": 2}}


@pytest.mark.parametrize("count", [0, 3])
def test_scale_always_sends_the_desired_count_of_the_default_scale_group(count):
    client, fake = make(CceClient, {("POST", CLUSTER + "/nodepools/p1/operation/scale"): [(200, {})]}, [])
    assert client.scale_node_pool("c1", "p1", count) is None
    assert fake.calls[0]["body"] == {"kind": "NodePool", "apiVersion": "v3",
                                     "spec": {"desiredNodeCount": count, "scaleGroups": ["default"]}}


@pytest.mark.parametrize("count", [None, -1, True, "3"])
def test_scale_refuses_a_count_that_is_not_a_whole_number_before_sending(count):
    client, fake = make(CceClient, {}, [])
    with pytest.raises(ApiError, match="node count of 0 or more"):
        client.scale_node_pool("c1", "p1", count)
    assert fake.calls == []


def test_scale_returns_the_order_id_and_refuses_an_html_answer_as_ambiguous():
    routes = {("POST", CLUSTER + "/nodepools/p1/operation/scale"): [(200, {"orderID": "CS123"}), (200, None)]}
    client, fake = make(CceClient, routes, [])
    assert client.scale_node_pool("c1", "p1", 4) == "CS123"
    with pytest.raises(ApiError) as raised:
        client.scale_node_pool("c1", "p1", 4)
    assert "unexpected answer" in str(raised.value) and "CCE ScaleNodePool" in str(raised.value)
    assert raised.value.ambiguous is True
    assert len(fake.calls) == 2  # a write is not re-sent by the transport


def test_lock_and_unlock_send_the_node_list():
    routes = {("POST", CLUSTER + "/nodes/locknodescaledown"): [(200, {})],
              ("POST", CLUSTER + "/nodes/unlocknodescaledown"): [(200, {})]}
    client, fake = make(CceClient, routes, [])
    client.set_scale_down_lock("c1", ["u1", "u2"])
    client.set_scale_down_lock("c1", ["u1"], locked=False)
    assert [(c["path"].rsplit("/", 1)[1], c["body"]) for c in fake.calls] == [
        ("locknodescaledown", {"apiVersion": "v3", "kind": "List", "nodeList": ["u1", "u2"]}),
        ("unlocknodescaledown", {"apiVersion": "v3", "kind": "List", "nodeList": ["u1"]})]


@pytest.mark.parametrize("answer, words", [
    ({"kind": "List", "items": [dict(POOL, status=None)]}, "node pool pool-a has no `status`"),
    ({"kind": "List", "items": [{"metadata": {"name": "x"}}]}, "no `metadata.uid`"),
    ({"kind": "List"}, "no `items`"),
    ({"items": []}, "no `kind`"),
])
def test_a_pool_list_without_what_a_pool_holds_fails_naming_the_call(answer, words):
    client, _fake = make(CceClient, {("GET", CLUSTER + "/nodepools"): [(200, answer)]}, [])
    with pytest.raises(ApiError) as raised:
        client.list_node_pools("c1")
    assert "CCE ListNodePools" in str(raised.value) and words in str(raised.value)


def test_show_node_pool_checks_the_pool():
    client, _fake = make(CceClient, {("GET", CLUSTER + "/nodepools/p1"): [(200, POOL), (200, dict(POOL, spec=[]))]}, [])
    assert client.show_node_pool("c1", "p1")["metadata"]["uid"] == "p1"
    with pytest.raises(ApiError, match="CCE ShowNodePool"):
        client.show_node_pool("c1", "p1")
