"""Scenario runner shared by the reliability, security and TLS tests (it holds no test itself).

Each ansible-playbook start costs seconds, so a scenario puts many module tasks in one
playbook and drives the simulator between them from the playbook itself: every task's
``when`` first runs ``curl`` through the ``pipe`` lookup (on the controller, before the
task starts) to clear the fault queue, queue the task's own faults, change the
simulator's config, and hit ``/_mark/<n>``, a path the simulator only logs. Those
markers cut the simulator's call log into the calls each task made.
"""

from __future__ import annotations

import json
import shlex
import shutil
import time
from pathlib import Path

from tests.integration.ansible_runner import run_playbook

MARK = "/_mark/"
CURL = shutil.which("curl") or "curl"
# The name of a state snapshot's task is this prefix and its label.
SNAPSHOT = "state: "


class ScenarioRun:
    def __init__(self, run, names: list, calls: list, state: dict, seconds: float, snapshots: dict | None = None):
        self.run = run
        self.snapshots = snapshots or {}
        self.names = names
        self.calls = calls
        self.state = state
        self.seconds = seconds
        self.output = run.output
        results = [r for r in run.results if not r.get("skipped")]
        # Without the JSON callback (json_output=False) there are no results to match.
        assert len(results) in (0, len(names)) and (results or not run.results), (
            "expected %d task results, got %s" % (len(names), run))
        self.results = dict(zip(names, results))
        self._slices = {}
        current = None
        for call in calls:
            if call["path"].startswith(MARK):
                current = names[int(call["path"][len(MARK):])]
                self._slices[current] = []
            elif current is not None:
                self._slices[current].append(call)

    def __getitem__(self, name: str) -> dict:
        return self.results[name]

    def calls_of(self, name: str, path: str = "", method: str | None = None) -> list:
        """The simulator calls task ``name`` made whose path contains ``path``."""
        return [c for c in self._slices.get(name, []) if path in c["path"] and (method is None or c["method"] == method)]

    def writes_of(self, name: str, path: str = "") -> list:
        return [c for c in self.calls_of(name, path) if c["write"]]

    def writes(self) -> list:
        return [c for c in self.calls if c["write"]]

    def cloud_calls(self) -> list:
        """Every call the tasks made (the markers left out)."""
        return [c for c in self.calls if not c["path"].startswith(MARK)]

    def outcomes(self, name: str, path: str = "", method: str | None = None) -> list:
        """One entry per call: ``drop``/``drop_after`` when the connection was cut,
        ``"ret_code N"`` for a QingCloud error answered with HTTP 200, else the HTTP status."""
        result = []
        for call in self.calls_of(name, path, method):
            if call.get("fault") in ("drop", "drop_after"):
                result.append(call["fault"])
            elif call["status"] == 200 and call.get("ret_code"):
                result.append("ret_code %s" % call["ret_code"])
            else:
                result.append(call["status"])
        return result

    def state_at(self, label: str) -> dict:
        """The world as ``Scenario.snapshot(label)`` saw it; fails loudly if the snapshot did not work."""
        result = self.results[SNAPSHOT + label]
        assert not result.get("failed") and self.snapshots[label].is_file(), result
        return json.loads(self.snapshots[label].read_text())

    def gaps(self, name: str, path: str = "") -> list:
        """Seconds between the consecutive calls of task ``name`` to ``path`` (server clock)."""
        times = [c["time"] for c in self.calls_of(name, path)]
        return [b - a for a, b in zip(times, times[1:])]


class Scenario:
    """Module tasks run one after another in one ansible-playbook, each with its faults."""

    def __init__(self, sim, directory: Path):
        self.sim = sim
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.tasks = []
        self.names = []
        self.snapshots = {}
        self._before = []

    def _pipe(self, method: str, path: str, body=None, output: Path | None = None) -> str:
        """The ``pipe`` lookup that sends one control call with curl; it runs the command through
        the shell, and a lookup error fails the task. Calls with a body or an output file fail on
        an HTTP error status too (-f)."""
        command = [CURL, "-sS", "-o", str(output or "/dev/null"), "-X", method]
        if self.sim.cafile:
            command += ["--cacert", self.sim.cafile]
        if body is not None:
            body_file = self.directory / ("control-%d-%d.json" % (len(self.tasks), len(self._before)))
            body_file.write_text(json.dumps(body))
            command += ["-H", "Content-Type: application/json", "--data-binary", "@%s" % body_file]
        if body is not None or output is not None:
            command.append("-f")
        command.append(self.sim.url + path)
        return "lookup('ansible.builtin.pipe', %s)" % json.dumps(shlex.join(command))

    def _curl(self, method: str, path: str, body=None) -> str:
        """A ``when`` condition that makes the control call before the task starts."""
        return self._pipe(method, path, body) + " is string"

    def config(self, **changes) -> Scenario:
        """Change the simulator's config before the next task (and for the rest of the run)."""
        self._before.append(self._curl("POST", "/_sim/config", changes))
        return self

    def world(self, **counts) -> Scenario:
        """Rebuild the default world (other node counts if given) before the next task; node ids
        come from a fixed seed, so the ids in ``sim.state()`` hold again. The call log stays."""
        self._before.append(self._curl("POST", "/_sim/world", counts))
        return self

    def control(self, method: str, path: str, body=None) -> Scenario:
        """Any control call (``/_sim/...``) before the next task, e.g. a CCE node pool's settings."""
        self._before.append(self._curl(method, path, body))
        return self

    def snapshot(self, label: str) -> Scenario:
        """A task that saves the world as it is at this point (``ScenarioRun.state_at(label)``):
        ``ScenarioRun.state`` is the world after the last task only. The task is a ``set_fact`` whose
        pipe lookup has curl write ``/_sim/state`` to a file: no module runs, no cloud call is made,
        and the state (which holds issued tokens) stays out of the output the secret checks read."""
        path = self.directory / ("state-%d.json" % len(self.snapshots))
        self.snapshots[label] = path
        value = "{{ %s }}" % self._pipe("GET", "/_sim/state", output=path)
        return self.task(SNAPSHOT + label, "ansible.builtin.set_fact", {"hpcops_snapshot": value})

    def task(self, name: str, module: str, args: dict, faults: list | None = None,
             environment: dict | None = None, check: bool = False, diff: bool = False) -> Scenario:
        """A module task; ``faults`` replace whatever fault is still queued. ``check`` and
        ``diff`` are the task's own ``check_mode`` and ``diff`` (``--check``/``--diff`` for one task)."""
        assert name not in self.names, name
        conditions = [self._curl("DELETE", "/_sim/faults")]
        if faults:
            conditions.append(self._curl("POST", "/_sim/faults", faults))
        conditions += self._before
        conditions.append(self._curl("GET", MARK + str(len(self.tasks))))
        fqcn = module if "." in module else "hpcops.clusters." + module
        task = {"name": name, fqcn: args, "ignore_errors": True, "when": conditions}
        if environment:
            task["environment"] = environment
        if check:
            task["check_mode"] = True
        if diff:
            task["diff"] = True
        self.tasks.append(task)
        self.names.append(name)
        self._before = []
        return self

    def run(self, extra_args: list | None = None, **kwargs) -> ScenarioRun:
        playbook = self.directory / "scenario.json"
        playbook.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": self.tasks}]))
        started = time.monotonic()
        run = run_playbook(playbook, self.sim.url, extra_args, **kwargs)
        seconds = time.monotonic() - started
        return ScenarioRun(run, self.names, self.sim.calls(), self.sim.state(), seconds, self.snapshots)


def role_nodes(nodes: list, role: str = "compute") -> list:
    """Nodes of ``role`` (module result or simulator state form) that are not on their way out."""
    return [n for n in nodes if n["role"] == role and n.get("transition_status") != "deleting"]


def sim_ehpc_nodes(state: dict, cluster: str, role: str = "compute") -> list:
    return role_nodes(list(state["ehpc"]["clusters"][cluster]["nodes"].values()), role)
