"""Benchmark: time from HPC jobs pending to the added compute nodes active (not a pytest test).

    .venv/bin/python tests/bench/autoscale.py [--runs N] [--job-seconds S]

Starts its own simulator (add jobs take --job-seconds), queues three jobs on a cluster whose
two compute nodes are busy, runs playbooks/ehpc_autoscale.yml once (the AWX-schedule path,
one run of the role: read, decide, add, wait) and prints the wall time from queueing the jobs
to all five compute nodes active, median and max over --runs runs. Figures only; no goal.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

# pylint: disable=wrong-import-position
from tests.integration.ansible_runner import run_playbook  # noqa: E402
from tests.simulator.fixture import running_simulator  # noqa: E402
from tests.simulator.world import EHPC_CLUSTER_ID  # noqa: E402

PLAYBOOK = REPO_ROOT / "playbooks" / "ehpc_autoscale.yml"


def active_compute(sim) -> int:
    nodes = sim.state()["ehpc"]["clusters"][EHPC_CLUSTER_ID]["nodes"].values()
    return sum(1 for n in nodes if n["role"] == "compute" and n["status"] == "active" and not n.get("transition_status"))


def one_run(job_seconds: float) -> float:
    with running_simulator(job_seconds=job_seconds) as sim:
        sim.start_hpc_job(["compute01", "compute02"], job_name="running")
        start = time.perf_counter()
        for i in range(3):
            sim.queue_hpc_job(job_name="wait%d" % i)
        run = run_playbook(PLAYBOOK, sim.url, ["-e", "ehpc_autoscale_cluster_id=%s" % EHPC_CLUSTER_ID,
                                               "-e", "ehpc_autoscale_max_nodes=5"])
        if run.rc != 0:
            raise SystemExit("autoscale run failed: %r" % run)
        while active_compute(sim) < 5:
            time.sleep(0.02)
        return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--job-seconds", type=float, default=2.0)
    args = parser.parse_args(argv)
    times = [one_run(args.job_seconds) for _run in range(args.runs)]
    print("jobs pending -> 3 nodes added and active (simulator add job %.1f s, load %s): median %.2f s, max %.2f s"
          " over %d runs" % (args.job_seconds, " ".join("%.2f" % x for x in os.getloadavg()),
                             statistics.median(times), max(times), len(times)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
