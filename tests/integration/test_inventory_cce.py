"""The hpcops.clusters.cce inventory plugin, through ``ansible-inventory`` against the simulator."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from tests.integration.ansible_runner import HUAWEI_ENV
from tests.integration.cce_world import cce_nodes
from tests.integration.inventory_runner import (ODD_CCE_CLUSTERS, SECOND_CCE_CLUSTER, api_calls, odd_names_simulator,
                                                run_inventory, two_cluster_simulator, write_source)
from tests.simulator.client import Huawei
from tests.simulator.world import CCE_CLUSTER_ID, HW_ACCESS_KEY, HW_PROJECT_ID, HW_SECRET_KEY


NODES = "/clusters/%s/nodes$" % CCE_CLUSTER_ID
SECRET = HUAWEI_ENV["HW_SECRET_KEY"]
NAMES = ["cce-demo-node-1", "cce-demo-node-2", "cce-demo-node-3"]


def start_removal(sim, names: list) -> None:
    """Put nodes in phase Deleting with a raw API call (no Ansible run needed)."""
    uids = [cce_nodes(sim.state())[name]["uid"] for name in names]
    client = Huawei(sim.url, access_key=HW_ACCESS_KEY, secret_key=HW_SECRET_KEY)
    answer = client.request("PUT", "/api/v3/projects/%s/clusters/%s/nodes/operation/remove" % (HW_PROJECT_ID, CCE_CLUSTER_ID),
                            {"spec": {"login": {"sshKey": "KeyPair-demo"}, "nodes": [{"uid": uid} for uid in uids]}})
    assert answer.status == 200, answer
    sim.clear_calls()


def source(tmp_path, url, name="k8s.cce.yml", **options):
    return write_source(tmp_path, name, dict({"plugin": "hpcops.clusters.cce", "clusters": [CCE_CLUSTER_ID],
                                              "endpoint": url}, **options))


def node_calls(sim):
    return [call for call in api_calls(sim) if call["path"].endswith("/nodes")]


def test_every_node_is_a_host_in_its_cluster_group_with_prefixed_hostvars(sim, tmp_path):
    run = run_inventory(source(tmp_path, sim.url), sim.url)
    assert run.rc == 0, run
    assert run.data["cce"]["children"] == ["cce_demo"]
    assert run.hosts("cce_demo") == NAMES
    node = next(n for n in sim.state()["cce"]["clusters"][CCE_CLUSTER_ID]["nodes"].values() if n["name"] == NAMES[0])
    assert run.hostvars[NAMES[0]] == {
        "ansible_host": node["privateIP"], "cce_id": node["uid"], "cce_name": NAMES[0], "cce_status": "Active",
        "cce_private_ip": node["privateIP"], "cce_flavor": node["flavor"], "cce_az": node["az"],
        "cce_creation_timestamp": node["creationTimestamp"], "cce_cluster_id": CCE_CLUSTER_ID,
    }
    # The login key pair of a node is not an inventory fact.
    assert "KeyPair-demo" not in run.stdout


def test_keyed_groups_groups_compose_and_phase_filter(sim, tmp_path):
    src = source(tmp_path, sim.url, statuses=["active"], keyed_groups=[{"key": "cce_az", "prefix": "az"}],
                 groups={"first_two": "cce_name is not match('.*-3$')"},
                 compose={"ansible_host": "cce_name ~ '.example.internal'"})
    run = run_inventory(src, sim.url)
    assert run.rc == 0, run
    assert run.hosts("az_cn_north_4a") == NAMES
    assert run.hosts("first_two") == NAMES[:2]
    assert run.hostvars[NAMES[0]]["ansible_host"] == NAMES[0] + ".example.internal"
    # A node on its way out is not Active, so the filter leaves it out.
    sim.config(job_seconds=600)
    start_removal(sim, [NAMES[2]])
    active = run_inventory(src, sim.url)
    assert active.rc == 0, active
    assert active.hosts("cce") == NAMES[:2]


def test_hostnames_by_id_and_by_private_ip(sim, tmp_path):
    by_ip = run_inventory(source(tmp_path, sim.url, hostnames="private_ip", set_ansible_host=False), sim.url)
    assert by_ip.rc == 0, by_ip
    assert by_ip.hosts("cce_demo") == ["192.168.0.10", "192.168.0.11", "192.168.0.12"]
    assert "ansible_host" not in by_ip.hostvars["192.168.0.10"]
    by_id = run_inventory(source(tmp_path, sim.url, hostnames="id", hostvar_prefix="k8s_"), sim.url)
    assert by_id.rc == 0, by_id
    assert by_id.hosts("cce_demo") == sorted(v["k8s_id"] for v in by_id.hostvars.values())


def test_several_clusters_in_one_source(tmp_path):
    with two_cluster_simulator(tmp_path) as sim:
        run = run_inventory(source(tmp_path, sim.url, clusters=[CCE_CLUSTER_ID, SECOND_CCE_CLUSTER]), sim.url)
        assert run.rc == 0, run
        assert run.data["cce"]["children"] == ["cce_demo", "cce_second"]
        assert run.hosts("cce_second") == ["cce-second-node-1", "cce-second-node-2", "cce-second-node-3"]
        assert run.hostvars["cce-second-node-1"]["cce_cluster_id"] == SECOND_CCE_CLUSTER
        assert len(run.hosts("cce")) == 6


def test_cache_hit_makes_no_api_call(sim, tmp_path):
    src = source(tmp_path, sim.url, cache=True, cache_plugin="ansible.builtin.jsonfile",
                 cache_connection=str(tmp_path / "cache"))
    first = run_inventory(src, sim.url)
    assert first.rc == 0, first
    assert node_calls(sim)
    sim.clear_calls()
    second = run_inventory(src, sim.url)
    assert second.rc == 0, second
    assert api_calls(sim) == []
    assert second.data == first.data
    # --flush-cache reads the cloud again.
    third = run_inventory(src, sim.url, "--list", "--flush-cache")
    assert third.rc == 0, third
    assert node_calls(sim)


def test_strict_makes_a_broken_keyed_group_fail_the_source(sim, tmp_path):
    strict = run_inventory(source(tmp_path, sim.url, strict=True, keyed_groups=[{"key": "cce_no_such_var"}]), sim.url)
    assert strict.rc != 0
    assert "cce_no_such_var" in strict.output, strict


@pytest.mark.parametrize("body", ["html", "empty", "missing:items", "missing:kind"])
def test_wrong_shape_answer_fails_the_source(sim, tmp_path, body):
    sim.fault(path=NODES, kind="bad_answer", body=body)
    run = run_inventory(source(tmp_path, sim.url), sim.url)
    assert run.rc != 0
    assert "unexpected answer from %s to CCE ListNodes" % sim.url in run.output, run


def test_error_on_the_second_cluster_adds_no_host_of_the_first(tmp_path):
    with two_cluster_simulator(tmp_path) as sim:
        src = source(tmp_path, sim.url, clusters=[CCE_CLUSTER_ID, "cce-gone"])
        run = run_inventory(src, sim.url)
        assert run.rc != 0
        assert "cannot read the nodes of cluster cce-gone from %s" % sim.url in run.output, run
        assert "HTTP 404" in run.output, run
        graph = run_inventory(src, sim.url, "--graph", fail_on_unparsed=False)
        assert graph.rc == 0, graph
        assert "cce-demo-node" not in graph.stdout, graph


@pytest.mark.parametrize("env, message", [
    ({"HW_SECRET_KEY": ""}, "access_key and secret_key must be given together"),
    ({"HW_ACCESS_KEY": "", "HW_SECRET_KEY": ""}, "no Huawei Cloud credentials"),
    ({"HW_PROJECT_ID": " "}, "missing Huawei Cloud project_id"),
    ({"HW_CCE_ENDPOINT": "cce.example.com"}, "endpoint 'cce.example.com' has no scheme"),
])
def test_bad_credentials_fail_before_any_call(sim, tmp_path, env, message):
    src = write_source(tmp_path, "k8s.cce.yml", {"plugin": "hpcops.clusters.cce", "clusters": [CCE_CLUSTER_ID]})
    run = run_inventory(src, sim.url, env=env)
    assert run.rc != 0
    assert message in run.output, run
    assert api_calls(sim) == []


def test_iam_user_token_and_secrets_never_printed(sim, tmp_path):
    env = {"HW_ACCESS_KEY": None, "HW_SECRET_KEY": None, "HW_USER_NAME": "demo", "HW_USER_PASSWORD": "demo-password",
           "HW_DOMAIN_NAME": "demo"}
    ok = run_inventory(source(tmp_path, sim.url), sim.url, "--list", "-vvvv", env=env)
    assert ok.rc == 0, ok
    assert ok.hosts("cce") == NAMES
    sim.fault(path=NODES, kind="status", status=403)
    failed = run_inventory(source(tmp_path, sim.url, secret_key=SECRET, access_key=HUAWEI_ENV["HW_ACCESS_KEY"]),
                           sim.url, "--list", "-vvvv")
    assert failed.rc != 0 and "HTTP 403" in failed.output, failed
    for run in (ok, failed):
        assert "demo-password" not in run.output and SECRET not in run.output


def test_a_node_named_like_the_controller_or_a_group_fails_the_source(tmp_path):
    with odd_names_simulator(tmp_path) as sim:
        for cluster_id, name in sorted(ODD_CCE_CLUSTERS.items()):
            run = run_inventory(source(tmp_path, sim.url, clusters=[cluster_id]), sim.url)
            assert run.rc != 0
            assert "of cluster %s would be the host %r" % (cluster_id, name) in run.output, run
            assert "hostnames: id" in run.output and "host_prefix" in run.output, run
            prefixed = run_inventory(source(tmp_path, sim.url, clusters=[cluster_id], host_prefix="k8s-"), sim.url)
            assert prefixed.rc == 0, prefixed
            assert "k8s-" + name in prefixed.hosts("cce"), prefixed


def test_cache_is_not_served_for_another_credential(sim, tmp_path):
    src = source(tmp_path, sim.url, cache=True, cache_plugin="ansible.builtin.jsonfile",
                 cache_connection=str(tmp_path / "cache"))
    first = run_inventory(src, sim.url)
    assert first.rc == 0, first
    sim.clear_calls()
    # Another access key: the cloud is asked (and refuses a key it doesn't know).
    other_key = run_inventory(src, sim.url, env={"HW_ACCESS_KEY": "HWREVOKEDACCESSKEY"})
    assert other_key.rc != 0, other_key
    assert node_calls(sim)
    sim.clear_calls()
    # An IAM user instead of the access key: another credential, read again.
    env = {"HW_ACCESS_KEY": None, "HW_SECRET_KEY": None, "HW_USER_NAME": "demo", "HW_USER_PASSWORD": "demo-password",
           "HW_DOMAIN_NAME": "demo"}
    user = run_inventory(src, sim.url, env=env)
    assert user.rc == 0 and user.data == first.data, user
    assert node_calls(sim)
    cached = "".join(p.read_text() for p in (tmp_path / "cache").iterdir())
    for value in (HW_ACCESS_KEY, SECRET, "demo-password"):
        assert value not in cached


def test_inventory_lists_all_2100_nodes_following_markers(sim, tmp_path):
    # A cluster larger than one ListNodes page (huaweicloudsdkcce v3: ``limit`` up to 2,000,
    # ``marker`` = the uid after which to list, ``nextMarker`` absent on the last page): the
    # plugin follows every marker. (The modules' paging is in the cce_nodes_info and
    # cce_node_remove integration targets.)
    names = ["%s-node-%d" % (CCE_CLUSTER_ID, i) for i in range(1, 2101)]
    sim.world(cce_nodes=len(names))
    sim.config(cce_page_size=700)
    sim.clear_calls()
    run = run_inventory(source(tmp_path, sim.url), sim.url)
    assert run.rc == 0, run
    assert sorted(run.hosts("cce_demo")) == sorted(names)
    markers = [parse_qs(c.get("query") or "").get("marker", [None])[0] for c in api_calls(sim)
               if c["method"] == "GET" and c["path"].endswith("/nodes")]
    assert len(markers) == 3
