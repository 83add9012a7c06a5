# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The clouds' connections: options, credential rules, and no ansible import at load time."""

from __future__ import annotations

__metaclass__ = type

import os
import subprocess
import sys

import pytest

import ansible_collections
from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.connection import CceConnection
from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.connection import QingCloudConnection


def test_the_event_source_and_the_connections_load_without_ansible_core():
    # ansible-rulebook runs event sources in its own environment, which need not have ansible-core.
    code = ("import sys; sys.modules['ansible'] = None\n"
            "import ansible_collections.hpcops.clusters.extensions.eda.plugins.event_source.ehpc_queue as source\n"
            "options = source.QingCloudConnection.options_from({'access_key_id': 'AK', 'validate_certs': 'no'},"
            " {'QINGCLOUD_SECRET_ACCESS_KEY': 'SK', 'QINGCLOUD_ZONE': 'jn1a'})\n"
            "print(sorted(options.items()))\n")
    root = os.pathsep.join(os.path.dirname(path) for path in ansible_collections.__path__)
    env = dict(os.environ, PYTHONPATH=root)
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert ("access_key_id", "AK") in eval(run.stdout)  # pylint: disable=eval-used
    assert ("validate_certs", False) in eval(run.stdout)  # pylint: disable=eval-used


def test_options_from_takes_given_values_then_the_environment_then_defaults():
    options = QingCloudConnection.options_from({"zone": "", "timeout": "5"},
                                               {"QINGCLOUD_ZONE": "pek3", "QINGCLOUD_ACCESS_KEY_ID": "AK"})
    assert options == {"access_key_id": "AK", "secret_access_key": None, "zone": "pek3", "endpoint": None,
                       "validate_certs": True, "timeout": 5}
    assert "secret_access_key" in QingCloudConnection.problem(options)


def test_options_from_refuses_a_word_that_is_not_a_boolean():
    with pytest.raises(ValueError, match="validate_certs must be a boolean"):
        QingCloudConnection.options_from({"validate_certs": "maybe"}, {})


@pytest.mark.parametrize("params, words", [
    ({"access_key_id": "AK", "secret_access_key": " ", "zone": "jn1a"}, "secret_access_key"),
    ({"access_key_id": "AK", "secret_access_key": "SK", "zone": "jn1a", "endpoint": "127.0.0.1:8080"}, "no scheme"),
    ({"access_key_id": "AK", "secret_access_key": "SK", "zone": "jn1a", "timeout": 0}, "at least 1 second"),
])
def test_qingcloud_problems_are_found_before_any_call(params, words):
    assert words in QingCloudConnection.problem(dict(params))


@pytest.mark.parametrize("params, words", [
    ({"project_id": " ", "auth_token": "t", "region": "cn-north-4"}, "project_id"),
    ({"project_id": "p", "access_key": "AK", "region": "cn-north-4"}, "together"),
    ({"project_id": "p", "auth_token": "t"}, "region is required"),
    ({"project_id": "p"}, "no Huawei Cloud credentials"),
])
def test_huawei_problems_are_found_before_any_call(params, words):
    assert words in CceConnection.problem(dict(params))


def test_each_huawei_service_has_its_own_endpoint_variable_and_secrets_are_no_log():
    spec = CceConnection.argument_spec()
    assert spec["endpoint"]["fallback"][1] == ["HW_CCE_ENDPOINT"]
    assert spec["project_id"]["required"] is True
    assert sorted(name for name, option in spec.items() if option.get("no_log")) == [
        "auth_token", "iam_password", "secret_key", "security_token"]
