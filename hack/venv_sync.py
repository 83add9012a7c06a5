"""Compare the distributions installed in this interpreter's environment with a lock file.

    python hack/venv_sync.py LOCK [--uninstall-extras]

Run with the venv's own python. Prints each package that is missing, at another version, or
installed without being in the lock (pip itself excepted: the venv's bootstrap, never imported
by the project). With --uninstall-extras the extra packages are removed first (what a fresh
`python -m venv` brings besides pip, or what an older lock had), so that the venv holds exactly
the lock. Exit status 1 when a difference is left.
Standard library only: it runs before anything is installed.
"""

import re
import subprocess
import sys
from importlib import metadata

ALLOWED_EXTRAS = {"pip"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(path):
    pins = {}
    with open(path, encoding="utf-8") as lock:
        for line in lock:
            match = PIN.match(line)
            if match:
                pins[normalize(match.group(1))] = match.group(2)
    return pins


def installed():
    found = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found[normalize(name)] = dist.version
    return found


def differences(pins, have):
    problems = []
    for name, version in sorted(pins.items()):
        if name not in have:
            problems.append("missing: %s==%s" % (name, version))
        elif have[name] != version:
            problems.append("different: %s==%s installed, the lock has %s" % (name, have[name], version))
    extras = sorted(set(have) - set(pins) - ALLOWED_EXTRAS)
    problems.extend("extra: %s==%s (not in the lock)" % (name, have[name]) for name in extras)
    return problems, extras


def main(argv):
    if not argv or argv[0].startswith("-"):
        sys.exit(__doc__)
    pins = read_lock(argv[0])
    if not pins:
        sys.exit("venv_sync: %s pins nothing" % argv[0])
    problems, extras = differences(pins, installed())
    if extras and "--uninstall-extras" in argv[1:]:
        subprocess.check_call([sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet",
                               "--disable-pip-version-check"] + extras)
        problems, extras = differences(pins, installed())
    for problem in problems:
        print("venv_sync: %s: %s" % (argv[0], problem), file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
