# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

__metaclass__ = type


class ModuleDocFragment:
    # Options every hpcops.clusters inventory plugin has, beside its cloud's credentials.
    DOCUMENTATION = r"""
options:
  validate_certs:
    description:
      - Whether to verify the endpoints' TLS certificates.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for each HTTP answer.
    type: int
    default: 30
  hostnames:
    description:
      - What names each host. A node without the chosen value (a node being built has no private IP yet)
        is named by its ID.
      - Two nodes with the same name (in two clusters) fail the source; use V(id) then.
      - A host name that would be the controller (V(localhost), V(127.0.0.1), V(::1) or any other loopback
        name or address), a group name (V(all), V(ungrouped), a group of this source or of the inventory), or a
        host another source already added fails the source, naming the node; use V(id) or O(host_prefix) then.
    type: str
    choices: [name, id, private_ip]
    default: name
  host_prefix:
    description:
      - Put before every host name, for example V(hpc-) makes C(hpc-compute01). Host variables and groups are
        not changed. Letters, digits, C(_), C(.) and C(-) only.
      - A way out when node names clash with the controller's, with a group or with another source's hosts.
    type: str
    default: ""
  set_ansible_host:
    description:
      - Whether to set C(ansible_host) to the node's private IP (when it has one).
    type: bool
    default: true
"""
