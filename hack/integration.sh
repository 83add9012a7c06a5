#!/usr/bin/env bash
# Run the collection's `ansible-test integration` targets (tests/integration/targets/) against
# the local API simulator (tests/simulator/server.py).
#
# Starts the simulator on a free loopback port, writes tests/integration/integration_config.yml
# (git-ignored) with its URL and the environment the modules read their credentials and endpoints
# from, refreshes the ansible-test copy of the tree (hack/ansible_test_tree.sh; the config is
# written into the copy too, since the copy takes only files git does not ignore), runs
#   ansible-test integration --local --python 3.11 [extra args]
# there, and always stops the simulator. --local and not --venv: the modules need requests and
# jmespath, which .venv has and a fresh ansible-test venv would not. Extra arguments go to
# ansible-test (e.g. a target name). Normally started by `make integration`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

python="$root/.venv/bin/python"
test_python="${TEST_PYTHON:-3.11}"
fail() { echo "integration: $*" >&2; exit 1; }
[ -x "$python" ] || fail ".venv is missing (run: make venv)"

# shellcheck source=hack/simulator.sh
. hack/simulator.sh
# Short job times: the targets wait for every job the modules start.
sim_start integration "$python" --job-seconds 0.2
url="$sim_url"
echo "integration: simulator listening on $url"

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
write_config tests/integration/integration_config.yml
tree="$(bash hack/ansible_test_tree.sh)"
write_config "$tree/tests/integration/integration_config.yml"

cd "$tree"
PATH="$root/.venv/bin:$PATH" ANSIBLE_TEST_CONTENT_ROOT="$tree" \
    ansible-test integration --local --python "$test_python" --color no "$@" </dev/null
