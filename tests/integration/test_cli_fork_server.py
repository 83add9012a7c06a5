"""tests/integration/cli_fork_server.py runs a CLI as a fresh process would: same results, same exit
status, the run's own environment and temporary directory, and a timeout that stops the run."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.integration import cli_fork_server
from tests.integration.ansible_runner import BIN_DIR, REPO_ROOT, base_env, run_playbook
from tests.integration.role_runs import PLAYBOOKS, SIM

# Fields that differ between any two runs of the same playbook.
VOLATILE = {"start", "end", "delta", "job_ids", "job_id"}


def comparable(value):
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [comparable(v) for v in value]
    return value


def both_ways(monkeypatch, run):
    """``run()`` as a plain process, then through the fork server."""
    monkeypatch.setenv(cli_fork_server.ENABLED_VARIABLE, "0")
    plain = run()
    monkeypatch.setenv(cli_fork_server.ENABLED_VARIABLE, "1")
    forked = run()
    return plain, forked


def write_play(tmp_path, tasks, name="play.json"):
    path = tmp_path / name
    path.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
    return path


def test_a_role_playbook_gives_the_same_results_both_ways(sim, monkeypatch):
    # Check mode, so both runs start from the same world.
    plain, forked = both_ways(monkeypatch, lambda: run_playbook(
        PLAYBOOKS / "ehpc_rolling_restart.yml", sim.url, SIM + ["--check", "-e", "ehpc_rolling_restart_batch_size=2"]))
    assert plain.rc == forked.rc == 0, (plain, forked)
    assert comparable(plain.results) == comparable(forked.results)
    assert plain.stats == forked.stats
    assert len(plain.results) > 10
    assert sim.writes() == []


def test_a_failing_playbook_exits_with_the_same_status_and_message_both_ways(tmp_path, monkeypatch):
    play = write_play(tmp_path, [{"ansible.builtin.fail": {"msg": "stop here"}}])
    plain, forked = both_ways(monkeypatch, lambda: run_playbook(play, "", credentials=False))
    assert plain.rc == forked.rc == 2
    assert plain.result["msg"] == forked.result["msg"] == "stop here"
    # A usage error ends in argument parsing, before any play.
    bad = [str(BIN_DIR / "ansible-playbook"), "--no-such-option", str(play)]
    env = base_env("", credentials=False)
    plain, forked = both_ways(monkeypatch, lambda: cli_fork_server.run_cli(bad, env, str(REPO_ROOT), 60))
    assert plain.returncode == forked.returncode != 0
    for proc in (plain, forked):
        assert "unrecognized arguments: --no-such-option" in proc.stderr, proc.stderr


def test_a_configuration_error_at_import_is_shown_as_a_fresh_process_shows_it(tmp_path, monkeypatch):
    play = write_play(tmp_path, [{"ansible.builtin.debug": {"msg": "never"}}])
    plain, forked = both_ways(monkeypatch, lambda: run_playbook(play, "", env={"ANSIBLE_FORKS": "abc"},
                                                                credentials=False))
    assert plain.rc == forked.rc != 0
    for run in (plain, forked):
        assert "'DEFAULT_FORKS' from 'env: ANSIBLE_FORKS' has an invalid value" in run.stderr, run


def test_each_run_has_its_own_local_temporary_directory_and_shares_only_the_module_payloads(tmp_path, monkeypatch):
    monkeypatch.setenv(cli_fork_server.ENABLED_VARIABLE, "1")
    local_tmp = tmp_path / "local"
    env = {"ANSIBLE_LOCAL_TEMP": str(local_tmp)}
    play = write_play(tmp_path, [
        {"name": "env", "ansible.builtin.debug": {"msg": "{{ lookup('ansible.builtin.env', 'PYTEST_CURRENT_TEST') }}"}},
        {"name": "module", "ansible.builtin.ping": {}},
    ])
    first = run_playbook(play, "", env=env, credentials=False)
    server_dirs = list(local_tmp.iterdir())
    assert len(server_dirs) == 1, server_dirs
    payloads = sorted(p.name for p in (server_dirs[0] / "ansiballz_cache").iterdir())
    assert [name for name in payloads if name.startswith("ansible.modules.ping-")], payloads
    built = {name: (server_dirs[0] / "ansiballz_cache" / name).stat().st_mtime_ns for name in payloads}
    second = run_playbook(play, "", env=env, credentials=False)
    assert first.rc == second.rc == 0, (first, second)
    # Each run sees its own test's name (set per run, not the server's).
    assert "test_each_run_has_its_own_local_temporary_directory" in second.results[0]["msg"]
    # The runs' own directories are gone; the server's holds the payloads, built once.
    assert list(local_tmp.iterdir()) == server_dirs
    assert sorted(p.name for p in server_dirs[0].iterdir()) == ["ansiballz_cache"]
    assert {name: (server_dirs[0] / "ansiballz_cache" / name).stat().st_mtime_ns for name in payloads} == built
    cli_fork_server.close_for(base_env("", env, credentials=False))
    assert list(local_tmp.iterdir()) == []


def test_a_run_past_its_timeout_is_stopped_and_the_server_serves_the_next_one(tmp_path, monkeypatch):
    monkeypatch.setenv(cli_fork_server.ENABLED_VARIABLE, "1")
    slow = write_play(tmp_path, [{"ansible.builtin.pause": {"seconds": 60}}], "slow.json")
    with pytest.raises(subprocess.TimeoutExpired):
        run_playbook(slow, "", credentials=False, timeout=3)
    quick = write_play(tmp_path, [{"ansible.builtin.debug": {"msg": "next"}}], "quick.json")
    run = run_playbook(quick, "", credentials=False)
    assert run.rc == 0 and run.result["msg"] == "next", run


def test_another_environment_gets_another_server(tmp_path, monkeypatch):
    monkeypatch.setenv(cli_fork_server.ENABLED_VARIABLE, "1")
    play = write_play(tmp_path, [{"ansible.builtin.debug": {"msg": "hello"}}])
    as_json = run_playbook(play, "", credentials=False)
    as_text = run_playbook(play, "", credentials=False, json_output=False)
    assert as_json.result["msg"] == "hello" and as_json.stdout.lstrip().startswith("{")
    assert '"msg": "hello"' in as_text.stdout and "PLAY RECAP" in as_text.stdout
