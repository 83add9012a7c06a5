# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the hpcops.clusters inventory plugins share (private to hpcops.clusters).

Controller-side only (it imports ``ansible.plugins``), hence ``plugin_utils`` and not
``module_utils``. A plugin subclass names its options and does one thing: ``fetch`` the
node records of every cluster of the source, each a flat dict. This base class then:

- reads everything before it adds a single host: ansible-core keeps the hosts a failed
  source added before it failed, so an error on the last page must leave nothing behind;
- caches the records (``inventory_cache``) with what they were read for, so a cache
  written for other clusters or without job data is a miss, not a wrong answer;
- builds hosts, default groups, hostvars under a prefix, then ``compose``, ``groups``
  and ``keyed_groups`` (``constructed``).
"""

from __future__ import annotations

__metaclass__ = type

import difflib
import re

from ansible.errors import AnsibleParserError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.hpcops.clusters.plugins.module_utils import paging
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError, WaitError
from ansible_collections.hpcops.clusters.plugins.module_utils.hostlist import HostListError

CACHE_FORMAT = 1
# Clusters of one source read at once; each reads its later pages paging.WORKERS at a time.
CLUSTER_WORKERS = 4
MIN_SCRUBBED_LENGTH = 6
HOSTNAME_KEYS = ("name", "id", "private_ip")


class _ClusterError(Exception):
    """A cluster's read failed; carries which cluster, out of the reading thread."""

    def __init__(self, cluster_id: str, error: Exception):
        super().__init__(str(error))
        self.cluster_id = cluster_id
        self.error = error


def group_name(*parts: str) -> str:
    """``("ehpc_", "ehpc-8jqdq0mz", "compute")`` -> ``ehpc_8jqdq0mz_compute``.

    Anything but letters, digits and ``_`` becomes ``_`` (a valid Ansible group name);
    a cluster ID that already starts with the prefix does not repeat it.
    """
    prefix, cluster = parts[0], re.sub(r"[^A-Za-z0-9_]", "_", parts[1])
    name = cluster if cluster.startswith(prefix) else prefix + cluster
    for part in parts[2:]:
        name += "_" + re.sub(r"[^A-Za-z0-9_]", "_", part)
    return name


class ClusterInventory(BaseInventoryPlugin, Constructable, Cacheable):
    """Subclasses set NAME, ``source_suffixes``, ``group_prefix``, ``connection_class``
    and implement ``fetch_cluster`` (and ``check_options`` where cluster IDs have a form)."""

    NAME = ""
    source_suffixes: tuple = ()
    group_prefix = ""
    # The cloud's connection (module_utils/*_connection.py): the same options, environment
    # variables, credential rules and client as the modules.
    connection_class = None
    role_groups = False  # EHPC nodes have a role; CCE nodes have none

    def verify_file(self, path):
        if not super().verify_file(path):
            return False
        return to_text(path).endswith(self.source_suffixes)

    # --- options ----------------------------------------------------------------------

    def params(self) -> dict:
        """The options as a plain dict, credentials normalised, checked before any call."""
        params = {}
        for name in ("clusters",) + tuple(self.connection_class.argument_spec()):
            value = self.get_option(name)
            # A vault-encrypted value is decrypted by str(); the clients want plain text.
            params[name] = to_text(value) if value is not None and not isinstance(value, (bool, int, list)) else value
        clusters = [to_text(c).strip() for c in params["clusters"] or []]
        if not clusters or not all(clusters):
            self.fail("clusters must list at least one cluster ID, and no blank one")
        repeated = sorted(set(c for c in clusters if clusters.count(c) > 1))
        if repeated:
            self.fail("clusters lists a cluster twice: %s" % ", ".join(repeated))
        params["clusters"] = clusters
        problem = self.connection_class.problem(params) or self.check_options(params)
        if problem:
            self.fail(problem)
        return params

    def check_options(self, params: dict) -> str | None:
        """What the connection's rules don't cover (the cluster IDs), or None."""
        return None

    def refuse_unknown_options(self, config) -> None:
        # ansible-core ignores a key no option declares: a misspelt filter (``role:`` for
        # ``roles:``) would silently give every node of the cluster to a play meant for some.
        known = set(self.get_options())
        unknown = sorted(str(key) for key in (config or {}) if key not in known)
        if unknown:
            hints = []
            for key in unknown:
                close = difflib.get_close_matches(key, sorted(known), n=1)
                hints.append("%s (did you mean %s?)" % (key, close[0]) if close else key)
            self.fail("unknown option%s %s" % ("s" if len(unknown) > 1 else "", ", ".join(hints)))

    def fail(self, msg: str):
        raise AnsibleParserError("%s: %s" % (self.NAME, self._scrub(msg)))

    def _scrub(self, text: str) -> str:
        # The messages built here and by the clients carry no secret; this is the belt to
        # those braces, so a future message can't leak one into the warning ansible prints.
        secrets = [name for name, spec in self.connection_class.argument_spec().items() if spec.get("no_log")]
        for name in secrets:
            value = to_text(self.get_option(name) or "").strip()
            # Blank is "not given"; a value this short is in ordinary words ("t" in every
            # "the"), and replacing it would garble the message without hiding anything.
            if len(value) >= MIN_SCRUBBED_LENGTH:
                text = text.replace(value, "********")
        return text

    # --- reading ----------------------------------------------------------------------

    def client(self, params: dict):
        """The API client, built from ``params`` (it has an ``endpoint`` attribute)."""
        return self.connection_class(params).client()

    def fetch_cluster(self, client, cluster_id: str, params: dict) -> list:
        """Every node of one cluster, as flat records with at least id and cluster_id."""
        raise NotImplementedError

    def fetch(self, params: dict) -> list:
        try:
            client = self.client(params)
        except ApiError as err:
            self.fail(str(err))

        def one(cluster_id):
            try:
                return self.fetch_cluster(client, cluster_id, params)
            except (HostListError, ApiError, WaitError) as err:
                raise _ClusterError(cluster_id, err)

        # Several clusters are read side by side (each one's pages too: module_utils/paging.py);
        # a failure of any fails the source, named after the first failed cluster as listed.
        try:
            per_cluster = paging.in_order(one, list(params["clusters"]), CLUSTER_WORKERS)
        except _ClusterError as failure:
            cluster_id, err = failure.cluster_id, failure.error
            if isinstance(err, HostListError):
                self.fail("cannot tell which nodes of cluster %s run HPC jobs (%s), so no host of this source is "
                          "added; set busy to false to list the nodes without their jobs" % (cluster_id, err))
            self.fail("cannot read the nodes of cluster %s from %s, so no host of this source is added: %s"
                      % (cluster_id, client.endpoint, err))
        return [node for nodes in per_cluster for node in nodes]

    def wanted(self, params: dict) -> dict:
        """What a cached answer must have been read for to be used."""
        return {"format": CACHE_FORMAT, "clusters": params["clusters"]}

    def read(self, path: str, params: dict, cache: bool) -> list:
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        update_cache = self.get_option("cache") and not cache
        wanted = self.wanted(params)
        if use_cache:
            try:
                cached = self._cache[cache_key]
            except KeyError:
                update_cache = True
            else:
                if isinstance(cached, dict) and cached.get("read_for") == wanted and isinstance(
                        cached.get("nodes"), list):
                    return cached["nodes"]
                update_cache = True
        nodes = self.fetch(params)
        if update_cache:
            self._cache[cache_key] = {"read_for": wanted, "nodes": nodes}
        return nodes

    # --- building -----------------------------------------------------------------------

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        config = self._read_config_data(path)
        self.refuse_unknown_options(config)
        params = self.params()
        nodes = self.read(path, params, cache)
        self.populate(self.select(nodes))

    def select(self, nodes: list) -> list:
        """The nodes that pass the role and status filters."""
        roles = self.get_option("roles") if self.role_groups else None
        statuses = [s.lower() for s in self.get_option("statuses") or []]
        return [node for node in nodes
                if (not roles or node.get("role") in roles)
                and (not statuses or (node.get("status") or "").lower() in statuses)]

    def hostname(self, node: dict) -> str:
        # A node still being built may have no private IP yet: it is named by its ID rather
        # than left out (a smaller inventory is what makes a playbook skip nodes).
        return node.get(self.get_option("hostnames")) or node["id"]

    def populate(self, nodes: list) -> None:
        prefix = self.get_option("hostvar_prefix")
        strict = self.get_option("strict")
        names = {}
        for node in nodes:
            name = self.hostname(node)
            if name in names:
                self.fail("two nodes are both named %r (%s in %s and %s in %s): set hostnames to id"
                          % (name, names[name]["id"], names[name]["cluster_id"], node["id"], node["cluster_id"]))
            names[name] = node
        top = self.inventory.add_group(self.group_prefix.rstrip("_"))
        for node in nodes:
            name = self.hostname(node)
            cluster_group = self.inventory.add_group(group_name(self.group_prefix, node["cluster_id"]))
            self.inventory.add_child(top, cluster_group)
            group = cluster_group
            if self.role_groups and node.get("role"):
                group = self.inventory.add_group(group_name(self.group_prefix, node["cluster_id"], node["role"]))
                self.inventory.add_child(cluster_group, group)
            self.inventory.add_host(name, group=group)
            for key, value in node.items():
                self.inventory.set_variable(name, prefix + key, value)
            if self.get_option("set_ansible_host") and node.get("private_ip"):
                self.inventory.set_variable(name, "ansible_host", node["private_ip"])
            hostvars = self.inventory.get_host(name).get_vars()
            self._set_composite_vars(self.get_option("compose"), hostvars, name, strict=strict)
            hostvars = self.inventory.get_host(name).get_vars()
            self._add_host_to_composed_groups(self.get_option("groups"), hostvars, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, name, strict=strict)
