"""hack/venv_sync.py names every way an environment differs from a lock (run without
--uninstall-extras here: it only reads this interpreter's environment)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "hack", "venv_sync.py")


def installed() -> dict:
    code = ("import json, importlib.metadata as m; "
            "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions() if d.metadata['Name']}))")
    found = json.loads(subprocess.check_output([sys.executable, "-c", code], text=True))
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in found.items()}


def check(tmp_path, pins: dict) -> subprocess.CompletedProcess:
    lock = tmp_path / "x.lock"
    lock.write_text("# make lock\n" + "".join("%s==%s \\\n    --hash=sha256:%s\n    # via x\n" % (name, version, "0" * 64)
                                              for name, version in sorted(pins.items())))
    return subprocess.run([sys.executable, SCRIPT, str(lock)], capture_output=True, text=True, check=False)


def test_an_environment_that_is_its_lock_passes(tmp_path):
    pins = {name: version for name, version in installed().items() if name != "pip"}
    proc = check(tmp_path, pins)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


def test_a_missing_an_extra_and_a_different_package_are_each_named(tmp_path):
    pins = {name: version for name, version in installed().items() if name != "pip"}
    extra = sorted(pins)[0]
    different = sorted(pins)[1]
    del pins[extra]
    pins[different] = "0.0.0.dev0"
    pins["hpcops-not-installed"] = "1.0"
    proc = check(tmp_path, pins)
    assert proc.returncode == 1
    problems = sorted(line.split(": ", 2)[2] for line in proc.stderr.splitlines())
    assert problems == sorted([
        "missing: hpcops-not-installed==1.0",
        "different: %s==%s installed, the lock has 0.0.0.dev0" % (different, installed()[different]),
        "extra: %s==%s (not in the lock)" % (extra, installed()[extra]),
    ]), proc.stderr
