#!/usr/bin/env bash
# The ehpc_scale role against the simulator: a check-mode run (check.yml), then the real cases
# (playbook.yml, one host of inventory.yml per case).
# A script target and not a role target because the role reads ansible_check_mode, which only
# --check sets (a task's check_mode keyword leaves it false), and because the role's summary is
# a debug message and a failure's report counts in the recap: both are asserted here, in the
# output; the playbooks assert the results, the call log and the simulator's state.
set -euo pipefail
source ../setup_simulator/runme_lib.sh
source ../setup_simulator/runme_cases.sh

run_playbook check check.yml --check
expect_line check "compute nodes of ehpc-8jqdq0mz: 2 now, 4 wanted (check mode: nothing was changed); would add 2 node(s)"

# The cases fail the run only through their asserts: expected failures are rescued.
run_playbook real playbook.yml -i inventory.yml
# The summaries naming nodes by ID: scale_out, scale_again, scale_in_login.
expect_announced real 3
expect_recap real scale_out changed=1 failed=0
expect_recap real scale_again changed=0 failed=0
# The addNodes call was accepted: the report and the recap say the cluster changed although
# the job failed.
expect_msg real job_fail "sent before the failure: job(s) j-" changed
expect_recap real job_fail changed=1 failed=0
expect_msg real busy "nothing was changed" ok
expect_recap real busy changed=0 failed=0
