"""Run collection modules and playbooks through the real ``ansible-playbook`` CLI.

Tests drive Ansible the way operators do, so argument parsing, no_log masking, check
mode and diff all go through ansible-core itself, each run a fresh process of the installed CLI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = Path(sys.executable).parent

QINGCLOUD_ENV = {
    "QINGCLOUD_ACCESS_KEY_ID": "QYACCESSKEYIDEXAMPLE",
    "QINGCLOUD_SECRET_ACCESS_KEY": "SECRETACCESSKEY",
    "QINGCLOUD_ZONE": "jn1a",
}
HUAWEI_ENV = {
    "HW_REGION_NAME": "cn-north-4",
    "HW_PROJECT_ID": "0123456789abcdef0123456789abcdef",
    "HW_ACCESS_KEY": "HWSIMACCESSKEY",
    "HW_SECRET_KEY": "HWSIMSECRETKEY",
}
CREDENTIAL_ENV_NAMES = [
    "QINGCLOUD_ACCESS_KEY_ID", "QINGCLOUD_SECRET_ACCESS_KEY", "QINGCLOUD_ZONE", "QINGCLOUD_EHPC_ENDPOINT",
    "HW_REGION_NAME", "HW_PROJECT_ID", "HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_SECURITY_TOKEN",
    "HW_AUTH_TOKEN", "HW_USER_NAME", "HW_USER_PASSWORD", "HW_DOMAIN_NAME", "HW_IAM_ENDPOINT",
    "HW_CCE_ENDPOINT", "HW_MODELARTS_ENDPOINT",
]


def run_cli(cmd: list, env: dict, cwd: str, timeout: float) -> subprocess.CompletedProcess:
    """Run an Ansible CLI (or any command) as a fresh process: output captured as text, stdin
    from /dev/null (nothing may wait for a prompt), never raising on its exit code."""
    return subprocess.run([str(c) for c in cmd], env=env, cwd=str(cwd), timeout=timeout, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, check=False)


def collections_path() -> Path:
    """``<this checkout>/.tmp/collections``, holding ansible_collections/hpcops/clusters -> this checkout.

    The tree is built by ``hack/collection_tree.sh`` (the one way, shared with the Makefile)
    and checked on every call: a link that resolves anywhere but this checkout fails the
    test run instead of silently testing another copy of the collection.
    """
    root = REPO_ROOT / ".tmp" / "collections"
    link = root / "ansible_collections" / "hpcops" / "clusters"
    if not (link.is_symlink() and link.resolve() == REPO_ROOT.resolve()):
        subprocess.run(["bash", str(REPO_ROOT / "hack" / "collection_tree.sh")], check=True,
                       capture_output=True, text=True)
    if link.resolve() != REPO_ROOT.resolve():
        raise RuntimeError("%s resolves to %s, not to this checkout %s" % (link, link.resolve(), REPO_ROOT))
    return root


# ansible-core has no JSON stdout callback (ansible.builtin.json redirects to
# ansible.posix, which is not installed), so the runner brings a minimal one with the
# same output shape: {"plays": [{"play", "tasks": [{"task", "hosts": {host: result}}]}], "stats"}.
JSON_CALLBACK_NAME = "hpcops_json"
JSON_CALLBACK_SOURCE = '''
from __future__ import annotations
import json
from ansible.plugins.callback import CallbackBase
DOCUMENTATION = """
name: hpcops_json
type: stdout
short_description: JSON output for the hpcops.clusters test harness
description: [Prints every task's result per host, then the stats, as one JSON document.]
"""
class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "hpcops_json"
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.plays = []
    def v2_playbook_on_play_start(self, play):
        self.plays.append({"play": {"name": play.get_name()}, "tasks": []})
    def v2_playbook_on_task_start(self, task, is_conditional):
        self.plays[-1]["tasks"].append({"task": {"name": task.get_name()}, "hosts": {}})
    def _record(self, result, **flags):
        self.plays[-1]["tasks"][-1]["hosts"][result._host.get_name()] = dict(result._result, **flags)
    def v2_runner_on_ok(self, result):
        self._record(result)
    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, failed=True)
    def v2_runner_on_skipped(self, result):
        self._record(result, skipped=True)
    def v2_runner_on_unreachable(self, result):
        self._record(result, unreachable=True)
    def v2_playbook_on_stats(self, stats):
        summary = dict((host, stats.summarize(host)) for host in sorted(stats.processed))
        self._display.display(json.dumps({"plays": self.plays, "stats": summary}, indent=2, sort_keys=True, default=str))
'''


def callback_plugins_path() -> Path:
    directory = REPO_ROOT / ".tmp" / "callback_plugins"
    target = directory / (JSON_CALLBACK_NAME + ".py")
    if not target.exists() or target.read_text() != JSON_CALLBACK_SOURCE:
        directory.mkdir(parents=True, exist_ok=True)
        scratch = directory / (".%s.%d.tmp" % (JSON_CALLBACK_NAME, os.getpid()))
        scratch.write_text(JSON_CALLBACK_SOURCE)
        os.replace(scratch, target)
    return directory


class AnsibleRun:
    def __init__(self, proc: subprocess.CompletedProcess, results: list, stats: dict):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.results = results
        self.stats = stats

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def result(self) -> dict:
        """The result of the (last) task."""
        return self.results[-1] if self.results else {}

    @property
    def failed(self) -> bool:
        return bool(self.result.get("failed"))

    @property
    def changed(self) -> bool:
        return bool(self.result.get("changed"))

    def __repr__(self) -> str:
        return "AnsibleRun(rc=%s, result=%s, stderr=%s)" % (self.rc, json.dumps(self.result)[:2000], self.stderr[-2000:])


def base_env(url: str, extra: dict | None = None, credentials: bool = True) -> dict:
    env = dict(os.environ)
    for name in CREDENTIAL_ENV_NAMES:
        env.pop(name, None)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": str(collections_path()),
        "ANSIBLE_STDOUT_CALLBACK": JSON_CALLBACK_NAME,
        "ANSIBLE_CALLBACK_PLUGINS": str(callback_plugins_path()),
        "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "PATH": "%s%s%s" % (BIN_DIR, os.pathsep, env.get("PATH", "")),
    })
    if credentials:
        env.update(QINGCLOUD_ENV)
        env.update(HUAWEI_ENV)
        env.update({"QINGCLOUD_EHPC_ENDPOINT": url, "HW_CCE_ENDPOINT": url,
                    "HW_MODELARTS_ENDPOINT": url, "HW_IAM_ENDPOINT": url})
    env.update(extra or {})
    return {k: v for k, v in env.items() if v is not None}


def _parse(proc: subprocess.CompletedProcess) -> tuple:
    try:
        data = json.loads(proc.stdout[proc.stdout.index("{"):])
    except ValueError:
        return [], {}
    results = []
    for play in data.get("plays", []):
        for task in play.get("tasks", []):
            for host_result in task.get("hosts", {}).values():
                results.append(host_result)
    return results, data.get("stats", {})


def run_playbook(playbook: str | Path, url: str, extra_args: list | None = None, env: dict | None = None,
                 credentials: bool = True, timeout: float = 300, json_output: bool = True) -> AnsibleRun:
    run_env = base_env(url, env, credentials)
    if not json_output:
        run_env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.builtin.default"
    cmd = [str(BIN_DIR / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(playbook)] + list(extra_args or [])
    proc = run_cli(cmd, run_env, str(REPO_ROOT), timeout)
    results, stats = _parse(proc) if json_output else ([], {})
    return AnsibleRun(proc, results, stats)


def run_module(module: str, args: dict, url: str, check: bool = False, diff: bool = False,
               verbosity: int = 0, env: dict | None = None, credentials: bool = True,
               module_defaults: dict | None = None, tmp_dir: Path | None = None) -> AnsibleRun:
    """Run one task of ``hpcops.clusters.<module>`` on localhost; returns its result."""
    return run_module_tasks(module, [args], url, check, diff, verbosity, env, credentials, module_defaults, tmp_dir)


def run_module_tasks(module: str, tasks_args: list, url: str, check: bool = False, diff: bool = False,
                     verbosity: int = 0, env: dict | None = None, credentials: bool = True,
                     module_defaults: dict | None = None, tmp_dir: Path | None = None) -> AnsibleRun:
    """Run ``hpcops.clusters.<module>`` once per arguments dict, in order, in one ansible-playbook
    (one start instead of one each). With several tasks a failed one does not stop the next
    (``ignore_errors``); its result still says ``failed``."""
    name = module if "." in module else "hpcops.clusters." + module
    tasks = [{"name": "task %d" % index, name: args} for index, args in enumerate(tasks_args)]
    if len(tasks) > 1:
        for task in tasks:
            task["ignore_errors"] = True
    play = {"hosts": "localhost", "gather_facts": False, "tasks": tasks}
    if module_defaults:
        play["module_defaults"] = module_defaults
    directory = tmp_dir or Path(tempfile.mkdtemp(prefix="hpcops-play-"))
    playbook = directory / "play.json"
    # JSON is YAML, and keeps the arguments' types exactly as the test wrote them.
    playbook.write_text(json.dumps([play]))
    extra = []
    if check:
        extra.append("--check")
    if diff:
        extra.append("--diff")
    if verbosity:
        extra.append("-" + "v" * verbosity)
    return run_playbook(playbook, url, extra, env, credentials)
