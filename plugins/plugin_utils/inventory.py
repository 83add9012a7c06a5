# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the hpcops.clusters inventory plugins share (private to hpcops.clusters).

Controller-side only (it imports ``ansible.plugins``), hence ``plugin_utils`` and not
``module_utils``. A plugin subclass names its options and does one thing: ``fetch`` the
node records of every cluster of the source, each a flat dict. This base class then:

- checks every option as the modules check theirs (ansible-core reads ``validate_certs: ture``
  as false);
- reads everything before it adds a single host: ansible-core keeps the hosts a failed
  source added before it failed, so an error on the last page must leave nothing behind;
- caches the records (``inventory_cache``) with what they were read for (clusters, endpoint,
  a digest of the credential's identity), so a cache written for other clusters, another
  endpoint or another key is a miss, not a wrong answer;
- refuses host names that reach the controller (``localhost``, loopback addresses), that are
  group names, or that another source already added;
- builds hosts, default groups, hostvars under a prefix, then ``compose``, ``groups`` and
  ``keyed_groups`` (``constructed``) in an inventory of its own, and adds that to the real
  one only when all of it worked.
"""

from __future__ import annotations

__metaclass__ = type

import configparser
import difflib
import hashlib
import ipaddress
import json
import os
import re
import socket

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.hpcops.clusters.plugins.module_utils import paging
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError, WaitError
from ansible_collections.hpcops.clusters.plugins.module_utils.slurm.hostlist import HostListError

# 2: records are read for an endpoint and a credential too (a cache of format 1 is a miss).
CACHE_FORMAT = 2
# Clusters of one source read at once; each reads its later pages paging.WORKERS at a time.
CLUSTER_WORKERS = 4
MIN_SCRUBBED_LENGTH = 6
HOSTNAME_KEYS = ("name", "id", "private_ip")
RESERVED_GROUPS = ("all", "ungrouped")
# Names every Linux resolver (systemd-resolved, the usual /etc/hosts) gives a loopback address;
# ansible-core itself runs the tasks of localhost, 127.0.0.1 and ::1 on the controller.
LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "localhost4", "localhost4.localdomain4", "localhost6",
                  "localhost6.localdomain6", "ip6-localhost", "ip6-loopback")
# What inet_aton (and so ssh's resolver) reads as an IPv4 address: 127.1, 2130706433, 0177.0.0.1.
INET_ATON_FORM = re.compile(r"(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}")
# A host_prefix must not make a host pattern of its own: a comma, colon, brackets, spaces,
# wildcards, ``!``/``&``/``~`` would.
HOST_PREFIX_FORM = re.compile(r"[A-Za-z0-9_.-]*")
# Set by add_host from the inventory's current source; the real inventory sets its own.
SOURCE_VARS = ("inventory_file", "inventory_dir")
STRING_TYPES = ("str", "string")
BOOL_TYPES = ("bool", "boolean")


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


def reaches_controller(name: str) -> bool:
    """Whether a host of this name would be the controller: ansible-core's implicit localhost
    (``localhost``, ``127.0.0.1``, ``::1``) or any other name or address ssh takes to loopback
    (``LOCALHOST``, ``*.localhost`` per RFC 6761, ``127.1``, ``::ffff:127.0.0.1``, ``0.0.0.0``)."""
    word = name.strip().lower()
    if word.startswith("[") and word.endswith("]"):
        word = word[1:-1]
    word = word.rstrip(".") or word
    if word in LOOPBACK_NAMES or word.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(word.split("%", 1)[0])
    except ValueError:
        if not INET_ATON_FORM.fullmatch(word):
            return False
        try:
            address = ipaddress.IPv4Address(socket.inet_aton(word))
        except OSError:
            return False
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return address.is_loopback or address.is_unspecified


def digest(identity: dict) -> str:
    """A fingerprint of who reads (an access key ID, a user): the cache must tell two apart,
    and needs to hold neither."""
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode("utf-8")).hexdigest()


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
        if not HOST_PREFIX_FORM.fullmatch(self.get_option("host_prefix") or ""):
            self.fail("host_prefix %r may hold only letters, digits, '_', '.' and '-' (anything else would make "
                      "the host names patterns)" % self.get_option("host_prefix"))
        problem = self.connection_class.problem(params) or self.check_options(params)
        if problem:
            self.fail(problem)
        return params

    def check_options(self, params: dict) -> str | None:
        """What the connection's rules don't cover (the cluster IDs), or None."""
        return None

    def check_option_types(self, config: dict) -> None:
        """Each option checked as the modules check theirs.

        ansible-core reads a bool option as false unless it is one of its true words, so
        ``validate_certs: ture`` would turn TLS verification off and still list the hosts. The
        value as written (in the source file or ansible.cfg) must be a boolean the modules
        accept. A list of strings must hold strings (or numbers), not mappings.
        """
        from ansible import constants as C
        definitions = C.config.get_configuration_definitions("inventory", self._load_name) or {}
        for name in sorted(definitions):
            definition = definitions[name]
            kind = (definition.get("type") or "").lower()
            if kind in BOOL_TYPES:
                raw, where = self._raw_option(name, definition, config)
                if raw is None:
                    continue
                try:
                    boolean(raw, strict=True)
                except TypeError:
                    self.fail("%s must be a boolean (true or false, yes or no, on or off, 1 or 0), got %r %s"
                              % (name, raw, where))
            elif kind == "list" and (definition.get("elements") or "").lower() in STRING_TYPES:
                for item in self.get_option(name) or []:
                    if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                        self.fail("%s must be a list of strings, got the item %r" % (name, item))

    def _raw_option(self, name: str, definition: dict, config: dict) -> tuple:
        """The value of an option as written, before ansible-core converted it, and where it is."""
        # The source file's value wins over ansible.cfg. Read it from the file's own data:
        # before ansible-core 2.19, get_option_and_origin() does not report "Direct" for it.
        for key in [name] + list(definition.get("aliases") or []):
            if key in (config or {}):
                return config[key], "in the source file"
        dummy, origin = self.get_option_and_origin(name)
        origin = to_text(origin or "")
        # An option from an environment variable is left to ansible-core: no bool option the
        # modules share has one, only ansible-core's own (ANSIBLE_INVENTORY_CACHE), and the
        # plugins read no environment outside the connections' argument specs.
        if os.path.isabs(origin) and os.path.isfile(origin):
            parser = configparser.ConfigParser(inline_comment_prefixes=(";",))
            parser.read(origin, encoding="utf-8")
            value = None
            for entry in definition.get("ini") or []:
                found = parser.get(entry.get("section", "defaults"), entry["key"], raw=True, fallback=None)
                value = found if found is not None else value
            if value is not None:
                return value.strip().strip("'\""), "in %s" % origin
        return None, ""

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

    def identity(self, params: dict) -> dict:
        """The endpoint the nodes are read from (``endpoint``) and who reads them: the fields
        that name the credential (an access key ID, a user), never a secret."""
        raise NotImplementedError

    def wanted(self, params: dict) -> dict:
        """What a cached answer must have been read for to be used: the same clusters, from the
        same endpoint, with the same credential (hosts read with a key since revoked, or from
        another cloud, are not served from the cache)."""
        identity = dict(self.identity(params))
        endpoint = identity.pop("endpoint")
        return {"format": CACHE_FORMAT, "clusters": params["clusters"], "endpoint": endpoint,
                "credential": digest(identity)}

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
        self.check_option_types(config)
        params = self.params()
        nodes = self.read(path, params, cache)
        self.populate(self.select(nodes))

    def select(self, nodes: list) -> list:
        """The nodes that pass the role and status filters."""
        roles = self.get_option("roles") if self.role_groups else None
        statuses = [to_text(s).lower() for s in self.get_option("statuses") or []]
        return [node for node in nodes
                if (not roles or node.get("role") in roles)
                and (not statuses or (node.get("status") or "").lower() in statuses)]

    def hostname(self, node: dict) -> str:
        # A node still being built may have no private IP yet: it is named by its ID rather
        # than left out (a smaller inventory is what makes a playbook skip nodes).
        return (self.get_option("host_prefix") or "") + to_text(node.get(self.get_option("hostnames")) or node["id"])

    def default_groups(self, node: dict) -> list:
        """The groups a node's host is in before ``groups`` and ``keyed_groups``: the source's,
        its cluster's and (EHPC) its role's."""
        groups = [self.group_prefix.rstrip("_"), group_name(self.group_prefix, node["cluster_id"])]
        if self.role_groups and node.get("role"):
            groups.append(group_name(self.group_prefix, node["cluster_id"], node["role"]))
        return groups

    def name_problem(self, name: str, groups) -> str | None:
        """Why ``name`` can't be a host of this source, or None."""
        if reaches_controller(name):
            return ("%r, a name of the controller itself (ansible-core runs the tasks of localhost, 127.0.0.1 and ::1 "
                    "on the controller, and ssh takes any loopback name or address there)" % name)
        if name in RESERVED_GROUPS:
            return "%r, a group every inventory has" % name
        if name in groups:
            return ("%r, also the name of a group (a host and a group of one name share host variables and "
                    "host patterns)" % name)
        if name in self.inventory.hosts:
            source = self.inventory.hosts[name].vars.get("inventory_file")
            return "%r, a host already in the inventory (from %s)" % (name, source or "another source")
        return None

    def refuse_name(self, node: dict, problem: str):
        self.fail("node %s of cluster %s would be the host %s, so no host of this source is added. Rename the node, "
                  "set hostnames: id (hosts named by node ID), or set host_prefix (for example host_prefix: %s)"
                  % (node["id"], node["cluster_id"], problem, self.group_prefix.replace("_", "-")))

    def host_names(self, nodes: list) -> dict:
        """Host name -> node, each name checked before any host is built."""
        groups = set(self.inventory.groups)
        for node in nodes:
            groups.update(self.default_groups(node))
        names = {}
        for node in nodes:
            name = self.hostname(node)
            if name in names:
                self.fail("two nodes are both named %r (%s in %s and %s in %s): set hostnames to id"
                          % (name, names[name]["id"], names[name]["cluster_id"], node["id"], node["cluster_id"]))
            problem = self.name_problem(name, groups)
            if problem:
                self.refuse_name(node, problem)
            names[name] = node
        return names

    def populate(self, nodes: list) -> None:
        names = self.host_names(nodes)
        built = self.build(names)
        # groups and keyed_groups make groups from host variables: one may have a host's name.
        for name, node in names.items():
            if name in built.groups:
                self.refuse_name(node, self.name_problem(name, built.groups))
        self.merge(built, names)

    def build(self, names: dict) -> InventoryData:
        """This source's hosts and groups, in an inventory of their own.

        ansible-core keeps what a failed source added, so with ``strict`` a ``compose`` error on
        the last host would leave the others in the inventory for a play to run on. The groups
        already in the real inventory are copied in (without their hosts), so that a host's
        ``group_names`` and a keyed group's ``parent_group`` read as they would there.
        """
        built = InventoryData()
        built.current_source = self.inventory.current_source
        for name in self.inventory.groups:
            built.add_group(name)
        for name, group in self.inventory.groups.items():
            for child in group.child_groups:
                built.add_child(name, child.name)
        real, self.inventory = self.inventory, built
        try:
            self._build_hosts(names)
        except AnsibleError as err:
            self.fail("%s, so no host of this source is added" % to_text(err))
        finally:
            self.inventory = real
        return built

    def _build_hosts(self, names: dict) -> None:
        prefix = self.get_option("hostvar_prefix")
        strict = self.get_option("strict")
        # The source's group is there even when no node passes the filters.
        self.inventory.add_group(self.group_prefix.rstrip("_"))
        for name, node in names.items():
            groups = self.default_groups(node)
            for parent, child in zip(groups, groups[1:]):
                self.inventory.add_group(parent)
                self.inventory.add_group(child)
                self.inventory.add_child(parent, child)
            self.inventory.add_host(name, group=groups[-1])
            for key, value in node.items():
                self.inventory.set_variable(name, prefix + key, value)
            if self.get_option("set_ansible_host") and node.get("private_ip"):
                self.inventory.set_variable(name, "ansible_host", node["private_ip"])
            hostvars = self.inventory.get_host(name).get_vars()
            self._set_composite_vars(self.get_option("compose"), hostvars, name, strict=strict)
            hostvars = self.inventory.get_host(name).get_vars()
            self._add_host_to_composed_groups(self.get_option("groups"), hostvars, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, name, strict=strict)

    def merge(self, built: InventoryData, names: dict) -> None:
        """Add what ``build`` made to the real inventory: groups, their children, the hosts and
        their variables, then each group's hosts, in the order they were made."""
        for name in built.groups:
            self.inventory.add_group(name)
        for name, group in built.groups.items():
            for child in group.child_groups:
                self.inventory.add_child(name, child.name)
        for name in names:
            self.inventory.add_host(name)
            for key, value in built.hosts[name].vars.items():
                if key not in SOURCE_VARS:
                    self.inventory.set_variable(name, key, value)
        for name, group in built.groups.items():
            for host in group.hosts:
                self.inventory.add_child(name, host.name)
