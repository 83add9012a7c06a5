#!/usr/bin/env bash
# Create or update .tmp/galaxy-importer/venv from hack/galaxy-importer-requirements.lock
# (exactly that lock, with hashes: hack/venv_install.sh; only when the lock changed since the last
# install). Prints the venv's python.
# A venv of its own because galaxy-importer's pins clash with .venv's (see
# hack/galaxy-importer-requirements.txt, the lock's input).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.tmp/galaxy-importer/venv"
bash "$root/hack/venv_install.sh" "$venv" "$root/hack/galaxy-importer-requirements.lock" --quiet >&2
echo "$venv/bin/python"
