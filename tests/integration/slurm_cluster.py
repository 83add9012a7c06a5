"""A real Slurm cluster for the tests: munged, slurmctld and slurmd from Debian's packages.

``slurm_session`` starts, once per pytest worker, in its own temporary directory and on free
ports: munged (own key, socket, pid and log), slurmctld -D and slurmd -D. The one real node,
``compute01``, is this host; ``compute[02-04]`` are defined on a port nobody listens on, so
Slurm shows them as not responding. Client commands find the cluster through SLURM_CONF
(exported for the session, and in ``SlurmCluster.env``); slurm.conf's ``AuthInfo=socket=``
points clients at this munged. Every daemon is stopped by its PID at the end.

``slurm`` (per test) hands out that cluster with no job left and compute01 idle.

Without the packages the tests skip, saying what to install; under CI=true they fail instead,
as they do when the daemons are installed but do not start.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest

REAL_NODE = "compute01"
GHOST_NODES = "compute[02-04]"
ALL_NODES = ("compute01", "compute02", "compute03", "compute04")
START_DEADLINE = 90
DAEMONS = ("munged", "slurmctld", "slurmd")
CLIENTS = ("scontrol", "sinfo", "squeue", "sbatch", "scancel")
INSTALL_HINT = ("install Slurm and MUNGE: bash hack/install_slurm.sh "
                "(as root: apt-get install --no-install-recommends slurm-wlm munge)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _command(name: str) -> str | None:
    # The daemons live in /usr/sbin, which a non-root PATH often lacks.
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin:/usr/local/sbin")


def poll(check, deadline: float, what: str, interval: float = 0.2):
    """Call ``check()`` until it returns something true; fail with ``what`` after ``deadline`` s."""
    end = time.monotonic() + deadline
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > end:
            raise TimeoutError("timed out after %ss waiting for %s" % (deadline, what))
        time.sleep(interval)


class SlurmCluster:
    def __init__(self, root: Path):
        self.root = root
        self.conf = root / "slurm.conf"
        self.munge_socket = root / "munge" / "munge.socket"
        self.logs = root / "log"
        self.env = {"SLURM_CONF": str(self.conf)}
        self.processes: list = []
        self.real_node = REAL_NODE
        self.ghost_nodes = GHOST_NODES

    # --- commands ---------------------------------------------------------------

    def run(self, *args: str, check: bool = True, timeout: float = 30) -> subprocess.CompletedProcess:
        env = dict(os.environ, **self.env)
        proc = subprocess.run(list(args), env=env, capture_output=True, text=True, timeout=timeout, check=False)
        if check and proc.returncode != 0:
            raise RuntimeError("%s failed (rc %s): %s%s" % (" ".join(args), proc.returncode, proc.stdout, proc.stderr))
        return proc

    def node_state(self, name: str = REAL_NODE) -> str:
        """``scontrol`` state of a node, e.g. ``IDLE`` or ``ALLOCATED+DRAIN``."""
        out = self.run("scontrol", "--oneliner", "show", "node", name).stdout
        for word in out.split():
            if word.startswith("State="):
                return word[len("State="):]
        raise RuntimeError("no State= in %r" % out)

    def submit(self, seconds: float, node: str = REAL_NODE) -> str:
        """``sbatch --wrap 'sleep N'`` on ``node``; returns the job ID once the job runs."""
        out = self.run("sbatch", "--parsable", "--nodelist", node, "--chdir", str(self.root),
                       "--output", "/dev/null", "--job-name", "hpcops-test",
                       "--wrap", "sleep %s" % seconds).stdout
        job_id = out.strip().split(";")[0]
        poll(lambda: self.job_state(job_id) == "RUNNING", 60, "job %s to run" % job_id)
        return job_id

    def job_state(self, job_id: str) -> str:
        """squeue's state of a job, "" once it has left the queue."""
        return self.run("squeue", "--noheader", "--jobs", job_id, "--format", "%T", check=False).stdout.strip()

    def jobs(self) -> list:
        return self.run("squeue", "--noheader", "--format", "%i").stdout.split()

    def node_states(self) -> dict:
        """``scontrol`` state of every node, from one call: {name: state}."""
        states = {}
        for line in self.run("scontrol", "--oneliner", "show", "node").stdout.splitlines():
            # Reason=, which may hold spaces and '=', comes after NodeName= and State=.
            words = line.split()
            name = [w[len("NodeName="):] for w in words if w.startswith("NodeName=")][:1]
            state = [w[len("State="):] for w in words if w.startswith("State=")][:1]
            if name and state:
                states[name[0]] = state[0]
        missing = [name for name in ALL_NODES if name not in states]
        if missing:
            raise RuntimeError("scontrol shows no state for %s" % ", ".join(missing))
        return states

    def reset(self) -> None:
        """No job left, every node resumed, compute01 idle and responding.

        Each look is one scontrol process for all nodes: a clean cluster costs two processes
        (squeue, scontrol) instead of the ten a look per node took.
        """
        jobs = self.jobs()
        if jobs:
            self.run("scancel", *jobs, check=False)
            poll(lambda: not self.jobs(), 60, "jobs %s to leave the queue" % ", ".join(jobs))
        states = self.node_states()
        resumed = [name for name in ALL_NODES
                   if "DRAIN" in states[name] or "FAIL" in states[name] or states[name].startswith("DOWN")]
        for name in resumed:
            # One node per call: slurmctld may stop at a node it refuses. 22.05 refuses
            # RESUME for a drained node that never registered, after clearing DRAIN.
            self.run("scontrol", "update", "NodeName=" + name, "State=RESUME", check=False)
        if resumed or states[REAL_NODE] != "IDLE":
            def idle():
                now = self.node_states()
                return now if now[REAL_NODE] == "IDLE" else None

            # Half-second steps: a resumed node answers slurmctld's next ping some seconds later.
            states = poll(idle, 60, "%s to be IDLE again" % REAL_NODE, interval=0.5)
        still = [name for name in ALL_NODES if "DRAIN" in states[name]]
        if still:
            raise RuntimeError("nodes still drained after RESUME: %s" % ", ".join(still))

    # --- start / stop -----------------------------------------------------------

    def _start(self, name: str, args: list) -> None:
        log = (self.logs / (name + ".out")).open("w")
        env = dict(os.environ, **self.env)
        self.processes.append((name, subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env,
                                                      cwd=str(self.root), start_new_session=True)))
        log.close()

    def _alive(self) -> None:
        for name, proc in self.processes:
            if proc.poll() is not None:
                raise RuntimeError("%s exited with %s:\n%s" % (name, proc.returncode, self.log_tail()))

    def log_tail(self) -> str:
        parts = []
        for path in sorted(self.logs.glob("*")):
            lines = path.read_text(errors="replace").splitlines()[-15:]
            parts.append("--- %s\n%s" % (path.name, "\n".join(lines)))
        return "\n".join(parts)

    def write_conf(self) -> None:
        host = socket.gethostname().split(".")[0]
        cpus = max(1, min(os.cpu_count() or 1, 4))
        user = pwd.getpwuid(os.getuid()).pw_name
        root = self.root
        self.conf.write_text("\n".join([
            "ClusterName=hpcops%d" % os.getpid(),
            # slurmctld only runs on the host slurm.conf names; the address spares a DNS lookup.
            "SlurmctldHost=%s(127.0.0.1)" % host,
            "SlurmctldPort=%d" % _free_port(),
            "SlurmdPort=%d" % _free_port(),
            "AuthType=auth/munge",
            "CredType=cred/munge",
            "AuthInfo=socket=%s" % self.munge_socket,
            # root in CI; a developer's own user elsewhere (slurmd then runs only that user's jobs).
            "SlurmUser=%s" % user,
            "SlurmdUser=%s" % user,
            "StateSaveLocation=%s" % (root / "state"),
            "SlurmdSpoolDir=%s" % (root / "spool"),
            "SlurmctldPidFile=%s" % (root / "slurmctld.pid"),
            "SlurmdPidFile=%s" % (root / "slurmd.pid"),
            "SlurmctldLogFile=%s" % (self.logs / "slurmctld.log"),
            "SlurmdLogFile=%s" % (self.logs / "slurmd.log"),
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core",
            "JobAcctGatherType=jobacct_gather/none",
            "AccountingStorageType=accounting_storage/none",
            "MpiDefault=none",
            "ReturnToService=2",
            # A node that stops answering is DOWN after this long (the ghost nodes, quickly).
            "SlurmdTimeout=30",
            "NodeName=%s NodeHostname=%s NodeAddr=127.0.0.1 CPUs=%d State=UNKNOWN" % (REAL_NODE, host, cpus),
            # Nothing listens on this port: these nodes never answer.
            "NodeName=%s NodeHostname=%s NodeAddr=127.0.0.1 Port=%d CPUs=1 State=UNKNOWN"
            % (GHOST_NODES, host, _free_port()),
            "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP",
            "",
        ]))

    def start(self) -> None:
        for sub in ("munge", "state", "spool", "log"):
            (self.root / sub).mkdir(mode=0o755)
        key = self.root / "munge" / "munge.key"
        subprocess.run([_command("mungekey") or "mungekey", "--create", "--keyfile", str(key)],
                       check=True, capture_output=True)
        key.chmod(0o600)
        self.write_conf()
        # munged refuses root unless forced; the tests run as root in CI containers.
        self._start("munged", [_command("munged"), "--foreground", "--force", "--socket", str(self.munge_socket),
                               "--key-file", str(key), "--pid-file", str(self.root / "munge" / "munged.pid"),
                               "--log-file", str(self.logs / "munged.log"),
                               "--seed-file", str(self.root / "munge" / "munged.seed")])
        poll(lambda: self._alive() or self.munge_socket.exists(), 30, "munged's socket")
        self._start("slurmctld", [_command("slurmctld"), "-D", "-i"])
        self._start("slurmd", [_command("slurmd"), "-D", "-N", REAL_NODE])

        def idle():
            self._alive()
            proc = self.run("sinfo", "--noheader", "--nodes", REAL_NODE, "--format", "%T", check=False)
            return proc.returncode == 0 and proc.stdout.strip() == "idle"

        poll(idle, START_DEADLINE, "%s to be idle" % REAL_NODE, interval=0.5)

    def stop(self) -> None:
        # Jobs run under slurmstepd, which outlives slurmd: cancel them while slurmctld is up.
        with contextlib.suppress(Exception):
            jobs = self.jobs()
            if jobs:
                self.run("scancel", *jobs, check=False)
                poll(lambda: not self.jobs(), 30, "jobs to end")
        for _name, proc in reversed(self.processes):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)


def _unavailable(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def slurm_session() -> Iterator[SlurmCluster]:
    """One real Slurm cluster per pytest worker (xdist-safe: own directory, own ports)."""
    missing = [name for name in DAEMONS + CLIENTS + ("mungekey",) if not _command(name)]
    if missing:
        _unavailable("Slurm is not installed (%s missing): %s" % (", ".join(missing), INSTALL_HINT))
    root = Path(tempfile.mkdtemp(prefix="hpcops-slurm-"))
    cluster = SlurmCluster(root)
    saved = os.environ.get("SLURM_CONF")
    try:
        try:
            cluster.start()
        except (RuntimeError, TimeoutError, OSError, subprocess.SubprocessError) as err:
            cluster.stop()
            _unavailable("a local Slurm cluster did not start (%s):\n%s" % (err, cluster.log_tail()))
        os.environ["SLURM_CONF"] = str(cluster.conf)
        yield cluster
    finally:
        cluster.stop()
        if saved is None:
            os.environ.pop("SLURM_CONF", None)
        else:
            os.environ["SLURM_CONF"] = saved
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def slurm(slurm_session: SlurmCluster) -> SlurmCluster:  # pylint: disable=redefined-outer-name
    """The session's cluster with no job and compute01 idle when the test starts.

    Reset before each test only: whatever a test leaves (a drained node, a running job) is
    cleared by the next test's reset, and at the end of the session ``stop`` cancels every job
    and stops the daemons, whose state directory is then removed. A reset after each test as
    well would only repeat the next one's.
    """
    slurm_session.reset()
    return slurm_session
