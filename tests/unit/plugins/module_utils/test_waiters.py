# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""waiters.poll with a fake clock: result, deadline, and the polling intervals."""

from __future__ import annotations

__metaclass__ = type

import pytest

from ansible_collections.hpcops.clusters.plugins.module_utils import waiters
from ansible_collections.hpcops.clusters.plugins.module_utils.errors import WaitError


class FakeClock:
    """Time moves only when ``sleep`` is called."""

    def __init__(self, start=1000.0):
        self.now = start
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        assert seconds > 0
        self.sleeps.append(seconds)
        self.now += seconds


class Check:
    """Answers (False, n) ``pending`` times, then (True, result); records call times."""

    def __init__(self, clock, pending, result="done"):
        self.clock = clock
        self.pending = pending
        self.result = result
        self.times = []

    def __call__(self):
        self.times.append(self.clock.now)
        if len(self.times) > self.pending:
            return True, self.result
        return False, len(self.times)


def describe_job(value):
    return "j-42", "pending", "EHPC job j-42 (status pending, poll %s)" % value


def test_returns_the_value_as_soon_as_check_says_done():
    clock = FakeClock()
    check = Check(clock, pending=2, result={"job": "ok"})
    assert waiters.poll(check, 60, describe_job, sleep=clock.sleep, clock=clock.clock) == {"job": "ok"}
    assert len(check.times) == 3
    assert clock.sleeps == pytest.approx([0.25, 0.2875])


def test_done_on_first_check_never_sleeps():
    clock = FakeClock()
    assert waiters.poll(Check(clock, pending=0), 60, describe_job, sleep=clock.sleep, clock=clock.clock) == "done"
    assert clock.sleeps == []


def test_delays_grow_by_15_percent_and_are_capped_at_two_seconds():
    clock = FakeClock()
    waiters.poll(Check(clock, pending=25), 1000, describe_job, sleep=clock.sleep, clock=clock.clock)
    expected = [min(2.0, 0.25 * 1.15 ** i) for i in range(25)]
    assert clock.sleeps == pytest.approx(expected)
    assert max(clock.sleeps) == 2.0
    assert clock.sleeps[-5:] == [2.0] * 5
    for before, after in zip(clock.sleeps, clock.sleeps[1:]):
        assert after == pytest.approx(min(2.0, before * 1.15))


def test_timeout_raises_wait_error_naming_the_job():
    clock = FakeClock()
    check = Check(clock, pending=10 ** 6)
    with pytest.raises(WaitError) as info:
        waiters.poll(check, 10, describe_job, sleep=clock.sleep, clock=clock.clock)
    err = info.value
    assert err.timed_out
    assert err.job_id == "j-42"
    assert err.status == "pending"
    assert str(err).startswith("timed out after 10s waiting for EHPC job j-42")
    # describe() got the last value check() returned.
    assert "poll %d" % len(check.times) in str(err)
    assert err.as_dict()["timed_out"] is True


def test_never_sleeps_past_the_deadline_and_checks_once_more_at_it():
    clock = FakeClock(start=0.0)
    check = Check(clock, pending=10 ** 6)
    with pytest.raises(WaitError):
        waiters.poll(check, 3.0, describe_job, sleep=clock.sleep, clock=clock.clock)
    assert sum(clock.sleeps) == pytest.approx(3.0)
    assert clock.now == pytest.approx(3.0)
    assert check.times[-1] == pytest.approx(3.0)  # a last look at the deadline itself
    elapsed = 0.0
    for seconds in clock.sleeps:
        assert seconds <= 3.0 - elapsed + 1e-9
        elapsed += seconds


def test_success_at_the_last_check_before_the_deadline_wins():
    clock = FakeClock(start=0.0)
    # 0.25 + 0.3125 + 0.390625 = 0.953125: the fourth check happens before a 1 s deadline.
    check = Check(clock, pending=3, result="just in time")
    assert waiters.poll(check, 1.0, describe_job, sleep=clock.sleep, clock=clock.clock) == "just in time"


def test_fractional_timeout_is_shown_with_one_decimal():
    clock = FakeClock()
    with pytest.raises(WaitError, match=r"timed out after 2\.5s"):
        waiters.poll(Check(clock, pending=10 ** 6), 2.5, describe_job, sleep=clock.sleep, clock=clock.clock)


def test_wait_error_from_check_propagates_at_once():
    clock = FakeClock()

    def check():
        raise WaitError("job j-9 failed", job_id="j-9", status="failed")

    with pytest.raises(WaitError) as info:
        waiters.poll(check, 60, describe_job, sleep=clock.sleep, clock=clock.clock)
    assert info.value.job_id == "j-9"
    assert not info.value.timed_out
    assert clock.sleeps == []


def test_first_and_max_delay_can_be_set():
    clock = FakeClock()
    waiters.poll(Check(clock, pending=4), 60, describe_job, sleep=clock.sleep, clock=clock.clock,
                 first_delay=1.0, max_delay=1.5)
    assert clock.sleeps == pytest.approx([1.0, 1.15, 1.3225, 1.5])


def test_a_shared_deadline_spans_several_waits_and_names_the_configured_timeout():
    clock = FakeClock()
    deadline = waiters.Deadline(10, clock=clock.clock)
    waiters.poll(Check(clock, pending=3), deadline, describe_job, sleep=clock.sleep, clock=clock.clock)
    spent = sum(clock.sleeps)
    assert deadline.remaining() == pytest.approx(10 - spent)
    with pytest.raises(WaitError) as info:
        waiters.poll(Check(clock, pending=10 ** 6), deadline, describe_job, sleep=clock.sleep, clock=clock.clock)
    assert info.value.timed_out
    assert "timed out after 10s" in str(info.value)
    assert sum(clock.sleeps) == pytest.approx(10)


@pytest.mark.parametrize("delays", [dict(first_delay=0), dict(first_delay=-5), dict(max_delay=0),
                                    dict(first_delay="0"), dict(first_delay=True), dict(max_delay=float("nan"))])
def test_a_poll_interval_under_the_minimum_is_refused_before_the_first_check(delays):
    fake = FakeClock()
    checks = []
    with pytest.raises(ValueError, match="must be at least 0.05 seconds"):
        waiters.poll(lambda: checks.append(1) or (False, None), 10, lambda v: (None, None, "x"),
                     sleep=fake.sleep, clock=fake.clock, **delays)
    assert checks == []
