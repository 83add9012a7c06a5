# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make ``ansible_collections.hpcops.clusters`` importable for plain pytest.

``ansible-test units`` runs the tests inside ``.../ansible_collections/hpcops/clusters``
with ansible's collection loader, so nothing is needed there. ``make pytest`` puts
``.tmp/collections`` on PYTHONPATH. Plain pytest from the repository root
(``python -m pytest tests/unit``) has neither: when the import fails, this file builds the
same tree ``make`` does, with ``hack/collection_tree.sh`` (the one way to build it:
``.tmp/collections/ansible_collections/hpcops/clusters -> <repository root>``), and puts
``.tmp/collections`` first on ``sys.path`` before any test module is imported.
"""

from __future__ import annotations

__metaclass__ = type

import importlib
import os
import subprocess
import sys

COLLECTION = "ansible_collections.hpcops.clusters"
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _importable() -> bool:
    try:
        importlib.import_module(COLLECTION + ".plugins.module_utils.errors")
    except ImportError:
        return False
    return True


def _put_on_path(directory: str) -> None:
    if directory not in sys.path:
        sys.path.insert(0, directory)
    importlib.invalidate_caches()
    # A failed attempt may have left an empty namespace parent behind; drop it so the
    # next import searches the new path from the top.
    for name in list(sys.modules):
        if name == "ansible_collections" or name.startswith("ansible_collections."):
            module = sys.modules[name]
            if getattr(module, "__file__", None) is None and not getattr(module, "__path__", None):
                del sys.modules[name]


def _make_collection_tree() -> None:
    # The repository may already sit at .../ansible_collections/hpcops/clusters (the
    # ansible-test copy): then its grand-grandparent is the path entry we need.
    namespace_dir = os.path.dirname(REPO_ROOT)
    top = os.path.dirname(namespace_dir)
    if (os.path.basename(REPO_ROOT) == "clusters" and os.path.basename(namespace_dir) == "hpcops"
            and os.path.basename(top) == "ansible_collections"):
        _put_on_path(os.path.dirname(top))
        if _importable():
            return
    subprocess.run(["bash", os.path.join(REPO_ROOT, "hack", "collection_tree.sh")], check=True,
                   stdout=subprocess.DEVNULL)
    _put_on_path(os.path.join(REPO_ROOT, ".tmp", "collections"))
    if not _importable():
        raise ImportError("could not make %s importable from %s/.tmp/collections" % (COLLECTION, REPO_ROOT))


if not _importable():
    _make_collection_tree()
