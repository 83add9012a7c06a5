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
if [ -L "$link" ]; then
    if [ "$(cd "$link" && pwd -P)" != "$(cd "$root" && pwd -P)" ]; then
        rm -f "$link"
    fi
elif [ -e "$link" ]; then
    echo "collection_tree.sh: $link exists and is not a symlink; remove it (make clean)" >&2
    exit 1
fi
[ -L "$link" ] || ln -s ../../../.. "$link"
echo "$link"
