"""The code that runs on managed hosts needs no Python newer than 3.6.

``slurm_node`` runs on a cluster's login node, under whatever Python is there: RHEL 8's platform
Python is 3.6, which ansible-core 2.16 still supports on targets. So it and every module_utils it
imports (followed here from its imports, transitively) must parse and run on 3.6: no
``from __future__ import annotations``, no ``X | None`` or ``list[str]`` in annotations (evaluated
at definition time without that import), no walrus, no 3.7+ stdlib API. vermin (pinned in
requirements-dev.lock) checks it statically. The cloud modules and their module_utils run only on
the controller (Python 3.10+, as ansible-core 2.16-2.19 need there) and are not checked here.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# Modules whose tasks run on a managed host rather than on the controller (localhost).
HOST_SIDE_MODULES = ("slurm_node",)
MODULE_UTILS = "ansible_collections.hpcops.clusters.plugins.module_utils"


def module_utils_imported_by(path: Path) -> set:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == MODULE_UTILS:
                names.update(alias.name for alias in node.names)
            elif node.module.startswith(MODULE_UTILS + "."):
                names.add(node.module[len(MODULE_UTILS) + 1:].split(".")[0])
        elif isinstance(node, ast.Import):
            names.update(alias.name[len(MODULE_UTILS) + 1:].split(".")[0]
                         for alias in node.names if alias.name.startswith(MODULE_UTILS + "."))
    return names


def host_side_files() -> list:
    files = [REPO_ROOT / "plugins" / "modules" / ("%s.py" % name) for name in HOST_SIDE_MODULES]
    todo = list(files)
    while todo:
        for name in sorted(module_utils_imported_by(todo.pop())):
            path = REPO_ROOT / "plugins" / "module_utils" / ("%s.py" % name)
            assert path.is_file(), "%s is imported but not in plugins/module_utils" % name
            if path not in files:
                files.append(path)
                todo.append(path)
    return files


def test_host_side_files_are_slurm_node_and_the_module_utils_it_imports():
    names = sorted(str(p.relative_to(REPO_ROOT)) for p in host_side_files())
    assert "plugins/modules/slurm_node.py" in names and "plugins/module_utils/slurm.py" in names
    assert "plugins/module_utils/hostlist.py" in names  # imported by slurm.py, not by slurm_node itself


def test_host_side_code_needs_no_python_newer_than_3_6():
    files = [str(p) for p in host_side_files()]
    proc = subprocess.run([str(Path(sys.executable).parent / "vermin"), "--target=3.6-", "--no-tips", "--violations",
                           "--eval-annotations", "--feature", "union-types", "--no-parse-comments"] + files,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_host_side_code_parses_with_the_python_3_6_grammar():
    for path in host_side_files():
        ast.parse(path.read_text(), str(path), feature_version=(3, 6))
