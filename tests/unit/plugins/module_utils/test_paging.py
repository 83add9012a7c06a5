# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""module_utils/paging: offset pages read concurrently, marker pages in turn; whole lists or a failure."""

from __future__ import annotations

__metaclass__ = type

import threading

import pytest

from ansible_collections.hpcops.clusters.plugins.module_utils import paging
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError

# Long enough never to be reached when the code is right; a hang fails instead of blocking.
GATE_TIMEOUT = 10


class Pages:
    """A fake offset-paged list: ``items`` served ``limit`` at a time, every call recorded."""

    def __init__(self, items, total=None):
        self.items = list(items)
        self.total = total
        self.calls = []
        self.lock = threading.Lock()

    def __call__(self, offset, limit):
        with self.lock:
            self.calls.append(offset)
        total = len(self.items) if self.total is None else self.total
        return self.items[offset:offset + limit], total


def ids(n):
    return [{"node_id": "cln-%05d" % i} for i in range(n)]


def by_id(item):
    return item["node_id"]


def test_every_page_is_read_once_and_the_order_is_kept():
    fetch = Pages(ids(2002))
    assert paging.offset_pages(fetch, 100, key=by_id) == ids(2002)
    assert fetch.calls[0] == 0  # the first page alone tells the total
    assert sorted(fetch.calls) == list(range(0, 2002, 100))


def test_the_pages_after_the_first_are_read_workers_at_a_time_never_more():
    # Every later page waits at a barrier of WORKERS parties: read one after another, the
    # first would wait for ever (BrokenBarrierError after GATE_TIMEOUT) and the read fail.
    barrier = threading.Barrier(paging.WORKERS, timeout=GATE_TIMEOUT)
    state = {"in_flight": 0, "most": 0}
    lock = threading.Lock()
    items = ids(100 + 100 * paging.WORKERS * 2)

    def fetch(offset, limit):
        if offset:
            with lock:
                state["in_flight"] += 1
                state["most"] = max(state["most"], state["in_flight"])
            barrier.wait()
            with lock:
                state["in_flight"] -= 1
        return items[offset:offset + limit], len(items)

    assert paging.offset_pages(fetch, 100, key=by_id) == items
    assert state["most"] == paging.WORKERS


def test_pages_that_finish_in_reverse_order_still_come_back_in_order():
    items = ids(500)
    released = {offset: threading.Event() for offset in range(100, 500, 100)}

    def fetch(offset, limit):
        if offset:
            # Each page answers only after the page after it: the last one first.
            after = released.get(offset + 100)
            if after is not None:
                assert after.wait(GATE_TIMEOUT)
            released[offset].set()
        return items[offset:offset + limit], len(items)

    assert paging.offset_pages(fetch, 100, key=by_id) == items


def test_a_failed_page_fails_the_read_and_no_page_is_started_after_it():
    items = ids(2000)
    started = []
    never = threading.Event()

    def fetch(offset, limit):
        started.append(offset)
        if offset == 100:
            raise ApiError("page 2 refused", status=400)
        if offset:
            # The other pages take a while, so the failure is seen while they are in flight.
            never.wait(0.5)
        return items[offset:offset + limit], len(items)

    with pytest.raises(ApiError, match="page 2 refused"):
        paging.offset_pages(fetch, 100, key=by_id, workers=2)
    # The first page, the failed one, and the two at most that were in flight when it failed:
    # of the 20 pages, the rest are never sent.
    assert started[0] == 0 and len(started) <= 4, started


def test_the_failure_of_the_lowest_offset_is_the_one_reported():
    items = ids(400)

    def fetch(offset, limit):
        if offset in (200, 300):
            raise ApiError("page at %d failed" % offset)
        return items[offset:offset + limit], len(items)

    with pytest.raises(ApiError, match="page at 200 failed"):
        paging.offset_pages(fetch, 100)


@pytest.mark.parametrize("offset, size", [(0, 99), (300, 99), (300, 0), (1900, 99), (1900, 101)])
def test_a_short_or_long_page_fails_the_read_without_a_second_read(offset, size):
    items = ids(2000)
    calls = []

    def fetch(at, limit):
        calls.append(at)
        page = items[at:at + limit]
        if at == offset:
            page = (page + ids(1))[:size]
        return page, len(items)

    with pytest.raises(paging.PageError, match="the page at offset %d holds %d items, not 100" % (offset, size)):
        paging.offset_pages(fetch, 100, "EHPC listNodes", key=by_id)
    assert calls.count(0) == 1


def test_a_total_that_changes_under_the_read_is_read_again_once():
    items = ids(450)
    reads = {"first": 0}

    def fetch(offset, limit):
        if offset == 0:
            reads["first"] += 1
        # During the first read, the page at 300 sees one node more (a node was added).
        grown = reads["first"] == 1 and offset == 300
        return items[offset:offset + limit], len(items) + (1 if grown else 0)

    assert paging.offset_pages(fetch, 100, key=by_id) == items
    assert reads["first"] == 2


def test_a_total_that_changes_on_both_reads_fails_clearly():
    items = ids(450)
    state = {"total": 450}

    def fetch(offset, limit):
        if offset == 400:
            state["total"] += 1  # the cluster keeps growing
        return items[offset:offset + limit], state["total"]

    with pytest.raises(paging.PageError, match="changed while it was read, twice in a row"):
        paging.offset_pages(fetch, 100, "EHPC listNodes", key=by_id)


def test_an_item_on_two_pages_is_a_list_that_moved_and_is_read_again():
    items = ids(300)
    reads = {"first": 0}

    def fetch(offset, limit):
        if offset == 0:
            reads["first"] += 1
        page = items[offset:offset + limit]
        if reads["first"] == 1 and offset == 200:
            page = [items[199]] + page[1:]  # one node deleted, one added: the same total
        return page, len(items)

    assert paging.offset_pages(fetch, 100, key=by_id) == items
    assert reads["first"] == 2


def test_an_empty_list_is_one_call_and_an_empty_first_page_of_a_non_empty_list_fails():
    fetch = Pages([])
    assert paging.offset_pages(fetch, 100) == []
    assert fetch.calls == [0]
    with pytest.raises(paging.PageError, match="the first page is empty but the total is 3"):
        paging.offset_pages(Pages([], total=3), 100)


def test_pure_work_on_20000_items_is_one_pass():
    # 20,000 nodes in pages of 100: 200 calls, each page read once, checked once.
    fetch = Pages(ids(20000))
    assert len(paging.offset_pages(fetch, 100, key=by_id)) == 20000
    assert len(fetch.calls) == 200


def test_marker_pages_follow_the_marker_and_refuse_a_loop():
    pages = {None: (["a", "b"], "b"), "b": (["c"], None)}
    assert paging.marker_pages(lambda marker: pages[marker]) == ["a", "b", "c"]
    looping = {None: (["a"], "a"), "a": (["b"], "b"), "b": (["c"], "a")}
    with pytest.raises(paging.PageError, match="the marker a came back a second time"):
        paging.marker_pages(lambda marker: looping[marker], "CCE ListNodes")
