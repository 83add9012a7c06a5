#!/usr/bin/env bash
# Run playbooks/demo.yml against the local API simulator (tests/simulator/server.py).
#
# Starts the simulator on a free loopback port, exports the simulator's default
# credentials and endpoints as the environment variables the modules read, runs
#   ansible-playbook -i playbooks/inventory/simulator.yml playbooks/demo.yml [extra args]
# and always stops the simulator again. Extra arguments are passed to ansible-playbook.
# HPCOPS_SIM_ARGS adds simulator flags (words split on blanks), e.g. the seed pages' reading of
# the EHPC API (tests/simulator/README.md, "variants"):
#   HPCOPS_SIM_ARGS="--ehpc-delete-ids-key node_list --ehpc-restart-route resatrtNodes" make demo
# Normally started by `make demo` (which prepares .venv and the collection path).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

server=tests/simulator/server.py
playbook=playbooks/demo.yml
inventory=playbooks/inventory/simulator.yml

fail() { echo "demo: $*" >&2; exit 1; }

[ -f "$server" ] || fail "$server is missing: the simulator is not in this tree yet"
[ -f "$playbook" ] || fail "$playbook is missing: the demo playbook is not in this tree yet"
[ -f "$inventory" ] || fail "$inventory is missing: the demo inventory is not in this tree yet"

# Prefer the project venv (make venv), or the venv HPCOPS_VENV names (make matrix runs the demo
# in each ansible-core venv); fall back to whatever is on PATH.
venv="${HPCOPS_VENV:-$root/.venv}"
if [ -x "$venv/bin/python" ]; then
    python="$venv/bin/python"
    ansible_playbook="$venv/bin/ansible-playbook"
else
    python="$(command -v python3)" || fail "python3 not found"
    ansible_playbook="$(command -v ansible-playbook)" || fail "ansible-playbook not found (run: make venv)"
fi

# Make the collection in this tree resolvable as hpcops.clusters.
bash hack/collection_tree.sh >/dev/null
export ANSIBLE_COLLECTIONS_PATH="${ANSIBLE_COLLECTIONS_PATH:-$root/.tmp/collections}"
# Modules run on the controller (localhost); use the interpreter that has requests/jmespath.
export ANSIBLE_PYTHON_INTERPRETER="${ANSIBLE_PYTHON_INTERPRETER:-$python}"

read -r -a sim_args <<<"${HPCOPS_SIM_ARGS:-}"
# shellcheck source=hack/simulator.sh
. hack/simulator.sh
sim_start demo "$python" ${sim_args[@]+"${sim_args[@]}"}
url="$sim_url"
echo "demo: simulator listening on $url${HPCOPS_SIM_ARGS:+ (with $HPCOPS_SIM_ARGS)}"

# The simulator's default world (see docs/simulator.md).
export QINGCLOUD_ACCESS_KEY_ID=QYACCESSKEYIDEXAMPLE
export QINGCLOUD_SECRET_ACCESS_KEY=SECRETACCESSKEY
export QINGCLOUD_ZONE=jn1a
export QINGCLOUD_EHPC_ENDPOINT="$url"
export HW_REGION_NAME=cn-north-4
export HW_PROJECT_ID=0123456789abcdef0123456789abcdef
export HW_ACCESS_KEY=HWSIMACCESSKEY
export HW_SECRET_KEY=HWSIMSECRETKEY
export HW_CCE_ENDPOINT="$url"
export HW_MODELARTS_ENDPOINT="$url"
export HW_IAM_ENDPOINT="$url"

"$ansible_playbook" -i "$inventory" "$playbook" "$@" </dev/null
