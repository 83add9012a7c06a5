"""Every module's EXAMPLES, run as a play against the simulator.

The examples are what users copy, so they must parse, pass ``ansible-playbook
--syntax-check``, use only documented options, and do what they say against the
simulator's default world (EHPC cluster ehpc-8jqdq0mz, CCE clusters cce-demo and, with node
pools, cce-pools, hyper clusters hc-demo-hps / hc-demo-ecs). Each module's examples run in order as one play on
a freshly reset simulator.

ADJUSTMENTS lists the few changes an example needs before it can run here: a variable
the example leaves to the reader, a task that registers what the example assumes, a
placeholder that names nothing in the simulator, a public endpoint. Substitutions of text
that is no longer in an example are simply not applied, so the module owners can make
the examples runnable as they are without touching this file. A task listed in
``allowed_failures`` may fail, but only with the expected message and only while it still
contains the placeholder that makes it fail.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
from dataclasses import dataclass, field

import pytest
import yaml

from tests.integration.ansible_runner import BIN_DIR, REPO_ROOT, base_env, run_cli, run_playbook

COLLECTION = "hpcops.clusters"
MODULES_DIR = REPO_ROOT / "plugins" / "modules"
MODULES = sorted(p.stem for p in MODULES_DIR.glob("*.py") if not p.name.startswith("_"))
SIM_URL = "@@SIM_URL@@"  # replaced with the simulator's URL when the play is written
CCE_PLACEHOLDER_CLUSTER = "4c8f9a4e-3b2d-11ef-9b1a-0255ac100b05"
# `openssl passwd -6 -salt hpcopsexample example-password`
SHA512_CRYPT = "$6$hpcopsexample$SsexRN7V3/sQ1yhiFMNb5iDw6jH7sacgNXDMAZRNRfDw.1839yCWT.GLQCkt52j21cYSyTYoKLJXkxnsSBwN9."


@dataclass
class Adjust:
    replace: dict = field(default_factory=dict)  # text substitutions in EXAMPLES
    vars: dict = field(default_factory=dict)  # play vars the examples expect from the reader
    pre_tasks: list = field(default_factory=list)  # added unless an example registers the same variable
    allowed_failures: list = field(default_factory=list)  # (text the task contains, msg regex)


SLURM_MODULES = ("slurm_node",)

ADJUSTMENTS = {
    "slurm_node": Adjust(
        # The test cluster's nodes are compute[01-04]; compute[03-04] never answer and run no job.
        replace={"gpu7": "compute04"},
    ),
    "cce_nodes_info": Adjust(
        # A realistic CCE cluster uuid; the simulator's cluster is cce-demo.
        replace={CCE_PLACEHOLDER_CLUSTER: "cce-demo"},
    ),
    # The simulator's node pools are in its cluster cce-pools.
    "cce_node_pool": Adjust(replace={CCE_PLACEHOLDER_CLUSTER: "cce-pools"}),
    "cce_node_pool_info": Adjust(replace={CCE_PLACEHOLDER_CLUSTER: "cce-pools"}),
    "cce_node_remove": Adjust(
        replace={
            CCE_PLACEHOLDER_CLUSTER: "cce-demo",
            # password_hash needs passlib on the controller, which requirements.txt does not install.
            "{{ node_password | password_hash('sha512') }}": SHA512_CRYPT,
        },
        vars={"node_password": "example-password"},
        # "Remove every node ..." uses all_nodes, which the examples never register.
        pre_tasks=[{"name": "(test) list the nodes of the cluster",
                    "hpcops.clusters.cce_nodes_info": {"cluster_id": "cce-demo"},
                    "register": "all_nodes"}],
    ),
    "ehpc_nodes": Adjust(
        # Made-up node ids: state=absent treats them as gone already (no change), state=restarted
        # can't restart a node that does not exist.
        allowed_failures=[("cln-abcd1234", r"nodes not in cluster ehpc-8jqdq0mz: cln-abcd1234")],
    ),
    "modelarts_hyper_cluster": Adjust(
        # The IAM-user example names a real endpoint and a user the simulator does not have.
        replace={
            "https://modelarts.cn-north-4.myhuaweicloud.com": SIM_URL,
            "iam_user: ops": "iam_user: demo",
            "iam_domain: my-account": "iam_domain: demo",
        },
        vars={"vault_iam_password": "demo-password"},
    ),
}


def examples_text(module: str) -> str:
    tree = ast.parse((MODULES_DIR / (module + ".py")).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "EXAMPLES" for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError("%s has no EXAMPLES" % module)


def action_of(task: dict) -> str:
    keys = [k for k in task if k not in TASK_KEYWORDS]
    assert len(keys) == 1, "task %r: expected one action, found %s" % (task.get("name"), keys)
    return keys[0]


TASK_KEYWORDS = {"name", "register", "when", "loop", "loop_control", "vars", "tags", "notify", "until", "retries",
                 "delay", "changed_when", "failed_when", "ignore_errors", "no_log", "check_mode", "diff",
                 "delegate_to", "run_once", "environment", "module_defaults", "become", "args", "block"}


def play_for(tasks: list, play_vars: dict | None = None) -> list:
    play = {"name": "examples", "hosts": "localhost", "gather_facts": False, "tasks": tasks}
    if play_vars:
        play["vars"] = play_vars
    return [play]


@pytest.fixture(scope="module")
def documented_options():
    """{module: set of option names and aliases}, doc fragments included (ansible-doc --json)."""
    proc = run_cli([str(BIN_DIR / "ansible-doc"), "--json"] + ["%s.%s" % (COLLECTION, m) for m in MODULES],
                   base_env("", credentials=False), str(REPO_ROOT), 120)
    assert proc.returncode == 0, proc.stderr
    docs = json.loads(proc.stdout)
    options = {}
    for module in MODULES:
        names = set()
        for name, spec in docs["%s.%s" % (COLLECTION, module)]["doc"]["options"].items():
            names.add(name)
            names.update(spec.get("aliases") or [])
        options[module] = names
    return options


@pytest.mark.parametrize("module", MODULES)
def test_examples_parse_and_use_documented_options(module, documented_options):
    tasks = yaml.safe_load(examples_text(module))
    assert isinstance(tasks, list) and tasks, "%s: EXAMPLES is not a YAML list of tasks" % module
    own = 0
    for task in tasks:
        assert isinstance(task, dict) and task.get("name"), "%s: every example task needs a name: %r" % (module, task)
        action = action_of(task)
        assert action.startswith(("%s." % COLLECTION, "ansible.builtin.")), (
            "%s: use the FQCN, not %r" % (module, action))
        if action == "%s.%s" % (COLLECTION, module):
            own += 1
            args = task[action] or {}
            assert isinstance(args, dict), (module, task["name"])
            unknown = set(args) - documented_options[module]
            assert not unknown, "%s: task %r uses undocumented options %s" % (module, task["name"], sorted(unknown))
    assert own, "%s: no example uses hpcops.clusters.%s" % (module, module)


def test_examples_pass_syntax_check(tmp_path):
    playbooks = []
    for module in MODULES:
        path = tmp_path / ("%s.yml" % module)
        path.write_text(yaml.safe_dump(play_for(yaml.safe_load(examples_text(module))), sort_keys=False))
        playbooks.append(str(path))
    proc = subprocess.run([str(BIN_DIR / "ansible-playbook"), "-i", "localhost,", "--syntax-check"] + playbooks,
                          env=base_env("", credentials=False), capture_output=True, text=True, timeout=120,
                          cwd=str(REPO_ROOT), check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def runnable_play(module: str, url: str) -> tuple:
    """(play, the example tasks in it, adjust) with ADJUSTMENTS applied."""
    adjust = ADJUSTMENTS.get(module, Adjust())
    text = examples_text(module)
    for old, new in adjust.replace.items():
        text = text.replace(old, new)
    text = text.replace(SIM_URL, url)
    tasks = yaml.safe_load(text)
    registered = {t.get("register") for t in tasks}
    pre = [dict(t) for t in adjust.pre_tasks if t.get("register") not in registered]
    for task in tasks:
        task["ignore_errors"] = True  # run them all and report every failure at once
    play = play_for(pre + tasks, adjust.vars)
    # Nothing may leave this machine: every URL in the play must be the simulator's.
    for found in re.findall(r"https?://[^\s'\"]+", json.dumps(play)):
        assert found.startswith(url), "%s: an example calls %s; add a substitution to ADJUSTMENTS" % (module, found)
    return play, tasks, adjust, len(pre)


@pytest.mark.parametrize("module", MODULES)
def test_examples_run_against_the_simulator(module, sim, tmp_path, request):
    play, tasks, adjust, pre_count = runnable_play(module, sim.url)
    playbook = tmp_path / "examples.yml"
    playbook.write_text(json.dumps(play))
    # Slurm modules run their examples against the real Slurm of tests/integration/slurm_cluster.py.
    env = request.getfixturevalue("slurm").env if module in SLURM_MODULES else None
    run = run_playbook(playbook, sim.url, env=env)
    assert run.rc == 0, run
    assert len(run.results) == pre_count + len(tasks), (
        "%s: %d results for %d tasks: %s" % (module, len(run.results), pre_count + len(tasks), run))
    for result in run.results[:pre_count]:
        assert not result.get("failed"), result

    problems = []
    changed = 0
    for task, result in zip(tasks, run.results[pre_count:]):
        changed += bool(result.get("changed"))
        if result.get("skipped"):
            problems.append("%r was skipped" % task["name"])
        if not result.get("failed"):
            continue
        msg = str(result.get("msg", ""))
        text = json.dumps(task)
        if any(marker in text and re.search(pattern, msg) for marker, pattern in adjust.allowed_failures):
            continue
        problems.append("%r failed: %s" % (task["name"], msg[:500]))
    assert not problems, "%s EXAMPLES against the simulator:\n  %s" % (module, "\n  ".join(problems))

    if module.endswith("_info"):
        assert changed == 0, "%s: an info module reported a change" % module
    else:
        assert changed, "%s: no example changed anything in the simulator" % module
