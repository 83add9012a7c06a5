# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator's control API (``/_sim/...``, docs/simulator.md) from a target, on the controller.

Why a lookup and not ``ansible.builtin.uri``: a module task costs a Python process and an
AnsiballZ payload (about half a CPU-second each on the CI machine), and the targets read the
call log or the world after nearly every module task they test. A lookup is one HTTP request
from the controller. ``ansible.builtin.url`` reads only (no method, no body), so this one does
both.
"""

from __future__ import annotations

DOCUMENTATION = """
name: sim_api
short_description: Call the hpcops.clusters simulator's control API (tests only)
description:
  - Sends one request to the local API simulator's control API and returns the decoded JSON answer.
  - Fails on any HTTP error, with the simulator's answer in the message.
options:
  _terms:
    description: The control path, for example C(/_sim/calls).
    required: true
  method:
    description: HTTP method.
    type: str
    default: GET
    choices: [GET, POST, DELETE]
  body:
    description: JSON body of a C(POST) (a list or a dict).
    type: raw
  url:
    description: The simulator's base URL; defaults to the variable C(hpcops_sim_url).
    type: str
"""

EXAMPLES = """
- name: Reset the simulator's world, call log and faults
  ansible.builtin.set_fact:
    sim_reset: "{{ lookup('sim_api', '/_sim/reset', method='POST') }}"

- name: The scale-out wrote once
  ansible.builtin.assert:
    that:
      - lookup('sim_api', '/_sim/calls') | selectattr('write') | list | length == 1
"""

RETURN = """
_raw:
  description: The decoded JSON answer (C(null) for an empty one), as a one-element list.
  type: list
"""

import json

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.urls import open_url
from ansible.plugins.lookup import LookupBase


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        base = self.get_option("url") or (variables or {}).get("hpcops_sim_url")
        if not base:
            raise AnsibleError("sim_api: no url option and no hpcops_sim_url variable (tests/integration/integration_config.yml)")
        if len(terms) != 1 or not str(terms[0]).startswith("/_sim/"):
            raise AnsibleError("sim_api: give one control path starting with /_sim/, got %r" % (terms,))
        method = self.get_option("method")
        body = self.get_option("body")
        data = None if body is None else json.dumps(body)
        try:
            response = open_url(str(base).rstrip("/") + str(terms[0]), method=method, data=data,
                                headers={"Content-Type": "application/json"}, timeout=30)
            text = to_text(response.read())
        except HTTPError as error:
            raise AnsibleError("sim_api: %s %s answered HTTP %s: %s" % (method, terms[0], error.code, to_text(error.read())))
        except URLError as error:
            raise AnsibleError("sim_api: %s %s failed: %s" % (method, terms[0], error))
        return [json.loads(text) if text.strip() else None]
