# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The node_list filter: one list from a YAML list, "a,b" given with -e, or an AWX survey text area."""

from __future__ import annotations

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.hpcops.clusters.plugins.filter.node_list import FilterModule, node_list


@pytest.mark.parametrize("value, expected", [
    (["compute01", "cln-abcd1234"], ["compute01", "cln-abcd1234"]),
    ("compute01,compute02", ["compute01", "compute02"]),
    ("compute01\ncompute02\n", ["compute01", "compute02"]),
    ("compute01\r\n\r\n compute02 \r\n", ["compute01", "compute02"]),
    (" compute01 , , compute02,", ["compute01", "compute02"]),
    (["compute01,compute02", " login01 "], ["compute01", "compute02", "login01"]),
    (("compute02", "compute01"), ["compute02", "compute01"]),
    (["compute01", "compute01"], ["compute01", "compute01"]),
    ([7, "compute01"], ["7", "compute01"]),
    ("", []),
    (" \n \n", []),
    (None, []),
    ([], []),
])
def test_every_form_gives_the_same_list(value, expected):
    assert node_list(value) == expected


@pytest.mark.parametrize("value, name", [(5, "int"), (True, "bool"), ({"name": "compute01"}, "dict"), (b"x", "bytes")])
def test_anything_but_a_list_or_a_string_is_refused_naming_its_type(value, name):
    with pytest.raises(AnsibleFilterError, match="node_list expects a list or a string of node names or IDs, got %s" % name):
        node_list(value)


def test_the_filter_is_registered_under_its_documented_name():
    assert FilterModule().filters() == {"node_list": node_list}


@pytest.mark.parametrize("value, expected", [
    ("compute[01,02],login01", ["compute[01,02]", "login01"]),
    (["compute[01-03]", "compute07"], ["compute[01-03]", "compute07"]),
])
def test_commas_inside_brackets_do_not_split_an_entry(value, expected):
    assert node_list(value) == expected


@pytest.mark.parametrize("value, match", [
    (["compute[]", "compute01"], "empty brackets"),
    ("compute01,compute[ ]", "empty brackets"),
    ("compute[01", "unbalanced"),
    ("compute01]", "unbalanced"),
    ("compute[01\n02]", "unbalanced"),
])
def test_an_entry_with_empty_or_unbalanced_brackets_is_refused_not_dropped(value, match):
    with pytest.raises(AnsibleFilterError, match=match):
        node_list(value)
