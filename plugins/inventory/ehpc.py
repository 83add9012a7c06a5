# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

__metaclass__ = type

DOCUMENTATION = r"""
name: ehpc
short_description: QingCloud EHPC cluster nodes as Ansible hosts
version_added: 0.2.0
description:
  - Reads the nodes of one or several QingCloud EHPC clusters (C(GET /api/cluster/listNodes), every page; the pages
    after the first and several clusters are read side by side)
    and makes each node a host.
  - Each host is in the group of its cluster and of its role, for example C(ehpc_8jqdq0mz) and
    C(ehpc_8jqdq0mz_compute) for cluster V(ehpc-8jqdq0mz) (letters, digits and C(_) only; the C(ehpc_)
    prefix is not doubled). Every cluster group is a child of the group C(ehpc).
  - Host variables, under O(hostvar_prefix) (C(ehpc_) by default) are C(id), C(name), C(role), C(status),
    C(transition_status), C(private_ip), C(instance_id), C(cluster_id), C(create_time) and, with O(busy=true),
    C(busy) and C(jobs). C(ansible_host) is the private IP (see O(set_ansible_host)).
  - B(Fails closed.) An API error, an answer without the documented keys, or an error on any page of the node
    list fails the whole source and adds no host of it. Set C(any_unparsed_is_failed) (C(ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED))
    so that ansible-core stops on it instead of going on without those hosts; the C(ansible.cfg) of the
    collection's source repository sets it for runs started there.
  - The source file name must end in C(ehpc.yml) or C(ehpc.yaml).
author:
  - hpcops.clusters contributors (@hpcops)
requirements:
  - requests
extends_documentation_fragment:
  - constructed
  - inventory_cache
  - hpcops.clusters.inventory
options:
  plugin:
    description: The name of this plugin; the source is read only when it says so.
    type: str
    required: true
    choices: [hpcops.clusters.ehpc]
  clusters:
    description:
      - IDs of the EHPC clusters to list, for example V(ehpc-8jqdq0mz). All of them are in O(zone).
    type: list
    elements: str
    required: true
  access_key_id:
    description:
      - QingCloud API access key ID. Required, here or in the environment.
    type: str
    env:
      - name: QINGCLOUD_ACCESS_KEY_ID
  secret_access_key:
    description:
      - QingCloud API secret access key, used to sign every request. Never sent, cached or printed.
        Required, here or in the environment. May be vault-encrypted.
    type: str
    env:
      - name: QINGCLOUD_SECRET_ACCESS_KEY
  zone:
    description:
      - QingCloud zone of the clusters, for example V(jn1a). Required, here or in the environment.
    type: str
    env:
      - name: QINGCLOUD_ZONE
  endpoint:
    description:
      - Base URL of the EHPC API; V(https://hpc-api.qingcloud.com) when not set.
    type: str
    env:
      - name: QINGCLOUD_EHPC_ENDPOINT
  hostvar_prefix:
    description:
      - Prefix of the host variables this plugin sets.
    type: str
    default: ehpc_
  roles:
    description:
      - Only nodes of these roles. All roles when not set.
    type: list
    elements: str
    choices: [login, compute]
  statuses:
    description:
      - Only nodes in these statuses, for example V(active). All when not set. Compared without regard to case.
    type: list
    elements: str
  busy:
    description:
      - Whether to read each cluster's running HPC jobs (C(GET /api/job/list), every page) to set the host
        variables C(busy) (a job runs on the node) and C(jobs) (their IDs).
      - A running job whose node list is empty, can't be read or matches no node may run on any node, so every node
        of its cluster is then C(busy), with that job in C(jobs), rather than called idle. Only jobs whose own
        C(job_status) is C(running) count, whatever the API answered.
    type: bool
    default: false
notes:
  - An option this plugin does not know fails the source (a misspelt filter would otherwise widen the inventory).
  - The credentials are the modules' (M(hpcops.clusters.ehpc_nodes)), with the same environment variables.
  - Options are checked as the modules check theirs, wherever they are set (source file,
    C(ansible.cfg)); a boolean that is not one (V(ture), V(maybe)) fails the source, naming the option, rather than
    reading as false.
  - The cache holds the node records only, never a credential. A cache written for other O(clusters), another
    O(zone), another O(busy), another O(endpoint) or another O(access_key_id) (kept as a digest) is not used.
seealso:
  - module: hpcops.clusters.ehpc_nodes_info
"""

EXAMPLES = r"""
# inventory/prod.ehpc.yml -- credentials from QINGCLOUD_* environment variables
plugin: hpcops.clusters.ehpc
clusters:
  - ehpc-8jqdq0mz
  - ehpc-3mxk29pq
statuses: [active]
busy: true
keyed_groups:
  - key: ehpc_role
    prefix: role
groups:
  idle_compute: ehpc_role == 'compute' and not ehpc_busy
compose:
  ansible_user: "'root'"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/hpcops-inventory
cache_timeout: 300
"""

from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.ehpc_node_plan import CLUSTER_ID_PATTERN, public_node
from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.connection import QingCloudConnection
from ansible_collections.hpcops.clusters.plugins.plugin_utils.inventory import ClusterInventory


class InventoryModule(ClusterInventory):
    NAME = "hpcops.clusters.ehpc"
    source_suffixes = ("ehpc.yml", "ehpc.yaml")
    group_prefix = "ehpc_"
    connection_class = QingCloudConnection
    role_groups = True

    def check_options(self, params: dict) -> str | None:
        wrong = [c for c in params["clusters"] if not CLUSTER_ID_PATTERN.match(c)]
        if wrong:
            return "%s: not an EHPC cluster ID (ehpc- followed by letters and digits)" % ", ".join(wrong)
        return None

    def identity(self, params: dict) -> dict:
        from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.ehpc import DEFAULT_ENDPOINT
        return {"endpoint": (params.get("endpoint") or DEFAULT_ENDPOINT).rstrip("/"),
                "access_key_id": params["access_key_id"]}

    def wanted(self, params: dict) -> dict:
        return dict(super().wanted(params), zone=params["zone"], busy=self.get_option("busy"))

    def fetch_cluster(self, client, cluster_id: str, params: dict) -> list:
        nodes = client.list_nodes(cluster_id)
        busy = None
        if self.get_option("busy"):
            from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.hpc_jobs import busy_nodes
            busy = busy_nodes(nodes, client.list_hpc_jobs(cluster_id, "running")) if nodes else {}
        records = []
        for node in nodes:
            record = public_node(node)
            # listNodes answers cluster_id per node; the one asked for is the one that counts.
            record["cluster_id"] = cluster_id
            if busy is not None:
                record["jobs"] = [str(job) for job in busy.get(node["node_id"], [])]
                record["busy"] = bool(record["jobs"])
            records.append(record)
        return records
