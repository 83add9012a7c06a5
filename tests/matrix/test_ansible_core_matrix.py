"""The collection under every ansible-core minor release that meta/runtime.yml claims (``make matrix``).

Each release has its own lock (hack/matrix/ansible-core-<minor>.lock, from the .txt beside it,
``make lock``) and its own small venv, .tmp/matrix/<minor>, installed from that lock with hashes
(hack/venv_install.sh). In each venv:

- ansible-doc renders every module, inventory plugin, filter plugin and role, with nothing on
  stderr (no warning, no deprecation);
- the demo playbook (playbooks/demo.yml, hack/demo.sh) passes against the simulator;
- the unit tests (tests/unit) pass;
- one integration test per module (tests/matrix/each_module.py) passes.

The venvs are built at once, side by side (mostly download and unpack); the versions then run one
after the other, each inner pytest on two workers. Not collected by ``make test`` (pytest.ini's
testpaths); ``.ci/run`` runs it after ``make test``, so its summary line ends CI's output.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
MATRIX_DIR = REPO_ROOT / "hack" / "matrix"
VENVS_DIR = REPO_ROOT / ".tmp" / "matrix"
COLLECTIONS = REPO_ROOT / ".tmp" / "collections"
COLLECTION = "hpcops.clusters"
VERSIONS = sorted((p.stem.rsplit("-", 1)[1] for p in MATRIX_DIR.glob("ansible-core-*.lock")),
                  key=lambda v: tuple(int(n) for n in v.split(".")))
# One integration test per module, each seconds long (the full ones run a file's whole scenario).
EACH_MODULE = "tests/matrix/each_module.py"
# ansible-core 2.16.20 deprecates a mapping for a task's `action` and itself builds the task that
# validates a role's arguments (meta/argument_specs.yml) with one (ansible/playbook/role/__init__.py,
# _create_validation_task), so every include of a role with argument specs warns. Not ours to fix;
# 2.17 and later do not warn. Any other warning fails the demo.
KNOWN_WARNINGS = {"2.16": ("[DEPRECATION WARNING]: Using a mapping for `action` is deprecated.",)}
PYTEST_SUMMARY = re.compile(r"^=+ (.*) in [0-9.]+s( \([0-9:]+\))? =+$")


def _minor_tuple(version: str) -> tuple:
    return tuple(int(n) for n in version.split(".")[:2])


def _plugins(kind: str) -> list:
    return sorted(p.stem for p in (REPO_ROOT / "plugins" / kind).glob("*.py") if not p.stem.startswith("_"))


def _roles() -> list:
    return sorted(p.parent.parent.name for p in (REPO_ROOT / "roles").glob("*/meta/argument_specs.yml"))


def _env(venv: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "ANSIBLE_", "HPCOPS_STAGE")) and k != "PYTHONPATH"}
    env.update(PATH="%s:%s" % (venv / "bin", env.get("PATH", "")), ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
               PYTHONPATH=str(COLLECTIONS), HPCOPS_VENV=str(venv), ANSIBLE_NOCOLOR="1")
    return env


def _run(cmd: list, venv: Path, timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=REPO_ROOT, env=_env(venv), stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout, check=False)


def _tail(proc: subprocess.CompletedProcess, lines: int = 60) -> str:
    return "\n".join((proc.stdout + "\n" + proc.stderr).strip().splitlines()[-lines:])


@pytest.fixture(scope="session")
def venvs() -> dict:
    """{minor: venv path}, every venv installed from its lock, side by side."""
    subprocess.run(["bash", str(REPO_ROOT / "hack" / "collection_tree.sh")], check=True, stdout=subprocess.DEVNULL)
    VENVS_DIR.mkdir(parents=True, exist_ok=True)
    builds = {}
    for minor in VERSIONS:
        log = open(VENVS_DIR / ("%s.log" % minor), "w")  # pylint: disable=consider-using-with
        builds[minor] = (subprocess.Popen(  # pylint: disable=consider-using-with
            ["bash", str(REPO_ROOT / "hack" / "venv_install.sh"), str(VENVS_DIR / minor),
             str(MATRIX_DIR / ("ansible-core-%s.lock" % minor)), "--quiet"],
            cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT), log)
    failed = []
    for minor, (proc, log) in builds.items():
        if proc.wait(timeout=900) != 0:
            failed.append(minor)
        log.close()
    if failed:
        pytest.fail("venv install failed for ansible-core %s; see %s/<minor>.log:\n%s" % (
            ", ".join(failed), VENVS_DIR, (VENVS_DIR / ("%s.log" % failed[0])).read_text()[-3000:]))
    return {minor: VENVS_DIR / minor for minor in VERSIONS}


def test_matrix_covers_every_minor_release_that_requires_ansible_claims():
    """2.16 up to the release requirements-dev.txt pins, no gap: requires_ansible says what is proved."""
    runtime = yaml.safe_load((REPO_ROOT / "meta" / "runtime.yml").read_text())
    lower = re.fullmatch(r">=\s*(\d+\.\d+)(\.\d+)?", runtime["requires_ansible"].strip())
    assert lower, "requires_ansible %r: expected '>=X.Y.Z'" % runtime["requires_ansible"]
    dev = re.search(r"^ansible-core==(\d+\.\d+)\.\d+", (REPO_ROOT / "requirements-dev.txt").read_text(), re.M)
    low, high = _minor_tuple(lower.group(1)), _minor_tuple(dev.group(1))
    expected = ["%d.%d" % (low[0], minor) for minor in range(low[1], high[1] + 1)]
    assert VERSIONS == expected


@pytest.mark.parametrize("minor", VERSIONS)
def test_venv_holds_the_locked_ansible_core_release(venvs, minor):
    lock = (MATRIX_DIR / ("ansible-core-%s.lock" % minor)).read_text()
    locked = re.search(r"^ansible-core==(\S+)", lock, re.M).group(1)
    assert locked.startswith(minor + ".")
    proc = _run([str(venvs[minor] / "bin" / "python"), str(REPO_ROOT / "hack" / "venv_sync.py"),
                 str(MATRIX_DIR / ("ansible-core-%s.lock" % minor))], venvs[minor], 60)
    assert proc.returncode == 0, _tail(proc)
    proc = _run([str(venvs[minor] / "bin" / "ansible"), "--version"], venvs[minor], 60)
    assert proc.returncode == 0 and proc.stdout.startswith("ansible [core %s]" % locked), _tail(proc)


@pytest.mark.parametrize("minor", VERSIONS)
def test_ansible_doc_renders_every_plugin_and_role_without_warnings(venvs, minor):
    kinds = {"module": _plugins("modules"), "inventory": _plugins("inventory"), "filter": _plugins("filter"),
             "role": _roles()}
    for kind, names in kinds.items():
        assert names, "no %s found" % kind
        proc = _run([str(venvs[minor] / "bin" / "ansible-doc"), "-t", kind]
                    + ["%s.%s" % (COLLECTION, name) for name in names], venvs[minor], 180)
        assert proc.returncode == 0, _tail(proc)
        assert proc.stderr.strip() == "", "ansible-doc -t %s printed on stderr:\n%s" % (kind, proc.stderr)
        for name in names:
            # 2.16 heads each plugin's page with its name in capitals.
            assert "%s.%s" % (COLLECTION, name) in proc.stdout.lower(), "%s %s not rendered" % (kind, name)


@pytest.mark.parametrize("minor", VERSIONS)
def test_demo_playbook_passes_against_the_simulator(venvs, minor):
    proc = _run(["bash", str(REPO_ROOT / "hack" / "demo.sh")], venvs[minor], 600)
    assert proc.returncode == 0, _tail(proc)
    recap = proc.stdout.split("PLAY RECAP", 1)
    assert len(recap) == 2 and re.search(r"failed=0\s", recap[1]) and "unreachable=0" in recap[1], _tail(proc)
    warnings = [line for line in (proc.stdout + proc.stderr).splitlines() if "WARNING" in line
                and not line.startswith(KNOWN_WARNINGS.get(minor, ()))]
    assert warnings == [], _tail(proc)


def _inner_pytest(venv: Path, args: list, dist: str = "loadfile") -> None:
    proc = _run([str(venv / "bin" / "python"), "-m", "pytest", "-p", "no:cacheprovider", "-n", "2",
                 "--dist", dist, "-q"] + args, venv, 900)
    lines = proc.stdout.strip().splitlines()
    summary = PYTEST_SUMMARY.match(lines[-1]) if lines else None
    assert proc.returncode == 0 and summary, _tail(proc)
    # Under CI=true a missing tool already fails; elsewhere a skip would hide an untested path.
    assert "passed" in summary.group(1) and "skipped" not in summary.group(1), _tail(proc)


@pytest.mark.parametrize("minor", VERSIONS)
def test_unit_tests_pass(venvs, minor):
    _inner_pytest(venvs[minor], ["tests/unit"])


def _modules_tested(test_names: list, modules: list) -> set:
    """The module each test is for: the longest module name its name starts with (after test_)."""
    found = set()
    for test in test_names:
        matching = [m for m in modules if test.startswith("test_%s_" % m)]
        if matching:
            found.add(max(matching, key=len))
    return found


def test_each_module_has_its_matrix_integration_test():
    tests = re.findall(r"^def (test_\w+)\(", (REPO_ROOT / EACH_MODULE).read_text(), re.M)
    modules = _plugins("modules")
    assert _modules_tested(tests, modules) == set(modules)


@pytest.mark.parametrize("minor", VERSIONS)
def test_one_integration_test_per_module_passes(venvs, minor):
    # --dist load: the tests are independent, each with its own run; both workers share them.
    _inner_pytest(venvs[minor], [EACH_MODULE], dist="load")
