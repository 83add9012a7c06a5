#!/usr/bin/env bash
# The ehpc_rolling_restart role against the simulator: the check-mode runs (check.yml), then the
# real cases (playbook.yml, one host of inventory.yml per case; why a script target: see
# ../ehpc_scale/runme.sh). The playbooks assert the role's summary and failure report from the
# facts the role prints them from; here, one printed summary of each kind and the recaps.
set -euo pipefail
source ../setup_simulator/runme_lib.sh
source ../setup_simulator/runme_cases.sh

run_playbook check check.yml --check
expect_line check "would restart 4 of 4 nodes of ehpc-8jqdq0mz in 2 batch(es) of up to 2: compute01 ("

# The cases fail the run only through their asserts: expected failures are rescued.
run_playbook real playbook.yml -i inventory.yml
expect_msg real batches_of_two "restarted 4 of 4 nodes of ehpc-8jqdq0mz in 2 batch(es) of up to 2: compute01 ("
# Each restart sent is a change, also one that then timed out.
expect_recap real batches_of_two changed=2 failed=0
expect_recap real timed_out changed=1 failed=0
