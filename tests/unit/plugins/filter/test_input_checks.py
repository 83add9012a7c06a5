# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The roles' input checks: number_problems, blank_problems, given_names, cce_login, bounds_problems, within_bounds."""

from __future__ import annotations

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.hpcops.clusters.plugins.filter import (blank_problems, bounds_problems, cce_login, given_names,
                                                                number_problems, within_bounds)

SECONDS = "{name} must be a whole number of seconds, at least {minimum} (got {value})"


@pytest.mark.parametrize("values, options, expected", [
    ({"count": 3, "timeout": "600"}, {}, []),
    ({"count": True}, {}, ["count must be a whole number, not a boolean (got True)"]),
    ({"count": 3, "min_nodes": False, "max_nodes": True}, {},
     ["min_nodes must be a whole number, not a boolean (got False)", "max_nodes must be a whole number, not a boolean (got True)"]),
    # without a minimum only booleans are wrong (the argument specs check the type)
    ({"count": 0, "max_nodes": None}, {}, []),
    ({"timeout": 0}, {"minimum": 1, "unit": "second"}, ["timeout must be at least 1 second, got 0"]),
    ({"timeout": "0"}, {"minimum": 1, "unit": "second"}, ["timeout must be at least 1 second, got 0"]),
    ({"timeout": -3}, {"minimum": 5, "unit": "second"}, ["timeout must be at least 5 seconds, got -3"]),
    ({"pause": -1}, {"minimum": 0}, ["pause must be at least 0, got -1"]),
    ({"timeout": "1"}, {"minimum": 1, "unit": "second"}, []),
    ({"timeout": "2.0"}, {"minimum": 1}, []),
    ({"timeout": None}, {"minimum": 1, "unit": "second"}, ["timeout must be at least 1 second, got None"]),
    ({"timeout": "soon"}, {"minimum": 1, "unit": "second"}, ["timeout must be at least 1 second, got soon"]),
    ({"timeout": True}, {"minimum": 1, "unit": "second"}, ["timeout must be a whole number, not a boolean (got True)"]),
    ({"drain_timeout": True}, {"minimum": 1, "message": SECONDS},
     ["drain_timeout must be a whole number of seconds, at least 1 (got True)"]),
    ({"drain_timeout": 0}, {"minimum": 1, "message": SECONDS},
     ["drain_timeout must be a whole number of seconds, at least 1 (got 0)"]),
    ({"drain_timeout": 120}, {"minimum": 1, "message": SECONDS}, []),
], ids=["fine", "boolean", "booleans-in-order", "no-minimum", "under-minimum", "text-under-minimum", "plural-unit",
        "no-unit", "text-at-minimum", "float-text", "null", "not-a-number", "boolean-with-minimum", "message-boolean",
        "message-under-minimum", "message-fine"])
def test_number_problems_names_each_wrong_value_in_order(values, options, expected):
    assert number_problems.number_problems(values, **options) == expected


def test_number_problems_refuses_a_list_and_a_bad_minimum():
    with pytest.raises(AnsibleFilterError, match="mapping of variable names"):
        number_problems.number_problems([1, 2])
    with pytest.raises(AnsibleFilterError, match="minimum must be a whole number"):
        number_problems.number_problems({"a": 1}, minimum="one")


@pytest.mark.parametrize("values, why, expected", [
    ({"cluster_id": "ehpc-8jqdq0mz"}, None, []),
    ({"cluster_id": ""}, None, ["cluster_id is blank"]),
    ({"cluster_id": "  \n"}, None, ["cluster_id is blank"]),
    ({"cluster_id": None}, None, ["cluster_id is blank"]),
    ({"cluster_id": 0}, None, []),
    ({"nodes": []}, None, ["nodes is blank"]),
    ({"login": {}}, None, ["login is blank"]),
    ({"a": "", "b": "x", "c": " "}, None, ["a is blank", "c is blank"]),
    ({"reason": " "}, "Slurm shows it with each drained node",
     ["reason must not be blank: Slurm shows it with each drained node"]),
    ({"reason": ""}, "100% needed", ["reason must not be blank: 100% needed"]),
])
def test_blank_problems_names_each_blank_value(values, why, expected):
    assert blank_problems.blank_problems(values, why=why) == expected


@pytest.mark.parametrize("values, expected", [
    ({"ssh_key": "KeyPair-demo", "password": None, "user_password": None}, ["ssh_key"]),
    ({"ssh_key": " ", "password": "", "user_password": {}}, []),
    ({"ssh_key": "k", "password": "p", "user_password": {"password": "x"}}, ["ssh_key", "password", "user_password"]),
    ({"ssh_key": None, "password": "$6$salt$hash"}, ["password"]),
])
def test_given_names_counts_a_blank_answer_as_not_given(values, expected):
    assert given_names.given_names(values) == expected


@pytest.mark.parametrize("values, expected", [
    ({"min_nodes": 1, "max_nodes": 10}, []),
    ({"min_nodes": 3, "max_nodes": 3}, []),
    ({"min_nodes": 5, "max_nodes": 3}, ["min_nodes 5 is above max_nodes 3"]),
    ({"min_nodes": "5", "max_nodes": "4"}, ["min_nodes 5 is above max_nodes 4"]),
    ({"min_nodes": 5, "max_nodes": None}, []),
    # not a number: left to number_problems and the argument specs
    ({"min_nodes": True, "max_nodes": 0}, []),
])
def test_bounds_problems_refuses_a_lower_bound_above_the_upper_one(values, expected):
    assert bounds_problems.bounds_problems(values) == expected


@pytest.mark.parametrize("values", [{"min_nodes": 1}, {"a": 1, "b": 2, "c": 3}, [1, 2]])
def test_bounds_problems_needs_exactly_two_bounds(values):
    with pytest.raises(AnsibleFilterError, match="two variables"):
        bounds_problems.bounds_problems(values)


@pytest.mark.parametrize("value, minimum, maximum, expected", [
    (5, 1, 10, True),
    (1, 1, 10, True),
    (10, 1, 10, True),
    (0, 1, 10, False),
    (11, 1, 10, False),
    (60, 1, None, True),
    ("5", "1", "8", True),
    ("9", "1", "8", False),
    (1, 2, None, False),
    (5, None, None, True),
    (True, 0, 5, False),
    ("lots", 1, None, False),
    (5, "one", None, False),
])
def test_within_bounds_is_true_only_inside_the_guard_rails(value, minimum, maximum, expected):
    assert within_bounds.within_bounds(value, minimum, maximum) is expected


@pytest.mark.parametrize("module, name", [
    (number_problems, "number_problems"), (blank_problems, "blank_problems"), (given_names, "given_names"),
    (bounds_problems, "bounds_problems"), (within_bounds, "within_bounds"), (cce_login, "cce_login"),
])
def test_each_filter_is_registered_under_its_documented_name(module, name):
    assert list(module.FilterModule().filters()) == [name]
    assert "\nname: %s\n" % name in module.DOCUMENTATION


SALTED = "$6$saltsalt$notarealhash"


@pytest.mark.parametrize("given, expected", [
    ({"ssh_key": " KeyPair-demo ", "password": None, "username": "root", "user_password": None}, {"ssh_key": "KeyPair-demo"}),
    ({"ssh_key": "", "password": SALTED, "username": "admin", "user_password": None},
     {"user_password": {"username": "admin", "password": SALTED}}),
    # a blank user name from a survey is root
    ({"ssh_key": " ", "password": SALTED, "username": "", "user_password": {}},
     {"user_password": {"username": "root", "password": SALTED}}),
    ({"ssh_key": None, "password": None, "username": "root", "user_password": {"username": None, "password": SALTED}},
     {"user_password": {"username": "root", "password": SALTED}}),
    ({"user_password": {"username": "ops", "password": SALTED}}, {"user_password": {"username": "ops", "password": SALTED}}),
], ids=["key-pair", "flat-password", "blank-user", "dict-null-user", "dict"])
def test_cce_login_builds_the_one_login_given(given, expected):
    assert cce_login.cce_login(given) == expected


@pytest.mark.parametrize("given, named", [
    ({"ssh_key": "", "password": None, "user_password": {}}, "got none"),
    ({"ssh_key": "k", "password": SALTED}, "got ssh_key and password"),
    ({"ssh_key": "k", "user_password": {"password": SALTED}}, "got ssh_key and user_password"),
])
def test_cce_login_refuses_anything_but_one_login_without_showing_a_secret(given, named):
    with pytest.raises(AnsibleFilterError, match=named) as failure:
        cce_login.cce_login(given)
    assert SALTED not in str(failure.value)


def test_cce_login_refuses_a_user_password_that_is_no_mapping():
    with pytest.raises(AnsibleFilterError, match="user_password must be a mapping"):
        cce_login.cce_login({"user_password": ["root", SALTED]})
