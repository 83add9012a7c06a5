# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Group names and node records of the inventory plugins, without Ansible's inventory or a network."""

from __future__ import annotations

__metaclass__ = type

import importlib

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


def ehpc_plugin(client, **options):
    plugin = load_plugin("hpcops.clusters.ehpc")
    defaults = {"plugin": "hpcops.clusters.ehpc", "clusters": ["ehpc-one"], "access_key_id": "AK",
                "secret_access_key": "SK", "zone": "jn1a", "busy": False}
    plugin.set_options(direct=dict(defaults, **options))
    plugin.client = lambda params: client
    plugin.inventory = InventoryData()
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


def test_unreadable_job_host_list_fails_rather_than_calling_a_node_idle():
    client = FakeEhpc(NODES, jobs=[{"job_id": 19453, "job_status": "running", "job_node_list": "compute[01-"}])
    plugin = ehpc_plugin(client, busy=True)
    with pytest.raises(AnsibleParserError) as caught:
        plugin.fetch(plugin.params())
    assert "cannot tell which nodes of cluster ehpc-one run HPC jobs" in str(caught.value)
    assert "set busy to false" in str(caught.value)


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
