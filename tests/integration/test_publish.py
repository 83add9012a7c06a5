"""The collection where users first meet it: Galaxy's import checks and the documentation site.

- galaxy-importer, the checks Galaxy runs on an uploaded collection, imports the built tarball
  with no error and no warning. It runs from its own venv (hack/galaxy_importer_venv.sh) with
  hack/galaxy-importer.cfg, where only its ansible-test step is off (`make sanity` runs
  ansible-test sanity; galaxy-importer would want a container runtime for it);
- hack/docs.sh (`make docs`) builds the antsibull-docs site, warnings as errors: a page for
  every plugin and role in the tree, the changelog;
- headless Chromium opens the built pages from file:// and the rendered text has ehpc_nodes'
  option table (the doc fragments' options included) and its examples; a screenshot of the
  page is written to .tmp/docs/ehpc_nodes.png.

A missing Chromium or galaxy-importer venv fails these tests under CI=true and skips them
elsewhere; `make test` installs both (hack/install_chromium.sh needs root for apt-get).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import struct
import subprocess
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from tests.integration.ansible_runner import BIN_DIR, REPO_ROOT, base_env

# A long file: tests/conftest.py has pytest-xdist start the slow files first.
pytestmark = pytest.mark.slow

COLLECTION = "hpcops.clusters"
SCREENSHOT = REPO_ROOT / ".tmp" / "docs" / "ehpc_nodes.png"
# Plugin directories without one documentation page per file: shared code, and filter/test
# files (one page per function, not per file).
NO_PAGE_PER_FILE = {"module_utils", "doc_fragments", "plugin_utils"}
# A filter or test file may hold several plugins: each one its DOCUMENTATION names gets a page.
PAGE_PER_DOCUMENTED_NAME = {"filter", "test"}


def unavailable(reason: str):
    """CI must run every test: a tool it cannot run is a failure there, a skip elsewhere."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("%s (CI=true: this test must run)" % reason)
    pytest.skip(reason)


def run(cmd: list, env: dict | None = None, cwd: Path | str = REPO_ROOT, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], env=env or base_env("", credentials=False), cwd=str(cwd),
                          capture_output=True, text=True, timeout=timeout, check=False)


def plugin_types() -> dict:
    """{plugin type: [plugin names]} for the plugin files in plugins/ that get a page each."""
    found = {}
    for directory in sorted(p for p in (REPO_ROOT / "plugins").iterdir() if p.is_dir()):
        if directory.name in NO_PAGE_PER_FILE:
            continue
        files = [f for f in directory.glob("*.py") if not f.name.startswith("_")]
        if directory.name in PAGE_PER_DOCUMENTED_NAME:
            names = sorted(m.group(1) for f in files for m in re.finditer(r"^name: *(\S+)", f.read_text(), re.M))
        else:
            names = sorted(f.stem for f in files)
        if names:
            found["module" if directory.name == "modules" else directory.name] = names
    return found


def documented_roles() -> list:
    # antsibull-docs documents a role from its meta/argument_specs.yml.
    return sorted(p.parent.parent.name for p in (REPO_ROOT / "roles").glob("*/meta/argument_specs.yml"))


def expected_pages() -> list:
    pages = ["%s_%s.html" % (name, plugin_type) for plugin_type, names in plugin_types().items() for name in names]
    return sorted(pages + ["%s_role.html" % role for role in documented_roles()])


class RenderedPage(HTMLParser):
    """Element ids, link targets and the visible text of a page, also per <section id=...>."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.ids, self.links, self.title = set(), set(), ""
        self._sections, self._hidden, self._in_title = [], 0, False
        self._text, self._section_text = [], defaultdict(list)
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.add(attrs["href"].split("#", 1)[0])
        if tag == "section":
            self._sections.append(attrs.get("id"))
        self._hidden += tag in ("script", "style")
        self._in_title = self._in_title or tag == "title"

    def handle_endtag(self, tag):
        if tag == "section" and self._sections:
            self._sections.pop()
        self._hidden -= tag in ("script", "style")
        self._in_title = self._in_title and tag != "title"

    def handle_data(self, data):
        if self._hidden:
            return
        if self._in_title:
            self.title += data
        self._text.append(data)
        for section in self._sections:
            self._section_text[section].append(data)

    @property
    def text(self) -> str:
        return squash("".join(self._text))

    def section(self, section_id: str) -> str:
        assert section_id in self._section_text, "no <section id=%r>" % section_id
        return squash("".join(self._section_text[section_id]))


def squash(text: str) -> str:
    """Whitespace collapsed; icon-font glyphs (private-use code points, e.g. the heading's link icon) dropped."""
    return re.sub(r"\s+", " ", re.sub("[\ue000-\uf8ff]", "", text)).strip()


# --- galaxy-importer --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def importer_python() -> Path:
    proc = run(["bash", REPO_ROOT / "hack" / "galaxy_importer_venv.sh"])
    if proc.returncode != 0:
        unavailable("hack/galaxy_importer_venv.sh could not make galaxy-importer's venv:\n" + proc.stderr[-3000:])
    return Path(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def tarball(tmp_path_factory) -> Path:
    # What `make build` writes to .tmp/dist, built into a directory of this test's own.
    dist = tmp_path_factory.mktemp("dist")
    proc = run([BIN_DIR / "ansible-galaxy", "collection", "build", "--output-path", dist, REPO_ROOT])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    version = yaml.safe_load((REPO_ROOT / "galaxy.yml").read_text())["version"]
    path = dist / ("hpcops-clusters-%s.tar.gz" % version)
    assert path.is_file(), sorted(os.listdir(dist))
    return path


def test_galaxy_importer_accepts_the_tarball_with_no_error_or_warning(importer_python, tarball, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "GALAXY_IMPORTER_", "PYTHONPATH"))}
    env.update({
        # ansible-doc and ansible-lint, which the importer runs, come from its venv.
        "PATH": "%s%s%s" % (importer_python.parent, os.pathsep, env.get("PATH", "")),
        "GALAXY_IMPORTER_CONFIG": str(REPO_ROOT / "hack" / "galaxy-importer.cfg"),
        "GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP": str(tmp_path / "ansible-tmp"),
        "GALAXY_IMPORTER_TMP_ROOT_DIR": str(tmp_path),
    })
    # cwd: the importer writes importer_result.json there.
    proc = run([importer_python, "-m", "galaxy_importer.main", tarball], env=env, cwd=tmp_path)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "Importer processing completed successfully" in proc.stdout, output
    complaints = [line for line in proc.stdout.splitlines() if line.startswith(("WARNING", "ERROR", "CRITICAL"))]
    assert not complaints, "\n".join(complaints)
    assert "Traceback" not in output, output
    # The checks ran, not skipped: ansible-lint over the collection, ansible-doc for every plugin.
    assert "...ansible-lint run complete" in proc.stdout, output

    result = json.loads((tmp_path / "importer_result.json").read_text())
    galaxy = yaml.safe_load((REPO_ROOT / "galaxy.yml").read_text())
    assert {k: result["metadata"][k] for k in ("namespace", "name", "version")} == {
        k: galaxy[k] for k in ("namespace", "name", "version")}
    documented = {(c["content_type"], c["content_name"]): c for c in result["docs_blob"]["contents"]}
    for plugin_type, names in plugin_types().items():
        for name in names:
            entry = documented.get((plugin_type, name))
            assert entry and entry.get("doc_strings"), "galaxy-importer has no docs for %s %s" % (plugin_type, name)
    for role in documented_roles():
        assert documented.get(("role", role), {}).get("readme_html"), "galaxy-importer has no README for role %s" % role
    assert result["docs_blob"]["collection_readme"]["html"], "README.md did not render"


# --- documentation site -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> Path:
    """The site hack/docs.sh (`make docs`) builds, in a directory of this test's own."""
    dest = tmp_path_factory.mktemp("docs")
    proc = run(["bash", REPO_ROOT / "hack" / "docs.sh", dest])
    assert proc.returncode == 0, "docs build failed (warnings are errors):\n" + proc.stdout[-5000:] + proc.stderr[-5000:]
    assert (dest / "html" / "index.html").is_file(), proc.stdout
    return dest / "html"


def collection_dir(html: Path) -> Path:
    return html / "collections" / "hpcops" / "clusters"


def test_docs_site_has_a_page_for_every_plugin_and_role_and_the_changelog(docs):
    pages = collection_dir(docs)
    built = sorted(p.name for p in pages.glob("*.html") if p.name not in ("index.html", "changelog.html"))
    assert built == expected_pages()
    index = RenderedPage((pages / "index.html").read_text())
    assert set(expected_pages()) | {"changelog.html"} <= index.links, sorted(index.links)
    root = RenderedPage((docs / "index.html").read_text())
    for plugin_type in list(plugin_types()) + ["role"]:
        assert "collections/index_%s.html" % plugin_type in root.links, (plugin_type, sorted(root.links))

    changelog = RenderedPage((pages / "changelog.html").read_text())
    releases = yaml.safe_load((REPO_ROOT / "changelogs" / "changelog.yaml").read_text())["releases"]
    assert releases
    for version in releases:
        assert "v%s" % version in changelog.text, version


def load_docsite_links():
    spec = importlib.util.spec_from_file_location("ansible_docsite_links",
                                                  REPO_ROOT / "hack" / "docsite" / "ansible_docsite_links.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_offline_docs_link_only_ansible_docsite_labels():
    # The docs build resolves Ansible docsite labels without intersphinx; everything else,
    # this collection's own labels included, must stay unresolved so that -W catches it.
    links = load_docsite_links()
    base = links.ANSIBLE_DOCS
    assert links.docsite_url("common_return_values") == base + "reference_appendices/common_return_values.html"
    assert links.docsite_url("ansible_collections.ansible.builtin.password_hash_filter") == \
        base + "collections/ansible/builtin/password_hash_filter.html"
    assert links.docsite_url("ansible_collections.ansible.builtin.copy_module__parameter-src") == \
        base + "collections/ansible/builtin/copy_module.html#parameter-src"
    assert links.docsite_url("ansible_collections.hpcops.clusters.ehpc_nodes_module") is None
    assert links.docsite_url("ansible_collections.hpcops.clusters.no_such_module") is None
    assert links.docsite_url("no_such_label") is None
    # ansible-core's own settings' variables (the inventory_cache fragment's) link to its config page.
    assert links.envvar_url("ANSIBLE_CACHE_PLUGIN") == base + "reference_appendices/config.html#envvar-ANSIBLE_CACHE_PLUGIN"
    assert links.envvar_url("QINGCLOUD_ACCESS_KEY_ID") is None
    assert links.envvar_url("ANSIBLE_NO_SUCH_SETTING") is None


# --- the site in a browser --------------------------------------------------------------------

@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which(os.environ.get("CHROMIUM") or "chromium")
    if not path:
        unavailable("chromium not found: `make test` installs it as root (hack/install_chromium.sh); "
                    "otherwise apt-get install chromium, or set CHROMIUM")
    return path


def browse(chromium: str, page: Path, profile: Path, *args) -> subprocess.CompletedProcess:
    """Headless Chromium on a local file, with every host name unresolvable (no network)."""
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
           "--disable-background-networking", "--disable-component-update", "--disable-default-apps",
           "--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir=%s" % profile, *args, page.as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False,
                          env={k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def option_paths(options: dict, prefix: str = "") -> set:
    """Anchor ids antsibull-docs gives options: parameter-<name>[/<suboption>...], aliases too."""
    paths = set()
    for name, spec in (options or {}).items():
        for alias in [name] + list(spec.get("aliases") or []):
            paths.add(prefix + alias)
            paths |= option_paths(spec.get("suboptions") or {}, prefix + alias + "/")
    return paths


def test_browser_renders_the_index(docs, chromium, tmp_path):
    page = RenderedPage(browse(chromium, docs / "index.html", tmp_path, "--dump-dom").stdout)
    assert COLLECTION in page.title, page.title
    assert "Index of all Modules" in page.text and "Index of all Roles" in page.text, page.text[:2000]
    assert "collections/index.html" in page.links, sorted(page.links)


def test_browser_renders_ehpc_nodes_options_and_examples(docs, chromium, tmp_path):
    doc = run([BIN_DIR / "ansible-doc", "--json", "%s.ehpc_nodes" % COLLECTION])
    assert doc.returncode == 0, doc.stderr
    entry = json.loads(doc.stdout)["%s.ehpc_nodes" % COLLECTION]
    html = collection_dir(docs) / "ehpc_nodes_module.html"

    page = RenderedPage(browse(chromium, html, tmp_path / "profile", "--dump-dom").stdout)
    assert "hpcops.clusters.ehpc_nodes module" in page.title, page.title
    # The option table has exactly ansible-doc's options, those the doc fragments bring included.
    rendered = {i[len("parameter-"):] for i in page.ids if i.startswith("parameter-")}
    assert rendered == option_paths(entry["doc"]["options"])
    assert {"access_key_id", "secret_access_key", "zone", "wait", "wait_timeout"} <= rendered
    parameters = page.section("parameters")
    assert parameters.startswith("Parameters Parameter Comments"), parameters[:200]
    assert "QINGCLOUD_ACCESS_KEY_ID" in parameters  # from the qingcloud doc fragment
    returned = {i[len("return-"):] for i in page.ids if i.startswith("return-")}
    assert set(entry["return"]) <= returned
    # Every example task is on the page, as highlighted code.
    examples = page.section("examples")
    tasks = yaml.safe_load(entry["examples"])
    assert tasks
    for task in tasks:
        assert "- name: %s" % squash(task["name"]) in examples, task["name"]
    assert "%s.ehpc_nodes:" % COLLECTION in examples

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    browse(chromium, html, tmp_path / "profile", "--hide-scrollbars", "--window-size=1280,2000",
           "--screenshot=%s" % SCREENSHOT)
    png = SCREENSHOT.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n", SCREENSHOT
    assert struct.unpack(">II", png[16:24]) == (1280, 2000)
