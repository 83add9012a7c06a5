# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

__metaclass__ = type

DOCUMENTATION = r"""
name: cce
short_description: Huawei Cloud CCE cluster nodes as Ansible hosts
version_added: 0.2.0
description:
  - Reads the nodes of one or several Huawei Cloud CCE clusters (C(GET .../clusters/{cluster_id}/nodes), every
    page, following C(pageInfo.nextMarker)) and makes each node a host. Several clusters are read side by side.
  - Each host is in the group of its cluster, for example C(cce_demo) for cluster V(cce-demo) or
    C(cce_4c8f9a4e_3b2d_11ef_9b1a_0255ac100b05) for a cluster ID (letters, digits and C(_) only; the C(cce_)
    prefix is not doubled). Every cluster group is a child of the group C(cce). CCE nodes have no role.
  - Host variables, under O(hostvar_prefix) (C(cce_) by default) are C(id) (the node's uid), C(name),
    C(status) (the node's phase, for example C(Active)), C(private_ip), C(flavor), C(az), C(creation_timestamp)
    and C(cluster_id). C(ansible_host) is the private IP (see O(set_ansible_host)). The nodes' login settings are
    not read into the inventory.
  - B(Fails closed.) An API error or an answer without C(kind) and an C(items) list fails the whole source and adds
    no host of it. Set C(any_unparsed_is_failed) (C(ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED)) so that ansible-core
    stops on it instead of going on without those hosts; the C(ansible.cfg) of the collection's source
    repository sets it for runs started there.
  - B(Host names.) A node whose host name would be the controller (V(localhost), V(127.0.0.1), V(::1) or another
    loopback name or address), a group (V(all), V(ungrouped), a group of this source or of the inventory so far),
    or a host another source already added fails the source, naming the node; set O(hostnames=id) or
    O(host_prefix) then.
  - With O(strict=true), a O(compose), O(groups) or O(keyed_groups) expression that fails fails the source, and
    none of its hosts is added (they are built apart and added only when all of them worked).
  - The source file name must end in C(cce.yml) or C(cce.yaml).
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
    choices: [hpcops.clusters.cce]
  clusters:
    description:
      - IDs of the CCE clusters to list. All of them are in O(project_id).
    type: list
    elements: str
    required: true
  region:
    description:
      - Huawei Cloud region, for example V(cn-north-4); the CCE and IAM endpoints are derived from it unless given.
    type: str
    env:
      - name: HW_REGION_NAME
  project_id:
    description:
      - Project ID. Required, here or in the environment.
    type: str
    env:
      - name: HW_PROJECT_ID
  auth_token:
    description:
      - An IAM token, sent as C(X-Auth-Token). Takes precedence over the other credentials. Never cached or printed.
    type: str
    env:
      - name: HW_AUTH_TOKEN
  access_key:
    description:
      - Access key (AK) for AK/SK request signing. Needs O(secret_key).
    type: str
    env:
      - name: HW_ACCESS_KEY
  secret_key:
    description:
      - Secret key (SK) for AK/SK signing. Never sent, cached or printed. May be vault-encrypted.
    type: str
    env:
      - name: HW_SECRET_KEY
  security_token:
    description:
      - Security token of temporary AK/SK credentials. Never cached or printed.
    type: str
    env:
      - name: HW_SECURITY_TOKEN
  iam_user:
    description:
      - IAM user name; with O(iam_password) and O(iam_domain) a project-scoped token is asked of IAM once per read.
    type: str
    env:
      - name: HW_USER_NAME
  iam_password:
    description:
      - Password of O(iam_user). Never cached or printed.
    type: str
    env:
      - name: HW_USER_PASSWORD
  iam_domain:
    description:
      - Account (domain) name of O(iam_user).
    type: str
    env:
      - name: HW_DOMAIN_NAME
  iam_endpoint:
    description:
      - Base URL of IAM, when it is not C(https://iam.<region>.myhuaweicloud.com).
    type: str
    env:
      - name: HW_IAM_ENDPOINT
  endpoint:
    description:
      - Base URL of CCE, when it is not C(https://cce.<region>.myhuaweicloud.com).
    type: str
    env:
      - name: HW_CCE_ENDPOINT
  hostvar_prefix:
    description:
      - Prefix of the host variables this plugin sets.
    type: str
    default: cce_
  statuses:
    description:
      - Only nodes in these phases, for example V(Active). All when not set. Compared without regard to case.
    type: list
    elements: str
notes:
  - An option this plugin does not know fails the source (a misspelt filter would otherwise widen the inventory).
  - The credentials are the modules' (M(hpcops.clusters.cce_nodes_info)), with the same environment variables,
    and are taken in the same order (O(auth_token); O(access_key) and O(secret_key); O(iam_user)).
  - Options are checked as the modules check theirs, wherever they are set (source file,
    C(ansible.cfg)); a boolean that is not one (V(ture), V(maybe)) fails the source, naming the option, rather than
    reading as false.
  - The cache holds the node records only, never a credential. A cache written for other O(clusters), another
    O(project_id), another CCE endpoint or another credential (the O(access_key), the O(iam_user) and
    O(iam_domain), or the O(auth_token), each kept as a digest) is not used.
seealso:
  - module: hpcops.clusters.cce_nodes_info
"""

EXAMPLES = r"""
# inventory/k8s.cce.yml -- credentials from HW_* environment variables
plugin: hpcops.clusters.cce
region: cn-north-4
clusters:
  - 4c8f9a4e-3b2d-11ef-9b1a-0255ac100b05
statuses: [Active]
keyed_groups:
  - key: cce_az
    prefix: az
compose:
  ansible_user: "'root'"
"""

from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.connection import CceConnection
from ansible_collections.hpcops.clusters.plugins.plugin_utils.inventory import ClusterInventory


class InventoryModule(ClusterInventory):
    NAME = "hpcops.clusters.cce"
    source_suffixes = ("cce.yml", "cce.yaml")
    group_prefix = "cce_"
    connection_class = CceConnection

    def identity(self, params: dict) -> dict:
        # The credential HuaweiAuth will use, in its order: a token (known only by a digest of
        # it, the token being the secret), an access key, an IAM user of a domain.
        from hashlib import sha256
        from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.auth import endpoint_for
        identity = {"endpoint": endpoint_for("cce", params.get("region"), params.get("endpoint"))}
        if params.get("auth_token"):
            identity["auth_token_sha256"] = sha256(params["auth_token"].encode("utf-8")).hexdigest()
        elif params.get("access_key"):
            identity["access_key"] = params["access_key"]
        else:
            identity.update(iam_user=params.get("iam_user"), iam_domain=params.get("iam_domain"),
                            iam_endpoint=endpoint_for("iam", params.get("region"), params.get("iam_endpoint")))
        return identity

    def wanted(self, params: dict) -> dict:
        return dict(super().wanted(params), project_id=params["project_id"])

    def fetch_cluster(self, client, cluster_id: str, params: dict) -> list:
        from ansible_collections.hpcops.clusters.plugins.module_utils.answer_shapes import unexpected_answer
        from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.cce_node_plan import node_info
        records = []
        for index, item in enumerate(client.list_nodes(cluster_id)):
            info = node_info(item) if isinstance(item, dict) else {}
            if not info.get("uid"):
                # A node that can't be named can't be a host; leaving it out would shrink the inventory.
                raise unexpected_answer(client.endpoint, "CCE ListNodes", "`items[%d]` has no `metadata.uid`" % index)
            record = {"id": info.pop("uid"), "status": info.pop("phase")}
            record.update(info)
            record["cluster_id"] = cluster_id
            records.append(record)
        return records
