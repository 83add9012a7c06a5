# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rules the roles' filters share: a whole number, a blank answer, a node on its way out, a label."""

from __future__ import annotations

__metaclass__ = type

import pytest

from ansible_collections.hpcops.clusters.plugins.plugin_utils.role_rules import (is_blank, is_leaving, label,
                                                                                 labels_by_key, whole_number)


@pytest.mark.parametrize("value, expected", [
    (5, 5), ("5", 5), (" 7 ", 7), ("2.0", 2), (3.9, 3), (-1, -1), ("-4", -4),
    (True, None), (False, None), (None, None), ("five", None), ("", None), ([], None), ({}, None), ("inf", None),
])
def test_whole_number_reads_numbers_as_jinja_does_but_never_a_boolean(value, expected):
    assert whole_number(value) == expected


@pytest.mark.parametrize("value, expected", [
    (None, True), ("", True), ("  \n", True), ([], True), ({}, True), ((), True),
    ("x", False), (0, False), (False, False), ([""], False), ({"a": 1}, False),
])
def test_is_blank_is_an_unanswered_question(value, expected):
    assert is_blank(value) is expected


@pytest.mark.parametrize("node, expected", [
    ({"transition_status": "deleting"}, True), ({"phase": "Deleting"}, True),
    ({"transition_status": ""}, False), ({"transition_status": "creating"}, False), ({"phase": "Active"}, False),
    ({}, False),
])
def test_is_leaving_reads_both_node_shapes(node, expected):
    assert is_leaving(node) is expected


@pytest.mark.parametrize("node, key, expected", [
    ({"id": "cln-1", "name": "compute01"}, "id", "compute01 (cln-1)"),
    ({"uid": "u-1", "name": "node-1"}, "uid", "node-1 (u-1)"),
    ({"id": "cln-1", "name": ""}, "id", "cln-1"),
    ({"id": "cln-1"}, "id", "cln-1"),
])
def test_label_is_name_then_id(node, key, expected):
    assert label(node, key) == expected


def test_labels_by_key_lets_the_later_read_win_and_skips_what_is_not_a_node():
    assert labels_by_key([[{"id": "a", "name": "old"}, "junk", {"name": "no id"}], None,
                          [{"id": "a", "name": "new"}]]) == {"a": "new (a)"}
