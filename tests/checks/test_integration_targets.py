"""The ``ansible-test integration`` targets (tests/integration/targets/), run as tests.

A target per module and per role runs against the simulator, which ``make integration``
(hack/integration.sh) starts and always stops. The targets are split into groups by the
``shippable/posix/groupN`` alias, Ansible's usual way of splitting them into CI jobs; each group
has its own simulator and copy of the tree, and is a test class of its own here, so that
pytest-xdist (``--dist loadscope``: a class is one unit) runs the groups on different workers.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.checks.make_targets import run_target, tail

# Long tests: tests/conftest.py has pytest-xdist start the slow files first.
pytestmark = pytest.mark.slow

TARGETS = Path(__file__).resolve().parents[1] / "integration" / "targets"
GROUP_ALIAS = re.compile(r"^shippable/posix/group([0-9]+)$")
# One class below per group; test_every_target_is_in_exactly_one_group keeps the two in step.
GROUPS = (1, 2, 3, 4)


def aliases(target: Path) -> list:
    return (target / "aliases").read_text(encoding="utf-8").split()


def targets_by_group() -> dict:
    """{group: [target, ...]} of the targets that run (not ``hidden``); group None: a target
    with no group alias, or with more than one."""
    found = {}
    for target in sorted(path for path in TARGETS.iterdir() if path.is_dir()):
        if "hidden" in aliases(target):
            continue
        groups = [int(match.group(1)) for match in map(GROUP_ALIAS.match, aliases(target)) if match]
        found.setdefault(groups[0] if len(groups) == 1 else None, []).append(target.name)
    return found


def run_group(group: int) -> None:
    expected = targets_by_group().get(group, [])
    assert expected, "no target has the alias shippable/posix/group%d" % group
    proc = run_target("integration", "INTEGRATION_GROUP=%d" % group, stage="integration-group%d" % group)
    assert proc.returncode == 0, tail(proc)
    # Every target of the group ran: ansible-test names each one as it starts it.
    ran = sorted(re.findall(r"^Running (\S+) integration test (?:role|script)$", proc.stdout, re.MULTILINE))
    assert ran == sorted(expected), tail(proc)


def test_every_target_is_in_exactly_one_group():
    found = targets_by_group()
    assert None not in found, "targets with no shippable/posix/groupN alias, or more than one: %s" % found[None]
    assert sorted(found) == list(GROUPS), "groups in the aliases: %s; test classes here: %s" % (sorted(found), GROUPS)


class TestIntegrationGroup1:
    def test_targets_of_group_1_pass(self):
        run_group(1)


class TestIntegrationGroup2:
    def test_targets_of_group_2_pass(self):
        run_group(2)


class TestIntegrationGroup3:
    def test_targets_of_group_3_pass(self):
        run_group(3)


class TestIntegrationGroup4:
    def test_targets_of_group_4_pass(self):
        run_group(4)
