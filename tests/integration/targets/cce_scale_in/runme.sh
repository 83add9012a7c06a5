#!/usr/bin/env bash
# The cce_scale_in role against the simulator (tests/integration/test_role_cce_scale_in.py
# before): a check-mode run, then the real runs. A script target because the role reads
# ansible_check_mode, which only --check sets (see ../ehpc_scale/runme.sh), and because a
# password must stay out of everything a run prints. Each run logs to ANSIBLE_LOG_PATH; the
# playbooks assert on what the role printed by reading that log on the controller.
# output_dir and integration_config are set by runme_lib.sh, which shellcheck does not follow.
# shellcheck disable=SC2154
set -euo pipefail
source ../setup_simulator/runme_lib.sh

ANSIBLE_LOG_PATH="$output_dir/check.log" run_playbook check check.yml --check
ANSIBLE_LOG_PATH="$output_dir/real.log" run_playbook real playbook.yml

# playbook.yml removes nodes logging in with the password $6$saltsalt$notarealhash...: no run
# may print it (the role hides the login with no_log).
if grep -F notarealhash "$output_dir/check.out" "$output_dir/real.out"; then
    echo "a password login was printed" >&2
    exit 1
fi
