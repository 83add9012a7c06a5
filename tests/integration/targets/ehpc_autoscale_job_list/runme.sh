#!/usr/bin/env bash
# The ehpc_autoscale role and the HPC job list (issue 28 item 5, issue 29 item 2): the job
# history is not read as pending or running jobs, and a running job that cannot be placed keeps
# every node. A script target (why: see ../ehpc_scale/runme.sh): the first case needs --check and
# the role's decision is a debug message, checked here in the output; the playbooks assert the
# results and the simulator's call log.
set -euo pipefail
source ../setup_simulator/runme_lib.sh

# Five finished jobs, one pending and one running on compute01, behind a server that ignores the
# status filter: one pending job, one idle node, so no scale-out.
run_playbook history history.yml --check
expect_line history "ehpc-8jqdq0mz: 1 jobs pending, 1 idle nodes: stay at 2, idle nodes can take the pending jobs (check mode: nothing was changed)\""

# A running job with an empty node list, then min_nodes under one (unplaced.yml).
run_playbook unplaced unplaced.yml
expect_line unplaced "ehpc-8jqdq0mz: 0 jobs pending, 0 idle nodes: stay at 2"
