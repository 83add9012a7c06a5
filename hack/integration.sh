#!/usr/bin/env bash
# Run the collection's `ansible-test integration` targets (tests/integration/targets/) against
# the local API simulator (tests/simulator/server.py).
#
#   hack/integration.sh [--group N] [ansible-test arguments, e.g. target names]
#
# Starts the simulator on a free loopback port, refreshes a copy of the tree for ansible-test
# (hack/ansible_test_tree.sh integration[-groupN]), writes the copy's
# tests/integration/integration_config.yml with the simulator's URL and the environment the
# modules read their credentials and endpoints from, runs
#   ansible-test integration --local --python 3.11 [arguments]
# there, and always stops the simulator. --local and not --venv: the modules need requests and
# jmespath, which .venv has and a fresh ansible-test venv would not.
#
# --group N runs the targets whose aliases say shippable/posix/groupN (Ansible's usual way of
# splitting targets into CI jobs). Each group has its own simulator and copy of the tree, so
# groups run side by side (`make test` runs them as separate pytest tests: tests/checks).
# Without it every target runs, and the config is also written to this checkout's
# tests/integration/integration_config.yml (git-ignored), for running ansible-test by hand.
# Normally started by `make integration` (INTEGRATION_GROUP=N, INTEGRATION_ARGS=...).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

python="$root/.venv/bin/python"
test_python="${TEST_PYTHON:-3.11}"
fail() { echo "integration: $*" >&2; exit 1; }
[ -x "$python" ] || fail ".venv is missing (run: make venv)"

group=""
if [ "${1:-}" = --group ]; then
    group="${2:-}"
    case "$group" in ''|*[!0-9]*) fail "--group needs a group number, got '$group'" ;; esac
    shift 2
    set -- "shippable/posix/group$group/" "$@"
fi
copy_name="integration${group:+-group$group}"

# shellcheck source=hack/simulator.sh
. hack/simulator.sh
# Short job times: the targets wait for every job the modules start.
sim_start "$copy_name" "$python" --job-seconds 0.2
url="$sim_url"
echo "$copy_name: simulator listening on $url"

# The simulator's default world (tests/simulator/README.md, "Default world").
write_config() {
    cat >"$1" <<CONFIG
# Written by hack/integration.sh for one run of the targets; git-ignored.
hpcops_sim_url: "$url"
hpcops_sim_env:
  QINGCLOUD_ACCESS_KEY_ID: QYACCESSKEYIDEXAMPLE
  QINGCLOUD_SECRET_ACCESS_KEY: SECRETACCESSKEY
  QINGCLOUD_ZONE: jn1a
  QINGCLOUD_EHPC_ENDPOINT: "$url"
  HW_REGION_NAME: cn-north-4
  HW_PROJECT_ID: 0123456789abcdef0123456789abcdef
  HW_ACCESS_KEY: HWSIMACCESSKEY
  HW_SECRET_KEY: HWSIMSECRETKEY
  HW_CCE_ENDPOINT: "$url"
  HW_MODELARTS_ENDPOINT: "$url"
  HW_IAM_ENDPOINT: "$url"
CONFIG
}
[ -n "$group" ] || write_config tests/integration/integration_config.yml
tree="$(bash hack/ansible_test_tree.sh "$copy_name")"
write_config "$tree/tests/integration/integration_config.yml"

cd "$tree"
PATH="$root/.venv/bin:$PATH" ANSIBLE_TEST_CONTENT_ROOT="$tree" \
    ansible-test integration --local --python "$test_python" --color no "$@" </dev/null
