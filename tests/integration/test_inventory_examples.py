"""The example inventory sources and playbooks/scale_out_and_configure.yml."""

from __future__ import annotations

import re

import yaml

from tests.integration.ansible_runner import BIN_DIR, REPO_ROOT, base_env, run_cli
from tests.integration.inventory_runner import api_calls, run_inventory, write_source
from tests.simulator.world import EHPC_CLUSTER_ID

PLAYBOOK = REPO_ROOT / "playbooks" / "scale_out_and_configure.yml"
EHPC_SOURCE = REPO_ROOT / "playbooks" / "inventory" / "simulator.ehpc.yml"
CCE_SOURCE = REPO_ROOT / "playbooks" / "inventory" / "simulator.cce.yml"
LOCALHOST = REPO_ROOT / "playbooks" / "inventory" / "simulator.yml"


def playbook(url, *args, fail_on_unparsed=True):
    """ansible-playbook in the repository's root, as docs/inventory.md says to run it; fail_on_unparsed=None
    leaves any_unparsed_is_failed to the repository's ansible.cfg."""
    env = base_env(url)
    env.pop("ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED", None)
    if fail_on_unparsed is not None:
        env["ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED"] = "true" if fail_on_unparsed else "false"
    env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.builtin.default"
    cmd = [str(BIN_DIR / "ansible-playbook"), "-i", str(LOCALHOST), "-i", str(EHPC_SOURCE), str(PLAYBOOK)] + list(args)
    return run_cli(cmd, env, str(REPO_ROOT), 120)


def test_example_ehpc_source_against_the_simulator(sim):
    sim.start_hpc_job(["compute01"])
    run = run_inventory(EHPC_SOURCE, sim.url)
    assert run.rc == 0, run
    assert run.hosts("ehpc_8jqdq0mz_compute") == ["compute01", "compute02"]
    assert run.hosts("role_compute") == ["compute01", "compute02"]
    assert run.hosts("idle_compute") == ["compute02"]
    assert run.hostvars["compute02"]["ansible_user"] == "root"


def test_example_cce_source_against_the_simulator(sim):
    run = run_inventory(CCE_SOURCE, sim.url, "--graph")
    assert run.rc == 0, run
    assert "@az_cn_north_4a:" in run.stdout and "cce-demo-node-3" in run.stdout, run


def test_scale_out_and_configure_refuses_a_run_without_cluster_or_count(sim):
    run = playbook(sim.url, "--limit", "localhost")
    assert run.returncode != 0 and "give -e cluster_id=ehpc-... and -e compute_count=N" in run.stdout, run.stdout
    assert sim.writes() == []


def test_scale_out_and_configure_play_one_puts_exactly_the_new_nodes_in_the_group(sim):
    # Play 2 needs SSH to the new nodes, which the simulator's nodes don't have: --limit keeps
    # the run to play 1, whose result (the add_host items) is what play 2 would target.
    before = set(n["name"] for n in sim.state()["ehpc"]["clusters"][EHPC_CLUSTER_ID]["nodes"].values())
    run = playbook(sim.url, "--limit", "localhost", "-e", "cluster_id=%s" % EHPC_CLUSTER_ID, "-e", "compute_count=4", "-v")
    assert run.returncode == 0, run.stdout + run.stderr
    after = set(n["name"] for n in sim.state()["ehpc"]["clusters"][EHPC_CLUSTER_ID]["nodes"].values())
    new = sorted(after - before)
    assert len(new) == 2, (before, after)
    added_hosts = sorted(re.findall(r'"add_host": \{"groups": \["ehpc_new_compute"\], "host_name": "([^"]+)"', run.stdout))
    assert added_hosts == new, run.stdout


def test_scale_out_and_configure_syntax_and_hosts(sim):
    syntax = playbook(sim.url, "--syntax-check")
    assert syntax.returncode == 0, syntax.stdout + syntax.stderr
    hosts = playbook(sim.url, "--list-hosts")
    assert hosts.returncode == 0, hosts.stdout + hosts.stderr
    plays = hosts.stdout.split("play #")[1:]
    assert len(plays) == 2, hosts.stdout
    assert "pattern: ['localhost']" in plays[0] and "hosts (1):" in plays[0]
    # The second play's group exists only once play 1 has added nodes: none before the run.
    assert "pattern: ['ehpc_new_compute']" in plays[1] and "hosts (0):" in plays[1], hosts.stdout
    # Listing hosts reads the inventory source (listNodes) and writes nothing.
    assert [call for call in api_calls(sim) if call["path"].endswith("/listNodes")]
    assert sim.writes() == []


def test_a_failing_example_source_fails_the_play_by_default(sim):
    # Without the repository's ansible.cfg, ansible-core warns about the source and the play on
    # its group ends "skipping: no hosts matched" with rc 0.
    sim.fault(path="/api/cluster/listNodes$", kind="ret_code", ret_code=1400)
    run = playbook(sim.url, "--list-hosts", fail_on_unparsed=None)
    assert run.returncode != 0, run.stdout + run.stderr
    assert "Completely failed to parse inventory source %s" % EHPC_SOURCE in run.stdout + run.stderr
    assert sim.writes() == []
    # ansible.cfg sets only that: the environment variable still overrides it.
    sim.fault(path="/api/cluster/listNodes$", kind="ret_code", ret_code=1400)
    lax = playbook(sim.url, "--list-hosts", fail_on_unparsed=False)
    assert lax.returncode == 0, lax.stdout + lax.stderr
    assert "hosts (1):" in lax.stdout.split("play #")[1], lax.stdout


def documented_source() -> dict:
    """The complete EHPC source of docs/inventory.md (its first YAML block), which the README links."""
    text = (REPO_ROOT / "docs" / "inventory.md").read_text()
    assert "](docs/inventory.md)" in (REPO_ROOT / "README.md").read_text()
    block = text[text.index("```yaml\n") + len("```yaml\n"):]
    return yaml.safe_load(block[:block.index("```")])


def test_documented_source_file_works_as_written(sim, tmp_path):
    src = documented_source()
    assert src["plugin"] == "hpcops.clusters.ehpc" and len(src["clusters"]) == 2
    # Only the simulator's cluster, endpoint and a cache directory of this test's own differ.
    src.update(clusters=[EHPC_CLUSTER_ID], endpoint=sim.url, cache_connection=str(tmp_path / "cache"))
    sim.start_hpc_job(["compute01"])
    run = run_inventory(write_source(tmp_path, "hpc.ehpc.yml", src), sim.url)
    assert run.rc == 0, run
    assert run.hosts("ehpc_8jqdq0mz_compute") == ["compute01", "compute02"]
    assert run.hosts("role_compute") == ["compute01", "compute02"]
    assert run.hosts("idle_compute") == ["compute02"]
    assert "login01" not in run.hostvars
    assert run.hostvars["compute01"]["ehpc_jobs"] and run.hostvars["compute01"]["ansible_user"] == "root"
    assert list((tmp_path / "cache").iterdir())
