"""The collection as users and tools outside this repository see it.

- the built tarball: installed with ansible-galaxy into an empty collections path, it runs
  against the simulator and carries no development-only files;
- ansible-doc renders and lists every module, with examples and return values;
- module_defaults action groups carry the credentials when no environment variable does;
- the AWX credential types in docs/awx/ inject every variable the modules read, keep the
  secrets secret, and their injected environment is enough to run the modules;
- antsibull-changelog: changelogs/ lints and CHANGELOG.rst is what it generates;
- execution environment: meta/execution-environment.yml, requirements.txt and bindep.txt
  are consistent, and ansible-builder (when installed) introspects and creates a context.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from tests.integration.ansible_runner import BIN_DIR, REPO_ROOT, base_env, collections_path, run_cli, run_module, run_playbook

COLLECTION = "hpcops.clusters"
MODULES_DIR = REPO_ROOT / "plugins" / "modules"
MODULES = sorted(p.stem for p in MODULES_DIR.glob("*.py") if not p.name.startswith("_"))
# Modules that run commands on a cluster host instead of calling a cloud API: no credentials,
# so no action group for module_defaults.
NOT_CLOUD_MODULES = ("slurm_node",)
ROLES = sorted(p.name for p in (REPO_ROOT / "roles").iterdir() if (p / "tasks").is_dir()) \
    if (REPO_ROOT / "roles").is_dir() else []
AWX_DIR = REPO_ROOT / "docs" / "awx"
CREDENTIAL_TYPES = {"qingcloud": AWX_DIR / "credential_types" / "qingcloud.yml",
                    "huaweicloud": AWX_DIR / "credential_types" / "huaweicloud.yml"}

EHPC_CLUSTER = "ehpc-8jqdq0mz"
CCE_CLUSTER = "cce-demo"
QY_CREDENTIALS = {"access_key_id": "QYACCESSKEYIDEXAMPLE", "secret_access_key": "SECRETACCESSKEY", "zone": "jn1a"}
HW_PROJECT = "0123456789abcdef0123456789abcdef"
HW_REGION = "cn-north-4"
HW_AKSK = {"access_key": "HWSIMACCESSKEY", "secret_key": "HWSIMSECRETKEY"}

# Top-level entries of the source tree that must never reach the built collection.
DEV_ONLY = {"tests", "hack", ".ci", "Makefile", ".venv", ".tmp", ".git", ".gitignore", ".pytest_cache",
            "pytest.ini", "requirements-dev.txt", ".ansible-lint", ".ansible", "ansible.cfg"}
# What a user of the installed collection needs.
SHIPPED = ["README.md", "meta/runtime.yml", "meta/execution-environment.yml", "requirements.txt", "bindep.txt",
           "CHANGELOG.rst", "changelogs/changelog.yaml", "plugins/module_utils/base.py",
           "docs/awx/credential_types/qingcloud.yml", "docs/awx/credential_types/huaweicloud.yml"]


def markdown_links(page: Path) -> list:
    """The relative link targets of a Markdown page, as paths from the repository root (no anchor)."""
    targets = re.findall(r"\]\(([^)\s]+)\)", page.read_text())
    return sorted({os.path.relpath(os.path.normpath(page.parent / t.split("#")[0]), REPO_ROOT)
                   for t in targets if "://" not in t and not t.startswith("#")})


def heading_anchors(page: Path) -> set:
    """GitHub's anchors for a Markdown page's headings: lower case, punctuation dropped, spaces as '-'."""
    headings = re.findall(r"^#+ (.+)$", page.read_text(), flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_readme_is_short_and_its_links_and_anchors_resolve():
    readme = REPO_ROOT / "README.md"
    assert len(readme.read_text().splitlines()) <= 300, "README.md: keep it short; details go to docs/"
    pages = [readme] + sorted((REPO_ROOT / "docs").glob("*.md"))
    for page in pages:
        for target in markdown_links(page):
            assert (REPO_ROOT / target).exists(), "%s links to missing %s" % (page.name, target)
        for target, anchor in re.findall(r"\]\(([^)#\s]*)#([^)\s]+)\)", page.read_text()):
            linked = (page.parent / target) if target else page
            assert anchor in heading_anchors(linked), "%s: no heading for %s#%s" % (page.name, target, anchor)
    # Every docs page the README's old sections moved to is linked from it.
    linked = markdown_links(readme)
    for name in ("testing", "performance", "reliability", "inventory", "autoscaling", "credentials",
                 "simulator", "api-fidelity", "draining", "api-decisions", "roles"):
        assert "docs/%s.md" % name in linked, name


def tool(name: str) -> str:
    return str(BIN_DIR / name) if (BIN_DIR / name).exists() else (shutil.which(name) or name)


def tool_env(**extra) -> dict:
    """Environment for ansible-doc / ansible-galaxy / antsibull-changelog, without credentials."""
    return base_env("", extra, credentials=False)


def run(cmd: list, env: dict | None = None, cwd: Path | str = REPO_ROOT, timeout: float = 120) -> subprocess.CompletedProcess:
    return run_cli([str(c) for c in cmd], env or tool_env(), str(cwd), timeout)


def write_play(path: Path, plays: list) -> Path:
    path.write_text(json.dumps(plays))  # JSON is YAML
    return path


# --- build and install ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(tarball, collections root of a fresh install of it)."""
    dist = tmp_path_factory.mktemp("dist")
    proc = run([tool("ansible-galaxy"), "collection", "build", "--output-path", dist, REPO_ROOT])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    version = yaml.safe_load((REPO_ROOT / "galaxy.yml").read_text())["version"]
    tarball = dist / ("hpcops-clusters-%s.tar.gz" % version)
    assert tarball.is_file(), sorted(os.listdir(dist))
    root = tmp_path_factory.mktemp("installed")
    # Only the empty target is visible, or ansible-galaxy finds the work tree and installs nothing.
    proc = run([tool("ansible-galaxy"), "collection", "install", tarball, "-p", root],
               env=tool_env(**installed_only_env(root)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (root / "ansible_collections" / "hpcops" / "clusters" / "MANIFEST.json").is_file(), proc.stdout
    return tarball, root


def installed_only_env(root: Path) -> dict:
    """Only the installed copy is visible: no dev-tree path, no sys.path scan, no PYTHONPATH."""
    return {"ANSIBLE_COLLECTIONS_PATH": str(root), "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "False", "PYTHONPATH": None}


def test_built_collection_has_no_dev_files_and_everything_users_need(built):
    tarball, root = built
    tree = root / "ansible_collections" / "hpcops" / "clusters"
    with tarfile.open(tarball) as archive:
        names = [m.name[2:] if m.name.startswith("./") else m.name for m in archive.getmembers()]
    top = {n.split("/", 1)[0] for n in names}
    assert not top & DEV_ONLY, "dev-only files in the tarball: %s (galaxy.yml build_ignore)" % sorted(top & DEV_ONLY)
    hidden = [n for n in names if any(part.startswith(".") for part in n.split("/"))]
    assert not hidden, "hidden files in the tarball: %s" % hidden
    junk = [n for n in names if n.endswith((".pyc", ".tar.gz", ".retry")) or "__pycache__" in n.split("/")]
    assert not junk, junk
    for entry in DEV_ONLY:
        assert not (tree / entry).exists(), entry

    for entry in SHIPPED:
        assert (tree / entry).is_file(), entry
    # The README's links into docs/ (where its figures and guides live) work in the installed copy too.
    for target in markdown_links(REPO_ROOT / "README.md"):
        if target.split("/", 1)[0] not in DEV_ONLY:
            assert (tree / target).is_file(), target
    for module in MODULES:
        assert (tree / "plugins" / "modules" / (module + ".py")).is_file(), module
    for role in ROLES:
        assert (tree / "roles" / role / "tasks" / "main.yml").is_file(), role
        assert (tree / "roles" / role / "meta" / "argument_specs.yml").is_file(), role
    manifest = json.loads((tree / "MANIFEST.json").read_text())["collection_info"]
    galaxy = yaml.safe_load((REPO_ROOT / "galaxy.yml").read_text())
    assert (manifest["namespace"], manifest["name"], manifest["version"]) == (
        galaxy["namespace"], galaxy["name"], galaxy["version"])


def test_installed_collection_runs_against_the_simulator(built, sim, tmp_path):
    root = built[1]
    env = installed_only_env(root)

    # ansible-doc resolves the modules from the installed copy, not from the work tree.
    proc = run([tool("ansible-doc"), "--json", "hpcops.clusters.ehpc_nodes"], env=tool_env(**env))
    assert proc.returncode == 0, proc.stderr
    filename = json.loads(proc.stdout)["hpcops.clusters.ehpc_nodes"]["doc"]["filename"]
    assert Path(filename).resolve().is_relative_to(root.resolve()), filename

    play = {
        "name": "installed hpcops.clusters", "hosts": "localhost", "gather_facts": False,
        "tasks": [
            {"name": "before", "hpcops.clusters.ehpc_nodes_info": {"cluster_id": EHPC_CLUSTER, "role": "compute"},
             "register": "before"},
            {"name": "scale", "hpcops.clusters.ehpc_nodes": {"cluster_id": EHPC_CLUSTER, "role": "compute", "count": 3},
             "register": "scaled"},
            {"name": "after", "hpcops.clusters.ehpc_nodes_info": {"cluster_id": EHPC_CLUSTER, "role": "compute"},
             "register": "after"},
            {"name": "check", "ansible.builtin.assert": {"that": [
                "before.nodes | length == 2", "scaled is changed", "after.nodes | length == 3",
                "after.nodes | map(attribute='status') | unique == ['active']"]}},
        ],
    }
    result = run_playbook(write_play(tmp_path / "installed.yml", [play]), sim.url, env=env)
    assert result.rc == 0, result
    assert len(result.results) == 4 and not any(r.get("failed") for r in result.results), result
    compute = [n for n in sim.state()["ehpc"]["clusters"][EHPC_CLUSTER]["nodes"].values()
               if n["role"] == "compute" and n.get("transition_status") != "deleting"]
    assert len(compute) == 3


# --- ansible-doc --------------------------------------------------------------------------------

def fqcn(module: str) -> str:
    return "%s.%s" % (COLLECTION, module)


@pytest.fixture(scope="module")
def doc_json():
    proc = run([tool("ansible-doc"), "--json"] + [fqcn(m) for m in MODULES])
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_ansible_doc_renders_every_module():
    assert MODULES, "no modules in plugins/modules"
    text = run([tool("ansible-doc")] + [fqcn(m) for m in MODULES])
    assert text.returncode == 0, text.stderr
    assert "WARNING" not in text.stderr and "ERROR" not in text.stderr, text.stderr
    sections = re.split(r"^> MODULE ", text.stdout, flags=re.M)[1:]
    rendered = {s.split(None, 1)[0]: s for s in sections}
    assert sorted(rendered) == [fqcn(m) for m in MODULES]
    for name, body in rendered.items():
        for heading in ("OPTIONS", "EXAMPLES:", "RETURN VALUES:"):
            assert heading in body, (name, heading)

    snippet = run([tool("ansible-doc"), "-s"] + [fqcn(m) for m in MODULES])
    assert snippet.returncode == 0, snippet.stderr
    for module in MODULES:
        short = module_doc(module)["short_description"]
        assert "- name: %s\n" % short in snippet.stdout, (module, short)


def test_module_docs_pass_antsibull_docs_lint():
    # The same check the docsite build runs: option/return references (O(), RV()), semantic
    # markup and schema of every plugin's documentation.
    antsibull_docs = shutil.which("antsibull-docs", path=str(BIN_DIR))
    if antsibull_docs is None:
        pytest.skip("antsibull-docs is not installed")
    proc = subprocess.run([antsibull_docs, "lint-collection-docs", "--plugin-docs", "."],
                          cwd=str(collections_path() / "ansible_collections" / "hpcops" / "clusters"),
                          env=base_env("http://127.0.0.1:9"), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


def test_ansible_doc_lists_exactly_the_modules_in_plugins_modules():
    proc = run([tool("ansible-doc"), "-t", "module", "-l", "--json", COLLECTION])
    assert proc.returncode == 0, proc.stderr
    listed = json.loads(proc.stdout)
    assert sorted(listed) == [fqcn(m) for m in MODULES]
    for module in MODULES:
        assert listed[fqcn(module)] == module_doc(module)["short_description"]
    plain = run([tool("ansible-doc"), "-t", "module", "-l", COLLECTION])
    assert plain.returncode == 0, plain.stderr
    assert sorted(line.split()[0] for line in plain.stdout.splitlines() if line.strip()) == [fqcn(m) for m in MODULES]


def test_ansible_doc_json_has_examples_and_return_for_every_module(doc_json):
    assert sorted(doc_json) == [fqcn(m) for m in MODULES]
    for module in MODULES:
        entry = doc_json[fqcn(module)]
        doc = entry["doc"]
        assert doc["module"] == module
        assert doc["short_description"] and doc["description"], module
        assert doc.get("version_added"), module
        assert str(entry.get("examples") or "").strip(), "%s has no EXAMPLES" % module
        assert isinstance(yaml.safe_load(entry["examples"]), list), module
        assert entry.get("return"), "%s has no RETURN" % module
        for key, value in entry["return"].items():
            assert value.get("description") and value.get("returned") and value.get("type"), (module, key)


def module_doc(module: str) -> dict:
    tree = ast.parse((MODULES_DIR / (module + ".py")).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "DOCUMENTATION" for t in node.targets):
            return yaml.safe_load(ast.literal_eval(node.value))
    raise AssertionError("%s has no DOCUMENTATION" % module)


def test_action_groups_hold_every_module_of_their_cloud():
    runtime = yaml.safe_load((REPO_ROOT / "meta" / "runtime.yml").read_text())
    groups = runtime["action_groups"]
    expected = {"qingcloud": [], "huaweicloud": []}
    for module in MODULES:
        fragments = module_doc(module).get("extends_documentation_fragment") or []
        clouds = [c for c in expected if "%s.%s" % (COLLECTION, c) in fragments]
        assert len(clouds) <= 1, (module, fragments)
        if module in NOT_CLOUD_MODULES:
            assert not clouds, "%s talks to no cloud API but uses %s" % (module, fragments)
            continue
        assert clouds, "%s uses no cloud's documentation fragment: %s" % (module, fragments)
        expected[clouds[0]].append(module)
    assert {k: sorted(v) for k, v in groups.items()} == expected


# --- module_defaults -----------------------------------------------------------------------------

def test_module_defaults_qingcloud_group_without_environment(sim, tmp_path):
    defaults = {"group/hpcops.clusters.qingcloud": dict(QY_CREDENTIALS, endpoint=sim.url)}
    result = run_module("ehpc_nodes_info", {"cluster_id": EHPC_CLUSTER}, sim.url, credentials=False,
                        module_defaults=defaults, tmp_dir=tmp_path)
    assert not result.failed, result
    assert len(result.result["nodes"]) == 3

    # Control: the same task without module_defaults has no credentials at all.
    bare = run_module("ehpc_nodes_info", {"cluster_id": EHPC_CLUSTER}, sim.url, credentials=False, tmp_dir=tmp_path)
    assert bare.failed and "access_key_id" in bare.result.get("msg", ""), bare


def test_module_defaults_huaweicloud_group_without_environment(sim, tmp_path):
    defaults = {"group/hpcops.clusters.huaweicloud": dict(
        HW_AKSK, project_id=HW_PROJECT, region=HW_REGION, endpoint=sim.url)}
    play = {"hosts": "localhost", "gather_facts": False, "module_defaults": defaults, "tasks": [
        {"name": "cce", "hpcops.clusters.cce_nodes_info": {"cluster_id": CCE_CLUSTER}},
        {"name": "modelarts", "hpcops.clusters.modelarts_hyper_cluster_info": {}},
    ]}
    result = run_playbook(write_play(tmp_path / "defaults.yml", [play]), sim.url, credentials=False)
    assert result.rc == 0, result
    cce, hyper = result.results
    assert not cce.get("failed") and len(cce["nodes"]) == 3, cce
    assert not hyper.get("failed") and sorted(h["id"] for h in hyper["hyper_clusters"]) == ["hc-demo-ecs", "hc-demo-hps"], hyper


# --- AWX credential types ------------------------------------------------------------------------

def load_credential_type(cloud: str) -> dict:
    data = yaml.safe_load(CREDENTIAL_TYPES[cloud].read_text())
    assert set(data) >= {"name", "kind", "inputs", "injectors"}, CREDENTIAL_TYPES[cloud]
    return data


INJECTOR = re.compile(r"^\{\{\s*(\w+)\s*\}\}$")


def injected(cloud: str) -> dict:
    """{env var: input field id} of a credential type."""
    mapping = {}
    for var, template in load_credential_type(cloud)["injectors"]["env"].items():
        match = INJECTOR.match(template)
        assert match, "%s: %s injects %r, expected '{{ field }}'" % (cloud, var, template)
        mapping[var] = match.group(1)
    return mapping


def modules_env_options() -> dict:
    """{env var: (cloud, option name, no_log)} for every env fallback in the modules' argument specs."""
    root = str(collections_path())
    if root not in sys.path:
        sys.path.insert(0, root)
    base = importlib.import_module("ansible_collections.hpcops.clusters.plugins.module_utils.base")
    env_fallback = importlib.import_module("ansible.module_utils.basic").env_fallback
    huawei = importlib.import_module("ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud.connection")
    found = {}
    for module in MODULES:
        if module in NOT_CLOUD_MODULES:
            continue
        mod = importlib.import_module("ansible_collections.hpcops.clusters.plugins.modules." + module)
        classes = [c for c in vars(mod).values() if inspect.isclass(c) and issubclass(c, base.ClusterModule)
                   and c is not base.ClusterModule and c.__module__ == mod.__name__]
        assert len(classes) == 1, (module, classes)
        cls = classes[0]
        cloud = "huaweicloud" if issubclass(cls.connection_class, huawei.HuaweiCloudConnection) else "qingcloud"
        for option, spec in cls.full_argument_spec().items():
            fallback = spec.get("fallback")
            if fallback and fallback[0] is env_fallback:
                for var in fallback[1]:
                    found[var] = (cloud, option, bool(spec.get("no_log")))
    return found


def test_no_plugin_reads_the_environment_outside_argument_specs():
    offenders = []
    for path in (REPO_ROOT / "plugins").rglob("*.py"):
        text = path.read_text()
        if re.search(r"os\.environ|os\.getenv|getenv\(", text):
            offenders.append(str(path.relative_to(REPO_ROOT)))
    assert not offenders, "env vars read outside env_fallback (add them to the AWX credential types): %s" % offenders


def test_awx_credential_types_inject_every_module_env_var_and_hide_secrets():
    env_options = modules_env_options()
    # The variables the runner and docs/credentials.md name are all read by some module.
    assert set(env_options) >= {"QINGCLOUD_ACCESS_KEY_ID", "QINGCLOUD_SECRET_ACCESS_KEY", "QINGCLOUD_ZONE",
                                "QINGCLOUD_EHPC_ENDPOINT", "HW_REGION_NAME", "HW_PROJECT_ID", "HW_ACCESS_KEY",
                                "HW_SECRET_KEY", "HW_SECURITY_TOKEN", "HW_AUTH_TOKEN", "HW_USER_NAME",
                                "HW_USER_PASSWORD", "HW_DOMAIN_NAME", "HW_IAM_ENDPOINT", "HW_CCE_ENDPOINT",
                                "HW_MODELARTS_ENDPOINT"}, sorted(env_options)
    for cloud in CREDENTIAL_TYPES:
        ctype = load_credential_type(cloud)
        assert ctype["kind"] == "cloud"
        fields = {f["id"]: f for f in ctype["inputs"]["fields"]}
        assert len(fields) == len(ctype["inputs"]["fields"]), "duplicate field ids in %s" % cloud
        for field in fields.values():
            assert field.get("label") and field.get("type") == "string", (cloud, field)
        assert set(ctype["inputs"].get("required", [])) <= set(fields), cloud
        mapping = injected(cloud)
        assert set(mapping.values()) <= set(fields), (cloud, mapping)
        assert set(fields) <= set(mapping.values()), "%s: inputs never injected: %s" % (
            cloud, sorted(set(fields) - set(mapping.values())))
        wanted = {var for var, spec in env_options.items() if spec[0] == cloud}
        assert set(mapping) == wanted, "%s: missing %s, unknown %s" % (
            cloud, sorted(wanted - set(mapping)), sorted(set(mapping) - wanted))
        for var, field_id in mapping.items():
            option, no_log = env_options[var][1:]
            assert bool(fields[field_id].get("secret")) == no_log, (
                "%s: input %s (-> %s, option %s, no_log=%s) must have secret: %s"
                % (cloud, field_id, var, option, no_log, str(no_log).lower()))


def awx_env(cloud: str, inputs: dict) -> dict:
    """The environment AWX gives a job for a credential of this type.

    As AWX's inject_credential does: inputs left empty are not in the template namespace,
    every env injector is rendered anyway (so an unset input becomes an empty variable).
    """
    ctype = load_credential_type(cloud)
    namespace = {k: v for k, v in inputs.items() if v}
    sandbox = ImmutableSandboxedEnvironment()
    return {var: sandbox.from_string(template).render(**namespace)
            for var, template in ctype["injectors"]["env"].items()}


AWX_TASKS = [
    {"name": "ehpc", "hpcops.clusters.ehpc_nodes_info": {"cluster_id": EHPC_CLUSTER}},
    {"name": "cce", "hpcops.clusters.cce_nodes_info": {"cluster_id": CCE_CLUSTER}},
    {"name": "modelarts", "hpcops.clusters.modelarts_hyper_cluster_info": {"id": "hc-demo-hps"}},
]


def test_awx_injected_environment_runs_the_modules(sim, tmp_path):
    # One job template with a credential of each type (AK/SK for Huawei Cloud).
    env = awx_env("qingcloud", dict(QY_CREDENTIALS, endpoint=sim.url))
    huawei = dict(HW_AKSK, project_id=HW_PROJECT, region=HW_REGION, cce_endpoint=sim.url, modelarts_endpoint=sim.url)
    env.update(awx_env("huaweicloud", huawei))
    assert env["HW_AUTH_TOKEN"] == "" and env["HW_USER_NAME"] == ""  # empty, as AWX injects them
    play = {"hosts": "localhost", "gather_facts": False, "tasks": AWX_TASKS}
    result = run_playbook(write_play(tmp_path / "awx.yml", [play]), sim.url, credentials=False, env=env)
    assert result.rc == 0, result
    assert [len(r.get("nodes", r.get("hyper_clusters", []))) for r in result.results] == [3, 3, 1], result
    assert "HWSIMSECRETKEY" not in result.output and "SECRETACCESSKEY" not in result.output


def test_awx_injected_environment_with_an_iam_user(sim, tmp_path):
    # An IAM user instead of AK/SK: AK/SK and the token are injected empty.
    env = awx_env("huaweicloud", dict(project_id=HW_PROJECT, region=HW_REGION, iam_user="demo",
                                      iam_password="demo-password", iam_domain="demo", iam_endpoint=sim.url,
                                      cce_endpoint=sim.url, modelarts_endpoint=sim.url))
    assert env["HW_ACCESS_KEY"] == "" and env["HW_AUTH_TOKEN"] == ""
    play = {"hosts": "localhost", "gather_facts": False, "tasks": AWX_TASKS[1:]}
    result = run_playbook(write_play(tmp_path / "awx-iam.yml", [play]), sim.url, credentials=False, env=env)
    assert result.rc == 0, result
    assert [len(r.get("nodes", r.get("hyper_clusters", []))) for r in result.results] == [3, 1], result
    assert "demo-password" not in result.output


# --- changelog -----------------------------------------------------------------------------------

def test_antsibull_changelog_lint_passes():
    proc = run([tool("antsibull-changelog"), "lint"])
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


def test_changelog_lists_every_released_module_and_changelog_rst_is_generated(tmp_path):
    changes = yaml.safe_load((REPO_ROOT / "changelogs" / "changelog.yaml").read_text())
    released = {m["name"] for r in changes["releases"].values() for m in r.get("modules", [])}
    versions = sorted(changes["releases"], key=lambda v: tuple(int(x) for x in v.split(".")[:3]))
    latest = tuple(int(x) for x in versions[-1].split(".")[:3])
    for module in MODULES:
        added = str(module_doc(module).get("version_added", ""))
        if added and tuple(int(x) for x in added.split(".")[:3]) <= latest:
            assert module in released, "%s (version_added %s) missing from changelogs/changelog.yaml" % (module, added)

    # Regenerate CHANGELOG.rst in a scratch copy and compare with the committed one.
    scratch = tmp_path / "collection"
    scratch.mkdir()
    for entry in ("galaxy.yml", "meta", "plugins", "roles", "changelogs", "CHANGELOG.rst"):
        source = REPO_ROOT / entry
        if source.is_dir():
            shutil.copytree(source, scratch / entry, ignore=shutil.ignore_patterns("__pycache__", ".plugin-cache.yaml"))
        elif source.exists():
            shutil.copy2(source, scratch / entry)
    proc = run([tool("antsibull-changelog"), "generate"], cwd=scratch)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (scratch / "CHANGELOG.rst").read_text() == (REPO_ROOT / "CHANGELOG.rst").read_text(), (
        "CHANGELOG.rst is stale: run `antsibull-changelog generate` (after a release: "
        "`antsibull-changelog release --version X.Y.Z`)")
    text = (REPO_ROOT / "CHANGELOG.rst").read_text()
    for module in released:
        assert "%s.%s" % (COLLECTION, module) in text, module


# --- execution environment -------------------------------------------------------------------------

def test_execution_environment_metadata_is_consistent():
    meta = yaml.safe_load((REPO_ROOT / "meta" / "execution-environment.yml").read_text())
    assert meta["version"] == 1
    deps = meta["dependencies"]
    assert set(deps) == {"python", "system"}
    requirements = REPO_ROOT / deps["python"]
    bindep = REPO_ROOT / deps["system"]
    assert requirements.is_file() and bindep.is_file()

    from packaging.requirements import Requirement  # ansible-core depends on packaging
    names = set()
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(Requirement(line).name.lower())
    # What plugins/module_utils imports from outside the standard library and ansible-core.
    assert names >= {"requests", "jmespath"}, names

    entry = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*(\s*[<>=!]=?\s*[\w.]+)*(\s+\[[^\]]+\])?$")
    entries = [line.split("#", 1)[0].strip() for line in bindep.read_text().splitlines()]
    entries = [e for e in entries if e]
    assert entries and all(entry.match(e) for e in entries), entries
    try:
        from bindep.depends import Depends  # only when bindep is installed
    except ImportError:
        pass
    else:
        Depends(bindep.read_text()).active_rules(["platform:dpkg"])


def ansible_builder() -> str:
    found = os.environ.get("ANSIBLE_BUILDER") or (str(BIN_DIR / "ansible-builder") if (BIN_DIR / "ansible-builder").exists()
                                                  else shutil.which("ansible-builder"))
    if not found:
        pytest.skip("ansible-builder is not installed (pip install ansible-builder); "
                    "building an image needs podman or docker anyway, this test only creates the context")
    return found


def test_ansible_builder_introspects_the_collection_and_creates_a_context(built, tmp_path):
    builder = ansible_builder()
    tarball, root = built
    proc = run([builder, "introspect", root])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    deps = yaml.safe_load(proc.stdout.split("---", 1)[1])
    python = " ".join(deps.get("python") or [])
    system = " ".join(deps.get("system") or [])
    assert "requests" in python and "jmespath" in python, proc.stdout
    assert "python3" in system and "hpcops.clusters" in system, proc.stdout

    # The EE definition of docs/awx/, switched to the local tarball as docs/awx/README.md describes.
    definition = yaml.safe_load((AWX_DIR / "execution-environment.yml").read_text())
    assert definition["version"] == 3
    assert {"name": COLLECTION, "version": ">=0.1.0"} in definition["dependencies"]["galaxy"]["collections"]
    work = tmp_path / "ee"
    work.mkdir()
    shutil.copy2(tarball, work / tarball.name)
    definition["dependencies"]["galaxy"] = {"collections": [{"name": "collections/" + tarball.name, "type": "file"}]}
    definition["additional_build_files"] = [{"src": tarball.name, "dest": "collections"}]
    (work / "execution-environment.yml").write_text(yaml.safe_dump(definition))
    proc = run([builder, "create", "-f", "execution-environment.yml", "-c", "context", "--output-filename",
                "Containerfile"], cwd=work)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    context = work / "context"
    containerfile = (context / "Containerfile").read_text()
    assert "ansible-galaxy collection install" in containerfile
    assert (context / "_build" / "collections" / tarball.name).is_file()

    # The image's galaxy step, run here: install -r requirements.yml from the build directory.
    target = tmp_path / "ee-collections"
    proc = run([tool("ansible-galaxy"), "collection", "install", "-r", "requirements.yml", "-p", target],
               cwd=context / "_build", env=tool_env(**installed_only_env(target)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (target / "ansible_collections" / "hpcops" / "clusters" / "meta" / "execution-environment.yml").is_file()
