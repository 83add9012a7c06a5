#!/usr/bin/env bash
# Create or update .tmp/galaxy-importer/venv from hack/galaxy-importer-requirements.txt
# (only when that file changed since the last install). Prints the venv's python.
# A venv of its own because galaxy-importer's pins clash with .venv's (see that file).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requirements="$root/hack/galaxy-importer-requirements.txt"
venv="$root/.tmp/galaxy-importer/venv"
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
    echo "$venv/bin/python"
    exit 0
fi
if [ ! -x "$venv/bin/python" ]; then
    echo "galaxy_importer_venv.sh: creating $venv" >&2
    "$python" -m venv "$venv" || {
        echo "galaxy_importer_venv.sh: '$python -m venv' failed (Debian/Ubuntu: apt-get install python3-venv)" >&2
        exit 1
    }
fi
echo "galaxy_importer_venv.sh: installing $(basename "$requirements") into $venv" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
echo "$wanted" >"$stamp"
echo "$venv/bin/python"
