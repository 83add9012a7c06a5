# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""QingCloud EHPC request signing (private to hpcops.clusters).

The EHPC API (hpc-api.qingcloud.com/api/...) signs differently from the IaaS API that
qingcloud-sdk-python covers: the string to sign ends with the MD5 of the JSON body and
the timestamp parameter is ``timestamp``. The steps are those of QingCloud's signature
page (qingcloud-docs ``content/compute/hpc/api/get_api/signature.md``) as QingCloud's own
EHPC SDK carries them out (PyPI ``qingcloud-hpc`` 0.0.1, ``qingcloud_hpc/request.py`` and
``build_request.py``); docs/api-decisions.md, "Signing", has the decisions:

1. the common parameters go in the query: access_key_id, signature_method,
   signature_version, version, timestamp; a GET's action parameters (``zone`` among them)
   join them, a POST's (``zone`` among them) are its JSON body;
2. sort by name, percent-encode names and values as the SDK's
   ``process_canonical_query_string`` does (``quote``: space is %20, hex upper-case, ``/``
   kept), leave out empty values (the SDK's server-side parse drops them), join ``k=v``
   with ``&``;
3. string_to_sign = METHOD \\n path + "/" \\n query \\n md5hex(body): the signed path ends
   with ``/`` (the page's ``/api/cluster/list/``, the SDK's ``process_canonical_uri``)
   while the request goes to the path without it;
4. signature = base64(HMAC-SHA256(secret, string_to_sign)), appended to the query
   URL-encoded twice.
"""

from __future__ import annotations

__metaclass__ = type

import base64
import datetime
import hashlib
import hmac
import json
from urllib.parse import quote, unquote

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def encode(value) -> str:
    # quote() with its default safe "/" is what the SDK's process_canonical_query_string
    # applies: A-Z a-z 0-9 - _ . ~ and / stay, the rest is %XX of the UTF-8 bytes with
    # upper-case hex (space %20, ":" %3A, as the signature page asks).
    return quote(str(value))


def body_bytes(elements: dict) -> bytes:
    """The JSON body of a POST, byte for byte as the SDK writes it.

    ``build_request.py`` sends ``json.dumps(elements, sort_keys=True)``: default separators
    (``", "`` and ``": "``) and ASCII escapes. These bytes are hashed into the signature and
    sent unchanged, so a server that re-serialises what it parsed hashes the same text.
    """
    return json.dumps(elements, sort_keys=True).encode("utf-8")


def canonical_uri(path: str) -> str:
    """The path as signed: each segment quoted, and a trailing ``/`` (``process_canonical_uri``)."""
    signed = "/".join(quote(part) for part in unquote(path).split("/"))
    return signed if signed.endswith("/") else signed + "/"


def canonical_query(params: dict) -> str:
    """Sorted ``k=v`` pairs; a parameter without a value is not sent (nor signed)."""
    return "&".join("%s=%s" % (encode(k), encode(params[k])) for k in sorted(params)
                    if params[k] is not None and str(params[k]) != "")


def string_to_sign(method: str, path: str, query: str, body: bytes) -> str:
    return "\n".join((method.upper(), canonical_uri(path), query, hashlib.md5(body or b"").hexdigest()))


def signature(secret_access_key: str, text: str) -> str:
    digest = hmac.new(secret_access_key.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def common_params(access_key_id: str, now: datetime.datetime | None = None) -> dict:
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return {
        "access_key_id": access_key_id,
        "signature_method": "HmacSHA256",
        "signature_version": "1",
        "version": "1",
        "timestamp": now.strftime(TIMESTAMP_FORMAT),
    }


def query_params(params: dict, access_key_id: str, now: datetime.datetime | None = None) -> dict:
    """Every parameter of the query but the signature: ``params`` and the common ones."""
    every = dict(params)
    every.update(common_params(access_key_id, now))
    return every


def signed_query(method: str, path: str, params: dict, body: bytes, access_key_id: str,
                 secret_access_key: str, now: datetime.datetime | None = None) -> str:
    """The full query string, signature last, for a request to ``path`` (sent without a trailing ``/``).

    ``params`` are the query's action parameters: a GET's (``zone`` included), nothing for a
    POST, whose parameters (``zone`` included) are ``body``, the exact bytes that will be sent.
    """
    query = canonical_query(query_params(params, access_key_id, now))
    sig = signature(secret_access_key, string_to_sign(method, path, query, body))
    # URL-encoded twice, every character of the base64 alphabet but letters and digits
    # included (the page's quote_plus(quote_plus(sig)), the SDK's urlencode(quote_plus(sig))).
    return "%s&signature=%s" % (query, quote(quote(sig, safe=""), safe=""))
