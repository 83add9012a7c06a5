# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""JMESPath ``query`` option of the _info modules (private to hpcops.clusters).

jmespath is imported only when a task sets ``query``, so the other tasks don't pay for it.
"""

from __future__ import annotations

__metaclass__ = type

import traceback

from ansible.module_utils.basic import missing_required_lib


def compile_query(cluster_module, expression: str | None):
    """The compiled expression, or None; fails the task on a bad expression, before any call."""
    if not expression:
        return None
    try:
        import jmespath
    except ImportError:
        cluster_module.module.fail_json(msg=missing_required_lib("jmespath"), exception=traceback.format_exc())
    try:
        return jmespath.compile(expression)
    except jmespath.exceptions.JMESPathError as err:
        cluster_module.fail("query is not a valid JMESPath expression: %s" % err)
    return None
