#!/usr/bin/env bash
# The ehpc_rolling_restart role against the simulator: a check-mode run, then the real run
# (why a script target: see ../ehpc_scale/runme.sh).
set -euo pipefail
source ../setup_simulator/runme_lib.sh

run_playbook check playbook.yml --check
expect_line check "would restart 4 of 4 nodes of ehpc-8jqdq0mz in 2 batch(es) of up to 2: compute01 ("

run_playbook real playbook.yml
expect_line real "restarted 4 of 4 nodes of ehpc-8jqdq0mz in 2 batch(es) of up to 2: compute01 ("
