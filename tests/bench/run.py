"""Benchmark of hpcops.clusters against the local simulator (not a pytest test).

    .venv/bin/python tests/bench/run.py [--runs N] [--quick] [--sections 1,2,3,4,5]

Run from the repository root with the test venv's python (it must have ansible-core and
requests). It starts its own simulator and prints plain-text tables:

1. wall time of a no-op ``ehpc_nodes`` task against ``ansible.builtin.ping``, run the same
   way (one ``ansible-playbook -i localhost, -c local`` per task, same environment),
   interleaved, median of ``--runs`` runs each; 1b. the same two modules' AnsiballZ files
   (kept with ANSIBLE_KEEP_REMOTE_FILES) run directly, to split module time from controller time;
2. API calls per task, counted by the simulator's call log and split into reads before the
   first write, writes, job polls and reads after the first write;
3. job-completion detection lag: from the job's ``done_at`` (simulator state) to the
   module's last poll / last API call (simulator call log), and, as a cross-check, to the
   return of ``EhpcClient.wait_for_jobs`` driven in-process; 3b. the worst case of the poll
   schedule (module_utils/waiters.poll with a fake clock) for every job duration up to 120 s;
4. rolling restart of 64 nodes in batches of 8 (roles/ehpc_rolling_restart) against
   8 x the job duration, with the overhead broken down from the call log;
5. ``python -X importtime`` profile of the ehpc_nodes module, with the collection on sys.path
   (5a, 5b) and inside the AnsiballZ payload as ansible runs it (5c, with section 1);
6. large clusters: a no-op ``ehpc_nodes`` (count = current, ``return_nodes: changed``) and
   ``ehpc_nodes_info`` on 2, 2,002 and 10,002 nodes with a simulated API latency (50 ms a
   call by default), paired runs (the sizes one after another in each run, in rotating
   order), medians and the ratios to the 2-node run; 6b. the pure work of a task (busy-node
   matching, plan, result) on 2,000 and 20,000 nodes, timed in-process.

The machine's load (``os.getloadavg``) is printed with every timed section: wall times are
only comparable between runs on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

# pylint: disable=wrong-import-position
from tests.integration.ansible_runner import base_env, collections_path, run_playbook  # noqa: E402
from tests.simulator.fixture import running_simulator  # noqa: E402
from tests.simulator.world import (CCE_CLUSTER_ID, EHPC_CLUSTER_ID, HYPER_CLUSTER_HPS, QY_ACCESS_KEY,  # noqa: E402
                                   QY_SECRET_KEY, QY_ZONE)

MODULES_DIR = REPO_ROOT / "plugins" / "modules"
ROLLING_PLAYBOOK = REPO_ROOT / "playbooks" / "ehpc_rolling_restart.yml"
ROLLING_ROLE = REPO_ROOT / "roles" / "ehpc_rolling_restart" / "tasks" / "main.yml"
EHPC_MODULE_IMPORT = "ansible_collections.hpcops.clusters.plugins.modules.ehpc_nodes"
COMPONENT_PREFIX = "ansible_collections.hpcops."

NOOP_RATIO_GOAL = 1.15
LARGE_RATIO_GOAL = 1.2  # issue 31: 2,002 nodes at most 1.2x the 2-node task, 50 ms a call
LARGE_SIZES = (2, 2002, 10002)  # nodes in all: one login node, the rest compute
LAG_GOAL_BASE, LAG_GOAL_FRACTION = 1.0, 0.10


class BenchError(RuntimeError):
    pass


# --- output -----------------------------------------------------------------------------

def table(title: str, header: list, rows: list, notes: list | None = None) -> None:
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    numeric = [all(_numeric(row[i]) for row in cells[1:]) and len(cells) > 1 for i in range(len(header))]

    def line(row):
        return "  ".join(c.rjust(w) if num else c.ljust(w) for c, w, num in zip(row, widths, numeric)).rstrip()

    print()
    print(title)
    print("=" * len(title))
    print(line(cells[0]))
    print("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print(line(row))
    for note in notes or []:
        print("  " + note)
    sys.stdout.flush()


def _numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[-+]?[0-9.]+( ?[a-z%x]+)?", text)) or text in ("-", "n/a")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return "load average %.2f %.2f %.2f on %d CPUs" % (one, five, fifteen, os.cpu_count() or 0)


def fmt_s(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else "%.*f" % (digits, value)


# --- running tasks ------------------------------------------------------------------------

def module_present(name: str) -> bool:
    return (MODULES_DIR / (name + ".py")).is_file()


class Runner:
    """Runs plays through tests/integration/ansible_runner.run_playbook (the harness's own shape)."""

    def __init__(self, sim, workdir: Path):
        self.sim = sim
        self.workdir = workdir
        self.count = 0

    def play(self, tasks: list, extra_args: list | None = None, playbook: Path | None = None, env: dict | None = None):
        """Run tasks (or a playbook file); returns (run, seconds, epoch at start, epoch at end)."""
        if playbook is None:
            self.count += 1
            playbook = self.workdir / ("play-%03d.json" % self.count)
            playbook.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
        start_epoch = time.time()
        start = time.perf_counter()
        run = run_playbook(playbook, self.sim.url, extra_args, env)
        seconds = time.perf_counter() - start
        end_epoch = time.time()
        if run.rc != 0 or any(r.get("failed") for r in run.results):
            raise BenchError("play failed: %r" % run)
        return run, seconds, start_epoch, end_epoch


def ehpc_task(**args) -> dict:
    return {"name": "bench", "hpcops.clusters.ehpc_nodes": dict(cluster_id=EHPC_CLUSTER_ID, **args)}


def ehpc_nodes_of(sim, role: str = "compute") -> list:
    nodes = sim.state()["ehpc"]["clusters"][EHPC_CLUSTER_ID]["nodes"].values()
    return sorted((n for n in nodes if n["role"] == role), key=lambda n: (n["create_time"], n["node_id"]))


# --- 1. no-op vs ping ---------------------------------------------------------------------

def bench_noop(runner: Runner, runs: int) -> dict:
    sim = runner.sim
    sim.reset()
    count = len(ehpc_nodes_of(sim))
    noop = [ehpc_task(count=count)]
    ping = [{"name": "bench", "ansible.builtin.ping": {}}]
    # One unmeasured run of each warms the OS page cache.
    runner.play(noop)
    runner.play(ping)
    times: dict = {"ehpc_nodes no-op": [], "ansible.builtin.ping": []}
    sim.clear_calls()
    load_before = load()
    for i in range(runs):
        # ABBA order, so a drift in the machine's load hits both sides alike.
        order = [("ehpc_nodes no-op", noop), ("ansible.builtin.ping", ping)]
        if i % 2:
            order.reverse()
        for name, tasks in order:
            run, seconds, _start, _end = runner.play(tasks)
            if name.startswith("ehpc") and run.changed:
                raise BenchError("the no-op task reported a change: %r" % run)
            times[name].append(seconds)
    calls = sim.calls()
    load_after = load()
    rows = []
    for name, values in times.items():
        rows.append([name, len(values), fmt_s(statistics.median(values)), fmt_s(min(values)), fmt_s(max(values)),
                     fmt_s(statistics.pstdev(values))])
    med_noop = statistics.median(times["ehpc_nodes no-op"])
    med_ping = statistics.median(times["ansible.builtin.ping"])
    ratio = med_noop / med_ping
    min_ratio = min(times["ehpc_nodes no-op"]) / min(times["ansible.builtin.ping"])
    verdict = "meets" if ratio <= NOOP_RATIO_GOAL else "MISSES"
    table("1. Wall time of one task: ehpc_nodes no-op vs ansible.builtin.ping (seconds)",
          ["task", "runs", "median", "min", "max", "stdev"], rows, [
              "median ratio ehpc_nodes/ping = %.3f (goal <= %.2f: %s); ratio of minima = %.3f; "
              "median difference = %.0f ms" % (ratio, NOOP_RATIO_GOAL, verdict, min_ratio,
                                               1000 * (med_noop - med_ping)),
              "API calls made by the %d measured no-op runs: %d (%s)" % (
                  runs, len(calls), ", ".join(sorted(set("%s %s" % (c["method"], c["path"]) for c in calls)))),
              "each run: ansible-playbook -i localhost, -c local <one-task play>, harness env "
              "(tests/integration/ansible_runner.run_playbook)",
              "%s before, %s after" % (load_before, load_after),
          ])
    return {"ratio": ratio, "noop": med_noop, "ping": med_ping, "min_ratio": min_ratio}


# --- 2. API calls per task ----------------------------------------------------------------

def classify(calls: list) -> dict:
    """Split a task's calls: reads before the first write, writes, job polls, reads after."""
    out = {"pre": [], "write": [], "poll": [], "post": [], "auth": []}
    seen_write = False
    for call in calls:
        path, method = call["path"], call["method"]
        if call["write"]:
            seen_write = True
            kind = "write"
        elif path == "/v3/auth/tokens":
            kind = "auth"
        elif path == "/api/operation" or re.search(r"/api/v3/projects/[^/]+/jobs/", path):
            kind = "poll"  # EHPC job status / CCE job
        elif path.startswith("/v1/") and seen_write and method == "GET":
            kind = "poll"  # ModelArts: the cluster is read until it answers 404
        else:
            kind = "post" if seen_write else "pre"
        out[kind].append(call)
    return out


def short_call(call: dict) -> str:
    path = call["path"]
    if path.startswith("/api/v3/projects/"):
        path = re.sub(r"^/api/v3/projects/[^/]+", "", path)
        path = re.sub(r"/jobs/[^/]+$", "/jobs/{id}", path)
        path = re.sub(r"/clusters/[^/]+", "/clusters/{id}", path)
    elif path.startswith("/v1/"):
        path = re.sub(r"^/v1/[^/]+", "", path)
        path = re.sub(r"/hyper-clusters/[^/]+$", "/hyper-clusters/{id}", path)
    else:
        path = path.replace("/api/", "/")
    return "%s %s" % (call["method"], path)


def sequence(calls: list) -> str:
    """Calls in order, runs of the same call folded: GET /cluster/listNodes, POST ..., GET /operation x4."""
    parts: list = []
    for call in calls:
        text = short_call(call)
        if parts and parts[-1][0] == text:
            parts[-1][1] += 1
        else:
            parts.append([text, 1])
    return ", ".join(text if n == 1 else "%s x%d" % (text, n) for text, n in parts)


def bench_calls(runner: Runner, job_seconds: float) -> list:
    sim = runner.sim
    rows, details = [], []
    cases = [
        # name, module, setup(sim) -> tasks, goal text, goal check(split) -> bool | None
        ("ehpc no-op (at count)", "ehpc_nodes", lambda: [ehpc_task(count=2)],
         "1 read, 0 writes", lambda s: len(s["pre"]) + len(s["post"]) == 1 and not s["write"] and not s["poll"]),
        ("ehpc scale-out +99", "ehpc_nodes", lambda: [ehpc_task(count=2 + 99)],
         "1 read + 1 write + polls", lambda s: len(s["pre"]) == 1 and len(s["write"]) == 1),
        ("ehpc scale-out +250", "ehpc_nodes", lambda: [ehpc_task(count=2 + 250)],
         "1 read + 3 writes + polls", lambda s: len(s["pre"]) == 1 and len(s["write"]) == 3),
        ("ehpc delete 1 node", "ehpc_nodes",
         lambda: [ehpc_task(state="absent", nodes=[ehpc_nodes_of(sim)[-1]["node_id"]])],
         "-", None),
        ("ehpc restart 1 node", "ehpc_nodes",
         lambda: [ehpc_task(state="restarted", nodes=[ehpc_nodes_of(sim)[0]["node_id"]])],
         "-", None),
        ("cce_node_remove 1 node", "cce_node_remove", lambda: [_cce_remove_task(sim)], "-", None),
        ("cce_node_remove again (no-op)", "cce_node_remove", None, "-", None),
        ("modelarts delete", "modelarts_hyper_cluster",
         lambda: [{"name": "bench", "hpcops.clusters.modelarts_hyper_cluster": {"id": HYPER_CLUSTER_HPS}}],
         "-", None),
        ("modelarts delete again (no-op)", "modelarts_hyper_cluster", None, "-", None),
    ]
    last_tasks = None
    for name, module, make_tasks, goal, check in cases:
        if not module_present(module):
            rows.append([name, "n/a (module missing)", "", "", "", "", "", goal, "n/a"])
            last_tasks = None
            continue
        if make_tasks is None:  # "again": the same task on the world the previous row left
            if last_tasks is None:
                rows.append([name, "n/a", "", "", "", "", "", goal, "n/a"])
                continue
            tasks = last_tasks
        else:
            sim.reset()
            sim.config(job_seconds=job_seconds)
            tasks = make_tasks()
        sim.clear_calls()
        run = runner.play(tasks)[0]
        calls = sim.calls()
        split = classify(calls)
        ok = None if check is None else check(split)
        rows.append([name, len(split["pre"]), len(split["write"]), len(split["poll"]), len(split["post"]),
                     len(split["auth"]), len(calls), goal, "-" if ok is None else ("meets" if ok else "MISSES")])
        details.append("%-31s changed=%s: %s" % (name, run.changed, sequence(calls)))
        last_tasks = tasks
    table("2. API calls per task (simulator call log; job duration %.1f s)" % job_seconds,
          ["task", "reads before write", "writes", "polls", "reads after write", "IAM", "total", "goal", "verdict"],
          rows, ["call sequences:"] + ["  " + d for d in details] + [
              "polls: EHPC GET /operation, CCE GET /jobs/{id}, ModelArts GET of the cluster after its DELETE;",
              "listNodes answers at most 100 nodes a page, so a cluster of n nodes is read in ceil(n/100) calls;",
              "Huawei modules sign with AK/SK here, so they make no IAM call."])
    return rows


def _cce_remove_task(sim) -> dict:
    nodes = sim.state()["cce"]["clusters"][CCE_CLUSTER_ID]["nodes"]
    name = sorted(n["name"] for n in nodes.values())[-1]
    return {"name": "bench", "hpcops.clusters.cce_node_remove": {
        "cluster_id": CCE_CLUSTER_ID, "nodes": [name], "login": {"ssh_key": "KeyPair-demo"}}}


# --- 3. detection lag ---------------------------------------------------------------------

def lag_goal(duration: float) -> float:
    return LAG_GOAL_BASE + LAG_GOAL_FRACTION * duration


def _driver_client(sim):
    """An EhpcClient built exactly as the module builds it (Transport defaults, env credentials)."""
    root = str(collections_path())
    if root not in sys.path:
        sys.path.insert(0, root)
    # pylint: disable=import-outside-toplevel,import-error
    from ansible_collections.hpcops.clusters.plugins.module_utils.qingcloud.ehpc import EhpcClient
    from ansible_collections.hpcops.clusters.plugins.module_utils.transport import Transport
    return EhpcClient(Transport(validate_certs=True, timeout=30), QY_ACCESS_KEY, QY_SECRET_KEY, QY_ZONE, sim.url)


def bench_lag(runner: Runner, durations: list, reps: dict) -> list:
    sim = runner.sim
    sim.reset()
    node = ehpc_nodes_of(sim)[0]["node_id"]
    client = _driver_client(sim)
    rows = []
    summary = []
    for duration in durations:
        sim.config(job_seconds=duration)
        module_poll, module_last, playbook_end, driver = [], [], [], []
        polls, gaps = [], []
        for _rep in range(reps[duration]):
            # (a) the module, run by ansible-playbook: times from the simulator's call log.
            sim.clear_calls()
            end_epoch = runner.play([ehpc_task(state="restarted", nodes=[node])])[3]
            calls = sim.calls()
            jobs = sim.state()["jobs"]
            write = [c for c in calls if c["write"]]
            ops = [c for c in calls if c["path"] == "/api/operation"]
            if len(write) != 1 or not ops:
                raise BenchError("unexpected calls for a restart: %s" % sequence(calls))
            done_at = _job_done_at(jobs, write[0]["time"])
            module_poll.append(ops[-1]["time"] - done_at)  # the poll that saw the job successful
            module_last.append(calls[-1]["time"] - done_at)  # the module's last API call (final listNodes)
            playbook_end.append(end_epoch - done_at)
            polls.append(len(ops))
            # A job ending just after the poll before the detecting one would have waited this long.
            gaps.append(ops[-1]["time"] - ops[-2]["time"] if len(ops) > 1 else ops[-1]["time"] - write[0]["time"])
            # (b) the module's wait code, in-process: EhpcClient.wait_for_jobs.
            job_id = client.restart_nodes(EHPC_CLUSTER_ID, [node])
            client.wait_for_jobs([job_id], duration * 3 + 60)
            returned = time.time()
            driver.append(returned - sim.state()["jobs"][job_id]["done_at"])
        goal = lag_goal(duration)
        worst = max(module_last)
        rows.append([
            "%g" % duration, reps[duration], "%.1f" % statistics.median(polls),
            fmt_s(statistics.median(module_poll)), fmt_s(max(module_poll)),
            fmt_s(statistics.median(module_last)), fmt_s(worst),
            fmt_s(statistics.median(driver)), fmt_s(max(driver)),
            fmt_s(statistics.median(playbook_end)), fmt_s(max(gaps)),
            "%.2f" % goal, "meets" if worst <= goal and max(driver) <= goal else "MISSES",
            "meets" if max(gaps) <= goal else "MISSES"])
        summary.append((duration, worst, max(driver), goal, max(gaps)))
    table("3. Job-completion detection lag (seconds after the job's done_at)",
          ["job s", "reps", "polls", "poll med", "poll max", "last call med", "last call max",
           "wait_for_jobs med", "wait_for_jobs max", "playbook end med", "poll gap", "goal", "measured",
           "worst phase"],
          rows, [
              "poll: the module's last GET /operation (the one that saw 'successful'), from the simulator's call log;",
              "last call: the module's last API call (the listNodes after the wait; exit_json follows at once);",
              "wait_for_jobs: EhpcClient.wait_for_jobs driven in this process, time.time() at its return;",
              "playbook end: ansible-playbook's exit (adds result transfer, callback and process teardown);",
              "poll gap: time between the last two polls = the lag of a job that had ended just after the",
              "  next-to-last poll (the worst phase for a job of about this duration);",
              "goal: <= %.0f s + %d %% of the job's duration; 'measured' judges last call and wait_for_jobs (worst run),"
              % (LAG_GOAL_BASE, LAG_GOAL_FRACTION * 100),
              "  'worst phase' judges the poll gap.",
              load(),
          ])
    return summary


def bench_schedule(latency: float = 0.01, horizon: float = 120.0, step: float = 0.01) -> list:
    """Worst-case lag of waiters.poll (the wait of every module) for every job duration on a grid.

    Runs the module's own poll loop with a fake clock: each check costs ``latency`` seconds and
    sees the job done once the clock has passed its duration.
    """
    root = str(collections_path())
    if root not in sys.path:
        sys.path.insert(0, root)
    # pylint: disable=import-outside-toplevel,import-error
    from ansible_collections.hpcops.clusters.plugins.module_utils import waiters

    def lag(duration):
        now = [0.0]

        def check():
            now[0] += latency
            return now[0] >= duration, None

        def sleep(seconds):
            now[0] += seconds

        waiters.poll(check, horizon * 2, lambda _v: (None, None, ""), sleep=sleep, clock=lambda: now[0])
        return now[0] - duration

    buckets = [(0.0, 2.0), (2.0, 5.0), (5.0, 10.0), (10.0, 30.0), (30.0, horizon)]
    rows, failing = [], []
    for low, high in buckets:
        worst, worst_at, worst_excess, excess_at = 0.0, low, -1e9, low
        steps = int(round((high - low) / step))
        for i in range(1, steps + 1):
            duration = low + i * step
            value = lag(duration)
            excess = value - lag_goal(duration)
            if value > worst:
                worst, worst_at = value, duration
            if excess > worst_excess:
                worst_excess, excess_at = excess, duration
            if excess > 0:
                failing.append(duration)
        rows.append(["%g-%g" % (low, high), fmt_s(worst, 2), "%.2f" % worst_at,
                     "%+.2f" % worst_excess, "%.2f" % excess_at, "meets" if worst_excess <= 0 else "MISSES"])
    notes = ["waiters.poll run with a fake clock (first delay %.2f s, x%.2f a poll, cap %.1f s), %.0f ms per poll call,"
             % (waiters.FIRST_DELAY, waiters.GROWTH, waiters.MAX_DELAY, latency * 1000),
             "every job duration from 0 to %g s in %g s steps; excess = lag - (1 s + 10 %% of the duration)."
             % (horizon, step)]
    if failing:
        notes.append("the goal is missed for %d of %d durations, between %.2f s and %.2f s"
                     % (len(failing), int(horizon / step), min(failing), max(failing)))
    table("3b. Worst-case detection lag of the poll schedule, by job duration (seconds)",
          ["job s", "worst lag", "at job s", "worst excess", "at job s", "verdict"], rows, notes)
    return failing


def _job_done_at(jobs: dict, write_time: float) -> float:
    """done_at of the EHPC job created by the write recorded at write_time (the newest before it)."""
    candidates = [j for j in jobs.values() if j["service"] == "ehpc" and j["created_at"] <= write_time + 1e-6]
    if not candidates:
        raise BenchError("no job found for the write at %f" % write_time)
    return max(candidates, key=lambda j: j["created_at"])["done_at"]


# --- 4. rolling restart -------------------------------------------------------------------

def bench_rolling(runner: Runner, job_seconds: float, nodes: int = 64, batch: int = 8) -> dict:
    sim = runner.sim
    sim.reset()
    sim.world(ehpc_compute_nodes=nodes)
    sim.config(job_seconds=job_seconds)
    batches = math.ceil(nodes / batch)
    use_role = ROLLING_PLAYBOOK.is_file() and ROLLING_ROLE.is_file()
    sim.clear_calls()
    if use_role:
        how = "playbooks/ehpc_rolling_restart.yml (role hpcops.clusters.ehpc_rolling_restart)"
        extra = ["-e", "ehpc_rolling_restart_cluster_id=%s" % EHPC_CLUSTER_ID,
                 "-e", "ehpc_rolling_restart_role=compute", "-e", "ehpc_rolling_restart_batch_size=%d" % batch]
        seconds, start, end = runner.play([], extra, playbook=ROLLING_PLAYBOOK)[1:]
    else:
        how = "fallback: a play looping ehpc_nodes state=restarted over the batches (role missing)"
        ids = [n["node_id"] for n in ehpc_nodes_of(sim)]
        task = ehpc_task(state="restarted", nodes="{{ item }}")
        task["loop"] = [ids[i:i + batch] for i in range(0, len(ids), batch)]
        seconds, start, end = runner.play([task])[1:]
    calls = sim.calls()
    jobs = sim.state()["jobs"]
    writes = [c for c in calls if c["write"]]
    if len(writes) != batches:
        raise BenchError("expected %d restart calls, saw %d: %s" % (batches, len(writes), sequence(calls)))
    ideal = batches * job_seconds
    lags, gaps, between = [], [], []
    for i, write in enumerate(writes):
        done_at = _job_done_at(jobs, write["time"])
        polls = [c for c in calls if c["path"] == "/api/operation" and write["time"] < c["time"]
                 and (i + 1 == len(writes) or c["time"] < writes[i + 1]["time"])]
        lags.append(polls[-1]["time"] - done_at)
        if i + 1 < len(writes):
            gaps.append(writes[i + 1]["time"] - polls[-1]["time"])
            # The module's final listNodes, then the next restart task's first listNodes.
            window = [c for c in calls if polls[-1]["time"] < c["time"] < writes[i + 1]["time"]]
            if len(window) >= 2:
                between.append(window[-1]["time"] - window[0]["time"])
    startup = writes[0]["time"] - start
    teardown = end - calls[-1]["time"]
    split = classify(calls)
    rows = [
        ["wall time (ansible-playbook)", fmt_s(seconds, 2)],
        ["%d x job duration (%d batches x %.1f s)" % (batches, batches, job_seconds), fmt_s(ideal, 2)],
        ["overhead = wall - ideal", "%s (%.1f %%)" % (fmt_s(seconds - ideal, 2), 100 * (seconds - ideal) / ideal)],
        ["  startup to first restart call", fmt_s(startup, 2)],
        ["  detection lag, sum over batches", fmt_s(sum(lags), 2)],
        ["  between batches (detect -> next restart), sum", fmt_s(sum(gaps), 2)],
        ["  per batch gap, median", fmt_s(statistics.median(gaps) if gaps else None, 2)],
        ["    of which between two restart tasks' API calls", fmt_s(statistics.median(between) if between else None, 2)],
        ["  last API call to playbook exit", fmt_s(teardown, 2)],
        ["API calls: reads / restarts / polls",
         "%d / %d / %d" % (len(split["pre"]) + len(split["post"]), len(split["write"]), len(split["poll"]))],
    ]
    table("4. Rolling restart of %d compute nodes in batches of %d (job duration %.1f s)" % (nodes, batch, job_seconds),
          ["measure", "seconds"], rows, [
              "driver: " + how,
              "between two restart tasks: from one module's last API call (its final listNodes) to the next",
              "  module's first (its listNodes): module exit, the role's set_fact/include_tasks, next module start;",
              load()])
    return {"wall": seconds, "ideal": ideal, "startup": startup, "lags": sum(lags), "gaps": sum(gaps),
            "teardown": teardown}


# --- 5. import-time profile ---------------------------------------------------------------

IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)$")


class ImportProfile:
    """Medians over several fresh interpreters of ``-X importtime``; the import tree of the last one."""

    def __init__(self, command: list, env: dict, reps: int):
        own: dict = {}
        cumulative: dict = {}
        for _rep in range(reps):
            proc = subprocess.run([sys.executable, "-X", "importtime"] + command, env=env, capture_output=True,
                                  text=True, check=False, cwd=tempfile.gettempdir())
            if proc.returncode != 0 or '"failed": true' in proc.stdout:
                raise BenchError("%s failed: %s %s" % (command, proc.stdout[-2000:], proc.stderr[-2000:]))
            pending: dict = {}
            self.children: dict = {}
            for raw in proc.stderr.splitlines():
                match = IMPORT_LINE.match(raw)
                if not match:
                    continue
                name, depth = match.group(4), len(match.group(3)) // 2
                own.setdefault(name, []).append(int(match.group(1)))
                cumulative.setdefault(name, []).append(int(match.group(2)))
                # -X importtime prints children before their parent, one level deeper.
                self.children[name] = pending.pop(depth + 1, [])
                pending.setdefault(depth, []).append(name)
            self.roots = pending.get(0, [])
        self.own = dict((name, statistics.median(v) / 1000) for name, v in own.items())
        self.cumulative = dict((name, statistics.median(v) / 1000) for name, v in cumulative.items())
        self.reps = reps

    def cum(self, name: str) -> float:
        return self.cumulative.get(name, 0.0)

    def total(self) -> float:
        return sum(self.cum(root) for root in self.roots)

    def tree_rows(self, roots: list, min_share: float = 0.02, max_depth: int = 5) -> list:
        total = self.total()
        rows: list = []

        def walk(name, depth):
            if self.cum(name) < min_share * total or depth > max_depth:
                return
            rows.append(["%s%s" % ("  " * depth, name), "%.1f" % self.cum(name), "%.1f" % self.own[name],
                         "%.0f%%" % (100 * self.cum(name) / total)])
            for child in sorted(self.children.get(name, []), key=lambda c: -self.cum(c)):
                walk(child, depth + 1)

        for root in sorted(roots, key=lambda r: -self.cum(r)):
            walk(root, 0)
        return rows

    def own_code(self) -> float:
        return sum(v for name, v in self.own.items() if name.startswith(COMPONENT_PREFIX))


def loaded_modules(env: dict, imports: str) -> set:
    """sys.modules of a fresh interpreter after ``import <imports>``."""
    proc = subprocess.run([sys.executable, "-c", "import sys, json, %s; print(json.dumps(sorted(sys.modules)))" % imports],
                          env=env, capture_output=True, text=True, check=True, cwd=tempfile.gettempdir())
    return set(json.loads(proc.stdout))


def component_rows(profile: ImportProfile, whole: float, baseline: set) -> list:
    rows = [["whole import", "%.1f" % whole, ""],
            ["ansible.module_utils.basic (AnsibleModule)", "%.1f" % profile.cum("ansible.module_utils.basic"), "-"],
            ["requests (with urllib3, charset_normalizer, idna, certifi, http.cookiejar)", "%.1f" % profile.cum("requests"),
             "-"],
            ["the collection's own modules (sum of their self times)", "%.1f" % profile.own_code(), "-"]]
    for name in ("json", "hmac", "hashlib", "email.utils", "ipaddress", "jmespath"):
        if name not in profile.cumulative:
            rows.append([name, "not imported", ""])
        else:
            rows.append(["%s (charged to its first importer)" % name, "%.1f" % profile.cum(name),
                         "yes" if name in baseline else "NO"])
    return rows


def bench_imports(reps: int) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(collections_path()) + os.pathsep + env.get("PYTHONPATH", "")
    profile = ImportProfile(["-c", "import " + EHPC_MODULE_IMPORT], env, reps)
    whole = profile.cum(EHPC_MODULE_IMPORT)
    # Everything a process has after importing only the two dependencies, AnsibleModule and requests.
    baseline = loaded_modules(env, "ansible.module_utils.basic, requests")
    loaded = loaded_modules(env, EHPC_MODULE_IMPORT)
    table("5a. python -X importtime -c 'import ...modules.ehpc_nodes', collection on sys.path "
          "(median of %d, ms, imports >= 2 %%)" % reps,
          ["module (indent = imported by the line above it)", "cumulative", "self", "share"],
          profile.tree_rows([EHPC_MODULE_IMPORT]), [
              "a module's time is charged to whichever module imports it first", load()])
    extra = sorted((name for name in loaded - baseline
                    if not name.startswith("ansible_collections")),
                   key=lambda name: -profile.own.get(name, 0.0))
    extra_ms = sum(profile.own.get(name, 0.0) for name in extra)
    table("5b. ehpc_nodes import time by component (ms, site-packages and __pycache__ warm)",
          ["component", "ms", "imported anyway by basic + requests"], component_rows(profile, whole, baseline), [
              "imports the collection adds beyond AnsibleModule and requests (the only ones a lazy import could save):",
              "  %s: %.1f ms in all (self times)" % (", ".join(extra) or "none", extra_ms)])
    return {"total": whole, "basic": profile.cum("ansible.module_utils.basic"), "requests": profile.cum("requests"),
            "own": profile.own_code(), "extra": extra, "extra_ms": extra_ms}


def bench_ansiballz(runner: Runner, runs: int, reps: int, noop: dict | None = None) -> dict:
    """Run the AnsiballZ files ansible-playbook builds directly: the module process alone, as ansible runs it."""
    sim = runner.sim
    sim.reset()
    payloads = {}
    for name, tasks in (("ehpc_nodes", [ehpc_task(count=len(ehpc_nodes_of(sim)))]),
                        ("ping", [{"name": "bench", "ansible.builtin.ping": {}}])):
        remote = runner.workdir / ("remote-" + name)
        runner.play(tasks, env={"ANSIBLE_KEEP_REMOTE_FILES": "1", "ANSIBLE_REMOTE_TMP": str(remote)})
        found = sorted(remote.rglob("AnsiballZ_*.py"))
        if not found:
            raise BenchError("ANSIBLE_KEEP_REMOTE_FILES kept no AnsiballZ file in %s" % remote)
        payloads[name] = found[0]
    env = base_env(sim.url)
    times: dict = {"ehpc_nodes": [], "ping": []}
    for i in range(runs):
        for name in (("ehpc_nodes", "ping") if i % 2 == 0 else ("ping", "ehpc_nodes")):
            start = time.perf_counter()
            proc = subprocess.run([sys.executable, str(payloads[name])], env=env, capture_output=True, text=True,
                                  check=False, cwd=tempfile.gettempdir())
            times[name].append(time.perf_counter() - start)
            if proc.returncode != 0 or '"failed": true' in proc.stdout:
                raise BenchError("%s failed: %s %s" % (payloads[name], proc.stdout[-2000:], proc.stderr[-2000:]))
    med = dict((name, statistics.median(values)) for name, values in times.items())
    profile = ImportProfile([str(payloads["ehpc_nodes"])], env, reps)
    own_roots = [name for name in profile.cumulative if name.startswith(COMPONENT_PREFIX)
                 and not any(name in profile.children.get(other, []) for other in profile.cumulative
                             if other.startswith(COMPONENT_PREFIX))]
    rows = [["ehpc_nodes (no-op, 1 API call)", fmt_s(med["ehpc_nodes"]), fmt_s(min(times["ehpc_nodes"]))],
            ["ansible.builtin.ping", fmt_s(med["ping"]), fmt_s(min(times["ping"]))],
            ["difference", "%.0f ms" % (1000 * (med["ehpc_nodes"] - med["ping"])),
             "%.0f ms" % (1000 * (min(times["ehpc_nodes"]) - min(times["ping"])))]]
    table("1b. The module process alone: python AnsiballZ_<module>.py, kept with ANSIBLE_KEEP_REMOTE_FILES "
          "(seconds, %d runs each)" % runs, ["module process", "median", "min"], rows, [
              "the rest of the wall-time difference in table 1 is on the controller (module lookup, import scan, zip)"
              + ("" if noop is None else ": %.0f - %.0f = %.0f ms (medians)" % (
                  1000 * (noop["noop"] - noop["ping"]), 1000 * (med["ehpc_nodes"] - med["ping"]),
                  1000 * ((noop["noop"] - noop["ping"]) - (med["ehpc_nodes"] - med["ping"])))),
              load()])
    table("5c. Imports inside the AnsiballZ run of ehpc_nodes (module_utils compiled from the zip every run; "
          "median of %d, ms, >= 2 %%)" % reps,
          ["module", "cumulative", "self", "share"],
          profile.tree_rows(own_roots + ["requests"], min_share=0.01, max_depth=2),
          ["share = of all imports of the process (%.1f ms), the AnsiballZ wrapper's own included" % profile.total(),
           "collection code (sum of self times, compiled from source): %.1f ms; requests: %.1f ms"
           % (profile.own_code(), profile.cum("requests"))])
    return {"ehpc": med["ehpc_nodes"], "ping": med["ping"], "own": profile.own_code(), "requests": profile.cum("requests")}


# --- 6. large clusters with API latency ---------------------------------------------------

def bench_large(runner: Runner, runs: int, latency: float, sizes=LARGE_SIZES) -> dict:
    sim = runner.sim
    tasks = {
        "ehpc_nodes no-op": lambda size: [ehpc_task(count=size - 1, return_nodes="changed")],
        "ehpc_nodes_info": lambda size: [{"name": "bench", "hpcops.clusters.ehpc_nodes_info":
                                          {"cluster_id": EHPC_CLUSTER_ID}}],
        # The same reads; the result holds the count of active nodes instead of every node.
        "ehpc_nodes_info query_only": lambda size: [{"name": "bench", "hpcops.clusters.ehpc_nodes_info":
                                                     {"cluster_id": EHPC_CLUSTER_ID, "query_only": True,
                                                      "query": "length([?status=='active'])"}}],
    }
    sim.reset()
    sim.config(latency_seconds=latency)
    times = dict(((task, size), []) for task in tasks for size in sizes)
    calls = {}
    load_before = load()
    for i in range(runs + 1):  # run 0 warms the page cache and is not counted
        order = list(sizes[i % len(sizes):] + sizes[:i % len(sizes)])
        for size in order:
            sim.world(ehpc_login_nodes=1, ehpc_compute_nodes=size - 1)
            for task, make in tasks.items():
                sim.clear_calls()
                run, seconds, _start, _end = runner.play(make(size))
                if run.changed:
                    raise BenchError("%s on %d nodes reported a change: %r" % (task, size, run))
                calls[(task, size)] = len(sim.calls())
                if i:
                    times[(task, size)].append(seconds)
    load_after = load()
    sim.reset()
    rows = []
    ratios = {}
    for task in tasks:
        base = times[(task, sizes[0])]
        for size in sizes:
            values = times[(task, size)]
            paired = [v / b for v, b in zip(values, base)]
            ratios[(task, size)] = statistics.median(paired)
            rows.append([task, "{:,}".format(size), calls[(task, size)], fmt_s(statistics.median(values)),
                         fmt_s(min(values)), fmt_s(max(values)), "%.2fx" % ratios[(task, size)],
                         "%.2fx" % (statistics.median(values) / statistics.median(base))])
    verdicts = ["%s on %s nodes: median paired ratio %.2f (goal <= %.1f: %s)" % (
        task, "{:,}".format(sizes[1]), ratios[(task, sizes[1])], LARGE_RATIO_GOAL,
        "meets" if ratios[(task, sizes[1])] <= LARGE_RATIO_GOAL else "MISSES") for task in tasks]
    table("6. Large clusters, %d ms a call: one task per run, sizes paired in each of %d runs (seconds)"
          % (round(latency * 1000), runs),
          ["task", "nodes", "API calls", "median", "min", "max", "paired ratio", "ratio of medians"], rows, verdicts + [
              "paired ratio: the median over runs of (this size / the 2-node task of the same run)",
              "listNodes pages of 100: the first alone (it tells total_count), the rest %d at a time "
              "(module_utils/paging.py)" % _paging_workers(),
              "%s before, %s after" % (load_before, load_after)])
    return dict(("%s %d" % key, value) for key, value in ratios.items())


def _paging_workers() -> int:
    root = str(collections_path())
    if root not in sys.path:
        sys.path.insert(0, root)
    from ansible_collections.hpcops.clusters.plugins.module_utils import paging  # pylint: disable=import-outside-toplevel,import-error
    return paging.WORKERS


def bench_pure(sizes=(2000, 20000), reps: int = 5) -> None:
    """The task's work that grows with the cluster, without I/O: it should grow 10x for 10x the nodes."""
    root = str(collections_path())
    if root not in sys.path:
        sys.path.insert(0, root)
    # pylint: disable=import-outside-toplevel,import-error
    from tests.unit.plugins.module_utils.test_plans_at_scale import cce_items, ehpc_work
    from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.cce_node_plan import plan_removal
    rows = []
    medians = {}
    for name, work in (("ehpc: busy nodes, scale-in and removal plans, results", ehpc_work),
                       ("cce: removal plan by name", lambda n: plan_removal(
                           cce_items(n), ["pool-%05d" % i for i in range(n // 2, n + 1)]))):
        for size in sizes:
            values = []
            for dummy in range(reps):
                start = time.perf_counter()
                work(size)
                values.append(time.perf_counter() - start)
            medians[(name, size)] = statistics.median(values)
        rows.append([name] + ["%.1f ms" % (1000 * medians[(name, size)]) for size in sizes]
                    + ["%.1fx" % (medians[(name, sizes[-1])] / medians[(name, sizes[0])])])
    table("6b. Pure work of a task on %s nodes (median of %d, in-process; the node dicts count their reads)"
          % (" vs ".join("{:,}".format(s) for s in sizes), reps),
          ["work"] + ["{:,} nodes".format(s) for s in sizes] + ["growth"], rows,
          ["linear work grows about 10x for 10x the nodes; a scan per node would grow about 100x", load()])


# --- main ---------------------------------------------------------------------------------

def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--runs", type=int, default=None,
                        help="runs of each task for the no-op/ping ratio (default 10, 4 with --quick)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions; skip the 30 s job")
    parser.add_argument("--sections", default="1,2,3,4,5,6", help="comma-separated section numbers to run")
    parser.add_argument("--large-runs", type=int, default=None,
                        help="paired runs of section 6 (default 7, 3 with --quick)")
    parser.add_argument("--latency", type=float, default=0.05,
                        help="simulated seconds per API call in section 6 (default 0.05)")
    parser.add_argument("--rolling-job-seconds", type=float, default=3.0,
                        help="job duration for the rolling restart (default 3)")
    parser.add_argument("--lag-durations", default="1,5,30",
                        help="job durations for the detection lag, comma-separated (default 1,5,30; --quick drops >= 30)")
    parser.add_argument("--calls-job-seconds", type=float, default=0.3,
                        help="job duration for the API-call counts (default 0.3)")
    args = parser.parse_args(argv)
    if args.runs is None:
        args.runs = 4 if args.quick else 10
    if args.large_runs is None:
        args.large_runs = 3 if args.quick else 7
    if args.runs < 1 or args.large_runs < 1:
        parser.error("--runs and --large-runs must be at least 1")
    args.sections = set(int(s) for s in args.sections.split(",") if s.strip())
    args.lag_durations = [float(d) for d in args.lag_durations.split(",") if d.strip()]
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        import ansible  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
        import requests  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    except ImportError as err:
        print("run this with the test venv's python (needs ansible-core and requests): %s" % err, file=sys.stderr)
        return 2
    print("hpcops.clusters benchmark: python %s, %s" % (sys.version.split()[0], sys.executable))
    print("started %s; %s" % (time.strftime("%Y-%m-%d %H:%M:%S"), load()))
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="hpcops-bench-"))
    try:
        if 5 in args.sections:
            bench_imports(reps=3 if args.quick else 7)
        with running_simulator(job_seconds=args.calls_job_seconds) as sim:
            runner = Runner(sim, workdir)
            if 1 in args.sections:
                noop = bench_noop(runner, args.runs)
                bench_ansiballz(runner, args.runs, reps=3 if args.quick else 5, noop=noop)
            if 2 in args.sections:
                bench_calls(runner, args.calls_job_seconds)
            if 3 in args.sections:
                durations = [d for d in args.lag_durations if not (args.quick and d >= 30)]
                reps = dict((d, 1 if d >= 20 else (2 if args.quick else 3)) for d in durations)
                bench_lag(runner, durations, reps)
                bench_schedule()
            if 4 in args.sections:
                bench_rolling(runner, args.rolling_job_seconds)
            if 6 in args.sections:
                bench_large(runner, args.large_runs, args.latency)
        if 6 in args.sections:
            bench_pure(reps=3 if args.quick else 5)
    except BenchError as err:
        print("benchmark failed: %s" % err, file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("\nfinished in %.0f s; %s" % (time.perf_counter() - started, load()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
