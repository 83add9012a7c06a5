"""The collection under every ansible-core minor release that meta/runtime.yml claims (``make matrix``).

Each release has its own lock (hack/matrix/ansible-core-<minor>.lock, from the .txt beside it,
``make lock``) and its own small venv, .tmp/matrix/<minor>, installed from that lock with hashes
(hack/venv_install.sh). In each venv:

- ansible-doc renders every module, inventory plugin, filter plugin and role, with nothing on
  stderr (no warning, no deprecation);
- the demo playbook (playbooks/demo.yml, hack/demo.sh) passes against the simulator;
- the unit tests (tests/unit) pass;
- one integration test per module (tests/matrix/each_module.py) passes.

One test class per release; ``make matrix`` runs them on one pytest-xdist worker each
(``--dist loadscope``), side by side: a release's tests mostly wait (venv downloads, simulator
jobs, Slurm, ansible-playbook starts), so four at once take little longer than one. Not collected
by ``make test`` (pytest.ini's testpaths); ``.ci/run`` runs it after ``make test``, so its summary
line ends CI's output.
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
# With -q pytest prints its summary line without the "=" around it.
PYTEST_SUMMARY = re.compile(r"^(?:=+ )?(.*) in [0-9.]+s(?: \([0-9:]+\))?(?: =+)?$")


def _minor_tuple(version: str) -> tuple:
    return tuple(int(n) for n in version.split(".")[:2])


def _plugins(kind: str) -> list:
    return sorted(p.stem for p in (REPO_ROOT / "plugins" / kind).glob("*.py") if not p.stem.startswith("_"))


def _roles() -> list:
    return sorted(p.parent.name for p in (REPO_ROOT / "roles").glob("*/tasks"))


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


def test_matrix_covers_every_minor_release_that_requires_ansible_claims():
    """2.16 up to the release requirements-dev.txt pins, no gap: requires_ansible says what is proved."""
    runtime = yaml.safe_load((REPO_ROOT / "meta" / "runtime.yml").read_text())
    lower = re.fullmatch(r">=\s*(\d+\.\d+)(\.\d+)?", runtime["requires_ansible"].strip())
    assert lower, "requires_ansible %r: expected '>=X.Y.Z'" % runtime["requires_ansible"]
    dev = re.search(r"^ansible-core==(\d+\.\d+)\.\d+", (REPO_ROOT / "requirements-dev.txt").read_text(), re.M)
    low, high = _minor_tuple(lower.group(1)), _minor_tuple(dev.group(1))
    expected = ["%d.%d" % (low[0], minor) for minor in range(low[1], high[1] + 1)]
    assert VERSIONS == expected


def _inner_pytest(venv: Path, args: list) -> None:
    proc = _run([str(venv / "bin" / "python"), "-m", "pytest", "-p", "no:cacheprovider", "-q"] + args, venv, 900)
    lines = proc.stdout.strip().splitlines()
    summary = PYTEST_SUMMARY.match(lines[-1]) if lines else None
    assert proc.returncode == 0 and summary, _tail(proc)
    # Under CI=true a missing tool already fails; elsewhere a skip would hide an untested path.
    assert re.search(r"\d+ passed", summary.group(1)) and "skipped" not in summary.group(1), _tail(proc)


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


class AnsibleCoreRelease:
    """The tests of one release (``minor``), in its venv; subclassed below once per lock."""

    minor = ""

    @pytest.fixture(scope="class")
    @classmethod
    def venv(cls) -> Path:
        """.tmp/matrix/<minor>, holding exactly hack/matrix/ansible-core-<minor>.lock."""
        subprocess.run(["bash", str(REPO_ROOT / "hack" / "collection_tree.sh")], check=True,
                       stdout=subprocess.DEVNULL)
        venv = VENVS_DIR / cls.minor
        proc = subprocess.run(["bash", str(REPO_ROOT / "hack" / "venv_install.sh"), str(venv),
                               str(MATRIX_DIR / ("ansible-core-%s.lock" % cls.minor)), "--quiet"],
                              cwd=REPO_ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=900, check=False)
        if proc.returncode != 0:
            pytest.fail("venv install for ansible-core %s failed:\n%s" % (cls.minor, _tail(proc)))
        return venv

    def test_venv_holds_exactly_its_lock_and_the_locked_ansible_core(self, venv):
        lock = MATRIX_DIR / ("ansible-core-%s.lock" % self.minor)
        locked = re.search(r"^ansible-core==(\S+)", lock.read_text(), re.M).group(1)
        assert locked.startswith(self.minor + ".")
        proc = _run([str(venv / "bin" / "python"), str(REPO_ROOT / "hack" / "venv_sync.py"), str(lock)], venv, 60)
        assert proc.returncode == 0, _tail(proc)
        proc = _run([str(venv / "bin" / "ansible"), "--version"], venv, 60)
        assert proc.returncode == 0 and proc.stdout.startswith("ansible [core %s]" % locked), _tail(proc)

    def test_ansible_doc_renders_every_plugin_and_role_without_warnings(self, venv):
        kinds = {"module": _plugins("modules"), "inventory": _plugins("inventory"), "filter": _plugins("filter"),
                 "role": _roles()}
        for kind, names in kinds.items():
            assert names, "no %s found" % kind
            proc = _run([str(venv / "bin" / "ansible-doc"), "-t", kind]
                        + ["%s.%s" % (COLLECTION, name) for name in names], venv, 180)
            assert proc.returncode == 0, _tail(proc)
            assert proc.stderr.strip() == "", "ansible-doc -t %s printed on stderr:\n%s" % (kind, proc.stderr)
            for name in names:
                # 2.16 heads each plugin's page with its name in capitals.
                assert "%s.%s" % (COLLECTION, name) in proc.stdout.lower(), "%s %s not rendered" % (kind, name)

    def test_demo_playbook_passes_against_the_simulator(self, venv):
        proc = _run(["bash", str(REPO_ROOT / "hack" / "demo.sh")], venv, 600)
        assert proc.returncode == 0, _tail(proc)
        recap = proc.stdout.split("PLAY RECAP", 1)
        assert len(recap) == 2 and re.search(r"failed=0\s", recap[1]) and "unreachable=0" in recap[1], _tail(proc)
        warnings = [line for line in (proc.stdout + proc.stderr).splitlines() if "WARNING" in line
                    and not line.startswith(KNOWN_WARNINGS.get(self.minor, ()))]
        assert warnings == [], _tail(proc)

    def test_unit_tests_pass(self, venv):
        # One process: the other releases' tests run beside it on the other workers.
        _inner_pytest(venv, ["tests/unit"])

    def test_one_integration_test_per_module_passes(self, venv):
        # Two workers: these mostly wait (simulator jobs, Slurm), each test with its own runs.
        _inner_pytest(venv, ["-n", "2", "--dist", "load", EACH_MODULE])


for _minor in VERSIONS:
    _name = "TestAnsibleCore" + _minor.replace(".", "_")
    globals()[_name] = type(_name, (AnsibleCoreRelease,), {"minor": _minor})
