"""hpcops.clusters.cce_node_remove against the simulator, with every Huawei auth form.

All tasks run in one ansible-playbook at -vvv (see tests/integration/scenario.py), so every
secret check covers the whole verbose output; each test reads its own task's result, its own
task's calls, and, where it checks the cluster right after its task, a state snapshot taken
there (``Scenario.snapshot``).
"""

from __future__ import annotations

import pytest

from tests.integration.scenario import Scenario
from tests.simulator.client import iam_token_request
from tests.simulator.world import (CCE_CLUSTER_ID, HW_PROJECT_ID, HW_SECURITY_TOKEN, HW_TEMP_ACCESS_KEY,
                                   HW_TEMP_SECRET_KEY)

CLUSTER = CCE_CLUSTER_ID
REMOVE_PATH = "nodes/operation/remove"
KEY_LOGIN = {"ssh_key": "KeyPair-demo"}
# Distinctive, so a grep of the whole output can only find a leak of this value.
PASSWORD = "Salted$6$zqxHW-NeverShowMe-7731"

# Task environment: a blank HW_* variable counts as unset (the AK/SK env fallback off).
NO_AKSK = {"HW_ACCESS_KEY": "", "HW_SECRET_KEY": ""}
# The removal job of the "already deleting" case: long enough that the next task, a second or two
# later on a busy machine, still finds the nodes Deleting; that task then waits for the job (waiting
# costs the suite no CPU).
DELETING_JOB_SECONDS = 15
AUTH_FORMS = ["aksk", "aksk_security_token", "token", "iam_user"]
DELETING = ["cce-demo-node-2", "cce-demo-node-3"]
PROTECTED = [("name", "uid"), ("uid", "name"), ("name", "name")]


def iam_token(sim) -> str:
    """An IAM token of the simulator's demo user, got before a run for the token credentials form."""
    answer = iam_token_request(sim.url, "demo", "demo-password", "demo", HW_PROJECT_ID)
    assert answer.status == 201, answer
    return answer.headers["x-subject-token"]


def auth_env(form: str, token: str | None = None) -> dict | None:
    """Task environment for one credentials form (``token``: an IAM token got before the run, for
    the token form). A task's environment cannot unset a variable: a blank one turns its fallback off."""
    if form == "aksk":
        return None
    if form == "aksk_security_token":
        return {"HW_ACCESS_KEY": HW_TEMP_ACCESS_KEY, "HW_SECRET_KEY": HW_TEMP_SECRET_KEY,
                "HW_SECURITY_TOKEN": HW_SECURITY_TOKEN}
    if form == "token":
        return dict(NO_AKSK, HW_AUTH_TOKEN=token)
    if form == "iam_user":
        return dict(NO_AKSK, HW_USER_NAME="demo", HW_USER_PASSWORD="demo-password", HW_DOMAIN_NAME="demo")
    raise ValueError(form)


def viewer_env() -> dict:
    return dict(NO_AKSK, HW_USER_NAME="viewer", HW_USER_PASSWORD="viewer-password", HW_DOMAIN_NAME="demo")


def cce_nodes(state) -> dict:
    """name -> node record of the simulator's cluster, read from a state (no API call logged)."""
    nodes = state["cce"]["clusters"][CLUSTER]["nodes"]
    return dict((node["name"], node) for node in nodes.values())


def remove_calls(run, name) -> list:
    return [call for call in run.writes_of(name) if call["path"].endswith(REMOVE_PATH)]


def args(nodes, login=None, **extra) -> dict:
    result = {"cluster_id": CLUSTER, "nodes": list(nodes), "login": KEY_LOGIN if login is None else login}
    result.update(extra)
    return result


BAD_INPUT = [
    (args([]), "nodes must list at least one node"),
    (args(["cce-demo-node-3"], {"ssh_key": "KeyPair-demo", "user_password": {"password": PASSWORD}}),
     "mutually exclusive: ssh_key|user_password"),
    (args(["cce-demo-node-3"], {}), "one of the following is required: ssh_key, user_password"),
    (args(["cce-demo-node-3"], {"ssh_key": None}), "login needs one of ssh_key"),
    (args(["cce-demo-node-3"], {"user_password": {"username": "root"}}), "missing required arguments: password"),
]


def protected_task(world, named, protected) -> dict:
    node = cce_nodes(world)["cce-demo-node-2"]
    key = {"name": "name", "uid": "uid"}
    return args(["cce-demo-node-3", node[key[named]]], protected_nodes=["cce-demo-node-1", node[key[protected]]])


@pytest.fixture(scope="module")
def cce(simulator_session, tmp_path_factory):
    sim = simulator_session
    sim.reset()
    default_job_seconds = sim.config()["job_seconds"]
    # Node ids come from a fixed seed: each world's ids, read here, hold when .world() rebuilds it.
    worlds = {}
    for count in (450, 6, 3):
        sim.world(cce_nodes=count)
        worlds[count] = sim.state()
    world = worlds[3]
    token = iam_token(sim)  # tokens outlive .world()
    uids = dict((name, node["uid"]) for name, node in cce_nodes(world).items())
    scenario = Scenario(sim, tmp_path_factory.mktemp("cce_node_remove"))
    for form in AUTH_FORMS:
        env = auth_env(form, token)
        scenario.world().task("remove " + form, "cce_node_remove", args([uids["cce-demo-node-1"], "cce-demo-node-2"]),
                              environment=env)
        scenario.snapshot("after remove " + form)
        scenario.task("again " + form, "cce_node_remove",
                      args([uids["cce-demo-node-1"], "cce-demo-node-2", "cce-demo-node-9"]), environment=env)
    scenario.world().task("check", "cce_node_remove", args([uids["cce-demo-node-1"], "cce-demo-node-2"]),
                          check=True, diff=True)
    scenario.snapshot("after check")
    scenario.world().task("password login", "cce_node_remove",
                          args(["cce-demo-node-3"], {"user_password": {"password": PASSWORD}}), diff=True)
    scenario.snapshot("after password login")
    scenario.world().task("failed job", "cce_node_remove", args(["cce-demo-node-3"]),
                          [{"kind": "job_fail", "path": REMOVE_PATH}])
    scenario.snapshot("after failed job")
    (scenario
     .world().config(job_seconds=60)
     .task("wait timeout", "cce_node_remove", args(["cce-demo-node-3"], wait_timeout=1))
     .world().config(job_seconds=DELETING_JOB_SECONDS)
     .task("deleting first", "cce_node_remove", args(DELETING, wait=False))
     .task("deleting second", "cce_node_remove", args(DELETING)))
    scenario.snapshot("after deleting second")
    scenario.world().config(job_seconds=default_job_seconds)
    for index, (case, _message) in enumerate(BAD_INPUT):
        scenario.task("bad input %d" % index, "cce_node_remove", case)
    scenario.task("empty cluster", "cce_node_remove", args(["cce-demo-node-1", "cce-demo-node-2", "cce-demo-node-3"]))
    scenario.snapshot("after empty cluster")
    scenario.world(cce_nodes=450).task("450 nodes", "cce_node_remove",
                                       args(list(cce_nodes(worlds[450])[n]["uid"] for n in cce_nodes(worlds[450])),
                                            allow_empty_cluster=True))
    scenario.snapshot("after 450 nodes")
    scenario.world().task("read-only user", "cce_node_remove", args(["cce-demo-node-3"]), environment=viewer_env())
    scenario.snapshot("after read-only user")
    # The simulator applies the task, then drops the connection without answering.
    scenario.world().task("lost answer", "cce_node_remove", args(["cce-demo-node-3"]),
                          [{"kind": "drop_after", "path": REMOVE_PATH, "method": "PUT"}])
    scenario.snapshot("after lost answer")
    scenario.world().task("dropped", "cce_node_remove", args(["cce-demo-node-3"]),
                          [{"kind": "drop", "path": REMOVE_PATH, "method": "PUT"}])
    scenario.snapshot("after dropped")
    scenario.world().task("typo", "cce_node_remove", args(["cce-demo-nod-3"]))
    scenario.snapshot("after typo")
    scenario.world().task("found and not found", "cce_node_remove", args(["cce-demo-node-3", "cce-demo-nod-2"]))
    for named, protected in PROTECTED:
        scenario.world()
        for check in (True, False):
            scenario.task("protected %s %s %s" % (named, protected, check), "cce_node_remove",
                          protected_task(world, named, protected), check=check)
        scenario.snapshot("after protected %s %s" % (named, protected))
    scenario.world().task("protected named nowhere", "cce_node_remove",
                          args(["cce-demo-node-3"], protected_nodes=["cce-demo-node-1"]))
    scenario.snapshot("after protected named nowhere")
    (scenario
     .world().task("protected matching no node", "cce_node_remove",
                   args(["cce-demo-node-9"], protected_nodes=["cce-demo-node-9"]))
     .task("key pair default", "cce_node_remove", args(["cce-default-node"], {"ssh_key": "default"})))
    # Each call takes the first matching fault: the first task a no-op delay, the second a 400.
    scenario.world(cce_nodes=450).task(
        "later task refused", "cce_node_remove",
        args(sorted(node["uid"] for node in cce_nodes(worlds[450]).values())[:250]),
        [{"kind": "delay", "seconds": 0, "path": REMOVE_PATH, "times": 1},
         {"kind": "status", "status": 400, "path": REMOVE_PATH, "times": 1}])
    scenario.snapshot("after later task refused")
    (scenario
     .world(cce_nodes=6).task("return changed", "cce_node_remove", args(["cce-demo-node-6"], return_nodes="changed"))
     .task("return none", "cce_node_remove", args(["cce-demo-node-5"], return_nodes="none"))
     .task("return no-op", "cce_node_remove", args(["cce-demo-node-6"], return_nodes="changed"))
     .task("return all", "cce_node_remove", args(["cce-demo-node-6"])))
    run = scenario.run(extra_args=["-vvv"])
    run.world, run.worlds = world, worlds
    return run


@pytest.mark.parametrize("form", AUTH_FORMS)
def test_removes_by_uid_and_by_name_then_second_run_is_unchanged(cce, form):
    before = cce_nodes(cce.world)
    uid1 = before["cce-demo-node-1"]["uid"]
    uid2 = before["cce-demo-node-2"]["uid"]
    uid3 = before["cce-demo-node-3"]["uid"]

    real = cce["remove " + form]
    assert real["changed"] and not real.get("failed"), real
    assert sorted(real["removed"]) == sorted([uid1, uid2])
    assert len(real["job_ids"]) == 1 and real["job_id"] == real["job_ids"][0]
    assert real["nodes"] == [{"uid": uid3, "name": "cce-demo-node-3", "phase": "Active",
                              "private_ip": before["cce-demo-node-3"]["privateIP"]}]
    assert sorted(cce_nodes(cce.state_at("after remove " + form))) == ["cce-demo-node-3"]
    assert len(remove_calls(cce, "remove " + form)) == 1

    # Gone nodes, by uid or name, and names that never existed are all "already removed",
    # and said to be not found.
    again = cce["again " + form]
    assert not again["changed"] and not again.get("failed"), again
    assert again["removed"] == [] and again["job_ids"] == [] and again["job_id"] is None
    assert again["not_found"] == [uid1, "cce-demo-node-2", "cce-demo-node-9"]
    assert remove_calls(cce, "again " + form) == []


def test_check_mode_reports_what_would_go_and_makes_no_write(cce):
    before = cce_nodes(cce.world)
    uids = [before["cce-demo-node-%d" % i]["uid"] for i in (1, 2, 3)]
    check = cce["check"]
    assert check["changed"] and not check.get("failed"), check
    assert sorted(check["removed"]) == sorted(uids[:2])
    assert check["job_ids"] == [] and check["job_id"] is None
    assert check["diff"]["before"]["nodes"] == [
        "%s (cce-demo-node-%d)" % (uid, i + 1) for i, uid in enumerate(uids)]
    assert check["diff"]["after"]["nodes"] == ["%s (cce-demo-node-3)" % uids[2]]
    assert cce.writes_of("check") == []
    assert [call["method"] for call in cce.calls_of("check")] == ["GET"]
    assert len(cce_nodes(cce.state_at("after check"))) == 3


def test_password_login_never_appears_in_verbose_output(cce):
    run = cce["password login"]
    assert run["changed"] and not run.get("failed"), run
    # The whole run's verbose output, every task's.
    assert PASSWORD not in cce.output
    assert "NeverShowMe" not in cce.output
    # The API's answer echoes the login spec (password masked): it is not returned at all.
    assert "******" not in str(run) and "userPassword" not in cce.output
    assert sorted(cce_nodes(cce.state_at("after password login"))) == ["cce-demo-node-1", "cce-demo-node-2"]


def test_failed_job_fails_the_task_naming_job_and_reason(cce):
    run = cce["failed job"]
    assert run.get("failed"), run
    job_id = run["job_ids"][0]
    assert job_id in run["msg"]
    assert "failed" in run["msg"] and "simulated failure" in run["msg"]
    assert run["failure"]["job_id"] == job_id
    assert cce_nodes(cce.state_at("after failed job"))["cce-demo-node-3"]["phase"] == "Active"


def test_wait_timeout_fails_naming_the_job(cce):
    run = cce["wait timeout"]
    assert run.get("failed"), run
    job_id = run["job_ids"][0]
    assert "timed out" in run["msg"] and job_id in run["msg"], run["msg"]
    assert run["failure"]["timed_out"] is True


def test_bad_input_fails_before_any_call(cce):
    for index, (_case, message) in enumerate(BAD_INPUT):
        result = cce["bad input %d" % index]
        assert result.get("failed"), result
        assert message in result["msg"], result["msg"]
        assert cce.calls_of("bad input %d" % index) == []
    assert PASSWORD not in cce.output


def test_refuses_to_empty_the_cluster_unless_asked(cce):
    run = cce["empty cluster"]
    assert run.get("failed"), run
    assert "allow_empty_cluster" in run["msg"]
    assert cce.writes_of("empty cluster") == []
    assert len(cce_nodes(cce.state_at("after empty cluster"))) == 3


def test_more_than_200_nodes_are_removed_in_several_tasks(cce):
    uids = [node["uid"] for node in cce_nodes(cce.worlds[450]).values()]
    run = cce["450 nodes"]
    assert run["changed"] and not run.get("failed"), run
    assert len(run["job_ids"]) == 3
    assert len(remove_calls(cce, "450 nodes")) == 3
    assert sorted(run["removed"]) == sorted(uids)
    assert run["nodes"] == []
    assert cce_nodes(cce.state_at("after 450 nodes")) == {}


def test_read_only_user_gets_a_permission_error(cce):
    run = cce["read-only user"]
    assert run.get("failed"), run
    assert "permission denied" in run["msg"], run["msg"]
    assert "refused; nothing was removed" in run["msg"], run["msg"]
    assert run["changed"] is False  # a refused write changed nothing
    assert run["failure"]["status"] == 403
    assert [call["status"] for call in remove_calls(cce, "read-only user")] == [403]
    assert cce_nodes(cce.state_at("after read-only user"))["cce-demo-node-3"]["phase"] == "Active"


def test_nodes_already_deleting_are_awaited_not_resubmitted(cce):
    uids = sorted(node["uid"] for name, node in cce_nodes(cce.world).items() if name in DELETING)
    first, second = cce["deleting first"], cce["deleting second"]
    assert first["changed"] and not first.get("failed"), first
    assert first["job_id"]
    assert sorted(n["phase"] for n in first["nodes"]) == ["Active", "Deleting", "Deleting"]
    assert not second["changed"] and not second.get("failed"), second
    assert sorted(second["already_deleting"]) == uids
    assert second["removed"] == [] and second["job_ids"] == []
    assert [n["name"] for n in second["nodes"]] == ["cce-demo-node-1"]
    assert sorted(cce_nodes(cce.state_at("after deleting second"))) == ["cce-demo-node-1"]
    assert len(remove_calls(cce, "deleting first") + remove_calls(cce, "deleting second")) == 1


def test_lost_answer_of_an_accepted_task_is_not_resubmitted(cce):
    uid3 = cce_nodes(cce.world)["cce-demo-node-3"]["uid"]
    run = cce["lost answer"]
    assert run["changed"] and not run.get("failed"), run
    assert run["removed"] == [uid3]
    assert run["job_ids"] == [] and run["job_id"] is None
    assert len(remove_calls(cce, "lost answer")) == 1
    assert sorted(cce_nodes(cce.state_at("after lost answer"))) == ["cce-demo-node-1", "cce-demo-node-2"]


def test_dropped_task_that_never_arrived_is_submitted_again(cce):
    run = cce["dropped"]
    assert run["changed"] and not run.get("failed"), run
    assert len(run["job_ids"]) == 1
    assert [call.get("fault") for call in remove_calls(cce, "dropped")] == ["drop", None]
    assert sorted(cce_nodes(cce.state_at("after dropped"))) == ["cce-demo-node-1", "cce-demo-node-2"]


def test_a_typo_is_not_found_with_a_warning_and_nothing_is_removed(cce):
    run = cce["typo"]
    assert not run["changed"] and not run.get("failed"), run
    assert run["not_found"] == ["cce-demo-nod-3"]
    assert run["removed"] == []
    assert any("cce-demo-nod-3" in w and "match no node of cluster %s" % CLUSTER in w
               for w in run["warnings"]), run
    assert cce.writes_of("typo") == []
    assert len(cce_nodes(cce.state_at("after typo"))) == 3


def test_found_and_not_found_nodes_together(cce):
    uid3 = cce_nodes(cce.world)["cce-demo-node-3"]["uid"]
    run = cce["found and not found"]
    assert run["changed"] and not run.get("failed"), run
    assert run["removed"] == [uid3] and run["not_found"] == ["cce-demo-nod-2"]
    assert len(remove_calls(cce, "found and not found")) == 1


@pytest.mark.parametrize("named, protected", PROTECTED)
def test_a_removal_naming_a_protected_node_fails_before_any_write(cce, named, protected):
    node = cce_nodes(cce.world)["cce-demo-node-2"]
    for check in (True, False):
        name = "protected %s %s %s" % (named, protected, check)
        run = cce[name]
        assert run.get("failed") and not run["changed"], run
        assert "protected node(s) %s (cce-demo-node-2)" % node["uid"] in run["msg"], run["msg"]
        assert "nothing was removed" in run["msg"]
        assert cce.writes_of(name) == []
    assert len(cce_nodes(cce.state_at("after protected %s %s" % (named, protected)))) == 3


def test_protected_nodes_named_nowhere_in_nodes_let_the_removal_go_on(cce):
    run = cce["protected named nowhere"]
    assert run["changed"] and not run.get("failed"), run
    assert sorted(cce_nodes(cce.state_at("after protected named nowhere"))) == ["cce-demo-node-1", "cce-demo-node-2"]


def test_a_protected_entry_counts_even_when_it_matches_no_node(cce):
    run = cce["protected matching no node"]
    assert run.get("failed") and "protected node(s) cce-demo-node-9" in run["msg"], run
    assert cce.writes_of("protected matching no node") == []


def test_the_key_pair_name_is_no_secret_and_masks_nothing(cce):
    # Masked, a key pair named "default" would blank that word in every message.
    run = cce["key pair default"]
    assert not run.get("failed"), run
    assert any("cce-default-node" in w for w in run["warnings"]), run
    assert '"ssh_key": "default"' in cce.output  # the invocation shows it as given
    assert "cce-********-node" not in cce.output


def test_a_later_task_refused_reports_the_work_already_submitted(cce):
    run = cce["later task refused"]
    assert run.get("failed"), run
    assert run["changed"] is True
    assert len(run["job_ids"]) == 1 and run["job_id"] == run["job_ids"][0]
    assert len(run["removed"]) == 200
    assert run["msg"].startswith("200 of 250 nodes of cluster %s were submitted for removal (job(s) %s)"
                                 % (CLUSTER, run["job_id"])), run["msg"]
    assert [c["status"] for c in remove_calls(cce, "later task refused")] == [200, 400]
    # The first task's 200 nodes are Deleting or gone; every other node is Active still.
    active = set(n["uid"] for n in cce_nodes(cce.state_at("after later task refused")).values()
                 if n["phase"] == "Active")
    assert len(active) == 250 and not active & set(run["removed"])


def test_return_nodes_changed_lists_only_the_removed_nodes_and_none_lists_nothing(cce):
    uids = dict((name, n["uid"]) for name, n in cce_nodes(cce.worlds[6]).items())
    changed, none, no_op, every = (cce["return " + name] for name in ("changed", "none", "no-op", "all"))
    assert not any(r.get("failed") for r in (changed, none, no_op, every)), (changed, none, no_op, every)
    assert changed["changed"] and changed["removed"] == [uids["cce-demo-node-6"]]
    assert [(n["uid"], n["name"]) for n in changed["nodes"]] == [(uids["cce-demo-node-6"], "cce-demo-node-6")]
    assert none["changed"] and none["removed"] == [uids["cce-demo-node-5"]] and none["nodes"] == []
    assert not no_op["changed"] and no_op["nodes"] == [] and no_op["not_found"] == ["cce-demo-node-6"]
    assert sorted(n["name"] for n in every["nodes"]) == ["cce-demo-node-%d" % i for i in range(1, 5)]
