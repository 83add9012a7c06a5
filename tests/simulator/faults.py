from __future__ import annotations

# The fault queue: injected failures for cloud calls, matched by a regex searched in the
# request path (and optionally the method). The caller holds the world lock.

import json
import re
from dataclasses import dataclass
from typing import Any

# Kinds that decide how the matching request itself is answered.
# bad_answer: the call is carried out, then answered with a 2xx the vendor never sends
# (``body``: "html", "empty" for ``{}``, "missing:<key>" for the real answer less one key, or
# "set:<key>=<JSON>" for the real answer with one value replaced, e.g. ``set:hpc_job_set.0=\"x\"``;
# "short:<key>" for the real answer with the last item of its list <key> left out: a short page).
REQUEST_KINDS = ("status", "ret_code", "drop", "drop_after", "delay", "bad_answer")
BAD_BODIES = ("html", "empty")
# Kinds that decide how the job created by the matching request behaves.
JOB_KINDS = ("job_fail", "job_stuck", "job_vanish")
MAX_DELAY_SECONDS = 120.0


@dataclass
class Fault:
    fault_id: int
    kind: str
    path: str
    method: str | None
    times: int
    status: int | None = None
    retry_after: float | None = None
    ret_code: int | None = None
    seconds: float | None = None
    message: str | None = None
    body: str | None = None
    query: str | None = None

    def matches(self, method: str, path: str, query: str = "") -> bool:
        if self.method is not None and self.method != method.upper():
            return False
        if self.query is not None and re.search(self.query, query) is None:
            return False
        return re.search(self.path, path) is not None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.fault_id, "kind": self.kind, "path": self.path, "times": self.times}
        for name in ("method", "query", "status", "retry_after", "ret_code", "seconds", "message", "body"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        return data


def _number(spec: dict[str, Any], name: str, *, required: bool, minimum: float, maximum: float | None = None,
            integer: bool = False) -> Any:
    value = spec.get(name)
    if value is None:
        if required:
            raise ValueError(f"fault kind {spec.get('kind')!r} needs {name!r}")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
        raise ValueError(f"{name!r} must be {'an integer' if integer else 'a number'}")
    if value < minimum or (maximum is not None and value > maximum):
        raise ValueError(f"{name!r} out of range")
    return value


def _set_body(body: str) -> bool:
    if not body.startswith("set:") or "=" not in body:
        return False
    key, value = body[4:].split("=", 1)
    try:
        json.loads(value)
    except ValueError:
        return False
    return bool(key)


def parse_fault(spec: Any, fault_id: int) -> Fault:
    if not isinstance(spec, dict):
        raise ValueError("a fault must be a JSON object")
    known = {"path", "query", "method", "times", "kind", "status", "retry_after", "ret_code", "seconds", "message",
             "body"}
    unknown = sorted(set(spec) - known)
    if unknown:
        raise ValueError(f"unknown fault fields: {', '.join(unknown)}")
    kind = spec.get("kind")
    if kind not in REQUEST_KINDS + JOB_KINDS:
        raise ValueError(f"kind must be one of {', '.join(REQUEST_KINDS + JOB_KINDS)}")
    path = spec.get("path", "")
    if not isinstance(path, str):
        raise ValueError("'path' must be a regular expression string")
    try:
        re.compile(path)
    except re.error as exc:
        raise ValueError(f"bad 'path' regex: {exc}") from exc
    query = spec.get("query")
    if query is not None:
        if not isinstance(query, str):
            raise ValueError("'query' must be a regular expression string")
        try:
            re.compile(query)
        except re.error as exc:
            raise ValueError(f"bad 'query' regex: {exc}") from exc
    method = spec.get("method")
    if method is not None and (not isinstance(method, str) or not method.isalpha()):
        raise ValueError("'method' must be an HTTP method name")
    message = spec.get("message")
    if message is not None and not isinstance(message, str):
        raise ValueError("'message' must be a string")
    body = spec.get("body")
    if kind == "bad_answer":
        if not isinstance(body, str) or not (body in BAD_BODIES or _set_body(body) or any(
                body.startswith(prefix) and len(body) > len(prefix) for prefix in ("missing:", "short:"))):
            raise ValueError("a bad_answer fault needs 'body': html, empty, missing:<key>, short:<key> or set:<key>=<JSON>")
    elif body is not None:
        raise ValueError("'body' only applies to kind bad_answer")
    times = spec.get("times", 1)
    if isinstance(times, bool) or not isinstance(times, int) or times < 1:
        raise ValueError("'times' must be an integer >= 1")
    return Fault(
        fault_id=fault_id,
        kind=kind,
        path=path,
        method=method.upper() if method else None,
        query=query,
        times=times,
        status=_number(spec, "status", required=kind == "status", minimum=400, maximum=599, integer=True),
        retry_after=_number(spec, "retry_after", required=False, minimum=0),
        ret_code=_number(spec, "ret_code", required=kind == "ret_code", minimum=1, integer=True),
        seconds=_number(spec, "seconds", required=kind == "delay", minimum=0, maximum=MAX_DELAY_SECONDS),
        message=message,
        body=body,
    )


class FaultQueue:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._next_id = 1

    def add(self, specs: Any) -> list[Fault]:
        """Validate all specs first, so a bad list adds nothing."""
        items = specs if isinstance(specs, list) else [specs]
        parsed = [parse_fault(spec, self._next_id + offset) for offset, spec in enumerate(items)]
        self._next_id += len(parsed)
        self._faults.extend(parsed)
        return parsed

    def pending(self) -> list[dict[str, Any]]:
        return [fault.to_json() for fault in self._faults]

    def clear(self) -> None:
        self._faults.clear()

    def _first(self, kinds: tuple[str, ...], method: str, path: str, query: str = "") -> Fault | None:
        for fault in self._faults:
            if fault.kind in kinds and fault.matches(method, path, query):
                return fault
        return None

    def consume(self, fault: Fault) -> None:
        fault.times -= 1
        if fault.times <= 0 and fault in self._faults:
            self._faults.remove(fault)

    def take_request_fault(self, method: str, path: str, query: str = "") -> Fault | None:
        """The first matching request-level fault, used up by this call."""
        fault = self._first(REQUEST_KINDS, method, path, query)
        if fault is not None:
            self.consume(fault)
        return fault

    def peek_job_fault(self, method: str, path: str) -> Fault | None:
        """The first matching job-level fault; consumed only if the call creates a job."""
        return self._first(JOB_KINDS, method, path)
