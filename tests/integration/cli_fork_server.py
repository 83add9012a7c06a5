"""Run ``ansible-playbook``, ``ansible-inventory`` and ``ansible-doc`` as forks of a process that has imported them.

Why: the suite starts these CLIs a few hundred times, and each start spends about 0.5 CPU-s
importing ansible-core before it reads its first argument (measured: ``python -c "import
ansible.cli.playbook"`` takes 0.45-0.55 CPU-s of a 0.8 CPU-s one-task playbook run). On a 2-CPU
machine that is a minute of the suite's wall time.

How: one server process per CLI and per environment imports the CLI module once. For each run
it forks a child that does what the installed script does: the same ``sys.argv``, the same
environment (the server was started with it, and ansible-core reads its configuration from the
environment when ``ansible.constants`` is imported), its own working directory, stdin from
/dev/null, stdout and stderr to files, and ``runpy`` executing the script file from
``.venv/bin`` as ``__main__``. The child ends the way the interpreter ends: non-daemon threads
joined, atexit handlers run, streams flushed, the exit status from ``SystemExit``.

What would differ from a fresh process, and is put right in the child: ``C.DEFAULT_LOCAL_TMP``,
the one setting ansible-core turns into a directory at import (``tmppath``). Every child makes
its own, as a fresh process would, and removes it at exit.

What the runs of one server share on purpose: the AnsiballZ payload cache
(``<local tmp>/ansiballz_cache``, a link to the server's). ansible-core builds a module's payload
(the module and the module_utils it imports, zipped) once per run and shares it among the run's
forks; building it again costs ~0.25 CPU-s per module per run (measured: a role run in check
mode took 3.0-3.4 CPU-s with its own cache and 2.5-2.65 with the shared one). Runs of one server
have the same environment, so the same collection path, and the collection's files do not
change during a test session; the payload a run would build is the one in the cache. A new
session starts new servers, so an edit is always picked up.

Everything of this collection (its plugins through the collection loader, its modules in their
own AnsiballZ processes) is loaded by the child after the fork, fresh for each run.

``HPCOPS_TEST_FORK_SERVER=0`` runs every CLI as a plain subprocess instead;
tests/integration/test_cli_fork_server.py checks that both ways give the same results.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

# The module each installed script imports and calls (.venv/bin/<name>).
CLI_MODULES = {
    "ansible-playbook": "ansible.cli.playbook",
    "ansible-inventory": "ansible.cli.inventory",
    "ansible-doc": "ansible.cli.doc",
}
# Imported by the server beside the CLI module: what every run imports later anyway. Only modules
# without configuration of their own (no plugins, which the plugin loader must load in the child).
WARM_MODULES = (
    "ansible.executor.playbook_executor", "ansible.executor.task_queue_manager", "ansible.executor.task_executor",
    "ansible.executor.process.worker", "ansible.inventory.manager", "ansible.vars.manager", "ansible.template",
    "ansible.playbook", "ansible.playbook.play", "ansible.playbook.role", "ansible.playbook.block",
    "ansible.playbook.task", "ansible.parsing.dataloader", "ansible.executor.module_common",
)
ENABLED_VARIABLE = "HPCOPS_TEST_FORK_SERVER"
MAX_SERVERS = 4
# Set by pytest for each test: a server serves the runs of many tests, and the child sets the
# run's own value. Every other variable is part of the server's identity.
PER_RUN_VARIABLES = ("PYTEST_CURRENT_TEST",)


# --- client side (the test process) -------------------------------------------------------------

class ServerUnavailable(RuntimeError):
    """The CLI cannot even be imported with this environment (e.g. a bad ANSIBLE_* value)."""


class _Server:
    def __init__(self, program: str, env: dict, cwd: str):
        self.program = program
        self.lock = threading.Lock()
        # Started in the runs' directory: ansible-core looks for ./ansible.cfg when it imports its
        # configuration.
        self.proc = subprocess.Popen([sys.executable, __file__, program], env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=cwd)
        ready = self.proc.stdout.readline()
        if json.loads(ready or b"{}").get("ready") is not True:
            self.close()
            raise ServerUnavailable("the fork server for %s did not start: %r" % (program, ready))

    def run(self, argv: list, env: dict, timeout: float, scratch: Path) -> subprocess.CompletedProcess:
        out, err = scratch / "stdout", scratch / "stderr"
        request = {"argv": argv, "stdout": str(out), "stderr": str(err), "timeout": timeout,
                   "env": {name: env.get(name) for name in PER_RUN_VARIABLES}}
        self.proc.stdin.write(json.dumps(request).encode() + b"\n")
        self.proc.stdin.flush()
        reply = json.loads(self.proc.stdout.readline() or b"{}")
        if "rc" not in reply:
            raise RuntimeError("the fork server for %s failed: %s" % (self.program, reply.get("error", "no answer")))
        stdout = out.read_text(errors="replace")
        stderr = err.read_text(errors="replace")
        if reply.get("timed_out"):
            raise subprocess.TimeoutExpired(argv, timeout, output=stdout, stderr=stderr)
        add_child_cpu(reply.get("cpu_seconds", 0.0))
        return subprocess.CompletedProcess(argv, reply["rc"], stdout, stderr)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        # End of input ends the server's loop.
        self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()


# CPU seconds of the runs the servers forked (and what those waited for). A fresh process's would
# show in the test process's RUSAGE_CHILDREN; a fork's shows there only when its server ends,
# so a profile of the suite adds this figure instead.
forked_cpu_seconds = 0.0


def add_child_cpu(seconds: float) -> None:
    global forked_cpu_seconds  # pylint: disable=global-statement
    forked_cpu_seconds += seconds


_servers: dict = {}
_servers_lock = threading.Lock()


def enabled() -> bool:
    return os.environ.get(ENABLED_VARIABLE, "1") != "0"


def run_cli(cmd: list, env: dict, cwd: str, timeout: float) -> subprocess.CompletedProcess:
    """``subprocess.run(cmd, env=env, cwd=cwd, timeout=timeout, capture_output=True, text=True)``,
    through a fork server when ``cmd[0]`` is one of the CLIs it serves and none is busy."""
    program = str(cmd[0])
    if not enabled() or Path(program).name not in CLI_MODULES:
        return _plain(cmd, env, cwd, timeout)
    server = _server_for(program, env, str(cwd))
    if server is None:
        return _plain(cmd, env, cwd, timeout)
    try:
        with tempfile.TemporaryDirectory(prefix="hpcops-fork-") as scratch:
            return server.run([str(c) for c in cmd], env, timeout, Path(scratch))
    finally:
        server.lock.release()


def _plain(cmd: list, env: dict, cwd: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, cwd=str(cwd), check=False)


def _env_key(env: dict) -> tuple:
    return tuple(sorted((k, v) for k, v in env.items() if k not in PER_RUN_VARIABLES))


def _server_for(program: str, env: dict, cwd: str) -> _Server | None:
    """The server for these runs, its lock held by the caller; None where a plain process must do:
    it is busy (a test that runs CLIs from several threads at once), or cannot start."""
    key = (program, cwd, _env_key(env))
    with _servers_lock:
        server = _servers.get(key)
        if server is not None and not server.alive():
            del _servers[key]
            server = None
        if server is None:
            while len(_servers) >= MAX_SERVERS:
                oldest = next(iter(_servers))
                if _servers[oldest].lock.locked():
                    return None
                _servers.pop(oldest).close()
            try:
                server = _servers[key] = _Server(program, env, cwd)
            except ServerUnavailable:
                return None
        else:
            # Most recently used last, so the least recently used goes first.
            _servers[key] = _servers.pop(key)
        return server if server.lock.acquire(blocking=False) else None


def close_all() -> None:
    with _servers_lock:
        while _servers:
            _servers.popitem()[1].close()


def close_for(env: dict) -> None:
    """End the servers started with ``env`` (the runs' environment), and only those."""
    wanted = _env_key(env)
    with _servers_lock:
        for key in [key for key in _servers if key[2] == wanted]:
            _servers.pop(key).close()


# Servers end with the test process (and on their own if it dies: their stdin closes).
atexit.register(close_all)


# --- server side (python cli_fork_server.py <program>) --------------------------------------------

def _exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    print(exc.code, file=sys.stderr)
    return 1


def _child(program: str, request: dict, protocol_fds: tuple, printed: tuple) -> None:
    """Runs in the forked child; never returns. ``printed``: what importing the CLI printed."""
    code = 1
    try:
        for fd in protocol_fds:
            os.close(fd)
        os.setpgid(0, 0)
        for target, path, flags in ((0, os.devnull, os.O_RDONLY),
                                    (1, request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                                    (2, request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
            fd = os.open(path, flags, 0o600)
            os.dup2(fd, target)
            os.close(fd)
        for fd, text in zip((1, 2), printed):
            os.write(fd, text)
        for name, value in request["env"].items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        sys.argv = list(request["argv"])
        import runpy  # pylint: disable=import-outside-toplevel
        from ansible import constants as C  # pylint: disable=import-outside-toplevel
        from ansible.utils.path import cleanup_tmp_file  # pylint: disable=import-outside-toplevel
        atexit.unregister(cleanup_tmp_file)
        server_tmp = C.DEFAULT_LOCAL_TMP
        C.DEFAULT_LOCAL_TMP = tempfile.mkdtemp(prefix="ansible-local-%s" % os.getpid(), dir=os.path.dirname(server_tmp))
        atexit.register(cleanup_tmp_file, C.DEFAULT_LOCAL_TMP, warn=True)
        os.makedirs(os.path.join(server_tmp, "ansiballz_cache"), exist_ok=True)
        os.symlink(os.path.join(server_tmp, "ansiballz_cache"), os.path.join(C.DEFAULT_LOCAL_TMP, "ansiballz_cache"))
        try:
            runpy.run_path(program, run_name="__main__")
            code = 0
        except SystemExit as exc:
            code = _exit_code(exc)
        except BaseException:  # pylint: disable=broad-exception-caught
            import traceback  # pylint: disable=import-outside-toplevel
            traceback.print_exc()
            code = 1
        # What the interpreter does on the way out, in its order.
        threading._shutdown()  # pylint: disable=protected-access
        atexit._run_exitfuncs()  # pylint: disable=protected-access
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)  # pylint: disable=protected-access


def _wait(pid: int, timeout: float) -> dict:
    pidfd = os.pidfd_open(pid)
    try:
        ready = select.select([pidfd], [], [], timeout)[0]
    finally:
        os.close(pidfd)
    if not ready:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        return {"rc": None, "timed_out": True}
    status, usage = os.wait4(pid, 0)[1:]
    return {"rc": os.waitstatus_to_exitcode(status), "cpu_seconds": usage.ru_utime + usage.ru_stime}


def _import_cli(program: str) -> tuple:
    """Import the CLI and what it will need; returns what the imports printed (stdout, stderr),
    which a fresh process would print before anything else (ansible-core's configuration warnings)."""
    import importlib  # pylint: disable=import-outside-toplevel
    printed = []
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        for fd, capture in ((1, out), (2, err)):
            os.dup2(capture.fileno(), fd)
        importlib.import_module(CLI_MODULES[os.path.basename(program)])
        for name in WARM_MODULES:
            importlib.import_module(name)
        sys.stdout.flush()
        sys.stderr.flush()
        for capture in (out, err):
            capture.seek(0)
            printed.append(capture.read())
    return tuple(printed)


def serve(program: str) -> None:
    # As when the script itself runs: its directory first on sys.path, not this file's.
    sys.path[0] = os.path.dirname(program)
    requests_in = os.fdopen(os.dup(0), "rb")
    replies_out = os.dup(1)
    try:
        printed = _import_cli(program)
    except BaseException as exc:  # pylint: disable=broad-exception-caught
        # The client runs the command as a plain process, which shows the error as it is.
        os.write(replies_out, json.dumps({"error": "importing the CLI failed: %r" % exc}).encode() + b"\n")
        sys.exit(1)
    for fd in (0, 1, 2):
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, fd)
        os.close(null)
    os.write(replies_out, b'{"ready": true}\n')
    for line in requests_in:
        try:
            request = json.loads(line)
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                _child(program, request, (requests_in.fileno(), replies_out), printed)
            reply = _wait(pid, float(request["timeout"]))
        except Exception as exc:  # pylint: disable=broad-exception-caught
            reply = {"error": "%s: %s" % (type(exc).__name__, exc)}
        os.write(replies_out, json.dumps(reply).encode() + b"\n")


if __name__ == "__main__":
    serve(sys.argv[1])
