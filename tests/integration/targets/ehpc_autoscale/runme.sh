#!/usr/bin/env bash
# The ehpc_autoscale role against the simulator: the check-mode run (check.yml), then the real
# cases (playbook.yml, one host of inventory.yml per case; why a script target: see
# ../ehpc_scale/runme.sh). Both compute nodes run a job and three jobs wait, so the role
# decides 2 -> 5; once the queued jobs are done, the two idle new nodes go.
set -euo pipefail
source ../setup_simulator/runme_lib.sh
source ../setup_simulator/runme_cases.sh

run_playbook check check.yml --check
expect_line check "ehpc-8jqdq0mz: 3 jobs pending, 0 idle nodes: 2 -> 5, 1 nodes per pending job (check mode: nothing was changed)\""
expect_line check "compute nodes of ehpc-8jqdq0mz: 2 now, 5 decided (check mode: nothing was changed); would add 3 node(s)\""

# The cases fail the run only through their asserts: expected failures are rescued.
run_playbook real playbook.yml -i inventory.yml
expect_msg real scale_out "ehpc-8jqdq0mz: 3 jobs pending, 0 idle nodes: 2 -> 5, 1 nodes per pending job"
expect_msg real scale_out "compute nodes of ehpc-8jqdq0mz: 2 -> 5; added "
expect_msg real scale_in "ehpc-8jqdq0mz: 0 jobs pending, 2 idle nodes: 5 -> 3"
