#!/usr/bin/env bash
# The ehpc_scale role against the simulator: a check-mode run, then the real run.
# A script target and not a role target because the role reads ansible_check_mode, which only
# --check sets (a task's check_mode keyword leaves it false), and because the role's summary is
# a debug message: it is asserted here, in the output, and playbook.yml asserts the results.
set -euo pipefail
source ../setup_simulator/runme_lib.sh

run_playbook check playbook.yml --check
expect_line check "compute nodes of ehpc-8jqdq0mz: 2 now, 4 wanted (check mode: nothing was changed); would add 2 node(s)"

run_playbook real playbook.yml
expect_line real "compute nodes of ehpc-8jqdq0mz: 2 -> 4; added "
