"""The hpcops.clusters.ehpc inventory plugin, through ``ansible-inventory`` against the simulator."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.integration.ansible_runner import BIN_DIR, QINGCLOUD_ENV, REPO_ROOT, base_env, run_cli
from tests.integration.inventory_runner import (ODD_EHPC_CLUSTERS, SECOND_EHPC_CLUSTER, api_calls, odd_names_simulator,
                                                run_inventory, two_cluster_simulator, write_source)
from tests.simulator.world import EHPC_CLUSTER_ID

LOCALHOST_INVENTORY = REPO_ROOT / "playbooks" / "inventory" / "simulator.yml"

LIST_NODES = "/api/cluster/listNodes$"
SECRET = QINGCLOUD_ENV["QINGCLOUD_SECRET_ACCESS_KEY"]


def source(tmp_path, url, name="nodes.ehpc.yml", **options):
    return write_source(tmp_path, name, dict({"plugin": "hpcops.clusters.ehpc", "clusters": [EHPC_CLUSTER_ID],
                                              "endpoint": url}, **options))


def list_node_calls(sim):
    return [call for call in api_calls(sim) if call["path"].endswith("/listNodes")]


def test_every_node_is_a_host_in_its_cluster_and_role_group_with_prefixed_hostvars(sim, tmp_path):
    run = run_inventory(source(tmp_path, sim.url), sim.url)
    assert run.rc == 0, run
    assert run.hosts("ehpc") == ["compute01", "compute02", "login01"]
    assert run.data["ehpc"]["children"] == ["ehpc_8jqdq0mz"]
    assert run.hosts("ehpc_8jqdq0mz_compute") == ["compute01", "compute02"]
    assert run.hosts("ehpc_8jqdq0mz_login") == ["login01"]
    nodes = dict((n["name"], n) for n in sim.state()["ehpc"]["clusters"][EHPC_CLUSTER_ID]["nodes"].values())
    compute01 = run.hostvars["compute01"]
    assert compute01 == {
        "ansible_host": nodes["compute01"]["private_ip"],
        "ehpc_id": nodes["compute01"]["node_id"], "ehpc_name": "compute01", "ehpc_role": "compute",
        "ehpc_status": "active", "ehpc_transition_status": "", "ehpc_private_ip": nodes["compute01"]["private_ip"],
        "ehpc_instance_id": nodes["compute01"]["instance_id"], "ehpc_cluster_id": EHPC_CLUSTER_ID,
        "ehpc_create_time": nodes["compute01"]["create_time"],
    }
    # busy is off by default: the job list is not read.
    assert not [call for call in api_calls(sim) if call["path"].endswith("/job/list")]


def test_keyed_groups_groups_and_compose(sim, tmp_path):
    job_id = sim.start_hpc_job(["compute01"])
    src = source(tmp_path, sim.url, busy=True,
                 keyed_groups=[{"key": "ehpc_role", "prefix": "role"}, {"key": "ehpc_status", "prefix": "status"}],
                 groups={"idle_compute": "ehpc_role == 'compute' and not ehpc_busy"},
                 compose={"node_label": "ehpc_name ~ '@' ~ ehpc_cluster_id", "ansible_user": "'hpcadmin'"})
    run = run_inventory(src, sim.url)
    assert run.rc == 0, run
    assert run.hosts("role_compute") == ["compute01", "compute02"]
    assert run.hosts("role_login") == ["login01"]
    assert run.hosts("status_active") == ["compute01", "compute02", "login01"]
    assert run.hosts("idle_compute") == ["compute02"]
    assert run.hostvars["compute01"]["ehpc_busy"] is True
    assert run.hostvars["compute01"]["ehpc_jobs"] == [str(job_id)]
    assert run.hostvars["compute02"]["ehpc_jobs"] == []
    assert run.hostvars["login01"]["node_label"] == "login01@" + EHPC_CLUSTER_ID
    assert run.hostvars["login01"]["ansible_user"] == "hpcadmin"


def test_hostnames_prefix_and_ansible_host_options(sim, tmp_path):
    run = run_inventory(source(tmp_path, sim.url, hostnames="private_ip", hostvar_prefix="node_",
                               set_ansible_host=False), sim.url)
    assert run.rc == 0, run
    assert run.hosts("ehpc_8jqdq0mz_login") == ["192.168.100.10"]
    login = run.hostvars["192.168.100.10"]
    assert "ansible_host" not in login
    assert login["node_name"] == "login01" and login["node_role"] == "login"
    by_id = run_inventory(source(tmp_path, sim.url, hostnames="id"), sim.url)
    assert by_id.rc == 0, by_id
    assert sorted(v["ehpc_id"] for v in by_id.hostvars.values()) == by_id.hosts("ehpc")


def test_role_and_status_filters(sim, tmp_path):
    run = run_inventory(source(tmp_path, sim.url, roles=["compute"], statuses=["ACTIVE"]), sim.url)
    assert run.rc == 0, run
    assert run.hosts("ehpc") == ["compute01", "compute02"]
    assert "ehpc_8jqdq0mz_login" not in run.data
    none = run_inventory(source(tmp_path, sim.url, statuses=["pending"]), sim.url)
    assert none.rc == 0, none
    assert none.hosts("ehpc") == []


def test_several_clusters_in_one_source_need_unique_host_names(tmp_path):
    with two_cluster_simulator(tmp_path) as sim:
        clusters = [EHPC_CLUSTER_ID, SECOND_EHPC_CLUSTER]
        clash = run_inventory(source(tmp_path, sim.url, clusters=clusters), sim.url)
        assert clash.rc != 0
        assert "two nodes are both named 'login01'" in clash.output and "set hostnames to id" in clash.output, clash
        run = run_inventory(source(tmp_path, sim.url, clusters=clusters, hostnames="id",
                                   keyed_groups=[{"key": "ehpc_role", "prefix": "all"}]), sim.url)
        assert run.rc == 0, run
        assert len(run.hosts("ehpc")) == 6
        assert run.data["ehpc"]["children"] == ["ehpc_8jqdq0mz", "ehpc_2ndcl5tr"]
        second = run.hosts("ehpc_2ndcl5tr_compute")
        assert len(second) == 2 and all(run.hostvars[h]["ehpc_cluster_id"] == SECOND_EHPC_CLUSTER for h in second)
        assert len(run.hosts("all_compute")) == 4
        assert sorted(run.hostvars[h]["ehpc_private_ip"] for h in second) == ["192.168.200.11", "192.168.200.12"]


def test_cache_hit_makes_no_api_call(sim, tmp_path):
    cache = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache"),
             "cache_timeout": 600}
    src = source(tmp_path, sim.url, busy=True, **cache)
    first = run_inventory(src, sim.url)
    assert first.rc == 0, first
    assert list_node_calls(sim)
    sim.clear_calls()
    second = run_inventory(src, sim.url)
    assert second.rc == 0, second
    assert api_calls(sim) == []
    assert second.data == first.data
    cached = "".join(p.read_text() for p in (tmp_path / "cache").iterdir())
    assert "compute01" in cached and SECRET not in cached
    # A cache read for other options (no job data) is not used for these.
    write_source(tmp_path, src.name, dict({"plugin": "hpcops.clusters.ehpc", "clusters": [EHPC_CLUSTER_ID],
                                           "endpoint": sim.url, "busy": False}, **cache))
    third = run_inventory(src, sim.url)
    assert third.rc == 0, third
    assert list_node_calls(sim)
    assert "ehpc_busy" not in third.hostvars["compute01"]


def test_strict_makes_a_broken_compose_fail_the_source(sim, tmp_path):
    lax = run_inventory(source(tmp_path, sim.url, compose={"rack": "no_such_var.rack"},
                               keyed_groups=[{"key": "no_such_var", "prefix": "x"}]), sim.url)
    assert lax.rc == 0, lax
    assert "rack" not in lax.hostvars["login01"]
    strict = run_inventory(source(tmp_path, sim.url, strict=True, compose={"rack": "no_such_var.rack"}), sim.url)
    assert strict.rc != 0
    assert "no_such_var" in strict.output, strict


def test_error_on_page_three_fails_the_source_and_adds_no_host(sim, tmp_path):
    sim.world(ehpc_compute_nodes=250)  # 251 nodes: pages at offset 0, 100 and 200
    sim.faults([{"path": LIST_NODES, "kind": "delay", "seconds": 0, "times": 2},
                {"path": LIST_NODES, "kind": "ret_code", "ret_code": 1400}])
    src = source(tmp_path, sim.url)
    run = run_inventory(src, sim.url)
    assert run.rc != 0
    assert "cannot read the nodes of cluster %s from %s" % (EHPC_CLUSTER_ID, sim.url) in run.output, run
    assert "/api/cluster/listNodes" in run.output and "code 1400" in run.output, run
    assert len(list_node_calls(sim)) == 3
    # Left to ansible-core's default (warn and go on), the source still adds no host at all:
    # never the first two pages' 200 nodes as if they were the cluster.
    sim.faults([{"path": LIST_NODES, "kind": "delay", "seconds": 0, "times": 2},
                {"path": LIST_NODES, "kind": "ret_code", "ret_code": 1400}])
    graph = run_inventory(src, sim.url, "--graph", fail_on_unparsed=False)
    assert graph.rc == 0, graph
    assert "compute" not in graph.stdout and "ehpc" not in graph.stdout, graph
    assert "cannot read the nodes of cluster" in graph.stderr, graph
    assert not sim.pending_faults()


@pytest.mark.parametrize("body", ["html", "empty", "missing:total_count", "missing:hpc_app_nodes_set"])
def test_wrong_shape_answer_fails_the_source(sim, tmp_path, body):
    sim.fault(path=LIST_NODES, kind="bad_answer", body=body)
    run = run_inventory(source(tmp_path, sim.url), sim.url)
    assert run.rc != 0
    assert "unexpected answer from %s to EHPC listNodes" % sim.url in run.output, run


def test_unreadable_job_host_list_fails_rather_than_calling_nodes_idle(sim, tmp_path):
    sim.start_hpc_job(["compute01"])
    sim.fault(path="/api/job/list$", kind="bad_answer", body="missing:hpc_job_set")
    run = run_inventory(source(tmp_path, sim.url, busy=True), sim.url)
    assert run.rc != 0
    assert "unexpected answer from %s to EHPC job/list" % sim.url in run.output, run


@pytest.mark.parametrize("options, env, message", [
    ({}, {"QINGCLOUD_SECRET_ACCESS_KEY": " "}, "missing QingCloud credentials: set secret_access_key or the "
                                               "QINGCLOUD_SECRET_ACCESS_KEY environment variable"),
    ({"clusters": ["8jqdq0mz"]}, {}, "8jqdq0mz: not an EHPC cluster ID"),
    ({"clusters": []}, {}, "clusters must list at least one cluster ID"),
    ({"clusters": [EHPC_CLUSTER_ID, EHPC_CLUSTER_ID]}, {}, "clusters lists a cluster twice: " + EHPC_CLUSTER_ID),
    ({"endpoint": "hpc-api.qingcloud.com"}, {}, "endpoint 'hpc-api.qingcloud.com' has no scheme"),
    ({"timeout": 0}, {}, "timeout must be at least 1 second"),
    # A misspelt filter must not widen the inventory to every node.
    ({"role": "compute"}, {}, "unknown option role (did you mean roles?)"),
    # ansible-core reads any word but its true words as false: TLS verification would be off.
    ({"validate_certs": "ture"}, {}, "validate_certs must be a boolean (true or false, yes or no, on or off, 1 or 0), "
                                     "got 'ture' in the source file"),
    ({"validate_certs": "maybe"}, {}, "validate_certs must be a boolean"),
    ({"busy": "sometimes"}, {}, "busy must be a boolean"),
    ({"strict": "maybe"}, {}, "strict must be a boolean"),
    ({"statuses": [{"phase": "active"}]}, {}, "statuses must be a list of strings, got the item {'phase': 'active'}"),
    ({"host_prefix": "hpc, "}, {}, "host_prefix 'hpc, ' may hold only letters, digits"),
    ({"hostnames": "ip"}, {}, "Valid values are: name, id, private_ip"),
    ({"roles": ["gpu"]}, {}, "Valid values are: login, compute"),
])
def test_bad_options_fail_before_any_call(sim, tmp_path, options, env, message):
    run = run_inventory(source(tmp_path, sim.url, **options), sim.url, env=env)
    assert run.rc != 0
    assert message in run.output, run
    assert api_calls(sim) == []


def test_a_boolean_in_ansible_cfg_is_checked_too(sim, tmp_path):
    config = tmp_path / "ansible.cfg"
    config.write_text("[inventory]\ncache = maybe\n")
    run = run_inventory(source(tmp_path, sim.url), sim.url, env={"ANSIBLE_CONFIG": str(config)})
    assert run.rc != 0
    assert "cache must be a boolean (true or false, yes or no, on or off, 1 or 0), got 'maybe' in %s" % config \
        in run.output, run
    assert api_calls(sim) == []


def test_credentials_come_from_the_source_file_as_well(sim, tmp_path):
    src = source(tmp_path, sim.url, access_key_id=QINGCLOUD_ENV["QINGCLOUD_ACCESS_KEY_ID"], secret_access_key=SECRET,
                 zone=QINGCLOUD_ENV["QINGCLOUD_ZONE"])
    run = run_inventory(src, sim.url, credentials=False)
    assert run.rc == 0, run
    assert run.hosts("ehpc") == ["compute01", "compute02", "login01"]


def test_secret_is_never_printed(sim, tmp_path):
    ok = run_inventory(source(tmp_path, sim.url, secret_access_key=SECRET), sim.url, "--list", "-vvv")
    assert ok.rc == 0, ok
    sim.fault(path=LIST_NODES, kind="ret_code", ret_code=1200)
    failed = run_inventory(source(tmp_path, sim.url, secret_access_key=SECRET), sim.url, "--list", "-vvvv")
    assert failed.rc != 0 and "authentication failed" in failed.output, failed
    for run in (ok, failed):
        assert SECRET not in run.output


def test_source_file_name_must_end_in_ehpc_yml(sim, tmp_path):
    run = run_inventory(source(tmp_path, sim.url, name="nodes.yml"), sim.url)
    assert run.rc != 0
    assert list_node_calls(sim) == []


def test_ansible_doc_renders_both_inventory_plugins(tmp_path):
    env = base_env("http://127.0.0.1:9", credentials=False)
    for name, option in (("hpcops.clusters.ehpc", "secret_access_key"), ("hpcops.clusters.cce", "secret_key")):
        text = ansible_doc(env, name)
        assert text.returncode == 0, text.stderr
        assert option in text.stdout and "keyed_groups" in text.stdout and "Fails closed" in text.stdout
        as_json = ansible_doc(env, "--json", name)
        assert as_json.returncode == 0, as_json.stderr
        doc = json.loads(as_json.stdout)[name]["doc"]
        assert {option, "keyed_groups", "compose", "groups", "strict", "cache", "cache_plugin"} <= set(doc["options"])
        assert doc["options"]["validate_certs"]["default"] is True
        assert not text.stderr.strip(), text.stderr


def ansible_doc(env, *args):
    return run_cli([str(BIN_DIR / "ansible-doc"), "-t", "inventory"] + list(args), env, str(REPO_ROOT), 120)


def test_vault_encrypted_secret_in_the_source_file(sim, tmp_path):
    password_file = tmp_path / "vault-pass"
    password_file.write_text("inventory-test-vault-password\n")
    encrypted = subprocess.run([str(BIN_DIR / "ansible-vault"), "encrypt_string", "--vault-password-file",
                                str(password_file), SECRET, "--name", "secret_access_key"],
                               env=base_env(sim.url, credentials=False), capture_output=True, text=True, timeout=120,
                               check=True).stdout
    src = tmp_path / "vaulted.ehpc.yml"
    src.write_text("plugin: hpcops.clusters.ehpc\nclusters: [%s]\nendpoint: %s\naccess_key_id: %s\nzone: %s\n%s" % (
        EHPC_CLUSTER_ID, sim.url, QINGCLOUD_ENV["QINGCLOUD_ACCESS_KEY_ID"], QINGCLOUD_ENV["QINGCLOUD_ZONE"], encrypted))
    assert SECRET not in src.read_text()
    run = run_inventory(src, sim.url, "--list", "--vault-password-file", str(password_file), credentials=False)
    assert run.rc == 0, run
    assert run.hosts("ehpc") == ["compute01", "compute02", "login01"]
    assert SECRET not in run.output


@pytest.fixture(scope="module")
def odd_sim(tmp_path_factory):
    """A simulator whose extra clusters each have one node named like the controller or a group."""
    with odd_names_simulator(tmp_path_factory.mktemp("odd-names")) as simulator:
        yield simulator


@pytest.mark.parametrize("cluster_id", sorted(ODD_EHPC_CLUSTERS))
def test_a_node_named_like_the_controller_or_a_group_fails_the_source(odd_sim, tmp_path, cluster_id):
    name = ODD_EHPC_CLUSTERS[cluster_id]
    run = run_inventory(source(tmp_path, odd_sim.url, clusters=[cluster_id]), odd_sim.url)
    assert run.rc != 0
    assert "would be the host %r" % name in run.output, run
    assert "of cluster %s" % cluster_id in run.output and "hostnames: id" in run.output and "host_prefix" in run.output
    # Left to ansible-core's default, the source still adds none of its hosts.
    lax = run_inventory(source(tmp_path, odd_sim.url, clusters=[cluster_id]), odd_sim.url, fail_on_unparsed=False)
    assert lax.rc == 0, lax
    assert lax.hosts() == [] and lax.data["all"].get("vars") is None, lax
    by_id = run_inventory(source(tmp_path, odd_sim.url, clusters=[cluster_id], hostnames="id"), odd_sim.url)
    assert by_id.rc == 0, by_id
    assert len(by_id.hosts("ehpc")) == 3 and name in [v["ehpc_name"] for v in by_id.hostvars.values()]


def test_a_node_named_localhost_never_gets_a_play_on_the_controller(odd_sim, tmp_path):
    # The reproduction: the collection's own localhost inventory beside the ehpc source, a play on
    # the compute group. The node named localhost took over the controller's host (connection
    # local) and ran the task here.
    marker = tmp_path / "ran-on-the-controller"
    play = tmp_path / "compute.yml"
    play.write_text("- hosts: ehpc_lclhost1_compute\n  gather_facts: false\n  tasks:\n"
                    "    - ansible.builtin.command: touch %s\n" % marker)
    src = source(tmp_path, odd_sim.url, clusters=["ehpc-lclhost1"])
    env = base_env(odd_sim.url)
    env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.builtin.default"
    env.pop("ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED", None)
    cmd = [str(BIN_DIR / "ansible-playbook"), "-i", str(LOCALHOST_INVENTORY), "-i", str(src), str(play),
           "--limit", "localhost"]
    run = run_cli(cmd, env, str(REPO_ROOT), 120)
    assert run.returncode != 0, run.stdout + run.stderr
    assert "would be the host 'localhost'" in run.stdout + run.stderr
    assert not marker.exists()
    prefixed = run_inventory(source(tmp_path, odd_sim.url, clusters=["ehpc-lclhost1"], host_prefix="hpc-"),
                             odd_sim.url, "-i", str(LOCALHOST_INVENTORY), "--list")
    assert prefixed.rc == 0, prefixed
    assert prefixed.hosts("ehpc_lclhost1_compute") == ["hpc-compute01", "hpc-localhost"]
    node = next(n for n in odd_sim.state()["ehpc"]["clusters"]["ehpc-lclhost1"]["nodes"].values()
                if n["name"] == "localhost")
    assert prefixed.hostvars["hpc-localhost"]["ansible_host"] == node["private_ip"]
    assert prefixed.hostvars["localhost"]["ansible_connection"] == "local"


def test_a_host_another_source_added_is_not_taken_over(sim, tmp_path):
    static = write_source(tmp_path, "static.yml", {"all": {"hosts": {"compute01": {"ansible_connection": "local"}}}})
    run = run_inventory(static, sim.url, "-i", str(source(tmp_path, sim.url)), "--list")
    assert run.rc != 0
    assert "would be the host 'compute01', a host already in the inventory (from %s)" % static in run.output, run
    lax = run_inventory(static, sim.url, "-i", str(source(tmp_path, sim.url)), "--list", fail_on_unparsed=False)
    assert lax.rc == 0, lax
    assert lax.hosts() == ["compute01"] and lax.hostvars["compute01"] == {"ansible_connection": "local"}, lax


def test_strict_compose_error_on_a_later_host_leaves_no_host_of_the_source(sim, tmp_path):
    # login01 and compute01 compose fine; compute02 does not.
    src = source(tmp_path, sim.url, strict=True, keyed_groups=[{"key": "ehpc_role", "prefix": "role"}],
                 compose={"rack": "ehpc_name == 'compute02' and no_such_var.rack"})
    strict = run_inventory(src, sim.url)
    assert strict.rc != 0
    assert "no_such_var" in strict.output and "no host of this source is added" in strict.output, strict
    lax = run_inventory(src, sim.url, "-i", str(LOCALHOST_INVENTORY), "--list", fail_on_unparsed=False)
    assert lax.rc == 0, lax
    assert lax.hosts() == ["localhost"], lax
    assert "role_login" not in lax.data and "ehpc" not in lax.data


def test_cache_is_not_served_for_another_access_key_or_endpoint(sim, tmp_path):
    cache = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache"),
             "cache_timeout": 600}
    src = source(tmp_path, sim.url, **cache)
    first = run_inventory(src, sim.url)
    assert first.rc == 0, first
    cached = "".join(p.read_text() for p in (tmp_path / "cache").iterdir())
    assert QINGCLOUD_ENV["QINGCLOUD_ACCESS_KEY_ID"] not in cached and SECRET not in cached
    sim.clear_calls()
    # A key the cloud doesn't know (one since revoked): the cloud is asked, and says no.
    revoked = run_inventory(src, sim.url, env={"QINGCLOUD_ACCESS_KEY_ID": "QYREVOKEDACCESSKEY"})
    assert revoked.rc != 0, revoked
    assert list_node_calls(sim)
    sim.clear_calls()
    # The same simulator under another name is another endpoint.
    other = sim.url.replace("127.0.0.1", "localhost")
    assert other != sim.url
    write_source(tmp_path, src.name, dict({"plugin": "hpcops.clusters.ehpc", "clusters": [EHPC_CLUSTER_ID],
                                           "endpoint": other}, **cache))
    moved = run_inventory(src, sim.url)
    assert moved.rc == 0, moved
    assert list_node_calls(sim)
    sim.clear_calls()
    again = run_inventory(src, sim.url)
    assert again.rc == 0 and again.data == moved.data, again
    assert api_calls(sim) == []
