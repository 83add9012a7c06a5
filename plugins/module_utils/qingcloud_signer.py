# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""QingCloud EHPC request signing (private to hpcops.clusters).

The EHPC API (hpc-api.qingcloud.com/api/...) signs differently from the IaaS API that
qingcloud-sdk-python covers: the string to sign ends with the MD5 of the JSON body and
the timestamp parameter is ``timestamp``. Steps, from the EHPC docs' signature page
(see docs/api-decisions.md):

1. common parameters go in the query: access_key_id, zone, signature_method,
   signature_version, version, timestamp; a GET's action parameters join them;
2. sort by name, percent-encode names and values (space is %20, hex upper-case),
   join ``k=v`` with ``&``;
3. string_to_sign = METHOD \\n path \\n query \\n md5hex(body);
4. signature = base64(HMAC-SHA256(secret, string_to_sign)), appended to the query
   URL-encoded twice.
"""

from __future__ import annotations

__metaclass__ = type

import base64
import datetime
import hashlib
import hmac
from urllib.parse import quote

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def encode(value) -> str:
    # quote() leaves only A-Z a-z 0-9 - _ . ~ unescaped and writes upper-case hex,
    # which is what the docs ask for.
    return quote(str(value), safe="")


def canonical_query(params: dict) -> str:
    return "&".join("%s=%s" % (encode(k), encode(params[k])) for k in sorted(params))


def string_to_sign(method: str, path: str, query: str, body: bytes) -> str:
    return "\n".join((method.upper(), path, query, hashlib.md5(body or b"").hexdigest()))


def signature(secret_access_key: str, text: str) -> str:
    digest = hmac.new(secret_access_key.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def common_params(access_key_id: str, zone: str, now: datetime.datetime | None = None) -> dict:
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return {
        "access_key_id": access_key_id,
        "zone": zone,
        "signature_method": "HmacSHA256",
        "signature_version": "1",
        "version": "1",
        "timestamp": now.strftime(TIMESTAMP_FORMAT),
    }


def signed_query(method: str, path: str, params: dict, body: bytes, access_key_id: str,
                 secret_access_key: str, zone: str, now: datetime.datetime | None = None) -> str:
    """The full query string, signature last, for a request to ``path``.

    ``params`` are the GET action parameters (empty for a POST, whose parameters are
    in ``body``, the exact bytes that will be sent).
    """
    query_params = dict(params)
    query_params.update(common_params(access_key_id, zone, now))
    query = canonical_query(query_params)
    sig = signature(secret_access_key, string_to_sign(method, path, query, body))
    return "%s&signature=%s" % (query, encode(encode(sig)))
