#!/usr/bin/env bash
# `make lock`: write every lock file from the file that names its direct dependencies, with
# `uv pip compile --generate-hashes` (uv pinned in hack/uv-requirements.lock, installed with
# hashes into .tmp/lock-tool). Each lock pins every package, transitive ones included, with
# the sha256 of each of its files on PyPI; `pip install --require-hashes` installs exactly it.
#
#   hack/lock.sh                      keep the pins already in each lock (only what changed in
#                                     the inputs moves), like pip-compile
#   hack/lock.sh --upgrade-package X  move X (and what it needs) to its newest allowed release
#   hack/lock.sh --upgrade            move everything to its newest allowed release
#
# Resolved for the Python the tests use (TEST_PYTHON, 3.11) on Linux, from PyPI
# (LOCK_INDEX_URL to use a mirror): the machine's pip configuration (extra local indexes) is
# not read, so the locks are the same on every machine.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
tool="$root/.tmp/lock-tool"
python_version="${TEST_PYTHON:-3.11}"
index_url="${LOCK_INDEX_URL:-https://pypi.org/simple}"

bash hack/venv_install.sh "$tool" hack/uv-requirements.lock --quiet

# input lock
locks=(
    "requirements-dev.txt requirements-dev.lock"
    "hack/uv-requirements.txt hack/uv-requirements.lock"
    "hack/galaxy-importer-requirements.txt hack/galaxy-importer-requirements.lock"
    "hack/eda-rulebook-requirements.txt hack/eda-rulebook-requirements.lock"
)
for input in hack/matrix/ansible-core-*.txt; do
    locks+=("$input ${input%.txt}.lock")
done

for pair in "${locks[@]}"; do
    read -r input output <<<"$pair"
    echo "lock: $input -> $output"
    "$tool/bin/uv" pip compile --quiet --generate-hashes --no-build \
        --python-version "$python_version" --python-platform linux \
        --index-url "$index_url" --custom-compile-command "make lock" \
        "$input" -o "$output" "$@"
done

# ansible-test units --venv installs its own unit-test requirements (unpinned) and
# tests/unit/requirements.txt, constrained by tests/unit/constraints.txt: pins without hashes,
# as ansible-test passes the file to pip as constraints.
echo "lock: hack/ansible-test-units-requirements.txt -> tests/unit/constraints.txt"
"$tool/bin/uv" pip compile --quiet --no-build --no-annotate \
    --python-version "$python_version" --python-platform linux \
    --index-url "$index_url" --custom-compile-command "make lock" \
    hack/ansible-test-units-requirements.txt -o tests/unit/constraints.txt "$@"
