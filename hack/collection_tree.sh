#!/usr/bin/env bash
# Make the repository reachable as an installed collection:
#   .tmp/collections/ansible_collections/hpcops/clusters -> <repo root>  (relative symlink)
# ansible / ansible-playbook find it with ANSIBLE_COLLECTIONS_PATH=<repo>/.tmp/collections,
# Python imports it as ansible_collections.hpcops.clusters with PYTHONPATH=<repo>/.tmp/collections,
# and ansible-test runs with ANSIBLE_TEST_CONTENT_ROOT set to the symlink path (see Makefile).
# Prints the path of the symlink. Idempotent.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
parent="$root/.tmp/collections/ansible_collections/hpcops"
link="$parent/clusters"

mkdir -p "$parent"
if [ -e "$link" ] && [ ! -L "$link" ]; then
    echo "collection_tree.sh: $link exists and is not a symlink; remove it (make clean)" >&2
    exit 1
fi
# A missing, dangling or stale link is replaced by rename(2): pytest-xdist workers and make
# may run this at the same moment, and each of them must find a link there afterwards.
if [ ! -L "$link" ] || [ "$(cd "$link" 2>/dev/null && pwd -P)" != "$(cd "$root" && pwd -P)" ]; then
    scratch="$parent/.clusters.$$"
    ln -sfn ../../../.. "$scratch"
    mv -T "$scratch" "$link"
fi
echo "$link"
