#!/usr/bin/env bash
# The cce_scale role against the simulator (tests/integration/test_role_cce_scale.py before):
# a check-mode run, then the real runs. A script target because the role reads
# ansible_check_mode, which only --check sets (see ../ehpc_scale/runme.sh). The role prints its
# summary with debug: each run logs to ANSIBLE_LOG_PATH and the playbooks assert on what the
# role printed by reading that log (the lookup runs on the controller, no module run).
# output_dir and integration_config are set by runme_lib.sh, which shellcheck does not follow.
# shellcheck disable=SC2154
set -euo pipefail
source ../setup_simulator/runme_lib.sh

ANSIBLE_LOG_PATH="$output_dir/check.log" run_playbook check check.yml --check
ANSIBLE_LOG_PATH="$output_dir/real.log" run_playbook real playbook.yml
