# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a module's ``main()`` in this process, the way ansible-core's own unit tests do.

A module task run through ansible-playbook costs a fresh Python process (~0.45 CPU-s);
the argument checks that fail before any API call run here in milliseconds. The module
gets its arguments from ``patch_module_args`` (the same JSON channel ansible-playbook
uses, so the raw values the boolean-for-int check reads are the task's own), prints its
result as it would to Ansible and exits; the runner keeps that printed JSON.

Every network connection is refused and recorded at two layers, ``requests.Session.send``
(where every request of the transport ends up) and ``socket.socket.connect`` (anything
else): ``ModuleRun.http_calls`` lists them, so a test can assert that none was tried.
The refusal is a BaseException, so no ``except Exception`` and no retry loop in the module
swallows it: the first attempt ends the run at once.
"""

from __future__ import annotations

__metaclass__ = type

import contextlib
import importlib
import io
import json
import os
import socket

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19 (make matrix): the same channel, patched by hand
    from unittest import mock

    from ansible.module_utils import basic

    @contextlib.contextmanager
    def patch_module_args(args=None):
        with mock.patch.object(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}).encode()):
            yield

COLLECTION = "hpcops.clusters"

# Every variable a module option falls back to (plugins/module_utils/*_connection.py).
CREDENTIAL_ENV_PREFIXES = ("QINGCLOUD_", "HW_")

# The credentials the integration tests put in the environment (tests/integration/ansible_runner.py),
# with endpoints no test machine answers: no call is ever let through anyway.
UNUSED_ENDPOINT = "https://cloud.invalid"
CREDENTIALS_ENV = {
    "QINGCLOUD_ACCESS_KEY_ID": "QYACCESSKEYIDEXAMPLE",
    "QINGCLOUD_SECRET_ACCESS_KEY": "SECRETACCESSKEY",
    "QINGCLOUD_ZONE": "jn1a",
    "QINGCLOUD_EHPC_ENDPOINT": UNUSED_ENDPOINT,
    "HW_REGION_NAME": "cn-north-4",
    "HW_PROJECT_ID": "0123456789abcdef0123456789abcdef",
    "HW_ACCESS_KEY": "HWSIMACCESSKEY",
    "HW_SECRET_KEY": "HWSIMSECRETKEY",
    "HW_CCE_ENDPOINT": UNUSED_ENDPOINT,
    "HW_MODELARTS_ENDPOINT": UNUSED_ENDPOINT,
    "HW_IAM_ENDPOINT": UNUSED_ENDPOINT,
}


class NetworkCallRefused(BaseException):
    """Raised where a request or connection would start."""


class ModuleRun:
    def __init__(self, exit_code, result: dict, http_calls: list, output: str):
        self.exit_code = exit_code
        self.result = result
        # ("request", method, url) or ("connect", address) for every attempt, in order.
        self.http_calls = http_calls
        self.output = output

    @property
    def failed(self) -> bool:
        return bool(self.result.get("failed"))

    @property
    def msg(self) -> str:
        return self.result.get("msg", "")

    def __repr__(self) -> str:
        result = json.dumps(self.result, default=str)[:2000]
        return "ModuleRun(exit=%r, calls=%r, result=%s)" % (self.exit_code, self.http_calls, result)


def clear_cloud_environment(monkeypatch) -> None:
    """Drop every QINGCLOUD_*/HW_* variable, so the developer's shell cannot leak in."""
    for name in list(os.environ):
        if name.startswith(CREDENTIAL_ENV_PREFIXES):
            monkeypatch.delenv(name)


def run_module(monkeypatch, module: str, args: dict, env: dict | None = None, credentials: bool = True,
               check_mode: bool = False) -> ModuleRun:
    """Run ``hpcops.clusters.<module>`` with ``args`` as a task would; never lets a call out.

    ``credentials``: the environment the integration tests give every task (False: none at
    all); ``env`` is set on top, a value of None unsetting the variable.
    """
    clear_cloud_environment(monkeypatch)
    for name, value in dict(CREDENTIALS_ENV if credentials else {}, **(env or {})).items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)

    calls = []

    def refuse_send(session, request, **kwargs):
        calls.append(("request", request.method, request.url))
        raise NetworkCallRefused(request.method, request.url)

    def refuse_connect(sock, address):
        calls.append(("connect", address))
        raise NetworkCallRefused(address)

    requests = importlib.import_module("requests")
    monkeypatch.setattr(requests.Session, "send", refuse_send)
    monkeypatch.setattr(socket.socket, "connect", refuse_connect)
    # Warnings and deprecations are collected per process; a module process starts with none.
    monkeypatch.setattr("ansible.module_utils.common.warnings._global_warnings", {})
    monkeypatch.setattr("ansible.module_utils.common.warnings._global_deprecations", {})

    # The internal arguments the task executor adds that change what a module says or does.
    task_args = dict(args, _ansible_module_name="%s.%s" % (COLLECTION, module),
                     _ansible_check_mode=check_mode)
    main = importlib.import_module("ansible_collections.%s.plugins.modules.%s" % (COLLECTION, module)).main
    stdout = io.StringIO()
    exit_code = None
    with patch_module_args(task_args), contextlib.redirect_stdout(stdout):
        try:
            main()
        except SystemExit as exit_:
            exit_code = exit_.code
        except NetworkCallRefused:
            exit_code = "network call refused"
    output = stdout.getvalue()
    result = {}
    if output.strip():
        result = json.loads(output[output.index("{"):])
    return ModuleRun(exit_code, result, calls, output)
