# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Group names and node records of the inventory plugins, without Ansible's inventory or a network."""

from __future__ import annotations

__metaclass__ = type

import importlib
import json

import pytest
import yaml

from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData

from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError
from ansible_collections.hpcops.clusters.plugins.plugin_utils.inventory import group_name


@pytest.mark.parametrize("parts,name", [
    (("ehpc_", "ehpc-8jqdq0mz"), "ehpc_8jqdq0mz"),
    (("ehpc_", "ehpc-8jqdq0mz", "compute"), "ehpc_8jqdq0mz_compute"),
    (("cce_", "cce-demo"), "cce_demo"),
    (("cce_", "4c8f9a4e-3b2d-11ef-9b1a-0255ac100b05"), "cce_4c8f9a4e_3b2d_11ef_9b1a_0255ac100b05"),
    (("cce_", "prod.k8s"), "cce_prod_k8s"),
])
def test_group_names_are_valid_and_do_not_repeat_the_prefix(parts, name):
    assert group_name(*parts) == name


def load_plugin(name: str):
    """The plugin with its documented options registered, as ansible's loader would.

    Loaded from the imported module rather than by name: plain pytest has no collection
    loader (ansible-test units has one), and the plugin needs none to run. The collection's
    own doc fragment is merged here for the same reason; ansible-core's are found as usual.
    """
    from ansible import constants as C
    from ansible.plugins.loader import fragment_loader
    from ansible.utils.plugin_docs import add_fragments
    from ansible_collections.hpcops.clusters.plugins.doc_fragments.inventory import ModuleDocFragment

    module = importlib.import_module("ansible_collections.%s.plugins.inventory.%s" % tuple(name.rsplit(".", 1)))
    doc = yaml.safe_load(module.DOCUMENTATION)
    own = "hpcops.clusters.inventory"
    assert own in doc["extends_documentation_fragment"]
    doc["extends_documentation_fragment"].remove(own)
    doc["options"].update(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"])
    add_fragments(doc, module.__file__, fragment_loader=fragment_loader)
    C.config.initialize_plugin_configuration_definitions("inventory", name, doc["options"])
    plugin = module.InventoryModule()
    plugin._load_name = name  # pylint: disable=protected-access
    return plugin


class FakeEhpc:
    endpoint = "https://hpc-api.example"

    def __init__(self, nodes, jobs=None, fail_on=None):
        self.nodes = nodes
        self.jobs = jobs or []
        self.fail_on = fail_on
        self.calls = []

    def list_nodes(self, cluster_id):
        self.calls.append(("listNodes", cluster_id))
        if cluster_id == self.fail_on:
            raise ApiError("unexpected answer from %s to EHPC listNodes: no `total_count`" % self.endpoint)
        return [dict(node, cluster_id=cluster_id) for node in self.nodes]

    def list_hpc_jobs(self, cluster_id, status):
        self.calls.append(("job/list", cluster_id, status))
        return self.jobs


NODES = [
    {"node_id": "cln-aaaa1111", "role": "login", "status": "active", "transition_status": "", "name": "login01",
     "private_ip": "10.0.0.2", "instance_id": "i-aaaa1111", "create_time": "2026-01-01T00:00:00Z"},
    {"node_id": "cln-bbbb2222", "role": "compute", "status": "active", "transition_status": "", "name": "compute01",
     "private_ip": "10.0.0.3", "instance_id": "i-bbbb2222", "create_time": "2026-01-01T00:00:01Z"},
]


def trusted(value):
    """Expressions as ansible-core's loader gives them from a source file: trusted templates."""
    try:
        from ansible.template import trust_as_template
    except ImportError:  # before ansible-core 2.19 every string may be templated
        return value
    if isinstance(value, dict):
        return dict((key, trusted(item)) for key, item in value.items())
    if isinstance(value, list):
        return [trusted(item) for item in value]
    return trust_as_template(value) if isinstance(value, str) else value


def ehpc_plugin(client, **options):
    for name in ("compose", "groups", "keyed_groups"):
        if name in options:
            options[name] = trusted(options[name])
    plugin = load_plugin("hpcops.clusters.ehpc")
    defaults = {"plugin": "hpcops.clusters.ehpc", "clusters": ["ehpc-one"], "access_key_id": "AK",
                "secret_access_key": "SK", "zone": "jn1a", "busy": False}
    plugin.set_options(direct=dict(defaults, **options))
    plugin.client = lambda params: client
    plugin.inventory = InventoryData()
    if not hasattr(plugin, "templar"):  # before ansible-core 2.19, parse() sets it
        from ansible.parsing.dataloader import DataLoader
        from ansible.template import Templar
        plugin.templar = Templar(loader=DataLoader())
    return plugin


def test_ehpc_records_carry_busy_and_jobs_when_asked():
    client = FakeEhpc(NODES, jobs=[{"job_id": 19453, "job_status": "running", "job_node_list": "compute01"}])
    plugin = ehpc_plugin(client, busy=True)
    records = plugin.fetch(plugin.params())
    compute = [r for r in records if r["name"] == "compute01"][0]
    assert compute["busy"] is True and compute["jobs"] == ["19453"] and compute["id"] == "cln-bbbb2222"
    assert [r["busy"] for r in records if r["name"] == "login01"] == [False]
    assert ("job/list", "ehpc-one", "running") in client.calls


def test_ehpc_error_on_the_second_cluster_fails_and_names_cluster_and_endpoint():
    client = FakeEhpc(NODES, fail_on="ehpc-two")
    plugin = ehpc_plugin(client, clusters=["ehpc-one", "ehpc-two"])
    with pytest.raises(AnsibleParserError) as caught:
        plugin.fetch(plugin.params())
    assert "cluster ehpc-two from https://hpc-api.example" in str(caught.value)
    assert "no `total_count`" in str(caught.value)


def test_populate_names_hosts_by_id_when_the_chosen_field_is_empty():
    plugin = ehpc_plugin(FakeEhpc(NODES), hostnames="private_ip")
    building = dict(NODES[1], node_id="cln-cccc3333", name="compute02", private_ip="")
    plugin.populate(ehpc_plugin(FakeEhpc(NODES + [building])).fetch(plugin.params()))
    assert sorted(plugin.inventory.hosts) == ["10.0.0.2", "10.0.0.3", "cln-cccc3333"]
    assert "ansible_host" not in plugin.inventory.get_host("cln-cccc3333").vars
    assert plugin.inventory.get_host("10.0.0.3").vars["ansible_host"] == "10.0.0.3"


def test_cce_item_without_uid_fails_rather_than_being_left_out():
    class FakeCce:
        endpoint = "https://cce.example"

        def list_nodes(self, cluster_id):
            return [{"metadata": {"name": "n1"}, "status": {"phase": "Active"}}]

    plugin = load_plugin("hpcops.clusters.cce")
    plugin.set_options(direct={"plugin": "hpcops.clusters.cce", "clusters": ["c1"], "project_id": "p",
                               "auth_token": "t", "region": "cn-north-4"})
    plugin.client = lambda params: FakeCce()
    with pytest.raises(AnsibleParserError) as caught:
        plugin.fetch(plugin.params())
    assert "`items[0]` has no `metadata.uid`" in str(caught.value)


def test_a_secret_in_a_failure_message_is_masked():
    plugin = ehpc_plugin(FakeEhpc(NODES), secret_access_key="S3CRET-VALUE")
    with pytest.raises(AnsibleParserError) as caught:
        plugin.fail("the API echoed S3CRET-VALUE back")
    assert "S3CRET-VALUE" not in str(caught.value) and "echoed ******** back" in str(caught.value)


@pytest.mark.parametrize("node_list", ["compute[01-", "", "ghost[1-2]"])
def test_a_job_host_list_that_places_no_node_makes_every_node_busy_rather_than_idle(node_list):
    # Fail closed (docs/api-decisions.md, "Which nodes are busy"): the job may run on any node.
    client = FakeEhpc(NODES, jobs=[{"job_id": 19453, "job_status": "running", "job_node_list": node_list}])
    plugin = ehpc_plugin(client, busy=True)
    records = plugin.fetch(plugin.params())
    assert records and all(r["busy"] is True and r["jobs"] == ["19453"] for r in records), records


# --- host names that would reach the controller or clash (issue 29, item 1) ---------------------

def populated(plugin, nodes=None):
    """The plugin's hosts for ``nodes`` (default NODES), read and added as ``parse`` does."""
    params = plugin.params()
    plugin.populate(plugin.select(plugin.fetch(params)))
    return plugin.inventory


def renamed(name, node_id="cln-bbbb2222"):
    return [dict(node, name=name) if node["node_id"] == node_id else node for node in NODES]


@pytest.mark.parametrize("name", [
    "localhost", "LocalHost", "localhost.", "localhost.localdomain", "ip6-localhost", "node.localhost",
    "127.0.0.1", "127.1.2.3", "127.1", "2130706433", "0177.0.0.1", "0.0.0.0", "0",
    "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "::",
])
def test_a_node_named_like_the_controller_fails_the_source_and_adds_no_host(name):
    plugin = ehpc_plugin(FakeEhpc(renamed(name)))
    with pytest.raises(AnsibleParserError) as caught:
        populated(plugin)
    message = str(caught.value)
    assert "node cln-bbbb2222 of cluster ehpc-one" in message and repr(name) in message
    assert "the controller" in message
    assert "hostnames: id" in message and "host_prefix" in message
    assert plugin.inventory.hosts == {}


@pytest.mark.parametrize("name", ["localhost-gpu01", "compute127", "10.0.0.3", "127-node", "1"])
def test_names_that_only_look_local_are_hosts(name):
    inventory = populated(ehpc_plugin(FakeEhpc(renamed(name))))
    assert name in inventory.hosts


@pytest.mark.parametrize("name, why", [
    ("all", "a group every inventory has"),
    ("ungrouped", "a group every inventory has"),
    ("ehpc", "also the name of a group"),
    ("ehpc_one_compute", "also the name of a group"),
])
def test_a_node_named_like_a_group_fails_the_source(name, why):
    plugin = ehpc_plugin(FakeEhpc(renamed(name)))
    with pytest.raises(AnsibleParserError) as caught:
        populated(plugin)
    assert repr(name) in str(caught.value) and why in str(caught.value)
    assert plugin.inventory.hosts == {} and plugin.inventory.groups["all"].vars == {}


def test_a_node_named_like_a_keyed_group_of_the_source_fails_it():
    plugin = ehpc_plugin(FakeEhpc(renamed("role_compute")), keyed_groups=[{"key": "ehpc_role", "prefix": "role"}])
    with pytest.raises(AnsibleParserError) as caught:
        populated(plugin)
    assert "'role_compute', also the name of a group" in str(caught.value)
    assert plugin.inventory.hosts == {} and "role_login" not in plugin.inventory.groups


def test_a_host_from_another_source_is_not_taken_over():
    plugin = ehpc_plugin(FakeEhpc(NODES))
    plugin.inventory.current_source = "/inventory/static.yml"
    plugin.inventory.add_host("compute01")
    plugin.inventory.set_variable("compute01", "ansible_connection", "local")
    plugin.inventory.current_source = "/inventory/hpc.ehpc.yml"
    with pytest.raises(AnsibleParserError) as caught:
        populated(plugin)
    assert "'compute01', a host already in the inventory (from /inventory/static.yml)" in str(caught.value)
    assert sorted(plugin.inventory.hosts) == ["compute01"]
    assert "ehpc_id" not in plugin.inventory.get_host("compute01").vars


def test_host_prefix_and_hostnames_id_are_the_ways_out():
    by_id = populated(ehpc_plugin(FakeEhpc(renamed("localhost")), hostnames="id"))
    assert sorted(by_id.hosts) == ["cln-aaaa1111", "cln-bbbb2222"]
    prefixed = populated(ehpc_plugin(FakeEhpc(renamed("localhost")), host_prefix="hpc-"))
    assert sorted(prefixed.hosts) == ["hpc-localhost", "hpc-login01"]
    assert prefixed.get_host("hpc-localhost").vars["ehpc_name"] == "localhost"
    assert [h.name for h in prefixed.groups["ehpc_one_compute"].hosts] == ["hpc-localhost"]


@pytest.mark.parametrize("prefix", ["a b", "x,", "[x]", "x:"])
def test_host_prefix_that_breaks_host_patterns_is_refused(prefix):
    plugin = ehpc_plugin(FakeEhpc(NODES), host_prefix=prefix)
    with pytest.raises(AnsibleParserError) as caught:
        plugin.params()
    assert "host_prefix" in str(caught.value)


# --- strict: a compose error leaves no host behind (issue 29, item 7) ---------------------------

def test_strict_compose_error_on_the_last_host_leaves_no_host_of_the_source():
    plugin = ehpc_plugin(FakeEhpc(NODES), strict=True, keyed_groups=[{"key": "ehpc_role", "prefix": "role"}],
                         compose={"rack": "ehpc_name == 'compute01' and no_such_var.rack"})
    with pytest.raises(AnsibleParserError) as caught:
        populated(plugin)
    assert "no_such_var" in str(caught.value) and "no host of this source is added" in str(caught.value)
    assert plugin.inventory.hosts == {}
    assert sorted(plugin.inventory.groups) == ["all", "ungrouped"]


def test_hosts_groups_and_composed_vars_are_all_added_when_nothing_fails():
    keyed = [{"key": "ehpc_role", "prefix": "role", "parent_group": "roles"}]
    plugin = ehpc_plugin(FakeEhpc(NODES), strict=True, keyed_groups=keyed,
                         groups={"first": "ehpc_name == 'login01'"}, compose={"label": "ehpc_name ~ '@rack1'"})
    inventory = populated(plugin)
    assert sorted(inventory.hosts) == ["compute01", "login01"]
    assert [h.name for h in inventory.groups["role_compute"].hosts] == ["compute01"]
    assert [g.name for g in inventory.groups["roles"].child_groups] == ["role_login", "role_compute"]
    assert [h.name for h in inventory.groups["first"].hosts] == ["login01"]
    assert [g.name for g in inventory.groups["ehpc"].child_groups] == ["ehpc_one"]
    assert [h.name for h in inventory.groups["ehpc_one_login"].hosts] == ["login01"]
    assert inventory.groups["ehpc"].hosts == []
    assert inventory.get_host("compute01").vars["label"] == "compute01@rack1"


# --- options are checked as the modules check theirs (issue 29, item 6) -------------------------

@pytest.mark.parametrize("option, value", [
    ("validate_certs", "ture"), ("validate_certs", "maybe"), ("busy", "sometimes"), ("strict", "maybe"),
    ("set_ansible_host", "2"), ("cache", "nope"),
])
def test_a_boolean_option_that_is_not_a_boolean_is_refused(option, value):
    plugin = ehpc_plugin(FakeEhpc(NODES), **{option: value})
    with pytest.raises(AnsibleParserError) as caught:
        plugin.check_option_types({option: value})
    assert "%s must be a boolean" % option in str(caught.value) and repr(value) in str(caught.value)


@pytest.mark.parametrize("value, expected", [("yes", True), ("True", True), ("off", False), (0, False), (True, True)])
def test_boolean_words_the_modules_accept_are_accepted(value, expected):
    plugin = ehpc_plugin(FakeEhpc(NODES), validate_certs=value)
    plugin.check_option_types({"validate_certs": value})
    assert plugin.get_option("validate_certs") is expected


@pytest.mark.parametrize("option, value", [("statuses", [{"phase": "active"}]), ("statuses", [None]),
                                           ("clusters", [["ehpc-one"]])])
def test_a_list_of_strings_holding_something_else_is_refused(option, value):
    plugin = ehpc_plugin(FakeEhpc(NODES), **{option: value})
    with pytest.raises(AnsibleParserError) as caught:
        plugin.check_option_types({option: value})
    assert "%s must be a list of strings" % option in str(caught.value)


# --- the cache is read for one endpoint and one credential (issue 29, item 10) ------------------

class DictCache(dict):
    """Enough of ansible's inventory cache for ``read``: a dict."""


def cached_plugin(client, cache, **options):
    plugin = ehpc_plugin(client, cache=True, **options)
    plugin._cache = cache  # pylint: disable=protected-access
    return plugin


def test_cache_is_used_only_for_the_same_endpoint_and_credential():
    cache = DictCache()
    first = FakeEhpc(NODES)
    plugin = cached_plugin(first, cache, access_key_id="AKID-ONE", secret_access_key="SECRET-ONE")
    plugin.read("/inventory/hpc.ehpc.yml", plugin.params(), cache=True)
    assert first.calls
    text = json.dumps(cache)
    assert "SECRET-ONE" not in text and "AKID-ONE" not in text
    for options, read_again in (({}, False), ({"endpoint": "https://other.example"}, True),
                                ({"access_key_id": "AKID-TWO"}, True), ({"secret_access_key": "SECRET-TWO"}, False)):
        client = FakeEhpc(NODES)
        settings = dict({"access_key_id": "AKID-ONE", "secret_access_key": "SECRET-ONE"}, **options)
        again = cached_plugin(client, DictCache(cache), **settings)
        assert again.read("/inventory/hpc.ehpc.yml", again.params(), cache=True) == plugin.read(
            "/inventory/hpc.ehpc.yml", plugin.params(), cache=True)
        assert bool(client.calls) is read_again, options


def test_cce_cache_identity_follows_the_credential_in_use():
    plugin = load_plugin("hpcops.clusters.cce")
    base = {"plugin": "hpcops.clusters.cce", "clusters": ["c1"], "project_id": "p", "region": "cn-north-4"}

    def wanted(**options):
        plugin.set_options(direct=dict(base, **options))
        return plugin.wanted(plugin.params())

    token = wanted(auth_token="TOKEN-ONE")
    assert token != wanted(auth_token="TOKEN-TWO")
    assert "TOKEN-ONE" not in json.dumps(token)
    aksk = wanted(access_key="AK-ONE", secret_key="SK-ONE")
    assert aksk == wanted(access_key="AK-ONE", secret_key="SK-TWO")
    assert aksk != wanted(access_key="AK-TWO", secret_key="SK-ONE")
    user = wanted(iam_user="u1", iam_password="pw", iam_domain="d")
    assert user != wanted(iam_user="u2", iam_password="pw", iam_domain="d")
    assert user != wanted(iam_user="u1", iam_password="pw", iam_domain="d", iam_endpoint="https://iam.example")
    assert aksk["endpoint"] == "https://cce.cn-north-4.myhuaweicloud.com"
    assert wanted(access_key="AK-ONE", secret_key="SK-ONE", endpoint="https://cce.example/")["endpoint"] == \
        "https://cce.example"
    assert "pw" not in json.dumps(user) and "SK-ONE" not in json.dumps(aksk)


def test_the_clusters_of_a_source_are_read_side_by_side_and_kept_in_their_order():
    import threading
    # Every cluster's read waits for all three to be in flight: read one after another, the
    # first would time out at the barrier and the source fail.
    barrier = threading.Barrier(3, timeout=10)

    class Gated(FakeEhpc):
        def list_nodes(self, cluster_id):
            barrier.wait()
            return FakeEhpc.list_nodes(self, cluster_id)

    plugin = ehpc_plugin(Gated(NODES), clusters=["ehpc-one", "ehpc-two", "ehpc-three"])
    records = plugin.fetch(plugin.params())
    assert [r["cluster_id"] for r in records] == ["ehpc-one"] * 2 + ["ehpc-two"] * 2 + ["ehpc-three"] * 2


def test_when_several_clusters_fail_the_first_listed_is_named():
    class FailsTwo(FakeEhpc):
        def list_nodes(self, cluster_id):
            if cluster_id in ("ehpc-two", "ehpc-three"):
                raise ApiError("%s refused" % cluster_id)
            return FakeEhpc.list_nodes(self, cluster_id)

    plugin = ehpc_plugin(FailsTwo(NODES), clusters=["ehpc-one", "ehpc-two", "ehpc-three"])
    with pytest.raises(AnsibleParserError) as caught:
        plugin.fetch(plugin.params())
    assert "cluster ehpc-two from https://hpc-api.example" in str(caught.value)
    assert "ehpc-two refused" in str(caught.value)
