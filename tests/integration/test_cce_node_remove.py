"""hpcops.clusters.cce_node_remove against the simulator, with every Huawei auth form."""

from __future__ import annotations

import json

import pytest

from tests.simulator.client import iam_token_request
from tests.simulator.world import (CCE_CLUSTER_ID, HW_PROJECT_ID, HW_SECURITY_TOKEN, HW_TEMP_ACCESS_KEY,
                                   HW_TEMP_SECRET_KEY)

CLUSTER = CCE_CLUSTER_ID
REMOVE_PATH = "nodes/operation/remove"
KEY_LOGIN = {"ssh_key": "KeyPair-demo"}
# Distinctive, so a grep of the whole output can only find a leak of this value.
PASSWORD = "Salted$6$zqxHW-NeverShowMe-7731"

NO_AKSK = {"HW_ACCESS_KEY": None, "HW_SECRET_KEY": None}
# Job lengths (seconds) for the test that needs a job still running across two runs.
JOB_SECONDS_TRIES = (5, 25)
AUTH_FORMS = ["aksk", "aksk_security_token", "token", "iam_user"]


def auth_env(form: str, sim) -> dict:
    """Environment for one credentials form; the IAM call made here is cleared from the call log."""
    if form == "aksk":
        return {}
    if form == "aksk_security_token":
        return {"HW_ACCESS_KEY": HW_TEMP_ACCESS_KEY, "HW_SECRET_KEY": HW_TEMP_SECRET_KEY,
                "HW_SECURITY_TOKEN": HW_SECURITY_TOKEN}
    if form == "token":
        answer = iam_token_request(sim.url, "demo", "demo-password", "demo", HW_PROJECT_ID)
        assert answer.status == 201, answer
        sim.clear_calls()
        return dict(NO_AKSK, HW_AUTH_TOKEN=answer.headers["x-subject-token"])
    if form == "iam_user":
        return dict(NO_AKSK, HW_USER_NAME="demo", HW_USER_PASSWORD="demo-password", HW_DOMAIN_NAME="demo")
    raise ValueError(form)


def viewer_env() -> dict:
    return dict(NO_AKSK, HW_USER_NAME="viewer", HW_USER_PASSWORD="viewer-password", HW_DOMAIN_NAME="demo")


def cce_nodes(sim) -> dict:
    """name -> node record of the simulator's cluster, read from its state (no API call logged)."""
    nodes = sim.state()["cce"]["clusters"][CLUSTER]["nodes"]
    return dict((node["name"], node) for node in nodes.values())


def remove_calls(sim) -> list:
    return [call for call in sim.writes() if call["path"].endswith(REMOVE_PATH)]


def args(nodes, login=None, **extra) -> dict:
    result = {"cluster_id": CLUSTER, "nodes": list(nodes), "login": KEY_LOGIN if login is None else login}
    result.update(extra)
    return result


@pytest.mark.parametrize("form", AUTH_FORMS)
def test_removes_by_uid_and_by_name_then_second_run_is_unchanged(sim, module_runner, form):
    env = auth_env(form, sim)
    before = cce_nodes(sim)
    uid1 = before["cce-demo-node-1"]["uid"]
    uid2 = before["cce-demo-node-2"]["uid"]
    uid3 = before["cce-demo-node-3"]["uid"]

    real = module_runner("cce_node_remove", args([uid1, "cce-demo-node-2"]), env=env)
    assert real.changed and not real.failed, real
    assert sorted(real.result["removed"]) == sorted([uid1, uid2])
    assert len(real.result["job_ids"]) == 1 and real.result["job_id"] == real.result["job_ids"][0]
    assert real.result["nodes"] == [{"uid": uid3, "name": "cce-demo-node-3", "phase": "Active",
                                     "private_ip": before["cce-demo-node-3"]["privateIP"]}]
    assert sorted(cce_nodes(sim)) == ["cce-demo-node-3"]
    assert len(remove_calls(sim)) == 1

    # Gone nodes, by uid or name, and names that never existed are all "already removed",
    # and said to be not found.
    again = module_runner("cce_node_remove", args([uid1, "cce-demo-node-2", "cce-demo-node-9"]), env=env)
    assert not again.changed and not again.failed, again
    assert again.result["removed"] == [] and again.result["job_ids"] == [] and again.result["job_id"] is None
    assert again.result["not_found"] == [uid1, "cce-demo-node-2", "cce-demo-node-9"]
    assert len(remove_calls(sim)) == 1


def test_check_mode_reports_what_would_go_and_makes_no_write(sim, module_runner):
    before = cce_nodes(sim)
    uids = [before["cce-demo-node-%d" % i]["uid"] for i in (1, 2, 3)]
    check = module_runner("cce_node_remove", args([uids[0], "cce-demo-node-2"]), check=True, diff=True)
    assert check.changed and not check.failed, check
    assert sorted(check.result["removed"]) == sorted(uids[:2])
    assert check.result["job_ids"] == [] and check.result["job_id"] is None
    assert check.result["diff"]["before"]["nodes"] == [
        "%s (cce-demo-node-%d)" % (uid, i + 1) for i, uid in enumerate(uids)]
    assert check.result["diff"]["after"]["nodes"] == ["%s (cce-demo-node-3)" % uids[2]]
    assert sim.writes() == []
    assert [call["method"] for call in sim.calls()] == ["GET"]
    assert len(cce_nodes(sim)) == 3


def test_password_login_never_appears_in_verbose_output(sim, module_runner):
    login = {"user_password": {"password": PASSWORD}}
    run = module_runner("cce_node_remove", args(["cce-demo-node-3"], login), verbosity=3, diff=True)
    assert run.changed and not run.failed, run
    assert PASSWORD not in run.output
    assert "NeverShowMe" not in run.output
    # The API's answer echoes the login spec (password masked): it is not returned at all.
    assert "******" not in str(run.result) and "userPassword" not in run.output
    assert sorted(cce_nodes(sim)) == ["cce-demo-node-1", "cce-demo-node-2"]


def test_failed_job_fails_the_task_naming_job_and_reason(sim, module_runner):
    sim.fault(kind="job_fail", path=REMOVE_PATH)
    run = module_runner("cce_node_remove", args(["cce-demo-node-3"]))
    assert run.failed, run
    job_id = run.result["job_ids"][0]
    assert job_id in run.result["msg"]
    assert "failed" in run.result["msg"] and "simulated failure" in run.result["msg"]
    assert run.result["failure"]["job_id"] == job_id
    assert cce_nodes(sim)["cce-demo-node-3"]["phase"] == "Active"


def test_wait_timeout_fails_naming_the_job(sim, module_runner):
    sim.config(job_seconds=60)
    run = module_runner("cce_node_remove", args(["cce-demo-node-3"], wait_timeout=1))
    assert run.failed, run
    job_id = run.result["job_ids"][0]
    assert "timed out" in run.result["msg"] and job_id in run.result["msg"], run.result["msg"]
    assert run.result["failure"]["timed_out"] is True


def test_bad_input_fails_before_any_call(sim, playbook_runner, tmp_path):
    cases = [
        (args([]), "nodes must list at least one node"),
        (args(["cce-demo-node-3"], {"ssh_key": "KeyPair-demo", "user_password": {"password": PASSWORD}}),
         "mutually exclusive: ssh_key|user_password"),
        (args(["cce-demo-node-3"], {}), "one of the following is required: ssh_key, user_password"),
        (args(["cce-demo-node-3"], {"ssh_key": None}), "login needs one of ssh_key"),
        (args(["cce-demo-node-3"], {"user_password": {"username": "root"}}), "missing required arguments: password"),
    ]
    # One playbook for all cases: each task fails on its own, and Ansible starts once.
    tasks = [{"name": "case %d" % i, "hpcops.clusters.cce_node_remove": case, "ignore_errors": True}
             for i, (case, _message) in enumerate(cases)]
    playbook = tmp_path / "bad_input.json"
    playbook.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
    run = playbook_runner(playbook)
    assert len(run.results) == len(cases), run
    for result, (_case, message) in zip(run.results, cases):
        assert result.get("failed"), result
        assert message in result["msg"], result["msg"]
    assert PASSWORD not in run.output
    assert sim.calls() == []


def test_refuses_to_empty_the_cluster_unless_asked(sim, module_runner):
    run = module_runner("cce_node_remove", args(["cce-demo-node-1", "cce-demo-node-2", "cce-demo-node-3"]))
    assert run.failed, run
    assert "allow_empty_cluster" in run.result["msg"]
    assert sim.writes() == []
    assert len(cce_nodes(sim)) == 3


def test_more_than_200_nodes_are_removed_in_several_tasks(sim, module_runner):
    sim.world(cce_nodes=450)
    uids = [node["uid"] for node in cce_nodes(sim).values()]
    run = module_runner("cce_node_remove", args(uids, allow_empty_cluster=True))
    assert run.changed and not run.failed, run
    assert len(run.result["job_ids"]) == 3
    assert len(remove_calls(sim)) == 3
    assert sorted(run.result["removed"]) == sorted(uids)
    assert run.result["nodes"] == []
    assert cce_nodes(sim) == {}


def test_read_only_user_gets_a_permission_error(sim, module_runner):
    run = module_runner("cce_node_remove", args(["cce-demo-node-3"]), env=viewer_env())
    assert run.failed, run
    assert "permission denied" in run.result["msg"], run.result["msg"]
    assert "refused; nothing was removed" in run.result["msg"], run.result["msg"]
    assert run.result["changed"] is False  # a refused write changed nothing
    assert run.result["failure"]["status"] == 403
    assert [call["status"] for call in remove_calls(sim)] == [403]
    assert cce_nodes(sim)["cce-demo-node-3"]["phase"] == "Active"


def test_nodes_already_deleting_are_awaited_not_resubmitted(sim, module_runner):
    wanted = ["cce-demo-node-2", "cce-demo-node-3"]
    # The second run must find the nodes still Deleting: a short job first, a longer
    # one only when a loaded machine made the first try too slow to see them.
    for job_seconds in JOB_SECONDS_TRIES:
        sim.reset()
        sim.config(job_seconds=job_seconds)
        uids = sorted(node["uid"] for name, node in cce_nodes(sim).items() if name in wanted)
        first = module_runner("cce_node_remove", args(wanted, wait=False))
        assert first.changed and not first.failed, first
        assert first.result["job_id"]
        assert sorted(n["phase"] for n in first.result["nodes"]) == ["Active", "Deleting", "Deleting"]

        second = module_runner("cce_node_remove", args(wanted))
        assert not second.changed and not second.failed, second
        if second.result["already_deleting"]:
            break
    assert sorted(second.result["already_deleting"]) == uids
    assert second.result["removed"] == [] and second.result["job_ids"] == []
    assert [n["name"] for n in second.result["nodes"]] == ["cce-demo-node-1"]
    assert sorted(cce_nodes(sim)) == ["cce-demo-node-1"]
    assert len(remove_calls(sim)) == 1


def test_lost_answer_of_an_accepted_task_is_not_resubmitted(sim, module_runner):
    # The simulator applies the task, then drops the connection without answering.
    sim.fault(kind="drop_after", path=REMOVE_PATH, method="PUT")
    uid3 = cce_nodes(sim)["cce-demo-node-3"]["uid"]
    run = module_runner("cce_node_remove", args(["cce-demo-node-3"]))
    assert run.changed and not run.failed, run
    assert run.result["removed"] == [uid3]
    assert run.result["job_ids"] == [] and run.result["job_id"] is None
    assert len(remove_calls(sim)) == 1
    assert sorted(cce_nodes(sim)) == ["cce-demo-node-1", "cce-demo-node-2"]


def test_dropped_task_that_never_arrived_is_submitted_again(sim, module_runner):
    sim.fault(kind="drop", path=REMOVE_PATH, method="PUT")
    run = module_runner("cce_node_remove", args(["cce-demo-node-3"]))
    assert run.changed and not run.failed, run
    assert len(run.result["job_ids"]) == 1
    assert [call.get("fault") for call in remove_calls(sim)] == ["drop", None]
    assert sorted(cce_nodes(sim)) == ["cce-demo-node-1", "cce-demo-node-2"]


def test_a_typo_is_not_found_with_a_warning_and_nothing_is_removed(sim, module_runner):
    run = module_runner("cce_node_remove", args(["cce-demo-nod-3"]))
    assert not run.changed and not run.failed, run
    assert run.result["not_found"] == ["cce-demo-nod-3"]
    assert run.result["removed"] == []
    assert any("cce-demo-nod-3" in w and "match no node of cluster %s" % CLUSTER in w
               for w in run.result["warnings"]), run.result
    assert sim.writes() == []
    assert len(cce_nodes(sim)) == 3


def test_found_and_not_found_nodes_together(sim, module_runner):
    uid3 = cce_nodes(sim)["cce-demo-node-3"]["uid"]
    run = module_runner("cce_node_remove", args(["cce-demo-node-3", "cce-demo-nod-2"]))
    assert run.changed and not run.failed, run
    assert run.result["removed"] == [uid3] and run.result["not_found"] == ["cce-demo-nod-2"]
    assert len(remove_calls(sim)) == 1


@pytest.mark.parametrize("named, protected", [("name", "uid"), ("uid", "name"), ("name", "name")])
def test_a_removal_naming_a_protected_node_fails_before_any_write(sim, module_runner, named, protected):
    node = cce_nodes(sim)["cce-demo-node-2"]
    key = {"name": "name", "uid": "uid"}
    task = args(["cce-demo-node-3", node[key[named]]], protected_nodes=["cce-demo-node-1", node[key[protected]]])
    for check in (True, False):
        run = module_runner("cce_node_remove", task, check=check)
        assert run.failed and not run.changed, run
        assert "protected node(s) %s (cce-demo-node-2)" % node["uid"] in run.result["msg"], run.result["msg"]
        assert "nothing was removed" in run.result["msg"]
    assert sim.writes() == []
    assert len(cce_nodes(sim)) == 3


def test_protected_nodes_named_nowhere_in_nodes_let_the_removal_go_on(sim, module_runner):
    run = module_runner("cce_node_remove", args(["cce-demo-node-3"], protected_nodes=["cce-demo-node-1"]))
    assert run.changed and not run.failed, run
    assert sorted(cce_nodes(sim)) == ["cce-demo-node-1", "cce-demo-node-2"]


def test_a_protected_entry_counts_even_when_it_matches_no_node(sim, module_runner):
    run = module_runner("cce_node_remove", args(["cce-demo-node-9"], protected_nodes=["cce-demo-node-9"]))
    assert run.failed and "protected node(s) cce-demo-node-9" in run.result["msg"], run
    assert sim.writes() == []


def test_the_key_pair_name_is_no_secret_and_masks_nothing(sim, module_runner):
    # Masked, a key pair named "default" would blank that word in every message.
    run = module_runner("cce_node_remove", args(["cce-default-node"], {"ssh_key": "default"}), verbosity=3)
    assert not run.failed, run
    assert any("cce-default-node" in w for w in run.result["warnings"]), run.result
    assert '"ssh_key": "default"' in run.output  # the invocation shows it as given
    assert "cce-********-node" not in run.output


def test_a_later_task_refused_reports_the_work_already_submitted(sim, module_runner):
    sim.world(cce_nodes=450)
    uids = sorted(node["uid"] for node in cce_nodes(sim).values())[:250]
    # Each call takes the first matching fault: the first task a no-op delay, the second a 400.
    sim.faults([{"kind": "delay", "seconds": 0, "path": REMOVE_PATH, "times": 1},
                {"kind": "status", "status": 400, "path": REMOVE_PATH, "times": 1}])
    run = module_runner("cce_node_remove", args(uids))
    assert run.failed, run
    assert run.result["changed"] is True
    assert len(run.result["job_ids"]) == 1 and run.result["job_id"] == run.result["job_ids"][0]
    assert len(run.result["removed"]) == 200
    assert run.result["msg"].startswith("200 of 250 nodes of cluster %s were submitted for removal (job(s) %s)"
                                        % (CLUSTER, run.result["job_id"])), run.result["msg"]
    assert [c["status"] for c in remove_calls(sim)] == [200, 400]
    # The first task's 200 nodes are Deleting or gone; every other node is Active still.
    active = set(n["uid"] for n in cce_nodes(sim).values() if n["phase"] == "Active")
    assert len(active) == 250 and not active & set(run.result["removed"])


def test_return_nodes_changed_lists_only_the_removed_nodes_and_none_lists_nothing(sim, playbook_runner, tmp_path):
    sim.world(cce_nodes=6)
    uids = dict((name, n["uid"]) for name, n in cce_nodes(sim).items())
    module = "hpcops.clusters.cce_node_remove"
    tasks = [
        {"name": "changed", module: args(["cce-demo-node-6"], return_nodes="changed")},
        {"name": "none", module: args(["cce-demo-node-5"], return_nodes="none")},
        {"name": "no-op", module: args(["cce-demo-node-6"], return_nodes="changed")},
        {"name": "all", module: args(["cce-demo-node-6"])},
    ]
    playbook = tmp_path / "return_nodes.json"
    playbook.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
    run = playbook_runner(playbook)
    changed, none, no_op, every = run.results
    assert not any(r.get("failed") for r in run.results), run
    assert changed["changed"] and changed["removed"] == [uids["cce-demo-node-6"]]
    assert [(n["uid"], n["name"]) for n in changed["nodes"]] == [(uids["cce-demo-node-6"], "cce-demo-node-6")]
    assert none["changed"] and none["removed"] == [uids["cce-demo-node-5"]] and none["nodes"] == []
    assert not no_op["changed"] and no_op["nodes"] == [] and no_op["not_found"] == ["cce-demo-node-6"]
    assert sorted(n["name"] for n in every["nodes"]) == ["cce-demo-node-%d" % i for i in range(1, 5)]
