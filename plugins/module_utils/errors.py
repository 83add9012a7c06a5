# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one exception type every cloud call raises (private to hpcops.clusters)."""

__metaclass__ = type

from typing import Optional, Union


class ApiError(Exception):
    """A failed cloud call.

    ``ambiguous`` is true when a write may have reached the server but no answer came
    back (dropped connection, gateway timeout): the caller must re-read state before
    deciding whether to send it again.

    The request's query string is never kept: a signature may be there.
    """

    def __init__(self, message: str, status: Optional[int] = None, code: Union[str, int, None] = None,
                 request_id: Optional[str] = None, method: Optional[str] = None, path: Optional[str] = None,
                 retryable: bool = False, ambiguous: bool = False, retry_after: Optional[float] = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.method = method
        self.path = path
        self.retryable = retryable
        self.ambiguous = ambiguous
        self.retry_after = retry_after

    def __str__(self) -> str:
        parts = []
        if self.method and self.path:
            parts.append("%s %s" % (self.method, self.path))
        if self.status is not None:
            parts.append("HTTP %s" % self.status)
        if self.code not in (None, ""):
            parts.append("code %s" % self.code)
        head = ", ".join(parts)
        text = "%s: %s" % (head, self.message) if head else self.message
        if self.request_id:
            text += " (request id %s)" % self.request_id
        return text

    def as_dict(self) -> dict:
        """Structured form for a module's ``failure`` result key."""
        return {
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "request_id": self.request_id,
            "method": self.method,
            "path": self.path,
            "ambiguous": self.ambiguous,
        }


class WaitError(Exception):
    """A job or resource did not reach the wanted state: it failed, vanished or timed out."""

    def __init__(self, message: str, job_id: Optional[str] = None, status: Optional[str] = None,
                 timed_out: bool = False):
        super().__init__(message)
        self.message = message
        self.job_id = job_id
        self.status = status
        self.timed_out = timed_out

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict:
        return {"job_id": self.job_id, "status": self.status, "timed_out": self.timed_out,
                "message": self.message}
