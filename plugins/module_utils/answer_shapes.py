# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How an answer is checked against the shape its call must have (private to hpcops.clusters).

Every client checks an answer here before it reads anything from it. A 2xx that is not
JSON, or that lacks a key the vendor documents, is an error that names the endpoint and
the call: a captive portal, a proxy or a wrong ``endpoint`` answering 200 must fail the
task, never read as "no nodes" or "already deleted". See docs/api-decisions.md,
"What a success must hold".

A shape maps each required top-level key to its type (a type or a tuple of types). A key
whose value is a ``dict`` shape describes the entries of a list: each entry must be an
object with those keys. A dotted shape (``(("status.jobID", str), ...)``) names nested keys.

The shapes themselves are each cloud's (``<cloud>/answer_shapes.py``), so a new cloud adds
its own file and edits none here.
"""

from __future__ import annotations

__metaclass__ = type

from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError

TYPE_NAMES = {str: "a string", int: "an integer", list: "a list", dict: "an object", bool: "a boolean"}


def _type_name(expected) -> str:
    if isinstance(expected, tuple):
        return " or ".join(_type_name(t) for t in expected)
    return TYPE_NAMES.get(expected, expected.__name__)


def _is_a(value, expected) -> bool:
    types = expected if isinstance(expected, tuple) else (expected,)
    # bool is an int in Python; no vendor field documented as a number is ever a boolean.
    if isinstance(value, bool) and bool not in types:
        return False
    return isinstance(value, types)


def problems(answer, shape: dict, where: str = "") -> list:
    """What ``answer`` lacks to match ``shape``: a list of readable phrases, empty when it matches."""
    if not isinstance(answer, dict):
        return ["%s is not a JSON object" % (where or "the answer")]
    found = []
    for key, expected in shape.items():
        name = "%s%s" % (where, key)
        if answer.get(key) in (None, ""):  # an empty id is no id
            found.append("no `%s`" % name)
        elif isinstance(expected, dict):
            if not isinstance(answer[key], list):
                found.append("`%s` is not a list" % name)
                continue
            for index, entry in enumerate(answer[key]):
                found.extend(problems(entry, expected, "%s[%d]." % (name, index)))
                if found:
                    break
        elif not _is_a(answer[key], expected):
            found.append("`%s` is not %s" % (name, _type_name(expected)))
    return found


def unexpected_answer(endpoint: str, call: str, what: str) -> ApiError:
    return ApiError("unexpected answer from %s to %s: %s — is `endpoint` right?" % (endpoint, call, what))


def checked(answer, call: str, endpoint: str, shapes: dict) -> dict:
    """``answer`` if it has the shape declared for ``call``; ApiError otherwise.

    ``answer`` is the parsed JSON body, or None when the body was empty or not JSON.
    """
    shape = shapes[call]
    if answer is None:
        raise unexpected_answer(endpoint, call, "the body is not JSON")
    found = problems(answer, shape)
    if found:
        raise unexpected_answer(endpoint, call, "; ".join(found[:3]))
    return answer


def _text_start(content: bytes) -> str:
    text = content[:60].decode("utf-8", "replace").strip()
    return " ".join(text.split())


def _unexpected(call, endpoint, what, option, response=None, method=None, path=None):
    return ApiError("unexpected answer from %s to %s: %s — is `%s` right?" % (endpoint, call, what, option),
                    status=getattr(response, "status_code", None), method=method, path=path,
                    request_id=(getattr(response, "headers", None) or {}).get("X-Request-Id"))


def dotted_problem(shape: tuple, answer) -> str | None:
    """What ``answer`` (decoded JSON, or None) lacks for ``shape`` (``(dotted key, type), ...``), or None when it fits."""
    if not isinstance(answer, dict):
        return "the body is %s, not an object" % TYPE_NAMES.get(type(answer), type(answer).__name__)
    for key, wanted in shape:
        value = answer
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            return "no `%s`" % key
        if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
            found = TYPE_NAMES.get(type(value), type(value).__name__)
            return "`%s` is %s, not %s" % (key, found, TYPE_NAMES[wanted])
    return None


def check(call: str, endpoint: str, response, answer, shape: tuple, option: str = "endpoint", method=None, path=None):
    """``answer`` (``response``'s decoded JSON) when it fits ``call``'s shape; else ApiError."""
    if answer is None:
        content = getattr(response, "content", b"") or b""
        what = ("an empty body" if not content.strip() else
                "the body is not JSON (it starts %r)" % _text_start(content))
        raise _unexpected(call, endpoint, what, option, response, method, path)
    what = dotted_problem(shape, answer)
    if what:
        raise _unexpected(call, endpoint, what, option, response, method, path)
    return answer


def check_header(call: str, endpoint: str, response, header: str, option: str = "endpoint", method=None, path=None) -> str:
    """The value of the header ``call``'s success carries; ApiError when it is absent."""
    name = header
    value = response.headers.get(name)
    if not value:
        raise _unexpected(call, endpoint, "no %s header" % name, option, response, method, path)
    return value
