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


# Pages read at once after the first. Small, so a cluster's read stays a handful of calls
# in flight against an API whose call quota is per day (docs/api-decisions.md): 2,001 nodes
# in pages of 100 are 1 + 20 calls, read in 1 + 3 round trips.
WORKERS = 8


class _ListChanged(Exception):
    """The list changed while it was read: worth one more read from the start."""


def offset_pages(fetch, page_size: int, what: str = "the list", key=None, workers: int = WORKERS) -> list:
    """Every item of an offset-paged list, in order: ``fetch(offset, limit)`` -> ``(items, total)``.

    The first page tells the total; the other pages are then fetched ``workers`` at a time.
    Only reads come here: each ``fetch`` keeps its own retries (transport.Transport.send).
    The list is whole or the read fails: a failed page fails it (the pages in flight are
    waited for, none is started after), and so does a page that comes back short or long.
    A total that differs between pages, or an item (by ``key``) on two pages, means the list
    changed under the read: it is read once more from the start, and fails if it changes
    again. Never a plan from a torn list.
    """
    try:
        return _offset_read(fetch, page_size, what, key, workers)
    except _ListChanged:
        pass
    try:
        return _offset_read(fetch, page_size, what, key, workers)
    except _ListChanged as err:
        raise PageError("%s changed while it was read, twice in a row (%s); it cannot be read "
                        "whole now: try again when the cluster is quieter" % (what, err))


def _offset_read(fetch, page_size, what, key, workers) -> list:
    first, total = fetch(0, page_size)
    if not first:
        if total:
            raise PageError("%s: the first page is empty but the total is %d" % (what, total))
        return []
    offsets = list(range(page_size, total, page_size))
    pages = [(first, total)] + _fetch_all(fetch, offsets, page_size, workers)
    offsets = [0] + offsets
    for offset, (dummy, page_total) in zip(offsets, pages):
        if page_total != total:
            raise _ListChanged("the total went from %d to %d by offset %d" % (total, page_total, offset))
    items = []
    for offset, (batch, dummy) in zip(offsets, pages):
        expected = min(page_size, total - offset)
        if len(batch) != expected:
            raise PageError("%s: the page at offset %d holds %d items, not %d (total %d); a short page "
                            "would leave items out, so nothing is decided from it"
                            % (what, offset, len(batch), expected, total))
        items.extend(batch)
    if key is not None:
        seen = set()
        for item in items:
            ident = key(item)
            if ident is None:
                continue  # nothing to tell it by; the answer checks judge such an item
            if ident in seen:
                raise _ListChanged("%s is on two pages" % ident)
            seen.add(ident)
    return items


def _fetch_all(fetch, offsets: list, size: int, workers: int) -> list:
    """``fetch(offset, size)`` for every offset, at most ``workers`` at a time, in order."""
    return in_order(lambda offset: fetch(offset, size), offsets, workers)


def in_order(func, args: list, workers: int = WORKERS) -> list:
    """``[func(arg) for arg in args]``, at most ``workers`` calls at a time, results in order.

    Only for reads. When a call raises, no call is started after it, the calls in flight
    are waited for, and the exception of the first failed argument (in ``args`` order, so
    the same whichever finished first) is raised.
    """
    if not args:
        return []
    if len(args) == 1 or workers <= 1:
        return [func(arg) for arg in args]
    from concurrent.futures import ThreadPoolExecutor, as_completed
    results = [None] * len(args)
    errors = {}
    with ThreadPoolExecutor(max_workers=min(workers, len(args))) as pool:
        futures = dict((pool.submit(func, arg), index) for index, arg in enumerate(args))
        for future in as_completed(futures):
            if future.cancelled():
                continue
            index = futures[future]
            try:
                results[index] = future.result()
            except Exception as err:  # pylint: disable=broad-except
                errors[index] = err
                # Calls not started yet are not sent: the read has failed already.
                for other in futures:
                    other.cancel()
    if errors:
        raise errors[min(errors)]
    return results
