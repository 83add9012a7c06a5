# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""EhpcClient over the real Transport, with the HTTP session replaced by a fake EHPC
API that checks every request's signature the way the server does."""

from __future__ import annotations

__metaclass__ = type

import base64
import hashlib
import hmac
import json
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.ehpc import EhpcClient, ehpc_error
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError, WaitError
from ansible_collections.hpcops.clusters.plugins.module_utils.retries import RetryPolicy
from ansible_collections.hpcops.clusters.plugins.module_utils.transport import Transport

requests = pytest.importorskip("requests")

AK = "QYACCESSKEYIDEXAMPLE"
SK = "SECRETACCESSKEY/+="
ZONE = "pek3"
ENDPOINT = "https://hpc-api.example.test"


def verify_signature(method, url, body):
    """Check ``url``'s signature as the EHPC server would; return the decoded query."""
    parts = urlsplit(url)
    unsigned, encoded = parts.query.rsplit("&signature=", 1)
    # The signed path ends with "/" while the request goes to the path without it.
    assert not parts.path.endswith("/")
    to_sign = "\n".join((method, parts.path + "/", unsigned, hashlib.md5(body or b"").hexdigest()))
    expected = base64.b64encode(hmac.new(SK.encode(), to_sign.encode(), hashlib.sha256).digest()).decode()
    assert unquote(unquote(encoded)) == expected, "bad signature"
    names = [pair.split("=", 1)[0] for pair in unsigned.split("&")]
    assert names == sorted(names)
    return dict(parse_qsl(unsigned, keep_blank_values=True))


class FakeEhpc:
    """Stands in for ``Transport.session.request``; ``routes`` maps (METHOD, path) to a
    function (query, body) -> answer dict, or a list of answers to give in turn."""

    def __init__(self, routes):
        self.routes = routes
        self.calls = []

    def __call__(self, method, url, headers=None, data=None, timeout=None, allow_redirects=True):
        query = verify_signature(method, url, data)
        path = urlsplit(url).path
        body = json.loads(data) if data else None
        self.calls.append({"method": method, "path": path, "query": query, "body": body, "headers": headers,
                           "raw_body": data})
        route = self.routes[(method, path)]
        answer = route.pop(0) if isinstance(route, list) else route(query, body)
        if isinstance(answer, requests.Response):
            return answer
        status = 200
        if isinstance(answer, tuple):
            status, answer = answer
        response = requests.Response()
        response.status_code = status
        response.reason = "OK" if status < 400 else "Error"
        response.url = url
        response.headers["Content-Type"] = "application/json"
        response._content = json.dumps(answer).encode()
        return response


@pytest.fixture
def sleeps():
    return []


def make_client(routes, sleeps, attempts=3):
    transport = Transport(retry_policy=RetryPolicy(attempts=attempts, sleep=sleeps.append, rand=lambda: 0.0))
    fake = FakeEhpc(routes)
    transport.session.request = fake
    return EhpcClient(transport, AK, SK, ZONE, endpoint=ENDPOINT + "/"), fake


def ok(**fields):
    return dict(fields, ret_code=0)


# --- listing ----------------------------------------------------------------------------

def test_list_nodes_pages_by_100_until_total_count(sleeps):
    nodes = [{"node_id": "cln-%03d" % i, "role": "compute", "status": "active"} for i in range(250)]

    def list_nodes(query, _body):
        start, limit = int(query["offset"]), int(query["limit"])
        return ok(hpc_app_nodes_set=nodes[start:start + limit], total_count=len(nodes))

    client, fake = make_client({("GET", "/api/cluster/listNodes"): list_nodes}, sleeps)
    assert client.list_nodes("ehpc-abc") == nodes
    assert [c["method"] for c in fake.calls] == ["GET"] * 3
    assert [c["query"]["offset"] for c in fake.calls] == ["0", "100", "200"]
    assert {c["query"]["limit"] for c in fake.calls} == {"100"}
    assert {c["query"]["cluster_id"] for c in fake.calls} == {"ehpc-abc"}
    assert {c["query"]["zone"] for c in fake.calls} == {ZONE}
    assert all(c["raw_body"] is None for c in fake.calls)  # GET: parameters in the query only


def test_list_nodes_fails_on_a_page_short_of_total_count(sleeps):
    # A short list is never taken for the cluster: it would plan adds for nodes that exist.
    pages = [ok(hpc_app_nodes_set=[{"node_id": "cln-1"}], total_count=5)]
    client, fake = make_client({("GET", "/api/cluster/listNodes"): pages}, sleeps)
    with pytest.raises(ApiError, match=r"EHPC listNodes at https://\S+: the page at offset 0 holds 1 items, not 5"):
        client.list_nodes("ehpc-abc")
    assert len(fake.calls) == 1


@pytest.mark.parametrize("answer, missing", [
    ({"ret_code": 0}, "no `hpc_app_nodes_set`"),
    ({"ret_code": 0, "hpc_app_nodes_set": [], "total_count": "0"}, "`total_count` is not an integer"),
    ({"ret_code": 0, "hpc_app_nodes_set": {}, "total_count": 0}, "`hpc_app_nodes_set` is not a list"),
    ({"ret_code": 0, "hpc_app_nodes_set": [{"name": "x"}], "total_count": 1}, "no `hpc_app_nodes_set[0].node_id`"),
    ({"hpc_app_nodes_set": [], "total_count": 0}, "no `ret_code`"),
    ({}, "no `ret_code`"),
])
def test_list_nodes_fails_closed_on_a_wrong_shape(sleeps, answer, missing):
    client, fake = make_client({("GET", "/api/cluster/listNodes"): [answer]}, sleeps)
    with pytest.raises(ApiError) as err:
        client.list_nodes("ehpc-abc")
    assert str(err.value).startswith("unexpected answer from https://hpc-api.example.test to EHPC listNodes: ")
    assert missing in str(err.value) and "is `endpoint` right?" in str(err.value)
    assert not err.value.retryable
    assert len(fake.calls) == 1


@pytest.mark.parametrize("call, answer", [
    ("add", {"ret_code": 0}),
    ("add", {"ret_code": 0, "job_id": 7}),
    ("delete", {"ret_code": 0}),
    ("restart", {"ret_code": 0, "job_id": ""}),
])
def test_writes_without_a_job_id_fail_closed(sleeps, call, answer):
    path = {"add": "addNodes", "delete": "deleteNodes", "restart": "restartNodes"}[call]
    client, _fake = make_client({("POST", "/api/cluster/" + path): [answer]}, sleeps)
    with pytest.raises(ApiError, match="unexpected answer from .* to EHPC %s" % path):
        if call == "add":
            client.add_nodes("ehpc-abc", "compute", 1)
        elif call == "delete":
            client.delete_nodes("ehpc-abc", ["cln-1"])
        else:
            client.restart_nodes("ehpc-abc", ["cln-1"])


def test_list_hpc_jobs_sends_status_and_pages(sleeps):
    jobs = [{"job_id": i, "job_status": "running"} for i in range(120)]

    def job_list(query, _body):
        start = int(query["offset"])
        return ok(hpc_job_set=jobs[start:start + 100], total_count=120)

    client, fake = make_client({("GET", "/api/job/list"): job_list}, sleeps)
    assert client.list_hpc_jobs("ehpc-abc") == jobs
    assert [c["query"]["offset"] for c in fake.calls] == ["0", "100"]
    assert fake.calls[0]["query"]["jobs_status"] == "running"


@pytest.mark.parametrize("status", ["running", "pending"])
def test_list_hpc_jobs_sends_both_filter_names_and_keeps_only_jobs_in_that_status(sleeps, status):
    # The docs name the filter jobs_status, QingCloud's SDK job_status; a server that ignores
    # the name it gets answers every job, finished ones included (issue 28 item 5).
    history = [{"job_id": 1, "job_status": "finished", "job_node_list": "compute01"},
               {"job_id": 2, "job_status": "running", "job_node_list": "compute01"},
               {"job_id": 3, "job_status": "pending", "job_node_list": ""},
               {"job_id": 4, "job_status": "cancelled", "job_node_list": ""}]
    client, fake = make_client({("GET", "/api/job/list"): lambda _q, _b: ok(hpc_job_set=history, total_count=4)},
                               sleeps)
    assert [job["job_status"] for job in client.list_hpc_jobs("ehpc-abc", status)] == [status]
    assert fake.calls[0]["query"]["job_status"] == fake.calls[0]["query"]["jobs_status"] == status


def test_list_hpc_jobs_fails_on_a_job_without_its_own_status(sleeps):
    client, _fake = make_client({("GET", "/api/job/list"): lambda _q, _b: ok(
        hpc_job_set=[{"job_id": 1, "job_node_list": "compute01"}], total_count=1)}, sleeps)
    with pytest.raises(ApiError, match="job_status` is missing"):
        client.list_hpc_jobs("ehpc-abc", "running")


# --- writes -----------------------------------------------------------------------------

def test_add_nodes_posts_signed_json_with_zone_and_node_count_as_string(sleeps):
    client, fake = make_client({("POST", "/api/cluster/addNodes"): [ok(job_id="j-add")]}, sleeps)
    assert client.add_nodes("ehpc-abc", "compute", 3, private_ips=["10.0.0.5"]) == "j-add"
    call = fake.calls[0]
    assert call["body"] == {"cluster_id": "ehpc-abc", "node_role": "compute", "node_count": "3",
                            "private_ips": ["10.0.0.5"], "zone": ZONE}
    assert call["headers"]["Content-Type"] == "application/json"
    # POST parameters, zone included, travel in the body only, as the SDK sends them.
    assert "cluster_id" not in call["query"] and "zone" not in call["query"]
    assert call["query"]["access_key_id"] == AK
    # The SDK's bytes: json.dumps(elements, sort_keys=True), default separators.
    assert call["raw_body"] == json.dumps(call["body"], sort_keys=True).encode()
    assert b'", "' in call["raw_body"] and b'": "' in call["raw_body"]


@pytest.mark.parametrize("count", [0, 100, -1])
def test_add_nodes_rejects_counts_outside_1_to_99_before_any_call(sleeps, count):
    client, fake = make_client({}, sleeps)
    with pytest.raises(ApiError, match="1 to 99"):
        client.add_nodes("ehpc-abc", "compute", count)
    assert fake.calls == []


def test_add_nodes_accepts_the_limits(sleeps):
    client, fake = make_client({("POST", "/api/cluster/addNodes"): [ok(job_id="j-1"), ok(job_id="j-2")]}, sleeps)
    client.add_nodes("ehpc-abc", "login", 1)
    client.add_nodes("ehpc-abc", "compute", 99)
    assert [c["body"]["node_count"] for c in fake.calls] == ["1", "99"]


def test_add_nodes_without_job_id_is_an_error(sleeps):
    client, dummy = make_client({("POST", "/api/cluster/addNodes"): [ok()]}, sleeps)
    with pytest.raises(ApiError, match="to EHPC addNodes: no `job_id`"):
        client.add_nodes("ehpc-abc", "compute", 1)


@pytest.mark.parametrize("answer,expected", [
    (ok(job_ids=["j-1", "j-2"]), ["j-1", "j-2"]),
    (ok(job_ids="j-1"), ["j-1"]),
    (ok(job_ids="j-1,j-2"), ["j-1", "j-2"]),
    (ok(job_id="j-9"), ["j-9"]),
    (ok(job_id=["j-7", "j-8"]), ["j-7", "j-8"]),
])
def test_delete_nodes_accepts_job_ids_or_job_id(sleeps, answer, expected):
    client, fake = make_client({("POST", "/api/cluster/deleteNodes"): [answer]}, sleeps)
    assert client.delete_nodes("ehpc-abc", ("cln-1", "cln-2")) == expected
    assert fake.calls[0]["body"] == {"cluster_id": "ehpc-abc", "node_ids": ["cln-1", "cln-2"],
                                     "node_list": ["cln-1", "cln-2"], "zone": ZONE}


def test_delete_nodes_without_a_job_key_fails_closed(sleeps):
    client, _fake = make_client({("POST", "/api/cluster/deleteNodes"): [ok()]}, sleeps)
    with pytest.raises(ApiError, match="to EHPC deleteNodes: no `job_ids` or `job_id`"):
        client.delete_nodes("ehpc-abc", ["cln-1"])


def test_restart_nodes_calls_restart_nodes_as_the_sdk_spells_it(sleeps):
    client, fake = make_client({("POST", "/api/cluster/restartNodes"): [ok(job_id="j-r"), ok(job_id="j-s")]}, sleeps)
    assert client.restart_nodes("ehpc-abc", ["cln-1"]) == "j-r"
    assert client.restart_nodes("ehpc-abc", ["cln-2"]) == "j-s"
    assert fake.calls[0]["body"] == {"cluster_id": "ehpc-abc", "node_ids": ["cln-1"], "zone": ZONE}
    assert [c["path"] for c in fake.calls] == ["/api/cluster/restartNodes"] * 2


def _html_404():
    return _response(None, status=404, content=b"<html><body><h1>404 Not Found</h1></body></html>")


def test_restart_nodes_falls_back_to_the_seed_spelling_on_http_404_and_remembers_it(sleeps):
    client, fake = make_client({("POST", "/api/cluster/restartNodes"): [_html_404()],
                                ("POST", "/api/cluster/resatrtNodes"): [ok(job_id="j-r"), ok(job_id="j-s")]}, sleeps)
    assert client.restart_nodes("ehpc-abc", ["cln-1"]) == "j-r"
    assert client.restart_nodes("ehpc-abc", ["cln-2"]) == "j-s"
    assert [c["path"] for c in fake.calls] == ["/api/cluster/restartNodes", "/api/cluster/resatrtNodes",
                                               "/api/cluster/resatrtNodes"]
    assert fake.calls[1]["body"] == {"cluster_id": "ehpc-abc", "node_ids": ["cln-1"], "zone": ZONE}
    assert sleeps == []


def test_restart_nodes_fails_naming_both_routes_when_both_are_404(sleeps):
    client, fake = make_client({("POST", "/api/cluster/restartNodes"): [_html_404()],
                                ("POST", "/api/cluster/resatrtNodes"): [_html_404()]}, sleeps)
    with pytest.raises(ApiError, match="neither /api/cluster/restartNodes nor /api/cluster/resatrtNodes") as info:
        client.restart_nodes("ehpc-abc", ["cln-1"])
    assert info.value.status == 404
    assert len(fake.calls) == 2


@pytest.mark.parametrize("answer", [{"ret_code": 2100, "message": "node not found"},
                                    (403, {"ret_code": 1400, "message": "denied"})])
def test_restart_nodes_does_not_try_the_other_route_on_other_errors(sleeps, answer):
    client, fake = make_client({("POST", "/api/cluster/restartNodes"): [answer]}, sleeps)
    with pytest.raises(ApiError):
        client.restart_nodes("ehpc-abc", ["cln-1"])
    assert [c["path"] for c in fake.calls] == ["/api/cluster/restartNodes"]


# --- ret_code mapping -------------------------------------------------------------------

def test_auth_failure_1200_is_readable_and_not_retried(sleeps):
    client, fake = make_client({("GET", "/api/cluster/listNodes"): [
        {"ret_code": 1200, "message": "signature not match"}]}, sleeps)
    with pytest.raises(ApiError) as info:
        client.list_nodes("ehpc-abc")
    err = info.value
    assert err.code == 1200
    assert not err.retryable
    assert "authentication failed" in err.message and "signature not match" in err.message
    assert len(fake.calls) == 1
    assert sleeps == []
    assert "signature=" not in str(err) and SK not in str(err)


def test_quota_2500_is_not_retried_and_names_the_daily_api_call_quota(sleeps):
    client, fake = make_client({("GET", "/api/cluster/listNodes"): [
        {"ret_code": 2500, "message": "quota exceeded"}, ok(hpc_app_nodes_set=[], total_count=0)]}, sleeps)
    with pytest.raises(ApiError) as info:
        client.list_nodes("ehpc-abc")
    assert info.value.code == 2500 and not info.value.retryable
    assert "daily API call quota" in str(info.value)
    assert len(fake.calls) == 1 and sleeps == []


def test_busy_5100_is_retried_even_for_a_write(sleeps):
    client, fake = make_client({("POST", "/api/cluster/addNodes"): [
        {"ret_code": 5100, "message": "server busy"}, ok(job_id="j-after-busy")]}, sleeps)
    assert client.add_nodes("ehpc-abc", "compute", 2) == "j-after-busy"
    assert len(fake.calls) == 2
    assert len(sleeps) == 1


def test_busy_5100_is_retryable_but_not_ambiguous():
    error = ehpc_error(_response({"ret_code": 5100}))
    assert error.retryable and not error.ambiguous
    assert error.message == "server busy"


def test_internal_error_5000_on_a_write_is_ambiguous_and_not_resent(sleeps):
    client, fake = make_client({("POST", "/api/cluster/deleteNodes"): [
        {"ret_code": 5000, "message": "internal"}, ok(job_id="j-x")]}, sleeps)
    with pytest.raises(ApiError) as info:
        client.delete_nodes("ehpc-abc", ["cln-1"])
    assert info.value.code == 5000
    assert info.value.retryable and info.value.ambiguous
    assert len(fake.calls) == 1


def test_internal_error_5000_on_a_read_is_retried(sleeps):
    client, fake = make_client({("GET", "/api/operation"): [
        {"ret_code": 5000}, ok(job_set=[{"job_id": "j-1", "status": "pending"}])]}, sleeps)
    assert client.job_statuses(["j-1"]) == {"j-1": {"job_id": "j-1", "status": "pending"}}
    assert len(fake.calls) == 2


@pytest.mark.parametrize("code,retryable", [(1100, False), (1300, False), (1400, False), (2100, False),
                                            (2500, False), (5300, True), ("5100", True), (9999, False)])
def test_ret_code_retryability(code, retryable):
    error = ehpc_error(_response({"ret_code": code, "message": "m"}))
    assert error.retryable is retryable
    assert error.ambiguous is False


def test_ret_code_zero_and_http_errors_without_json():
    assert ehpc_error(_response({"ret_code": 0, "x": 1})) is None
    assert ehpc_error(_response({"x": 1})) is None  # no ret_code: the client's shape check fails it
    assert ehpc_error(_response(None, status=502, content=b"<html>bad gateway</html>")) is None
    assert ehpc_error(_response(None, status=200, content=b"<html>")) is None


def test_a_200_that_is_not_json_fails_closed(sleeps):
    page = _response(None, status=200, content=b"<html><body>sign in</body></html>")
    client, _fake = make_client({("GET", "/api/cluster/listNodes"): [page]}, sleeps)
    with pytest.raises(ApiError, match="to EHPC listNodes: the body is not JSON"):
        client.list_nodes("ehpc-abc")


def _response(data, status=200, content=None):
    response = requests.Response()
    response.status_code = status
    response._content = content if content is not None else json.dumps(data).encode()
    return response


# --- waiting for jobs -------------------------------------------------------------------

def operation(*polls):
    """An /api/operation route answering one job_set per poll (the last one repeats)."""
    polls = list(polls)

    def route(query, _body):
        wanted = query["job_ids"].split(",")
        job_set = polls.pop(0) if len(polls) > 1 else polls[0]
        return ok(job_set=[job for job in job_set if job["job_id"] in wanted], total_count=len(job_set))
    return route


def test_wait_for_jobs_returns_when_every_job_succeeded(sleeps):
    route = operation(
        [{"job_id": "j-1", "status": "successful"}, {"job_id": "j-2", "status": "pending"}],
        [{"job_id": "j-2", "status": "pending"}],
        [{"job_id": "j-2", "status": "successful"}])
    client, fake = make_client({("GET", "/api/operation"): route}, sleeps)
    result = client.wait_for_jobs(["j-1", "j-2"], timeout=60, sleep=sleeps.append)
    assert result["j-1"]["status"] == "successful" and result["j-2"]["status"] == "successful"
    # Finished jobs are not asked about again.
    assert [c["query"]["job_ids"] for c in fake.calls] == ["j-1,j-2", "j-2", "j-2"]
    assert len(sleeps) == 2


def test_job_statuses_asks_with_limit_for_every_job_it_polls_100_a_call(sleeps):
    job_ids = ["j-%010d" % i for i in range(230)]

    def route(query, _body):
        wanted = query["job_ids"].split(",")
        # The API's default limit is 10: an answer holds no more jobs than asked for.
        shown = wanted[int(query["offset"]) if "offset" in query else 0:][:int(query.get("limit", 10))]
        return ok(job_set=[{"job_id": job_id, "status": "pending"} for job_id in shown], total_count=len(wanted))

    client, fake = make_client({("GET", "/api/operation"): route}, sleeps)
    assert sorted(client.job_statuses(job_ids)) == job_ids
    assert [len(c["query"]["job_ids"].split(",")) for c in fake.calls] == [100, 100, 30]
    assert [c["query"]["limit"] for c in fake.calls] == ["100", "100", "30"]


def test_wait_for_jobs_failed_job_names_the_job_and_status(sleeps):
    route = operation([{"job_id": "j-1", "status": "pending"}],
                      [{"job_id": "j-1", "status": "failed", "error_codes": "1400"}])
    client, dummy = make_client({("GET", "/api/operation"): route}, sleeps)
    with pytest.raises(WaitError) as info:
        client.wait_for_jobs(["j-1"], timeout=60, sleep=sleeps.append)
    err = info.value
    assert err.job_id == "j-1" and err.status == "failed"
    assert "j-1" in str(err) and "failed" in str(err) and "1400" in str(err)
    assert not err.timed_out


def test_wait_for_jobs_job_missing_for_three_polls_has_vanished(sleeps):
    client, fake = make_client({("GET", "/api/operation"): operation([])}, sleeps)
    with pytest.raises(WaitError) as info:
        client.wait_for_jobs(["j-gone"], timeout=60, sleep=sleeps.append)
    err = info.value
    assert err.job_id == "j-gone" and err.status == "missing"
    assert "vanished" in str(err) and "j-gone" in str(err)
    assert len(fake.calls) == 3
