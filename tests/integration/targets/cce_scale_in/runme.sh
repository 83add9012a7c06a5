#!/usr/bin/env bash
# The cce_scale_in role against the simulator: a check-mode run, then the real run
# (why a script target: see ../ehpc_scale/runme.sh).
set -euo pipefail
source ../setup_simulator/runme_lib.sh

run_playbook check playbook.yml --check
expect_line check "would remove cce-demo-node-3 ("
expect_in check ") from CCE cluster cce-demo: 3 nodes now, 2 would stay (check mode: nothing was changed)\""

run_playbook real playbook.yml
expect_line real "removed cce-demo-node-3 ("
expect_in real ") from CCE cluster cce-demo: 3 -> 2 nodes\""
