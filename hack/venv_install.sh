#!/usr/bin/env bash
# Make the venv VENV hold exactly the packages of LOCK (a lock file of `make lock`):
#   hack/venv_install.sh VENV LOCK [pip install options...]
# Creates VENV with $PYTHON (default python3) when missing, then, when LOCK changed since the
# last install (its sha256 is kept in VENV/.lock.sha256), installs it with hash checking
# (`pip install --require-hashes`: every package pinned and its file checked; a package the lock
# does not name is refused) and removes what the lock does not name (hack/venv_sync.py).
# pip's own configuration is used as it is: an extra index or find-links location only offers
# more copies of the same files, and a copy whose hash is not in the lock is never taken.
# pip's output goes to stdout.
set -euo pipefail

venv="$1"
lock="$2"
shift 2
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"
stamp="$venv/.lock.sha256"

[ -f "$lock" ] || { echo "venv_install.sh: $lock is missing (make lock)" >&2; exit 1; }
wanted="$(sha256sum "$lock" | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
    exit 0
fi
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv" || {
        echo "venv_install.sh: '$python -m venv $venv' failed (Debian/Ubuntu: apt-get install python3-venv)" >&2
        exit 1
    }
fi
rm -f "$stamp"
"$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off --require-hashes \
    -r "$lock" "$@"
"$venv/bin/python" "$root/hack/venv_sync.py" "$lock" --uninstall-extras
echo "$wanted" >"$stamp"
