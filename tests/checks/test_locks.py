"""Every environment the tests use holds exactly its lock, and every lock matches its input.

The locks (``make lock``, hack/lock.sh): ``X.lock`` is written from ``X.txt`` beside it, with
every package pinned and hashed; ``hack/venv_install.sh`` installs one with
``pip install --require-hashes`` and removes what it does not name. These tests read what is
installed (``importlib.metadata`` in each venv), not what pip was asked for.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCKS = sorted([REPO_ROOT / "requirements-dev.lock"] + list((REPO_ROOT / "hack").glob("*.lock"))
               + list((REPO_ROOT / "hack" / "matrix").glob("*.lock")))
# pip is the venv's own installer (python -m venv puts it there); nothing imports it.
ALLOWED_UNLOCKED = {"pip"}
# The venvs `make test` builds besides .venv, each with its lock (hack/galaxy_importer_venv.sh,
# hack/eda_rulebook.sh).
TOOL_VENVS = {
    ".tmp/galaxy-importer/venv": "hack/galaxy-importer-requirements.lock",
    ".tmp/eda-venv": "hack/eda-rulebook-requirements.lock",
}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)(?:\s+\\)?$")
INSTALLED = ("import json, importlib.metadata as m; "
             "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions() if d.metadata['Name']}))")


def read_lock(path: Path) -> dict:
    """{canonical name: (version, [sha256, ...])} of a uv/pip-compile lock file."""
    pins: dict = {}
    current = None
    for line in path.read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            assert current not in pins, "%s pins %s twice" % (path.name, current)
            pins[current] = (match.group(2), [])
        elif line.strip().startswith("--hash=sha256:") and current:
            pins[current][1].append(line.strip().split(":", 1)[1].rstrip(" \\"))
        elif line.strip() and not line.lstrip().startswith("#"):
            pytest.fail("%s: unexpected line %r" % (path.name, line))
    return pins


def read_input(path: Path) -> list:
    """The requirements of a lock's input file, ``-r`` includes followed."""
    requirements = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            requirements += read_input((path.parent / line[3:].strip()).resolve())
        elif line:
            requirements.append(Requirement(line))
    return requirements


def differences(installed: dict, lock: Path) -> list:
    pins = {name: version for name, (version, _hashes) in read_lock(lock).items()}
    have = {canonicalize_name(name): version for name, version in installed.items()}
    problems = ["missing: %s==%s" % (n, v) for n, v in sorted(pins.items()) if n not in have]
    problems += ["different: %s %s installed, %s locked" % (n, have[n], v)
                 for n, v in sorted(pins.items()) if n in have and have[n] != v]
    problems += ["extra: %s %s" % (n, have[n]) for n in sorted(set(have) - set(pins) - ALLOWED_UNLOCKED)]
    return problems


def test_differences_name_a_missing_an_extra_and_a_different_package(tmp_path):
    lock = tmp_path / "x.lock"
    lock.write_text("a==1.0 \\\n    --hash=sha256:00\nb-c==2.0 \\\n    --hash=sha256:11\n    # via a\n")
    assert differences({"a": "1.0", "B_C": "2.0", "pip": "25.0"}, lock) == []
    assert differences({"A": "1.1", "d": "3", "pip": "25.0"}, lock) == [
        "missing: b-c==2.0", "different: a 1.1 installed, 1.0 locked", "extra: d 3"]


def test_the_test_venv_holds_exactly_requirements_dev_lock():
    """What `make venv` installed into .venv (this interpreter's environment) is the lock, no more."""
    assert Path(sys.prefix).resolve() == (REPO_ROOT / ".venv").resolve(), "run by make pytest (.venv)"
    installed = json.loads(subprocess.check_output([sys.executable, "-c", INSTALLED], text=True))
    assert differences(installed, REPO_ROOT / "requirements-dev.lock") == []


@pytest.mark.parametrize("venv,lock", sorted(TOOL_VENVS.items()))
def test_tool_venvs_hold_exactly_their_locks(venv, lock):
    python = REPO_ROOT / venv / "bin" / "python"
    if not python.exists():
        reason = "%s not built (make test builds it)" % venv
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + " (CI=true: this test must run)")
        pytest.skip(reason)
    installed = json.loads(subprocess.check_output([str(python), "-c", INSTALLED], text=True))
    assert differences(installed, REPO_ROOT / lock) == []


@pytest.mark.parametrize("lock", LOCKS, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_lock_pins_every_requirement_of_its_input_with_hashes(lock):
    """Each requirement of X.txt (and what it includes) is pinned in X.lock at a version it allows."""
    pins = read_lock(lock)
    assert pins
    assert all(hashes for _version, hashes in pins.values()), "a pin without --hash in %s" % lock.name
    for requirement in read_input(lock.with_suffix(".txt")):
        name = canonicalize_name(requirement.name)
        assert name in pins, "%s is in %s but not in %s: make lock" % (name, lock.with_suffix(".txt").name, lock.name)
        assert requirement.specifier.contains(pins[name][0], prereleases=True), (
            "%s pins %s==%s, %s asks for %s: make lock"
            % (lock.name, name, pins[name][0], lock.with_suffix(".txt").name, requirement))


def test_ansible_test_units_constraints_pin_every_requirement():
    """tests/unit/constraints.txt pins what `ansible-test units --venv` installs (make lock)."""
    constraints = {}
    for line in (REPO_ROOT / "tests" / "unit" / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _sep, version = line.partition("==")
            constraints[canonicalize_name(name)] = version.strip()
    for requirement in read_input(REPO_ROOT / "hack" / "ansible-test-units-requirements.txt"):
        name = canonicalize_name(requirement.name)
        assert name in constraints and requirement.specifier.contains(constraints[name]), name
