# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Paged reads: every client's list calls go through here (private to hpcops.clusters).

A list that a plan is made from must be whole: a page that fails, comes back short, or a
list that changes under the read fails the read. It is never returned in part.
"""

from __future__ import annotations

__metaclass__ = type

from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError


class PageError(ApiError):
    """The pages do not add up to one consistent list."""


def marker_pages(fetch, what: str = "the list") -> list:
    """Follow a marker until the last page: ``fetch(marker)`` -> ``(items, next_marker)``.

    The first call gets ``marker=None``; a falsy ``next_marker`` ends the read. Each page
    names the next one, so these pages can only be read one after another. A marker seen
    twice would loop for ever: it fails the read instead.
    """
    items = []
    seen = set()
    marker = None
    while True:
        batch, next_marker = fetch(marker)
        items.extend(batch)
        if not next_marker:
            return items
        if not batch:
            raise PageError("%s: an empty page names a next page (marker %s); the list may be incomplete"
                            % (what, next_marker))
        if next_marker in seen:
            raise PageError("%s: the marker %s came back a second time; the pages loop, so the list "
                            "cannot be read whole" % (what, next_marker))
        seen.add(next_marker)
        marker = next_marker
