#!/usr/bin/env bash
# The demo playbook, playbooks/module_defaults.yml and the roles' argument specs against the
# simulator (tests/integration/test_roles_playbooks.py before). The project's playbooks run as
# they are, from the collection ansible-test tests (ANSIBLE_COLLECTIONS_PATH); the checks are plays of this directory run in the same
# ansible-playbook process (several playbooks on one command line run one after another).
# Each run logs to ANSIBLE_LOG_PATH; a later play reads an earlier run's log on the controller
# to assert what it printed.
# output_dir and integration_config are set by runme_lib.sh, which shellcheck does not follow.
# shellcheck disable=SC2154
set -euo pipefail
source ../setup_simulator/runme_lib.sh

# ansible-test runs a copy of this directory; the collection's own tree is under its collection root.
playbooks="${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/hpcops/clusters/playbooks"
sim_url="$(sed -n 's/^hpcops_sim_url: "\(.*\)"$/\1/p' "$integration_config")"

# 1. The demo from a fresh world, on the simulator inventory, with the credentials in the
#    environment (the simulator's, from the integration config), as `make demo` runs it.
(
    eval "$(sed -n 's/^  \([A-Z_]*\): "\{0,1\}\([^"]*\)"\{0,1\}$/export \1="\2"/p' "$integration_config")"
    ANSIBLE_LOG_PATH="$output_dir/demo.log" run_playbook demo -i "$playbooks/inventory/simulator.yml" \
        reset.yml "$playbooks/demo.yml"
)

# 2. Check the demo's outcome and the roles' argument specs, reset the world, then
#    module_defaults.yml with no credential in the environment: everything reaches the modules
#    through module_defaults, from extra vars.
ANSIBLE_LOG_PATH="$output_dir/extra.log" run_playbook extra demo_checks.yml "$playbooks/module_defaults.yml" \
    -e playbooks_demo_log="$output_dir/demo.log" -e "{
  \"qingcloud_access_key_id\": \"QYACCESSKEYIDEXAMPLE\", \"qingcloud_secret_access_key\": \"SECRETACCESSKEY\",
  \"qingcloud_zone\": \"jn1a\", \"qingcloud_ehpc_endpoint\": \"$sim_url\",
  \"huaweicloud_region\": \"cn-north-4\", \"huaweicloud_project_id\": \"0123456789abcdef0123456789abcdef\",
  \"huaweicloud_access_key\": \"HWSIMACCESSKEY\", \"huaweicloud_secret_key\": \"HWSIMSECRETKEY\",
  \"huaweicloud_cce_endpoint\": \"$sim_url\", \"huaweicloud_modelarts_endpoint\": \"$sim_url\",
  \"huaweicloud_iam_endpoint\": \"$sim_url\"}"

# 3. module_defaults.yml with the credentials from the environment, then the checks of 2 and 3.
(
    eval "$(sed -n 's/^  \([A-Z_]*\): "\{0,1\}\([^"]*\)"\{0,1\}$/export \1="\2"/p' "$integration_config")"
    run_playbook env "$playbooks/module_defaults.yml" module_defaults_checks.yml -e playbooks_extra_log="$output_dir/extra.log"
)
