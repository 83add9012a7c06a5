"""Reliability under the simulator's fault injection: throttling, 5xx, dropped connections,
writes whose answer was lost, and jobs that fail, hang or vanish.

Every scenario is one ansible-playbook run of several tasks (see tests/integration/scenario.py):
a module-scoped fixture runs it once, and the tests below each prove one behaviour from
the calls the simulator logged for one task.
"""

from __future__ import annotations

import pytest

from tests.integration.scenario import Scenario, role_nodes, sim_ehpc_nodes
from tests.simulator.world import CCE_CLUSTER_ID, EHPC_CLUSTER_ID, HYPER_CLUSTER_ECS, HYPER_CLUSTER_HPS

# A long file: tests/conftest.py has pytest-xdist start the slow files first.
pytestmark = pytest.mark.slow

CLUSTER = EHPC_CLUSTER_ID
LIST = "/api/cluster/listNodes"
ADD = "/api/cluster/addNodes"
DELETE = "/api/cluster/deleteNodes"
RESTART = "/api/cluster/restartNodes"
CCE_NODES = "/clusters/%s/nodes" % CCE_CLUSTER_ID
CCE_REMOVE = "/nodes/operation/remove"
HYPER = "/dev-servers/hyper-clusters"
KEY_LOGIN = {"ssh_key": "KeyPair-demo"}
# RetryPolicy: 5 attempts; retry n waits between half and all of 0.5 * 2**(n-1) s (cap 8 s).
ATTEMPTS = 5
# Scheduling slack allowed above a backoff's ceiling (the suite may share a busy machine).
SLACK = 1.5


def status(code, path, times=1, **extra):
    return dict(kind="status", status=code, path=path, times=times, **extra)


def ret_code(code, path, times=1):
    return dict(kind="ret_code", ret_code=code, path=path, times=times)


def fault(kind, path, times=1, **extra):
    return dict(kind=kind, path=path, times=times, **extra)


def ok(result):
    return not result.get("failed") and "msg" not in result


def check_backoff(gaps, retry_after=None):
    """Each wait is the policy's jittered, doubling backoff, or the server's Retry-After if longer."""
    for number, gap in enumerate(gaps, start=1):
        ceiling = min(8.0, 0.5 * 2 ** (number - 1))
        low = max(ceiling / 2, retry_after or 0.0)
        high = max(ceiling, retry_after or 0.0) + SLACK
        assert low - 0.05 <= gap <= high, (number, gaps)


# --- reads: throttling, 5xx and dropped connections -----------------------------------------

@pytest.fixture(scope="module")
def reads(simulator_session, tmp_path_factory):
    sim = simulator_session
    sim.reset()
    info = {"cluster_id": CLUSTER, "jobs": False}
    cce = {"cluster_id": CCE_CLUSTER_ID}
    iam_user = {"cluster_id": CCE_CLUSTER_ID, "access_key": None, "secret_key": None,
                "iam_user": "demo", "iam_password": "demo-password", "iam_domain": "demo"}
    scenario = (Scenario(sim, tmp_path_factory.mktemp("reads"))
                .task("429", "ehpc_nodes_info", info, [status(429, LIST, times=2)])
                .task("429 retry-after", "ehpc_nodes_info", info, [status(429, LIST, times=2, retry_after=1)])
                .task("5100", "ehpc_nodes_info", info, [ret_code(5100, LIST, times=2)])
                .task("2500", "ehpc_nodes_info", info, [ret_code(2500, LIST, times=2)])
                .task("429 forever", "ehpc_nodes_info", info, [status(429, LIST, times=10)])
                .task("5100 forever", "ehpc_nodes_info", info, [ret_code(5100, LIST, times=10)])
                .task("ehpc 5xx and drops", "ehpc_nodes_info", {"cluster_id": CLUSTER},
                      [status(500, LIST), status(502, LIST), fault("drop", LIST),
                       status(503, "/api/job/list"), status(504, "/api/job/list")])
                .task("cce 5xx", "cce_nodes_info", cce,
                      [status(500, CCE_NODES), status(502, CCE_NODES), status(503, CCE_NODES), status(504, CCE_NODES)])
                .task("cce 429 retry-after", "cce_nodes_info", cce,
                      [status(429, CCE_NODES, retry_after=1), fault("drop", CCE_NODES)])
                .task("iam 503 and 429", "cce_nodes_info", iam_user,
                      [status(503, "/v3/auth/tokens"), status(429, "/v3/auth/tokens")])
                .task("iam 503 forever", "cce_nodes_info", iam_user, [status(503, "/v3/auth/tokens", times=10)])
                .task("modelarts drop and 503", "modelarts_hyper_cluster_info", {},
                      [fault("drop", HYPER), status(503, HYPER)]))
    return scenario.run()


@pytest.mark.parametrize("name", ["429", "429 retry-after"])
def test_http_429_is_retried_with_backoff_and_the_task_succeeds(reads, name):
    assert ok(reads[name]), reads[name]
    assert len(reads[name]["nodes"]) == 3
    # Two throttled answers, then the third listNodes call gets through.
    assert reads.outcomes(name, LIST) == [429, 429, 200]
    check_backoff(reads.gaps(name, LIST), retry_after=1 if "retry-after" in name else None)
    assert reads.writes() == []


def test_retry_after_is_honoured_over_a_shorter_backoff(reads):
    assert all(gap >= 0.95 for gap in reads.gaps("429 retry-after", LIST)), reads.gaps("429 retry-after", LIST)


def test_qingcloud_busy_code_is_retried_and_the_task_succeeds(reads):
    assert ok(reads["5100"]), reads["5100"]
    assert reads.outcomes("5100", LIST) == ["ret_code 5100"] * 2 + [200]
    check_backoff(reads.gaps("5100", LIST))


def test_qingcloud_quota_code_2500_is_not_retried_and_names_the_daily_quota(reads):
    # The API call quota is per day (error code page): a retry seconds later cannot succeed.
    result = reads["2500"]
    assert result.get("failed"), result
    assert reads.outcomes("2500", LIST) == ["ret_code 2500"]
    assert "code 2500" in result["msg"] and "daily API call quota" in result["msg"], result["msg"]
    assert result["failure"]["code"] == 2500


def test_throttling_that_outlasts_the_retries_fails_naming_the_status(reads):
    result = reads["429 forever"]
    assert result.get("failed"), result
    assert reads.outcomes("429 forever", LIST) == [429] * ATTEMPTS
    check_backoff(reads.gaps("429 forever", LIST))
    assert "HTTP 429" in result["msg"] and "listNodes" in result["msg"], result["msg"]
    assert result["failure"]["status"] == 429 and result["failure"]["code"] == 2500


def test_busy_code_that_outlasts_the_retries_fails_naming_the_code(reads):
    result = reads["5100 forever"]
    assert result.get("failed"), result
    assert reads.outcomes("5100 forever", LIST) == ["ret_code 5100"] * ATTEMPTS
    assert "code 5100" in result["msg"] and "server busy" in result["msg"], result["msg"]
    assert result["failure"]["code"] == 5100


def test_5xx_and_dropped_connections_on_ehpc_reads_are_retried(reads):
    name = "ehpc 5xx and drops"
    assert ok(reads[name]), reads[name]
    assert reads.outcomes(name, LIST) == [500, 502, "drop", 200]
    assert reads.outcomes(name, "/api/job/list") == [503, 504, 200]
    assert [n["busy"] for n in reads[name]["nodes"]] == [False] * 3


def test_5xx_on_cce_reads_is_retried_up_to_the_fifth_attempt(reads):
    assert ok(reads["cce 5xx"]), reads["cce 5xx"]
    assert reads.outcomes("cce 5xx", CCE_NODES) == [500, 502, 503, 504, 200]
    assert len(reads["cce 5xx"]["nodes"]) == 3


def test_huawei_429_with_retry_after_and_a_dropped_read_are_retried(reads):
    name = "cce 429 retry-after"
    assert ok(reads[name]), reads[name]
    assert reads.outcomes(name, CCE_NODES) == [429, "drop", 200]
    assert reads.gaps(name, CCE_NODES)[0] >= 0.95


def test_iam_token_request_is_retried_on_503_and_429(reads):
    name = "iam 503 and 429"
    assert ok(reads[name]), reads[name]
    assert reads.outcomes(name, "/v3/auth/tokens") == [503, 429, 201]
    assert reads.outcomes(name, CCE_NODES) == [200]


def test_failing_iam_is_asked_five_times_in_all_not_five_times_per_retry_of_the_call(reads):
    result = reads["iam 503 forever"]
    assert result.get("failed") and "HTTP 503" in result["msg"] and "/v3/auth/tokens" in result["msg"], result
    assert reads.outcomes("iam 503 forever", "/v3/auth/tokens") == [503] * ATTEMPTS
    assert reads.calls_of("iam 503 forever", CCE_NODES) == []


def test_dropped_and_503_modelarts_reads_are_retried(reads):
    name = "modelarts drop and 503"
    assert ok(reads[name]), reads[name]
    # The HPS list: dropped, 503, answered; then the ECS list (one call per type).
    assert reads.outcomes(name, HYPER) == ["drop", 503, 200, 200]
    assert sorted(c["id"] for c in reads[name]["hyper_clusters"]) == [HYPER_CLUSTER_ECS, HYPER_CLUSTER_HPS]


# --- writes: never re-sent blindly --------------------------------------------------------

@pytest.fixture(scope="module")
def writes(simulator_session, tmp_path_factory):
    sim = simulator_session
    sim.reset()
    sim.world(cce_nodes=6)
    nodes = dict((n["name"], n["node_id"]) for n in sim.state()["ehpc"]["clusters"][CLUSTER]["nodes"].values())
    cce = dict((n["name"], n["uid"]) for n in sim.state()["cce"]["clusters"][CCE_CLUSTER_ID]["nodes"].values())

    def scale(count):
        return {"cluster_id": CLUSTER, "count": count}

    def remove(number):
        return {"cluster_id": CCE_CLUSTER_ID, "nodes": ["cce-demo-node-%d" % number], "login": KEY_LOGIN}

    restart = {"cluster_id": CLUSTER, "state": "restarted", "nodes": [nodes["compute01"]]}
    scenario = (Scenario(sim, tmp_path_factory.mktemp("writes"))
                .task("add drop", "ehpc_nodes", scale(3), [fault("drop", ADD)])
                .task("add drop_after", "ehpc_nodes", scale(5), [fault("drop_after", ADD)])
                .task("add 503", "ehpc_nodes", scale(6), [status(503, ADD)])
                .task("add 429", "ehpc_nodes", scale(7), [status(429, ADD)])
                .task("add 5100", "ehpc_nodes", scale(8), [ret_code(5100, ADD)])
                .task("delete drop_after", "ehpc_nodes", scale(5), [fault("drop_after", DELETE)])
                .task("delete drop", "ehpc_nodes", scale(4), [fault("drop", DELETE)])
                .task("delete 504", "ehpc_nodes", scale(3), [status(504, DELETE)])
                .task("absent drop_after", "ehpc_nodes",
                      {"cluster_id": CLUSTER, "state": "absent", "nodes": [nodes["compute02"]]},
                      [fault("drop_after", DELETE)])
                .task("restart drop_after", "ehpc_nodes", restart, [fault("drop_after", RESTART)])
                .task("restart drop", "ehpc_nodes", restart, [fault("drop", RESTART)])
                .task("cce drop_after", "cce_node_remove", remove(6), [fault("drop_after", CCE_REMOVE)])
                .task("cce drop", "cce_node_remove", remove(5), [fault("drop", CCE_REMOVE)])
                .task("cce 503", "cce_node_remove", remove(4), [status(503, CCE_REMOVE)])
                .task("cce 429", "cce_node_remove", remove(3), [status(429, CCE_REMOVE)])
                .task("modelarts drop_after", "modelarts_hyper_cluster", {"id": HYPER_CLUSTER_HPS},
                      [fault("drop_after", HYPER, method="DELETE")])
                .task("modelarts 502", "modelarts_hyper_cluster", {"id": HYPER_CLUSTER_ECS, "type": "ECS"},
                      [status(502, HYPER, method="DELETE")]))
    run = scenario.run()
    run.cce_uids = cce
    run.ehpc_ids = nodes
    return run


def compute_after(writes, name):
    """The compute nodes the task reported, after it waited for them to settle."""
    return role_nodes(writes[name]["nodes"])


@pytest.mark.parametrize("name, wanted, outcomes", [
    # Dropped before the simulator applied it: re-read, nothing added, submitted once more.
    ("add drop", 3, ["drop", 200]),
    # Applied, then the connection dropped: re-read finds the nodes; never sent again.
    ("add drop_after", 5, ["drop_after"]),
    # A 5xx may come after the work started, so it too is settled by re-reading first.
    ("add 503", 6, [503, 200]),
    # 429 and ret_code 5100 are refusals (nothing done): re-sent after a backoff.
    ("add 429", 7, [429, 200]),
    ("add 5100", 8, ["ret_code 5100", 200]),
])
def test_add_nodes_whose_answer_is_lost_or_refused_ends_at_exactly_the_wanted_count(writes, name, wanted, outcomes):
    result = writes[name]
    assert ok(result) and result["changed"], result
    assert writes.outcomes(name, ADD) == outcomes
    nodes = compute_after(writes, name)
    assert len(nodes) == wanted, nodes
    assert all(n["status"] == "active" and n["transition_status"] == "" for n in nodes), nodes
    # Nothing was added twice: no scale-in was needed to get back to the count.
    assert writes.writes_of(name, DELETE) == []


def test_lost_add_nodes_answer_is_not_resent_and_the_task_waits_for_the_nodes(writes):
    result = writes["add drop_after"]
    # The job id was in the lost answer: the module waited on the nodes themselves.
    assert result["job_ids"] == [] and len(result["added"]) == 2, result
    assert len(writes.writes_of("add drop_after")) == 1


@pytest.mark.parametrize("name, wanted, outcomes", [
    ("delete drop_after", 5, ["drop_after"]),  # from 8
    ("delete drop", 4, ["drop", 200]),
    ("delete 504", 3, [504, 200]),
])
def test_delete_nodes_whose_answer_is_lost_never_deletes_more(writes, name, wanted, outcomes):
    result = writes[name]
    assert ok(result) and result["changed"], result
    assert writes.outcomes(name, DELETE) == outcomes
    assert len(compute_after(writes, name)) == wanted
    assert len(result["removed"]) == (3 if name == "delete drop_after" else 1)
    assert writes.writes_of(name, ADD) == []


def test_absent_with_a_lost_answer_removes_only_the_listed_node(writes):
    gone = writes.ehpc_ids["compute02"]
    result = writes["absent drop_after"]
    assert ok(result) and result["removed"] == [gone], result
    assert writes.outcomes("absent drop_after", DELETE) == ["drop_after"]
    left = [n["id"] for n in compute_after(writes, "absent drop_after")]
    assert len(left) == 2 and gone not in left and writes.ehpc_ids["compute01"] in left


def test_restart_whose_answer_is_lost_is_not_sent_twice(writes):
    node = writes.ehpc_ids["compute01"]
    applied = writes["restart drop_after"]
    assert ok(applied) and applied["changed"] and applied["restarted"] == [node], applied
    assert writes.outcomes("restart drop_after", RESTART) == ["drop_after"]
    # Dropped before it arrived: the node is not restarting, so the restart is sent again.
    never_arrived = writes["restart drop"]
    assert ok(never_arrived) and never_arrived["restarted"] == [node], never_arrived
    assert writes.outcomes("restart drop", RESTART) == ["drop", 200]
    assert all(n["transition_status"] == "" for n in never_arrived["nodes"])


def test_ehpc_fault_scenario_leaves_the_cluster_as_asked(writes):
    compute = sim_ehpc_nodes(writes.state, CLUSTER)
    assert len(compute) == 2 and writes.ehpc_ids["compute01"] in [n["node_id"] for n in compute]
    assert len(sim_ehpc_nodes(writes.state, CLUSTER, "login")) == 1
    # One add job per addNodes call that landed, one delete job per deleteNodes that landed:
    # drop_after landed without an answer, a drop or an error status did not land at all.
    jobs = [j for j in writes.state["jobs"].values() if j["service"] == "ehpc"]
    assert sorted(j["action"] for j in jobs) == sorted(
        ["AddClusterNodes"] * 5 + ["DeleteClusterNodes"] * 4 + ["RestartClusterNodes"] * 2)
    assert sum(len(j["resource_ids"]) for j in jobs if j["action"] == "AddClusterNodes") == 6


def test_cce_remove_whose_answer_is_lost_is_sent_once(writes):
    result = writes["cce drop_after"]
    assert ok(result) and result["changed"], result
    assert result["removed"] == [writes.cce_uids["cce-demo-node-6"]]
    assert writes.outcomes("cce drop_after", CCE_REMOVE, "PUT") == ["drop_after"]
    assert "cce-demo-node-6" not in [n["name"] for n in result["nodes"]]


@pytest.mark.parametrize("name, number, outcomes", [
    ("cce drop", 5, ["drop", 200]),
    ("cce 503", 4, [503, 200]),
    ("cce 429", 3, [429, 200]),
])
def test_cce_remove_that_did_not_land_is_submitted_once_more(writes, name, number, outcomes):
    result = writes[name]
    assert ok(result) and result["changed"], result
    assert result["removed"] == [writes.cce_uids["cce-demo-node-%d" % number]]
    assert writes.outcomes(name, CCE_REMOVE, "PUT") == outcomes
    assert len(result["job_ids"]) == 1


def test_cce_fault_scenario_removed_each_node_once(writes):
    left = sorted(n["name"] for n in writes.state["cce"]["clusters"][CCE_CLUSTER_ID]["nodes"].values())
    assert left == ["cce-demo-node-1", "cce-demo-node-2"]
    # Four removals, four RemoveNodesTasks that landed (a drop_after lands, a drop or an
    # error status does not): none was submitted twice.
    removals = [j for j in writes.state["jobs"].values() if j["service"] == "cce"]
    assert sorted(len(j["resource_ids"]) for j in removals) == [1, 1, 1, 1]


@pytest.mark.parametrize("name, cluster_id", [("modelarts drop_after", HYPER_CLUSTER_HPS),
                                              ("modelarts 502", HYPER_CLUSTER_ECS)])
def test_modelarts_delete_is_safely_repeated_and_starts_one_deletion(writes, name, cluster_id):
    result = writes[name]
    assert ok(result) and result["changed"], result
    first, *again = writes.outcomes(name, HYPER, "DELETE")
    # DELETE is idempotent, so it is simply retried: answered 204 while the deletion runs,
    # or 404 once it is done; either way one deletion job.
    if name == "modelarts 502":
        assert (first, again) == (502, [204])
    else:
        assert first == "drop_after" and again in ([204], [404]), again
    assert writes.calls_of(name, HYPER, "GET")[-1]["status"] == 404
    assert len([j for j in writes.state["jobs"].values() if j["cluster_id"] == cluster_id]) == 1
    assert cluster_id not in writes.state["hyper_clusters"]


# --- jobs that fail, hang or vanish -----------------------------------------------------------

@pytest.fixture(scope="module")
def jobs(simulator_session, tmp_path_factory):
    sim = simulator_session
    sim.reset()

    def remove(number, **extra):
        return dict({"cluster_id": CCE_CLUSTER_ID, "nodes": ["cce-demo-node-%d" % number], "login": KEY_LOGIN}, **extra)

    scenario = (Scenario(sim, tmp_path_factory.mktemp("jobs"))
                .task("ehpc job_fail", "ehpc_nodes", {"cluster_id": CLUSTER, "count": 3}, [fault("job_fail", ADD)])
                .task("ehpc job_stuck", "ehpc_nodes", {"cluster_id": CLUSTER, "count": 3, "wait_timeout": 2},
                      [fault("job_stuck", ADD)])
                # The stuck job's node counts as one of the 3: ask for a 4th.
                .task("ehpc job_vanish", "ehpc_nodes", {"cluster_id": CLUSTER, "count": 4}, [fault("job_vanish", ADD)])
                .task("cce job_fail", "cce_node_remove", remove(3), [fault("job_fail", CCE_REMOVE)])
                .task("cce job_stuck", "cce_node_remove", remove(3, wait_timeout=2), [fault("job_stuck", CCE_REMOVE)])
                .task("cce job_vanish", "cce_node_remove", remove(2), [fault("job_vanish", CCE_REMOVE)]))
    return scenario.run()


@pytest.mark.parametrize("name, words", [
    ("ehpc job_fail", ["failed"]),
    ("ehpc job_stuck", ["timed out after 2s", "pending"]),
    ("ehpc job_vanish", ["vanished"]),
    ("cce job_fail", ["failed", "simulated failure"]),
    ("cce job_stuck", ["timed out after", "phase Running"]),
    ("cce job_vanish", ["vanished"]),
])
def test_job_that_fails_hangs_or_vanishes_fails_the_task_naming_the_job(jobs, name, words):
    result = jobs[name]
    assert result.get("failed"), result
    job_id = result["failure"]["job_id"]
    assert job_id and job_id in result["msg"], result
    for word in words:
        assert word in result["msg"], result["msg"]
    assert result["failure"]["timed_out"] is ("stuck" in name)
    # The job id came back from the one write the task made: nothing was re-submitted.
    assert len(jobs.writes_of(name)) == 1
    if name.startswith("cce"):
        assert result["job_ids"] == [job_id]
