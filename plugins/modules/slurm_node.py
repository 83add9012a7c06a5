#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

__metaclass__ = type

DOCUMENTATION = r"""
module: slurm_node
short_description: Drain, resume or down Slurm nodes, and wait until drained nodes run no job
version_added: 0.2.0
description:
  - Sets the state of Slurm nodes with C(scontrol update), for example to drain a node before
    it is removed or restarted, so that Slurm gives it no new job while its running jobs finish.
  - Runs on a host where Slurm's client commands (C(scontrol), C(sinfo), C(squeue)) reach the
    cluster, usually the cluster's login or controller node. It needs no cloud credentials.
  - Reads the nodes with C(scontrol --json show node) (Slurm 23.02 and later), C(sinfo --json)
    (Slurm 21.08 to 22.05) or C(scontrol --oneliner show node) (older), whichever works first,
    and the jobs on them with C(squeue).
  - Every name is checked before anything changes; an unknown node fails the task with no update made.
requirements:
  - Python 3.6 or later on the host that runs the task (RHEL 8's platform Python will do); nothing beyond its standard library.
author:
  - hpcops.clusters contributors (@hpcops)
options:
  nodes:
    description:
      - Slurm node names, each a name or a Slurm host list such as V(compute[01-04]) or
        V(gpu[1-2],login1).
    type: list
    elements: str
    required: true
  state:
    description:
      - V(drained) sets the DRAIN flag (C(scontrol update State=DRAIN)). Slurm starts no new job
        on the node; running jobs go on. A node that already has the DRAIN flag is left as it
        is, with its reason.
      - V(resumed) clears DRAIN and DOWN (C(State=RESUME)). A node that is neither drained nor
        down is left as it is.
      - V(down) marks the node DOWN (C(State=DOWN)). Slurm kills or requeues the jobs running on
        it. A node already DOWN is left as it is.
    type: str
    choices: [drained, resumed, down]
    default: drained
  reason:
    description:
      - Why the node is drained or down; Slurm shows it in C(sinfo -R) and C(scontrol show node).
      - Required when O(state=drained) or O(state=down).
    type: str
  wait:
    description:
      - With O(state=drained), wait until every node is drained, that is it has the DRAIN flag and
        no job is left on it (none in C(squeue), and the node is neither allocated nor completing).
      - With O(state=resumed), wait until every node is back in service, that is neither down nor
        drained and answering slurmctld (a resumed node counts as not responding until slurmctld's
        next ping, and a node whose C(slurmd) does not run never answers).
      - Ignored for O(state=down).
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds to wait, in all, when O(wait=true). Nodes not there yet then fail the
        task; for O(state=drained), RV(jobs_remaining) lists the jobs still on them.
      - At least 1 when the task waits (O(wait=true) with O(state=drained) or O(state=resumed));
        not checked otherwise.
    type: int
    default: 3600
  slurm_bin_dir:
    description:
      - Directory holding C(scontrol), C(sinfo) and C(squeue).
      - By default they are looked up in E(PATH).
    type: path
notes:
  - C(scontrol update) needs a Slurm operator or administrator, or root (usually C(become=true)).
  - Check mode makes no C(scontrol update); it reports the nodes as the update would leave them.
  - With C(--diff) each node's state and reason are shown before and after; "after" is what
    Slurm shows once the update (and the wait) is done, read back like RV(nodes), for example
    V(IDLE+NOT_RESPONDING) for a resumed node slurmctld has not pinged yet. In check mode it is
    the state the update would leave.
  - To restart a node without draining it by hand, Slurm's own C(scontrol reboot ASAP
    nextstate=RESUME) may suit better; this module is the building block for removal and
    cloud-side restarts.
attributes:
  check_mode:
    description: Can run in check mode and return the changed status and the nodes' predicted state without updating them.
    support: full
  diff_mode:
    description: Returns each node's state and reason before and after the update when in diff mode.
    support: full
seealso:
  - name: scontrol update
    description: Slurm's documentation of node states and C(scontrol update).
    link: https://slurm.schedmd.com/scontrol.html
"""

EXAMPLES = r"""
- name: Drain two compute nodes and wait until their jobs have finished
  hpcops.clusters.slurm_node:
    nodes: compute[03-04]
    state: drained
    reason: scale-in
    wait: true
    wait_timeout: 7200
  register: drained

- name: Put them back into service (for example when their removal failed)
  hpcops.clusters.slurm_node:
    nodes: "{{ drained.changed_nodes }}"
    state: resumed
  when: drained.changed_nodes | length > 0

- name: Take a broken node out at once (its jobs are killed or requeued)
  hpcops.clusters.slurm_node:
    nodes:
      - gpu7
    state: down
    reason: ECC errors
"""

RETURN = r"""
nodes:
  description:
    - Each node asked for, in the order given, as Slurm shows it after the task (in check mode, as
      the update would leave it).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Slurm node name.
      type: str
    state:
      description: Slurm's base state in upper case, for example V(IDLE), V(ALLOCATED), V(MIXED), V(DOWN).
      type: str
    flags:
      description: State flags, for example V(DRAIN), V(COMPLETING), V(NOT_RESPONDING).
      type: list
      elements: str
    state_text:
      description: State and flags the way C(scontrol) writes them, for example V(ALLOCATED+DRAIN).
      type: str
    reason:
      description: The node's reason, empty when it has none.
      type: str
    jobs:
      description: IDs of the jobs still on the node (running, completing, suspended, ...).
      type: list
      elements: str
  sample: [{name: compute03, state: IDLE, flags: [DRAIN], state_text: IDLE+DRAIN, reason: scale-in, jobs: []}]
changed_nodes:
  description:
    - The nodes this task updated (in check mode, would update). Resume exactly these to undo a
      drain without touching nodes someone else had drained.
  returned: always
  type: list
  elements: str
  sample: [compute03, compute04]
jobs_remaining:
  description:
    - IDs of the jobs still on the nodes when O(wait_timeout) ran out; the task fails then.
    - Empty when the nodes drained in time.
  returned: when O(state=drained) and O(wait=true), outside check mode
  type: list
  elements: str
  sample: ["4711", "4712"]
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hpcops.clusters.plugins.module_utils.slurm import node_plan as slurm
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import WaitError
from ansible_collections.hpcops.clusters.plugins.module_utils.slurm.hostlist import HostListError
from ansible_collections.hpcops.clusters.plugins.module_utils.waiters import Deadline, poll

COMMANDS = ("scontrol", "sinfo", "squeue")


class SlurmNode:
    argument_spec = dict(
        nodes=dict(type="list", elements="str", required=True),
        state=dict(type="str", choices=["drained", "resumed", "down"], default="drained"),
        reason=dict(type="str"),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=3600),
        slurm_bin_dir=dict(type="path"),
    )

    def __init__(self):
        self.module = AnsibleModule(argument_spec=self.argument_spec, supports_check_mode=True,
                                    required_if=[("state", "drained", ["reason"]), ("state", "down", ["reason"])])
        self.params = self.module.params
        self.result = {"changed": False, "changed_nodes": []}
        self.bins: dict = {}
        self.names: list = []
        self.node_source = None  # index in slurm.NODE_SOURCES, once one worked
        self.diff_before = None  # the nodes as first read, for --diff

    def fail(self, msg: str, **extra) -> None:
        result = dict(self.result)
        result.update(extra)
        self.module.fail_json(msg=msg, **result)

    # --- before any command --------------------------------------------------------

    def validate(self) -> None:
        p = self.params
        try:
            self.names = slurm.expand_nodes(p["nodes"])
        except HostListError as err:
            self.fail("nodes: %s" % err)
        if not self.names:
            self.fail("nodes is empty: name at least one Slurm node")
        if p["state"] != "resumed" and not (p["reason"] or "").strip():
            self.fail("reason must not be blank when state=%s: Slurm records it with the node" % p["state"])
        # wait_timeout only matters when the task waits (state=down never does).
        if p["wait"] and p["state"] != "down" and p["wait_timeout"] < 1:
            self.fail("wait_timeout must be at least 1 second, got %d" % p["wait_timeout"])
        for name in COMMANDS:
            self.bins[name] = self.find(name)

    def find(self, name: str) -> str:
        directory = self.params["slurm_bin_dir"]
        if directory:
            path = os.path.join(directory, name)
            if os.path.isfile(path) and os.access(path, os.X_OK):
                return path
            self.fail("%s not found in slurm_bin_dir %s: point it at the directory of Slurm's client "
                      "commands" % (name, directory))
        path = self.module.get_bin_path(name)
        if not path:
            self.fail("%s not found: run this on a host with Slurm's client commands, e.g. the login node "
                      "(or set slurm_bin_dir)" % name)
        return path

    # --- reading Slurm -------------------------------------------------------------

    def command(self, name: str, args: list) -> str:
        argv = [self.bins[name]] + args
        rc, out, err = self.module.run_command(argv)
        if rc != 0:
            self.fail("%s failed (rc %d): %s" % (" ".join(argv), rc, (err or out).strip()),
                      command=argv, rc=rc, stdout=out, stderr=err)
        return out

    def read_nodes(self) -> dict:
        """The node table, from the first source in slurm.NODE_SOURCES this Slurm offers."""
        problems = []
        for index, (name, args, kind) in enumerate(slurm.NODE_SOURCES):
            if self.node_source is not None and index != self.node_source:
                continue
            argv = [self.bins[name]] + args
            rc, out, err = self.module.run_command(argv)
            if rc != 0:
                # An older Slurm rejects --json ("unrecognized option"): try the next source.
                problems.append("%s: rc %d: %s" % (" ".join(argv), rc, (err or out).strip()))
                continue
            try:
                nodes = slurm.parse_nodes(out, kind, " ".join([name] + args))
            except slurm.SlurmError as problem:
                self.fail("cannot read Slurm's nodes: %s" % problem)
            self.node_source = index
            return nodes
        self.fail("cannot read Slurm's nodes: %s" % "; ".join(problems))
        return {}

    def read_jobs(self) -> dict:
        out = self.command("squeue", ["--noheader", "--nodelist=" + ",".join(self.names),
                                      "--format=" + slurm.SQUEUE_FORMAT])
        try:
            return slurm.jobs_on(slurm.parse_squeue(out), self.names)
        except slurm.SlurmError as err:
            self.fail("cannot read the jobs on the nodes: %s" % err)
        return {}

    def read(self) -> tuple:
        nodes = self.read_nodes()
        return nodes, self.read_jobs()

    # --- the run -------------------------------------------------------------------

    def run(self) -> None:
        p = self.params
        self.validate()
        nodes = self.read_nodes()
        try:
            to_update = slurm.plan(nodes, self.names, p["state"])
        except slurm.SlurmError as err:
            self.fail("%s; nothing was changed" % err, known_nodes=sorted(nodes))
        before = [nodes[name] for name in self.names]
        jobs = self.read_jobs()
        self.result["changed"] = bool(to_update)
        self.result["changed_nodes"] = to_update
        if self.module._diff:
            self.diff_before = self.diff_view(before)
        if self.module.check_mode:
            self.report([slurm.predicted(node, p["state"], p["reason"]) for node in before], jobs)
            return
        if to_update:
            self.update(to_update)
        if p["wait"] and p["state"] != "down":
            self.wait()
            return
        nodes, jobs = self.read()
        self.report(self.pick(nodes), jobs)

    def update(self, names: list) -> None:
        p = self.params
        argv = [self.bins["scontrol"]] + slurm.update_args(names, p["state"], p["reason"])
        rc, out, err = self.module.run_command(argv)
        if rc == 0:
            return
        # slurmctld handles the nodes one by one and may refuse some after changing others
        # (RESUME of a node that never registered clears DRAIN, then answers "Invalid node
        # state specified"): the nodes as they are now decide, not the exit code alone.
        try:
            left = slurm.plan(self.read_nodes(), names, p["state"])
        except slurm.SlurmError as problem:
            self.fail("%s failed (rc %d): %s; then %s" % (" ".join(argv), rc, (err or out).strip(), problem))
        if left:
            self.result["changed_nodes"] = [name for name in names if name not in left]
            self.result["changed"] = bool(self.result["changed_nodes"])
            self.fail("%s failed (rc %d): %s; not updated: %s" % (" ".join(argv), rc, (err or out).strip(),
                                                                  ", ".join(left)),
                      command=argv, rc=rc, stdout=out, stderr=err)
        self.module.warn("%s reported: %s; every node is in the asked state all the same"
                         % (" ".join(argv), (err or out).strip()))

    def wait(self) -> None:
        state = self.params["state"]
        last: dict = {}

        def waiting() -> list:
            return [name for name in self.names if not slurm.is_done(last["nodes"][name], last["jobs"][name], state)]

        def done():
            nodes, last["jobs"] = self.read()
            last["nodes"] = dict((node["name"], node) for node in self.pick(nodes))
            return not waiting(), None

        def describe(_value):
            if state == "drained":
                what = "the nodes to drain; jobs still on %s" % "; ".join(
                    "%s: %s" % (name, ", ".join(last["jobs"][name]) or slurm.state_text(last["nodes"][name]))
                    for name in waiting())
            else:
                what = "the nodes to be back in service; still %s" % ", ".join(
                    "%s %s" % (name, slurm.state_text(last["nodes"][name])) for name in waiting())
            return None, None, what

        try:
            poll(done, Deadline(self.params["wait_timeout"]), describe)
        except WaitError as err:
            self.report([last["nodes"][name] for name in self.names], last["jobs"])
            self.fail(str(err))
        self.report([last["nodes"][name] for name in self.names], last["jobs"])

    def pick(self, nodes: dict) -> list:
        """The asked nodes, in the asked order, from a fresh read."""
        gone = [name for name in self.names if name not in nodes]
        if gone:
            self.fail("Slurm no longer lists %s" % ", ".join(gone))
        return [nodes[name] for name in self.names]

    def report(self, nodes: list, jobs: dict) -> None:
        """``nodes``: as read back after the update (in check mode, as predicted)."""
        self.result["nodes"] = [dict(node, state_text=slurm.state_text(node), jobs=jobs.get(node["name"], []))
                                for node in nodes]
        if self.diff_before is not None:
            # "after" is what Slurm shows, not what the update was expected to do: a resumed
            # node stays NOT_RESPONDING until slurmctld's next ping.
            self.result["diff"] = {"before": self.diff_before, "after": self.diff_view(nodes)}
        if self.params["state"] == "drained" and self.params["wait"] and not self.module.check_mode:
            remaining = []
            for node in nodes:
                remaining.extend(job for job in jobs.get(node["name"], []) if job not in remaining)
            self.result["jobs_remaining"] = remaining

    @staticmethod
    def diff_view(nodes: list) -> dict:
        return dict((node["name"], {"state": slurm.state_text(node), "reason": node["reason"]}) for node in nodes)


def main():
    task = SlurmNode()
    task.run()
    task.module.exit_json(**task.result)


if __name__ == "__main__":
    main()
