#!/usr/bin/env bash
# Refresh a copy of the collection at
#   .tmp/ansible-test/ansible_collections/hpcops/clusters
# for ansible-test and print its path. With an argument NAME the copy is
#   .tmp/ansible-test-NAME/ansible_collections/hpcops/clusters
# instead: runs of ansible-test side by side (groups of integration targets, each with its own
# simulator and integration_config.yml, beside sanity) each need a copy of their own.
#
# Why a copy and not the .tmp/collections symlink: ansible-test takes its content root from
# os.getcwd(), which resolves symlinks, and `--venv` re-runs ansible-test with
# ANSIBLE_TEST_CONTENT_ROOT set to that resolved cwd, so a run started inside the symlink
# fails with "The current working directory must be within the source tree being tested".
#
# What is copied: in a git work tree, exactly the files ansible-test itself would see there
# (`git ls-files --cached --others --exclude-standard`: tracked files plus new files that
# are not git-ignored, minus files deleted from the work tree); outside git, everything
# except .git, .venv, .tmp, tests/output and caches. The copy's tests/output/ is kept
# between runs (ansible-test's own scratch and results; see the path printed).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="${1:-}"
case "$name" in
    "") dest="$root/.tmp/ansible-test/ansible_collections/hpcops/clusters" ;;
    *[!A-Za-z0-9_-]*) echo "ansible_test_tree.sh: bad copy name: $name" >&2; exit 2 ;;
    *) dest="$root/.tmp/ansible-test-$name/ansible_collections/hpcops/clusters" ;;
esac

mkdir -p "$dest/tests"
# Empty the copy except tests/output.
find "$dest" -mindepth 1 -maxdepth 1 ! -name tests -exec rm -rf {} +
find "$dest/tests" -mindepth 1 -maxdepth 1 ! -name output -exec rm -rf {} +

cd "$root"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1 \
        && [ "$(git rev-parse --show-toplevel)" = "$(pwd -P)" ]; then
    git ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' f; do
            # skip tracked files deleted from the work tree; keep symlinks as they are
            if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
        done \
        | tar --null --no-recursion -T - -cf - \
        | tar -xf - -C "$dest"
else
    tar --exclude=./.git --exclude=./.venv --exclude=./.tmp --exclude=./tests/output \
        --exclude=__pycache__ --exclude=.pytest_cache --exclude='*.pyc' -cf - . \
        | tar -xf - -C "$dest"
fi
echo "$dest"
