"""The cce_scale_in role through playbooks/cce_scale_in.yml against the simulator."""

from __future__ import annotations

import json

import pytest

from tests.integration.ansible_runner import run_playbook
from tests.integration.role_runs import (PLAYBOOKS, CCE_CLUSTER, SIM, CCE_KEY, changed_count, failed_count,
                                         messages, cce_node_names)
from tests.simulator.fixture import running_simulator

# A long file: tests/conftest.py has pytest-xdist start the slow files first.
pytestmark = pytest.mark.slow


def cce_label(sim, name: str) -> str:
    uid = [n["uid"] for n in sim.state()["cce"]["clusters"][CCE_CLUSTER]["nodes"].values() if n["name"] == name][0]
    return "%s (%s)" % (name, uid)


def test_cce_scale_in_removes_the_node_then_a_second_run_fails_on_the_name_unless_absent_is_allowed(sim, playbook_runner):
    node3 = cce_label(sim, "cce-demo-node-3")
    first = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", SIM + CCE_KEY + ["-e", "cce_scale_in_nodes=cce-demo-node-3"])
    assert first.rc == 0, first
    assert changed_count(first) == 1
    assert cce_node_names(sim) == ["cce-demo-node-1", "cce-demo-node-2"]
    # the count comes from the nodes read after the removal
    assert messages(first, "Summarise")[0] == "removed %s from CCE cluster cce-demo: 3 -> 2 nodes" % node3

    # The name is gone now: as good as a typo, unless the caller says a re-run is meant.
    sim.clear_calls()
    second = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", SIM + CCE_KEY + ["-e", "cce_scale_in_nodes=cce-demo-node-3"])
    assert second.rc != 0 and second.failed, second
    assert second.result["msg"].startswith("not in CCE cluster cce-demo: cce-demo-node-3 ")
    assert sim.writes() == []

    third = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", SIM + CCE_KEY + [
        "-e", "cce_scale_in_nodes=cce-demo-node-3", "-e", "cce_scale_in_allow_absent=yes"])
    assert third.rc == 0, third
    assert changed_count(third) == 0
    assert sim.writes() == []
    assert messages(third, "Summarise")[0] == (
        "nothing to remove from CCE cluster cce-demo: 2 -> 2 nodes; not in the cluster (taken as removed): cce-demo-node-3")


def test_cce_scale_in_check_mode_makes_no_write(sim, playbook_runner):
    run = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", SIM + CCE_KEY + ["--check", "-e", "cce_scale_in_nodes=cce-demo-node-3"])
    assert run.rc == 0, run
    assert changed_count(run) == 1
    assert sim.writes() == []
    assert len(cce_node_names(sim)) == 3
    assert messages(run, "Summarise")[0] == (
        "would remove %s from CCE cluster cce-demo: 3 nodes now, 2 would stay (check mode: nothing was changed)"
        % cce_label(sim, "cce-demo-node-3"))


@pytest.mark.parametrize("nodes", [
    ["cce-demo-node-1", "cce-demo-node-9"],
    "cce-demo-node-9",
    "cce-demo-node-1\ncce-demo-node-9\n",
], ids=["list", "string", "text-area"])
@pytest.mark.parametrize("check", [False, True], ids=["run", "check"])
def test_cce_scale_in_unknown_names_fail_before_any_write(sim, playbook_runner, nodes, check):
    run = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", SIM + CCE_KEY + ["-e", json.dumps({"cce_scale_in_nodes": nodes})]
                          + (["--check"] if check else []))
    assert run.rc != 0 and run.failed, run
    assert run.result["msg"] == ("not in CCE cluster cce-demo: cce-demo-node-9 (a typo, or removed already; set "
                                 "cce_scale_in_allow_absent=true to take them as removed); nothing was removed")
    assert sim.writes() == []
    assert len(cce_node_names(sim)) == 3


def test_cce_scale_in_ambiguous_name_stays_refused(sim, tmp_path):
    # The default world has unique names: start a simulator whose saved world has two nodes named alike.
    state = sim.state()
    nodes = state["cce"]["clusters"][CCE_CLUSTER]["nodes"]
    for node in nodes.values():
        if node["name"] == "cce-demo-node-2":
            node["name"] = "cce-demo-node-1"
    state_file = tmp_path / "world.json"
    state_file.write_text(json.dumps(state))
    with running_simulator(extra_args=["--state", str(state_file)]) as twins:
        run = run_playbook(PLAYBOOKS / "cce_scale_in.yml", twins.url, SIM + CCE_KEY + ["-e", "cce_scale_in_nodes=cce-demo-node-1"])
        assert run.rc != 0 and run.failed, run
        assert "cce-demo-node-1" in run.result["msg"], run.result
        assert twins.writes() == []
        assert len(twins.state()["cce"]["clusters"][CCE_CLUSTER]["nodes"]) == 3


def test_cce_scale_in_refuses_to_remove_every_node(sim, playbook_runner):
    extra = json.dumps({"cce_scale_in_nodes": ["cce-demo-node-1", "cce-demo-node-2", "cce-demo-node-3"]})
    run = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", SIM + CCE_KEY + ["-e", extra])
    assert run.rc != 0 and run.failed, run
    assert run.result["msg"].startswith("refusing to remove every node of CCE cluster cce-demo")
    assert sim.writes() == []
    assert len(cce_node_names(sim)) == 3


def test_cce_scale_in_removal_job_that_fails_is_changed_and_failed(sim, playbook_runner):
    sim.fault(kind="job_fail", path="/nodes/operation/remove$")
    run = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", SIM + CCE_KEY + ["-e", "cce_scale_in_nodes=cce-demo-node-3"])
    assert run.rc != 0 and run.failed, run
    assert len(sim.writes()) == 1
    assert changed_count(run) == 1 and failed_count(run) == 1
    assert messages(run, "Report what was changed")[0].startswith("removal sent before the failure: job(s) ")


@pytest.mark.parametrize("login", [
    {"cce_scale_in_user_password": {"username": "root", "password": "$6$saltsalt$notarealhashbutlongenough"}},
    {"cce_scale_in_password": "$6$saltsalt$notarealhashbutlongenough", "cce_scale_in_ssh_key": ""},
], ids=["dict", "flat"])
def test_cce_scale_in_with_a_password_login_keeps_the_password_out_of_the_output(sim, playbook_runner, login):
    extra = json.dumps(dict(login, cce_scale_in_nodes=["cce-demo-node-1"]))
    run = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", SIM + ["-e", extra])
    assert run.rc == 0, run
    assert cce_node_names(sim) == ["cce-demo-node-2", "cce-demo-node-3"]
    assert "notarealhash" not in run.output
    remove = [c for c in sim.writes() if c["path"].endswith("/nodes/operation/remove")]
    assert len(remove) == 1


def test_cce_scale_in_takes_a_node_name_from_the_command_line_without_matching_substrings(sim, playbook_runner):
    sim.world(cce_nodes=11)
    node11 = cce_label(sim, "cce-demo-node-11")
    run = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", SIM + CCE_KEY + ["-e", "cce_scale_in_nodes=cce-demo-node-11"])
    assert run.rc == 0, run
    assert len(cce_node_names(sim)) == 10 and "cce-demo-node-11" not in cce_node_names(sim)
    assert messages(run, "Summarise")[0] == "removed %s from CCE cluster cce-demo: 11 -> 10 nodes" % node11


@pytest.mark.parametrize("login, named", [
    ({}, ""),
    ({"cce_scale_in_ssh_key": " ", "cce_scale_in_password": ""}, ""),
    ({"cce_scale_in_ssh_key": "KeyPair-demo", "cce_scale_in_user_password": {"username": "root", "password": "x"}},
     ": got cce_scale_in_ssh_key and cce_scale_in_user_password"),
    ({"cce_scale_in_ssh_key": "KeyPair-demo", "cce_scale_in_password": "x"},
     ": got cce_scale_in_ssh_key and cce_scale_in_password"),
], ids=["neither", "blanks", "key-and-dict", "key-and-password"])
def test_cce_scale_in_needs_exactly_one_login_method(sim, playbook_runner, login, named):
    run = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", SIM + ["-e", json.dumps(dict(login, cce_scale_in_nodes="cce-demo-node-3"))])
    assert run.rc != 0 and run.failed, run
    assert run.result["msg"] == ("give exactly one of cce_scale_in_ssh_key and cce_scale_in_password (or cce_scale_in_user_password), "
                                 "the login method of the removed nodes" + named)
    assert sim.calls() == []


def test_cce_scale_in_refuses_a_protected_node_before_any_write(sim, playbook_runner):
    run = playbook_runner(PLAYBOOKS / "cce_scale_in.yml", SIM + CCE_KEY + [
        "-e", "cce_scale_in_nodes=cce-demo-node-3", "-e", "cce_scale_in_protected_nodes=cce-demo-node-3"])
    assert run.rc != 0 and run.failed, run
    assert "cce-demo-node-3" in run.result["msg"] and "protected" in run.result["msg"], run.result
    assert sim.writes() == []
    assert cce_node_names(sim) == ["cce-demo-node-1", "cce-demo-node-2", "cce-demo-node-3"]
