# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CceClient and ModelArtsClient over the real Transport with a fake HTTP session."""

from __future__ import annotations

__metaclass__ = type

import json
from urllib.parse import parse_qsl, urlsplit

import pytest

from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud import modelarts
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.cce import CceClient
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError, WaitError
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.auth import HuaweiAuth
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.modelarts import ModelArtsClient
from ansible_collections.hpcops.clusters.plugins.module_utils.retries import RetryPolicy
from ansible_collections.hpcops.clusters.plugins.module_utils.transport import Transport

requests = pytest.importorskip("requests")

PROJECT = "proj-0123"
TOKEN = "TOKENSECRET-abc"
CCE_JOBS = "/api/v3/projects/%s/jobs/" % PROJECT
HYPER = "/v1/%s/dev-servers/hyper-clusters" % PROJECT


class FakeHuawei:
    """Stands in for ``Transport.session.request``. ``routes`` maps (METHOD, path) to a
    list of answers given in turn (the last one repeats): (status, body[, headers])."""

    def __init__(self, routes):
        self.routes = routes
        self.calls = []

    def __call__(self, method, url, headers=None, data=None, timeout=None, allow_redirects=True):
        parts = urlsplit(url)
        self.calls.append({"method": method, "url": url, "path": parts.path,
                           "query": dict(parse_qsl(parts.query)), "headers": headers,
                           "body": json.loads(data) if data else None})
        answers = self.routes[(method, parts.path)]
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        status, body = answer[0], answer[1]
        response = requests.Response()
        response.status_code = status
        response.reason = {200: "OK", 204: "No Content", 404: "Not Found"}.get(status, "Error")
        response.url = url
        response.headers.update(answer[2] if len(answer) > 2 else {})
        response._content = b"" if body is None else json.dumps(body).encode()
        return response


@pytest.fixture
def sleeps():
    return []


def make(client_class, routes, sleeps, endpoint=None):
    transport = Transport(retry_policy=RetryPolicy(attempts=3, sleep=sleeps.append, rand=lambda: 0.0))
    fake = FakeHuawei(routes)
    transport.session.request = fake
    auth = HuaweiAuth(transport, PROJECT, region="cn-north-4", auth_token=TOKEN)
    return client_class(transport, auth, endpoint), fake


# --- error mapping ----------------------------------------------------------------------

def test_error_code_and_error_msg_become_the_api_error(sleeps):
    nodes = "/api/v3/projects/%s/clusters/c-1/nodes" % PROJECT
    client, dummy = make(CceClient, {("GET", nodes): [
        (400, {"error_code": "CCE.01400001", "error_msg": "Invalid request."}, {"X-Request-Id": "rid-1"})]}, sleeps)
    with pytest.raises(ApiError) as info:
        client.list_nodes("c-1")
    err = info.value
    assert (err.status, err.code, err.message, err.request_id) == (400, "CCE.01400001", "Invalid request.", "rid-1")
    assert err.path == nodes
    assert TOKEN not in str(err) and TOKEN not in repr(err.as_dict())


def test_code_and_message_are_understood_too(sleeps):
    client, dummy = make(ModelArtsClient, {("GET", HYPER + "/hc-1"): [
        (409, {"code": "ModelArts.6404", "message": "cluster busy"})]}, sleeps)
    with pytest.raises(ApiError) as info:
        client.get_hyper_cluster("hc-1")
    assert (info.value.code, info.value.message, info.value.status) == ("ModelArts.6404", "cluster busy", 409)


@pytest.mark.parametrize("status,text", [(401, "authentication failed"), (403, "permission denied")])
def test_auth_failures_are_explained(sleeps, status, text):
    client, fake = make(CceClient, {("GET", CCE_JOBS + "job-1"): [(status, {"error_msg": "token expired"})]}, sleeps)
    with pytest.raises(ApiError) as info:
        client.get_job("job-1")
    assert text in info.value.message and "token expired" in info.value.message
    assert len(fake.calls) == 1  # not retried


def test_server_error_on_a_read_is_retried(sleeps):
    client, fake = make(CceClient, {("GET", CCE_JOBS + "job-1"): [
        (503, {"error_msg": "busy"}), (200, {"status": {"phase": "Running"}})]}, sleeps)
    assert client.get_job("job-1") == {"status": {"phase": "Running"}}
    assert len(fake.calls) == 2


def test_requests_carry_the_token_and_project(sleeps):
    client, fake = make(CceClient, {("GET", CCE_JOBS + "job-1"): [(200, {"status": {"phase": "Running"}})]}, sleeps)
    client.get_job("job-1")
    headers = fake.calls[0]["headers"]
    assert headers["X-Auth-Token"] == TOKEN
    assert headers["X-Project-Id"] == PROJECT
    assert fake.calls[0]["url"].startswith("https://cce.cn-north-4.myhuaweicloud.com/api/v3/")


def test_path_values_are_quoted_whole(sleeps):
    client, fake = make(CceClient, {("GET", CCE_JOBS + "a%2Fb%20c"): [(200, {"status": {"phase": "Running"}})]}, sleeps)
    client.get_job("a/b c")
    assert fake.calls[0]["path"] == CCE_JOBS + "a%2Fb%20c"


def test_endpoint_override_is_used(sleeps):
    client, fake = make(ModelArtsClient, {("GET", HYPER + "/hc-1"): [(200, {"id": "hc-1"})]}, sleeps,
                        endpoint="https://modelarts.example.internal:8443/")
    client.get_hyper_cluster("hc-1")
    assert fake.calls[0]["url"].startswith("https://modelarts.example.internal:8443/v1/")


# --- 404 means absent -------------------------------------------------------------------

def test_get_hyper_cluster_404_is_none(sleeps):
    client, fake = make(ModelArtsClient, {("GET", HYPER + "/hc-1"): [(404, {"error_code": "ModelArts.50004040", "error_msg": "not found"})]}, sleeps)
    assert client.get_hyper_cluster("hc-1") is None
    assert fake.calls[0]["query"] == {"type": "HPS"}


def test_get_hyper_cluster_returns_the_cluster_and_sends_the_type(sleeps):
    client, fake = make(ModelArtsClient, {("GET", HYPER + "/hc-1"): [(200, {"id": "hc-1", "name": "n"})]}, sleeps)
    assert client.get_hyper_cluster("hc-1", "ECS") == {"id": "hc-1", "name": "n"}
    assert fake.calls[0]["query"] == {"type": "ECS"}


def test_get_job_404_is_none(sleeps):
    client, dummy = make(CceClient, {("GET", CCE_JOBS + "job-1"): [(404, {"error_code": "CCE.01404001", "error_msg": "no job"})]}, sleeps)
    assert client.get_job("job-1") is None


def test_other_errors_are_not_swallowed_as_absent(sleeps):
    client, dummy = make(ModelArtsClient, {("GET", HYPER + "/hc-1"): [(400, {"error_msg": "bad id"})]}, sleeps)
    with pytest.raises(ApiError):
        client.get_hyper_cluster("hc-1")


def test_delete_hyper_cluster_404_is_false_and_204_is_true(sleeps):
    client, fake = make(ModelArtsClient, {("DELETE", HYPER + "/gone"): [(404, {"error_code": "ModelArts.50004040", "error_msg": "not found"})],
                                          ("DELETE", HYPER + "/hc-1"): [(204, None)]}, sleeps)
    assert client.delete_hyper_cluster("gone") is False
    assert client.delete_hyper_cluster("hc-1", "ECS") is True
    assert fake.calls[1]["query"] == {"type": "ECS"}
    assert fake.calls[1]["body"] is None


def test_delete_hyper_cluster_is_resent_after_a_server_error(sleeps):
    client, fake = make(ModelArtsClient, {("DELETE", HYPER + "/hc-1"): [(502, None), (204, None)]}, sleeps)
    assert client.delete_hyper_cluster("hc-1") is True
    assert len(fake.calls) == 2


# --- CCE remove nodes -------------------------------------------------------------------

REMOVE = "/api/v3/projects/%s/clusters/c-1/nodes/operation/remove" % PROJECT


@pytest.mark.parametrize("count", [0, 201, 500])
def test_remove_nodes_outside_1_to_200_is_rejected_before_any_call(sleeps, count):
    client, fake = make(CceClient, {}, sleeps)
    with pytest.raises(ApiError, match="1 to 200"):
        client.remove_nodes("c-1", ["n-%d" % i for i in range(count)], {"sshKey": "kp"})
    assert fake.calls == []


def test_remove_nodes_puts_a_remove_nodes_task_and_returns_the_job_id(sleeps):
    client, fake = make(CceClient, {("PUT", REMOVE): [(200, {"status": {"jobID": "job-rm"}})]}, sleeps)
    uids = ["n-%d" % i for i in range(200)]
    login = {"userPassword": {"username": "root", "password": "salted"}}
    assert client.remove_nodes("c-1", uids, login) == "job-rm"
    call = fake.calls[0]
    assert call["method"] == "PUT"
    assert call["body"] == {"apiVersion": "v3", "kind": "RemoveNodesTask",
                            "spec": {"login": login, "nodes": [{"uid": uid} for uid in uids]}}


def test_remove_nodes_server_error_is_ambiguous_and_not_resent(sleeps):
    client, fake = make(CceClient, {("PUT", REMOVE): [(500, {"error_msg": "oops"}), (200, {})]}, sleeps)
    with pytest.raises(ApiError) as info:
        client.remove_nodes("c-1", ["n-1"], {"sshKey": "kp"})
    assert info.value.ambiguous
    assert len(fake.calls) == 1


def test_remove_nodes_without_job_id_is_an_error(sleeps):
    client, dummy = make(CceClient, {("PUT", REMOVE): [(200, {"status": {}})]}, sleeps)
    with pytest.raises(ApiError, match="no `status.jobID`"):
        client.remove_nodes("c-1", ["n-1"], {"sshKey": "kp"})


def test_list_nodes_returns_the_items(sleeps):
    nodes = "/api/v3/projects/%s/clusters/c-1/nodes" % PROJECT
    items = [{"metadata": {"uid": "n-1"}, "status": {"phase": "Active"}}]
    client, dummy = make(CceClient, {("GET", nodes): [(200, {"kind": "List", "items": items})]}, sleeps)
    assert client.list_nodes("c-1") == items


def cce_page(uids, next_marker=None):
    page_info = {"currentCount": len(uids)}
    if next_marker is not None:
        page_info["nextMarker"] = next_marker
    return (200, {"kind": "List", "apiVersion": "v3", "items": [{"metadata": {"uid": u}} for u in uids],
                  "pageInfo": page_info})


def test_list_nodes_follows_next_marker_until_the_last_page(sleeps):
    nodes = "/api/v3/projects/%s/clusters/c-1/nodes" % PROJECT
    pages = [cce_page(["a", "b"], "b"), cce_page(["c", "d"], "d"), cce_page(["e"])]
    client, fake = make(CceClient, {("GET", nodes): pages}, sleeps)
    assert [n["metadata"]["uid"] for n in client.list_nodes("c-1")] == ["a", "b", "c", "d", "e"]
    # The first call sends no marker (nor a limit: the API's default is its maximum, 2000).
    assert [c["query"] for c in fake.calls] == [{}, {"marker": "b"}, {"marker": "d"}]


def test_list_nodes_fails_when_a_marker_comes_back_twice(sleeps):
    nodes = "/api/v3/projects/%s/clusters/c-1/nodes" % PROJECT
    pages = [cce_page(["a", "b"], "b"), cce_page(["c", "d"], "d"), cce_page(["e", "f"], "b")]
    client, fake = make(CceClient, {("GET", nodes): pages}, sleeps)
    with pytest.raises(ApiError, match="marker b came back a second time"):
        client.list_nodes("c-1")
    assert len(fake.calls) == 3


def test_list_nodes_fails_on_an_empty_page_that_names_a_next_one(sleeps):
    nodes = "/api/v3/projects/%s/clusters/c-1/nodes" % PROJECT
    client, dummy = make(CceClient, {("GET", nodes): [cce_page(["a"], "a"), cce_page([], "z")]}, sleeps)
    with pytest.raises(ApiError, match="an empty page names a next page"):
        client.list_nodes("c-1")


@pytest.mark.parametrize("page_info", ["next", {"nextMarker": 7}, ["b"]])
def test_list_nodes_fails_on_a_page_info_of_another_shape(sleeps, page_info):
    nodes = "/api/v3/projects/%s/clusters/c-1/nodes" % PROJECT
    answer = (200, {"kind": "List", "items": [{"metadata": {"uid": "a"}}], "pageInfo": page_info})
    client, dummy = make(CceClient, {("GET", nodes): [answer]}, sleeps)
    with pytest.raises(ApiError, match="pageInfo"):
        client.list_nodes("c-1")


def test_a_later_page_without_items_fails_closed(sleeps):
    nodes = "/api/v3/projects/%s/clusters/c-1/nodes" % PROJECT
    client, dummy = make(CceClient, {("GET", nodes): [cce_page(["a"], "a"), (200, {"kind": "List"})]}, sleeps)
    with pytest.raises(ApiError, match="items"):
        client.list_nodes("c-1")


# --- listing hyper clusters -------------------------------------------------------------

def test_list_hyper_clusters_is_one_call_of_one_type_without_paging(sleeps):
    clusters = [{"id": "hc-%d" % i} for i in range(150)]
    client, fake = make(ModelArtsClient, {("GET", HYPER): [(200, {"hyper_clusters": clusters})]}, sleeps)
    assert client.list_hyper_clusters("HPS") == clusters
    assert [c["query"] for c in fake.calls] == [{"type": "HPS"}]


def test_list_hyper_clusters_without_the_list_is_an_unexpected_answer(sleeps):
    client, fake = make(ModelArtsClient, {("GET", HYPER): [(200, {"total": 9})]}, sleeps)
    with pytest.raises(ApiError, match="unexpected answer from .* to ModelArts ListHyperCluster: no `hyper_clusters`"):
        client.list_hyper_clusters("ECS")
    assert len(fake.calls) == 1


def test_a_404_without_the_service_error_body_is_not_absent(sleeps):
    client, dummy = make(ModelArtsClient, {("GET", HYPER + "/hc-1"): [(404, {"error_msg": "no such page"})]}, sleeps)
    with pytest.raises(ApiError):
        client.get_hyper_cluster("hc-1")


@pytest.mark.parametrize("value,invalid", [("hc-01", False), ("A" * 64, False), ("", True), ("A" * 65, True),
                                           ("a/b", True), ("a b", True), ("a_b", True), (None, True)])
def test_invalid_id_follows_the_seed_pattern(value, invalid):
    assert modelarts.invalid_id(value) is invalid


# --- waiting ----------------------------------------------------------------------------

def test_cce_wait_for_job_returns_the_job_on_success(sleeps):
    client, fake = make(CceClient, {("GET", CCE_JOBS + "job-1"): [
        (200, {"status": {"phase": "Initializing"}}), (200, {"status": {"phase": "Running"}}),
        (200, {"metadata": {"uid": "job-1"}, "status": {"phase": "Success"}})]}, sleeps)
    job = client.wait_for_job("job-1", timeout=60, sleep=sleeps.append)
    assert job["status"]["phase"] == "Success"
    assert len(fake.calls) == 3


def test_cce_wait_for_job_failed_gives_the_reason(sleeps):
    client, dummy = make(CceClient, {("GET", CCE_JOBS + "job-1"): [
        (200, {"status": {"phase": "Running"}}),
        (200, {"status": {"phase": "Failed", "reason": "node n-1 is in use by a workload"}})]}, sleeps)
    with pytest.raises(WaitError) as info:
        client.wait_for_job("job-1", timeout=60, sleep=sleeps.append)
    err = info.value
    assert err.job_id == "job-1" and err.status == "Failed"
    assert "job-1" in str(err) and "node n-1 is in use by a workload" in str(err)


def test_cce_wait_for_job_vanished_after_three_404s(sleeps):
    client, fake = make(CceClient, {("GET", CCE_JOBS + "job-1"): [(404, {"error_code": "CCE.01404001", "error_msg": "no job"})]}, sleeps)
    with pytest.raises(WaitError, match="vanished") as info:
        client.wait_for_job("job-1", timeout=60, sleep=sleeps.append)
    assert info.value.status == "missing"
    assert len(fake.calls) == 3


def test_modelarts_wait_until_gone_returns_after_404(sleeps):
    client, fake = make(ModelArtsClient, {("GET", HYPER + "/hc-1"): [
        (200, {"id": "hc-1", "name": "demo", "network_info": []}), (404, {"error_code": "ModelArts.50004040", "error_msg": "not found"})]}, sleeps)
    assert client.wait_until_gone("hc-1", "HPS", timeout=60, sleep=sleeps.append) is None
    assert len(fake.calls) == 2
