#!/usr/bin/env bash
# The cce_scale role against the simulator: a check-mode run, then the real run
# (why a script target: see ../ehpc_scale/runme.sh).
set -euo pipefail
source ../setup_simulator/runme_lib.sh

run_playbook check playbook.yml --check
expect_line check "node pool pool-compute of cce-pools: 2 now, 5 wanted (check mode: nothing was changed); would add 3 node(s)\""

run_playbook real playbook.yml
expect_line real "node pool pool-compute of cce-pools: 2 -> 5; added "
