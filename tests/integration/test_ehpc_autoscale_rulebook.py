"""The ehpc_queue event source and the autoscale rulebook under the real ansible-rulebook.

ansible-rulebook (with Java 17) lives in .tmp/eda-venv, made by hack/eda_rulebook.sh. Without
it the test skips locally and FAILS under CI=true. The deadline bounds the wait; it is not
a performance assertion.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.integration.ansible_runner import BIN_DIR, REPO_ROOT, collections_path
from tests.integration.role_runs import EHPC_CLUSTER, ehpc_nodes

EDA_BIN = REPO_ROOT / ".tmp" / "eda-venv" / "bin"
RULEBOOK = REPO_ROOT / "extensions" / "eda" / "rulebooks" / "ehpc_autoscale.yml"
DEADLINE = 180


def rulebook_or_fail():
    if (EDA_BIN / "ansible-rulebook").exists():
        return str(EDA_BIN / "ansible-rulebook")
    message = "ansible-rulebook missing: run bash hack/eda_rulebook.sh (needs Java 17: openjdk-17-jre-headless)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def test_pending_jobs_lead_to_a_scale_out_through_the_rulebook(sim, tmp_path):
    rulebook = rulebook_or_fail()
    sim.start_hpc_job(["compute01", "compute02"], job_name="running")
    for i in range(3):
        sim.queue_hpc_job(job_name="wait%d" % i)
    (tmp_path / "inventory.yml").write_text("all:\n  hosts:\n    localhost:\n      ansible_connection: local\n"
                                            "      ansible_python_interpreter: %s\n" % sys.executable)
    (tmp_path / "vars.yml").write_text("ehpc_cluster_id: %s\nehpc_poll_interval: 1\n" % EHPC_CLUSTER)
    env = dict(os.environ, **sim.env())
    env.update(PATH="%s:%s:%s" % (EDA_BIN, BIN_DIR, os.environ["PATH"]),
               ANSIBLE_COLLECTIONS_PATH=str(collections_path()), PYTHONPATH=str(collections_path()))
    log = (tmp_path / "rulebook.log").open("w")
    proc = subprocess.Popen([rulebook, "-r", str(RULEBOOK), "-i", str(tmp_path / "inventory.yml"),
                             "--vars", str(tmp_path / "vars.yml"), "-S", str(REPO_ROOT / "extensions/eda/plugins/event_source")],
                            cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + DEADLINE
        while len(ehpc_nodes(sim, "compute")) < 5 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
        log.flush()
        assert len(ehpc_nodes(sim, "compute")) == 5, (tmp_path / "rulebook.log").read_text()[-3000:]
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
