#!/usr/bin/env bash
# The ehpc_autoscale role against the simulator: a check-mode run, then the real run
# (why a script target: see ../ehpc_scale/runme.sh). Both compute nodes run a job and three
# jobs wait, so the role decides 2 -> 5.
set -euo pipefail
source ../setup_simulator/runme_lib.sh

run_playbook check playbook.yml --check
expect_line check "ehpc-8jqdq0mz: 3 jobs pending, 0 idle nodes: 2 -> 5, 1 nodes per pending job (check mode: nothing was changed)\""
expect_line check "compute nodes of ehpc-8jqdq0mz: 2 now, 5 decided (check mode: nothing was changed); would add 3 node(s)\""

run_playbook real playbook.yml
expect_line real "ehpc-8jqdq0mz: 3 jobs pending, 0 idle nodes: 2 -> 5, 1 nodes per pending job\""
expect_line real "compute nodes of ehpc-8jqdq0mz: 2 -> 5; added "
