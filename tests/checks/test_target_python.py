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


def _module_file(dotted: str):
    """The file of ``module_utils.<dotted>``: a module, or None for a package or a name in one."""
    path = REPO_ROOT / "plugins" / "module_utils" / (dotted.replace(".", "/") + ".py")
    return path if path.is_file() else None


def module_utils_imported_by(path: Path) -> set:
    """The module_utils files ``path`` imports (``from ...module_utils.slurm import hostlist`` included)."""
    files = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and (
                node.module == MODULE_UTILS or node.module.startswith(MODULE_UTILS + ".")):
            package = node.module[len(MODULE_UTILS) + 1:]
            module = _module_file(package) if package else None
            if module is not None:
                files.add(module)
                continue
            for alias in node.names:
                imported = _module_file((package + "." if package else "") + alias.name)
                assert imported is not None, "%s.%s is imported but not in plugins/module_utils" % (node.module, alias.name)
                files.add(imported)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(MODULE_UTILS + "."):
                    imported = _module_file(alias.name[len(MODULE_UTILS) + 1:])
                    assert imported is not None, "%s is imported but not in plugins/module_utils" % alias.name
                    files.add(imported)
    return files


def host_side_files() -> list:
    files = [REPO_ROOT / "plugins" / "modules" / ("%s.py" % name) for name in HOST_SIDE_MODULES]
    todo = list(files)
    while todo:
        for path in sorted(module_utils_imported_by(todo.pop())):
            if path not in files:
                files.append(path)
                todo.append(path)
    return files


def test_host_side_files_are_slurm_node_and_the_module_utils_it_imports():
    names = sorted(str(p.relative_to(REPO_ROOT)) for p in host_side_files())
    assert "plugins/modules/slurm_node.py" in names and "plugins/module_utils/slurm/node_plan.py" in names
    assert "plugins/module_utils/slurm/hostlist.py" in names  # imported by node_plan.py, not by slurm_node itself


def test_host_side_code_needs_no_python_newer_than_3_6():
    files = [str(p) for p in host_side_files()]
    proc = subprocess.run([str(Path(sys.executable).parent / "vermin"), "--target=3.6-", "--no-tips", "--violations",
                           "--eval-annotations", "--feature", "union-types", "--no-parse-comments"] + files,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_host_side_code_parses_with_the_python_3_6_grammar():
    for path in host_side_files():
        ast.parse(path.read_text(), str(path), feature_version=(3, 6))
