"""docs/awx/job_templates/*.json: each job template and its survey, launched as AWX launches it.

AWX builds a job's extra vars from the template's survey: every question's default that passes the
question's own validation, then the answers given at launch (awx/main/models/mixins.py,
``SurveyJobTemplateMixin._update_unified_job_kwargs``), and hands them to ansible-runner, which
writes them to ``env/extravars`` and runs ``ansible-playbook -e @env/extravars`` in the project
checkout. The tests do the same with ansible-runner. Every value is handed over as a string, the
hardest case for the roles (AWX itself sends integer answers as numbers): "5", "yes", "" for a
blank, "a\\nb" for a text area. The inventory only knows localhost, as AWX's "cloud APIs"
inventory does: nothing but the survey chooses the cluster.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from tests.integration.ansible_runner import REPO_ROOT, base_env

# A long file: tests/conftest.py has pytest-xdist start the slow files first.
pytestmark = pytest.mark.slow

try:
    import ansible_runner
except ImportError:  # requirements-dev.txt installs it; only a hand-made venv lacks it
    if os.environ.get("CI") == "true":
        raise
    ansible_runner = pytest.importorskip("ansible_runner")

TEMPLATES = REPO_ROOT / "docs" / "awx" / "job_templates"
PLAYBOOKS = ["ehpc_scale", "ehpc_rolling_restart", "cce_scale_in", "ehpc_autoscale", "cce_scale"]
EHPC_CLUSTER = "ehpc-8jqdq0mz"
CCE_CLUSTER = "cce-demo"
CCE_POOL_CLUSTER = "cce-pools"
SALTED = "$6$saltsalt$notarealhashbutlongenough"

# Parameters of the awx.awx.job_template module these files use (a subset of what it takes).
JOB_TEMPLATE_KEYS = {"name", "description", "job_type", "ask_job_type_on_launch", "project", "playbook", "inventory",
                     "execution_environment", "credentials", "allow_simultaneous", "survey_enabled", "survey_spec"}
QUESTION_TYPES = {"text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect"}
QUESTION_KEYS = {"question_name", "question_description", "variable", "type", "required", "default", "min", "max", "choices"}


def template(name: str) -> dict:
    return json.loads((TEMPLATES / (name + ".json")).read_text())


def role_options(name: str) -> dict:
    specs = yaml.safe_load((REPO_ROOT / "roles" / name / "meta" / "argument_specs.yml").read_text())
    return specs["argument_specs"]["main"]["options"]


def _default_is_valid(question: dict) -> bool:
    """AWX keeps a default only if it passes the question's validation (an integer default "" is dropped)."""
    default = question.get("default")
    if default is None:
        return False
    if question["type"] in ("text", "textarea", "password"):
        return isinstance(default, str)
    if question["type"] == "integer":
        return isinstance(default, int) and not isinstance(default, bool)
    if question["type"] == "multiplechoice":
        return default in question["choices"]
    return True


def awx_extra_vars(name: str, answers: dict) -> dict:
    """The extra vars of a job launched from template ``name`` with ``answers``, every value a string."""
    merged = {q["variable"]: q["default"] for q in template(name)["survey_spec"]["spec"] if _default_is_valid(q)}
    merged.update(answers)
    return {key: str(value) for key, value in merged.items()}


class Job:
    """What an AWX job shows: return code, each task's result, the job events and the stdout."""

    def __init__(self, runner) -> None:
        self.rc = runner.rc
        self.events = list(runner.events)
        # The event's name says whether a task failed; its result need not.
        self.results = [dict(e["event_data"].get("res", {}), skipped=e["event"] == "runner_on_skipped",
                             failed=e["event"] == "runner_on_failed")
                        for e in self.events if e["event"] in ("runner_on_ok", "runner_on_failed", "runner_on_skipped")]
        with runner.stdout as stdout:  # an open file of the job's artifacts
            self.output = stdout.read() + json.dumps(self.events)

    @property
    def result(self) -> dict:
        return self.results[-1] if self.results else {}

    @property
    def failed(self) -> bool:
        return bool(self.result.get("failed"))

    def __repr__(self) -> str:
        return "Job(rc=%s, result=%s)" % (self.rc, json.dumps(self.result)[:2000])


def launch(sim, tmp_path: Path, name: str, answers: dict, job_type: str = "run") -> Job:
    env = base_env(sim.url)
    for key in ("ANSIBLE_STDOUT_CALLBACK", "ANSIBLE_CALLBACK_PLUGINS", "ANSIBLE_LOAD_CALLBACK_PLUGINS"):
        env.pop(key, None)  # ansible-runner brings its own event callback, as in AWX
    private_data_dir = tmp_path / ("job-%s-%d" % (name, len(list(tmp_path.glob("job-*")))))
    private_data_dir.mkdir()
    runner = ansible_runner.run(
        private_data_dir=str(private_data_dir), project_dir=str(REPO_ROOT), playbook=template(name)["playbook"],
        inventory="localhost ansible_connection=local", envvars=env, extravars=awx_extra_vars(name, answers),
        cmdline="--check" if job_type == "check" else None, quiet=True, timeout=600)
    # what AWX would have passed: the file ansible-runner wrote
    assert json.loads((private_data_dir / "env" / "extravars").read_text()) == awx_extra_vars(name, answers)
    return Job(runner)


def api_calls(sim) -> list:
    return [c for c in sim.calls() if not c["path"].startswith("/_sim/")]


def debug_messages(run) -> list:
    return [r["msg"] for r in run.results if isinstance(r.get("msg"), str) and " nodes of " in r["msg"]]


def ehpc_count(sim, role: str = "compute") -> int:
    nodes = sim.state()["ehpc"]["clusters"][EHPC_CLUSTER]["nodes"].values()
    return len([n for n in nodes if n["role"] == role and n.get("transition_status") != "deleting"])


def cce_names(sim) -> list:
    return sorted(n["name"] for n in sim.state()["cce"]["clusters"][CCE_CLUSTER]["nodes"].values() if n["phase"] != "Deleting")


# --- the files ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", PLAYBOOKS)
def test_each_job_template_playbook_has_a_template_with_a_survey(name):
    data = template(name)
    assert set(data) <= JOB_TEMPLATE_KEYS, set(data) - JOB_TEMPLATE_KEYS
    assert data["playbook"] == "playbooks/%s.yml" % name and (REPO_ROOT / data["playbook"]).is_file()
    assert data["survey_enabled"] is True and data["job_type"] in ("run", "check")
    assert data["survey_spec"]["name"] and data["survey_spec"]["description"]
    assert data["survey_spec"]["spec"]
    assert {p.stem for p in TEMPLATES.glob("*.json")} == set(PLAYBOOKS)


@pytest.mark.parametrize("name", PLAYBOOKS)
def test_every_question_is_a_role_variable_of_a_matching_type(name):
    options = role_options(name)
    spec = template(name)["survey_spec"]["spec"]
    variables = [q["variable"] for q in spec]
    assert len(variables) == len(set(variables))
    for question in spec:
        assert set(question) <= QUESTION_KEYS and question["type"] in QUESTION_TYPES, question
        assert question["question_name"] and question["question_description"]
        option = options[question["variable"]]
        if question["type"] == "integer":
            assert option["type"] == "int", question
        if question["type"] == "multiplechoice":
            assert question["default"] in question["choices"]
            assert set(question["choices"]) <= set(option.get("choices") or ["yes", "no"]), question
            if option["type"] == "bool":
                assert set(question["choices"]) == {"yes", "no"}
        if "default" in question:
            assert _default_is_valid(question), question
            if question["type"] == "integer":
                assert question["min"] <= question["default"] <= question["max"]
                assert question["default"] == option.get("default"), "survey and role disagree on %s" % question["variable"]
        if option.get("no_log"):
            assert question["type"] == "password"


@pytest.mark.parametrize("name", PLAYBOOKS)
def test_what_chooses_the_change_is_required_and_has_no_default(name):
    required = {variable for variable, option in role_options(name).items() if option.get("required")}
    questions = {q["variable"]: q for q in template(name)["survey_spec"]["spec"]}
    assert required <= set(questions)
    for variable in required:
        assert questions[variable]["required"] is True and "default" not in questions[variable], variable


# --- launched against the simulator --------------------------------------------------------

def test_ehpc_scale_survey_answers_scale_out_with_observed_counts(sim, tmp_path):
    answers = {"ehpc_scale_cluster_id": EHPC_CLUSTER, "ehpc_scale_count": "4", "ehpc_scale_max_nodes": "8"}
    run = launch(sim, tmp_path, "ehpc_scale", answers)
    assert run.rc == 0, run
    assert ehpc_count(sim) == 4
    assert debug_messages(run)[0].startswith("compute nodes of %s: 2 -> 4; added " % EHPC_CLUSTER)


@pytest.mark.parametrize("answers, message", [
    ({"ehpc_scale_count": "3", "ehpc_scale_min_nodes": "5", "ehpc_scale_max_nodes": "4"},
     "ehpc_scale_min_nodes 5 is above ehpc_scale_max_nodes 4"),
    ({"ehpc_scale_count": "3", "ehpc_scale_busy_nodes": "maybe"}, "ehpc_scale_busy_nodes must be one of"),
], ids=["bounds", "bad-choice"])
def test_ehpc_scale_bad_answers_are_refused_before_any_call(sim, tmp_path, answers, message):
    run = launch(sim, tmp_path, "ehpc_scale", dict({"ehpc_scale_cluster_id": EHPC_CLUSTER}, **answers))
    assert run.rc != 0 and run.failed, run
    assert message in run.result["msg"], run.result
    assert api_calls(sim) == []


def test_ehpc_scale_remove_busy_names_the_killed_job(sim, tmp_path):
    sim.world(ehpc_compute_nodes=4)
    nodes = sorted((n for n in sim.state()["ehpc"]["clusters"][EHPC_CLUSTER]["nodes"].values() if n["role"] == "compute"),
                   key=lambda n: n["create_time"])
    job_id = sim.start_hpc_job([nodes[-1]["name"]])
    run = launch(sim, tmp_path, "ehpc_scale", {"ehpc_scale_cluster_id": EHPC_CLUSTER, "ehpc_scale_count": "3",
                                               "ehpc_scale_busy_nodes": "remove"})
    assert run.rc == 0, run
    assert ehpc_count(sim) == 3
    label = "%s (%s)" % (nodes[-1]["name"], nodes[-1]["node_id"])
    assert debug_messages(run) == ["compute nodes of %s: 4 -> 3; removed %s; HPC jobs killed: %s on %s"
                                   % (EHPC_CLUSTER, label, job_id, label)]


@pytest.mark.parametrize("nodes, restarted", [
    ("compute02\nlogin01\n", ["compute02", "login01"]),
    ("", ["compute01", "compute02"]),
], ids=["text-area", "blank-means-the-role"])
def test_rolling_restart_survey_text_area_and_blank(sim, tmp_path, nodes, restarted):
    run = launch(sim, tmp_path, "ehpc_rolling_restart", {"ehpc_rolling_restart_cluster_id": EHPC_CLUSTER,
                                                         "ehpc_rolling_restart_nodes": nodes})
    assert run.rc == 0, run
    names = {n["node_id"]: n["name"] for n in sim.state()["ehpc"]["clusters"][EHPC_CLUSTER]["nodes"].values()}
    done = [names[i] for r in run.results if r.get("changed") for i in r.get("restarted", [])]
    assert done == restarted
    summary = [r["msg"] for r in run.results if str(r.get("msg", "")).startswith("restarted ")]
    assert summary and all("%s (cln-" % name in summary[0] for name in restarted)


@pytest.mark.parametrize("allow, rc", [("no", 2), ("yes", 0)])
def test_rolling_restart_survey_busy_nodes_fail_the_job_unless_accepted(sim, tmp_path, allow, rc):
    sim.start_hpc_job(["compute01"])
    run = launch(sim, tmp_path, "ehpc_rolling_restart", {
        "ehpc_rolling_restart_cluster_id": EHPC_CLUSTER, "ehpc_rolling_restart_batch_size": "2",
        "ehpc_rolling_restart_wait_for_idle": "yes", "ehpc_rolling_restart_idle_timeout": "1",
        "ehpc_rolling_restart_allow_skipped": allow})
    assert run.rc == rc, run
    assert len([w for w in sim.writes() if w["path"].endswith("restartNodes")]) == 1


@pytest.mark.parametrize("login", [
    {"cce_scale_in_ssh_key": "KeyPair-demo"},
    {"cce_scale_in_password": SALTED},
], ids=["key-pair", "password"])
def test_cce_survey_either_login_removes_the_text_area_nodes(sim, tmp_path, login):
    answers = dict({"cce_scale_in_cluster_id": CCE_CLUSTER, "cce_scale_in_nodes": "cce-demo-node-2\ncce-demo-node-3"}, **login)
    run = launch(sim, tmp_path, "cce_scale_in", answers)
    assert run.rc == 0, run
    assert cce_names(sim) == ["cce-demo-node-1"]
    summary = [r["msg"] for r in run.results if str(r.get("msg", "")).startswith("removed ")]
    assert summary and summary[0].endswith("from CCE cluster cce-demo: 3 -> 1 nodes")
    assert "notarealhash" not in run.output


def test_autoscale_survey_defaults_decide_in_check_mode_without_writing(sim, tmp_path):
    sim.queue_hpc_job()
    run = launch(sim, tmp_path, "ehpc_autoscale", {"ehpc_autoscale_cluster_id": EHPC_CLUSTER}, job_type="check")
    assert run.rc == 0, run
    assert sim.writes() == []
    decision = [r["msg"] for r in run.results if str(r.get("msg", "")).startswith(EHPC_CLUSTER + ": ")]
    assert decision and decision[0].endswith("(check mode: nothing was changed)")


def pool_nodes(sim, name: str) -> list:
    cluster = sim.state()["cce"]["clusters"][CCE_POOL_CLUSTER]
    uid = next(p["uid"] for p in cluster["pools"].values() if p["name"] == name)
    return sorted((n for n in cluster["nodes"].values() if n.get("pool") == uid and n["phase"] != "Deleting"),
                  key=lambda n: n["created_at"])


def test_cce_scale_survey_plans_then_scales_a_pool_keeping_the_text_area_nodes(sim, tmp_path):
    base = {"cce_scale_cluster_id": CCE_POOL_CLUSTER, "cce_scale_node_pool": "pool-autoscale"}
    planned = launch(sim, tmp_path, "cce_scale", dict(base, cce_scale_count="4"), job_type="check")
    assert planned.rc == 0, planned
    assert sim.writes() == []
    assert [r["msg"] for r in planned.results if str(r.get("msg", "")).startswith("node pool ")] == [
        "node pool pool-autoscale of cce-pools: 2 now, 4 wanted (check mode: nothing was changed); would add 2 node(s)"]
    out = launch(sim, tmp_path, "cce_scale", dict(base, cce_scale_count="4"))
    assert out.rc == 0, out
    nodes = pool_nodes(sim, "pool-autoscale")
    assert len(nodes) == 4
    keep = [nodes[-1]["name"]]
    shrink = launch(sim, tmp_path, "cce_scale", dict(base, cce_scale_count="1", cce_scale_protected_nodes=keep[0] + "\n"))
    assert shrink.rc == 0, shrink
    assert [n["name"] for n in pool_nodes(sim, "pool-autoscale")] == keep


def test_cce_scale_survey_count_outside_the_autoscaling_bounds_fails_naming_them(sim, tmp_path):
    answers = {"cce_scale_cluster_id": CCE_POOL_CLUSTER, "cce_scale_node_pool": "pool-autoscale", "cce_scale_count": "9"}
    run = launch(sim, tmp_path, "cce_scale", answers)
    assert run.rc != 0 and run.failed, run
    assert "minNodeCount 1, maxNodeCount 4" in run.result["msg"]
    assert sim.writes() == []
