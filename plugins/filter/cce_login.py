# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: cce_login
short_description: The login of CCE nodes from a key pair, a flat password or a user and password
version_added: 0.2.0
description:
  - Builds the O(hpcops.clusters.cce_node_remove#module:login) option of P(hpcops.clusters.cce_node_remove#module)
    (the API's C(login)) from the three ways a role or a survey gives it.
  - Exactly one of C(ssh_key), C(password) and C(user_password) must be given; a blank value counts as not given, as a
    survey leaves it (check that first with P(hpcops.clusters.given_names#filter) to name the variables in a message).
    Anything else fails.
  - A blank user name is V(root).
options:
  _input:
    description:
      - C(ssh_key) (a key pair name), C(password) (salted, with C(username)), or C(user_password)
        (a mapping of C(username) and C(password)).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Build the login of the removed nodes
  ansible.builtin.set_fact:
    login: "{{ {'ssh_key': ssh_key, 'password': password, 'username': username, 'user_password': none} | hpcops.clusters.cce_login }}"
  no_log: true
"""

RETURN = r"""
_value:
  description: "C({ssh_key: <name>}) or C({user_password: {username: <user>, password: <salted>}})."
  type: dict
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpcops.clusters.plugins.plugin_utils.role_rules import is_blank


def cce_login(given):
    if not isinstance(given, Mapping):
        raise AnsibleFilterError("cce_login expects a mapping with ssh_key, password, username and user_password")
    methods = [m for m in ("ssh_key", "password", "user_password") if not is_blank(given.get(m))]
    if len(methods) != 1:
        # The values are secrets: name the methods only.
        raise AnsibleFilterError("cce_login needs exactly one of ssh_key, password and user_password, got %s"
                                 % (" and ".join(methods) or "none"))
    if methods == ["ssh_key"]:
        return {"ssh_key": str(given["ssh_key"]).strip()}
    if methods == ["password"]:
        user, password = given.get("username"), given["password"]
    else:
        if not isinstance(given["user_password"], Mapping):
            raise AnsibleFilterError("cce_login: user_password must be a mapping of username and password")
        user, password = given["user_password"].get("username"), given["user_password"].get("password")
    return {"user_password": {"username": "root" if is_blank(user) else user, "password": password}}


class FilterModule:
    def filters(self):
        return {"cce_login": cce_login}
