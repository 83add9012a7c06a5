# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a successful answer must hold, per API call: the one place that says so.

A 2xx answer that is not JSON (a captive portal's HTML page, a wrong ``endpoint``), ``{}``
or a body without a key the call's success always carries is not a success: reading it as
"no nodes" or "absent" would let a module delete or create on a false picture. Each call
names its shape here; ``check`` raises ApiError("unexpected answer from <endpoint> to
<call>: <what was missing> — is `endpoint` right?") before the answer is used.
See docs/api-decisions.md for where each shape comes from.

Private to hpcops.clusters.
"""

from __future__ import annotations

__metaclass__ = type

from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError

TYPE_NAMES = {dict: "an object", list: "a list", str: "a string", int: "an integer", bool: "a boolean"}

# call name -> ((dotted key, required type), ...)
SHAPES = {
    # --- QingCloud EHPC ---

    # --- Huawei Cloud ---
    # huaweicloudsdkcce ListNodesResponse: kind, apiVersion, items (list of Node).
    "CCE ListNodes": (("kind", str), ("items", list)),
    # huaweicloudsdkcce RemoveNodeResponse: status is a TaskStatus holding jobID.
    "CCE RemoveNodesTask": (("status", dict), ("status.jobID", str)),
    # huaweicloudsdkcce ShowJobResponse: status.phase, status.reason.
    "CCE ShowJob": (("status", dict), ("status.phase", str)),
    # huaweicloudsdkmodelarts GetHyperClusterResponse: id, name, network_info.
    "ModelArts ShowHyperCluster": (("id", str),),
    # huaweicloudsdkmodelarts ListHyperClusterResponse: hyper_clusters (list of HyperCluster).
    "ModelArts ListHyperCluster": (("hyper_clusters", list),),
}

# call name -> header a success always carries
HEADER_SHAPES = {
    # --- Huawei Cloud ---
    # IAM KeystoneCreateUserTokenByPassword: the token is the X-Subject-Token header.
    "IAM token": "X-Subject-Token",
}


def _text_start(content: bytes) -> str:
    text = content[:60].decode("utf-8", "replace").strip()
    return " ".join(text.split())


def _unexpected(call, endpoint, what, option, response=None, method=None, path=None):
    return ApiError("unexpected answer from %s to %s: %s — is `%s` right?" % (endpoint, call, what, option),
                    status=getattr(response, "status_code", None), method=method, path=path,
                    request_id=(getattr(response, "headers", None) or {}).get("X-Request-Id"))


def problem(call: str, answer) -> str | None:
    """What ``answer`` (decoded JSON, or None) lacks for ``call``'s shape, or None when it fits."""
    if not isinstance(answer, dict):
        return "the body is %s, not an object" % TYPE_NAMES.get(type(answer), type(answer).__name__)
    for key, wanted in SHAPES[call]:
        value = answer
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            return "no `%s`" % key
        if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
            return "`%s` is %s, not %s" % (key, TYPE_NAMES.get(type(value), type(value).__name__),
                                          TYPE_NAMES[wanted])
    return None


def check(call: str, endpoint: str, response, answer, option: str = "endpoint", method=None, path=None):
    """``answer`` (``response``'s decoded JSON) when it fits ``call``'s shape; else ApiError."""
    if answer is None:
        content = getattr(response, "content", b"") or b""
        what = ("an empty body" if not content.strip() else
                "the body is not JSON (it starts %r)" % _text_start(content))
        raise _unexpected(call, endpoint, what, option, response, method, path)
    what = problem(call, answer)
    if what:
        raise _unexpected(call, endpoint, what, option, response, method, path)
    return answer


def check_header(call: str, endpoint: str, response, option: str = "endpoint", method=None, path=None) -> str:
    """The value of the header ``call``'s success carries; ApiError when it is absent."""
    name = HEADER_SHAPES[call]
    value = response.headers.get(name)
    if not value:
        raise _unexpected(call, endpoint, "no %s header" % name, option, response, method, path)
    return value
