# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""RetryPolicy: which errors are retried, how often, and how long it waits."""

from __future__ import annotations

__metaclass__ = type

import random

import pytest

from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError
from ansible_collections.hpcops.clusters.plugins.module_utils.retries import NO_RETRY, RetryPolicy


class Failing:
    """A callable that raises the given errors in turn, then returns ``result``."""

    def __init__(self, *errors, result="ok"):
        self.errors = list(errors)
        self.result = result
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return self.result


def policy(**kwargs):
    sleeps = []
    kwargs.setdefault("sleep", sleeps.append)
    kwargs.setdefault("rand", lambda: 0.5)
    return RetryPolicy(**kwargs), sleeps


def retryable(**kwargs):
    return ApiError("busy", retryable=True, **kwargs)


def test_retryable_error_is_retried_until_success():
    retry, sleeps = policy(attempts=5)
    func = Failing(retryable(), retryable())
    assert retry.call(func) == "ok"
    assert func.calls == 3
    assert len(sleeps) == 2


def test_retryable_error_is_tried_attempts_times_in_all_then_raised():
    retry, sleeps = policy(attempts=4)
    errors = [retryable(code=i) for i in range(10)]
    func = Failing(*errors)
    with pytest.raises(ApiError) as info:
        retry.call(func)
    assert func.calls == 4
    assert len(sleeps) == 3
    assert info.value is errors[3]  # the last error, not the first


def test_non_retryable_error_is_raised_at_once():
    retry, sleeps = policy(attempts=5)
    error = ApiError("bad parameters", code=1100)
    func = Failing(error)
    with pytest.raises(ApiError) as info:
        retry.call(func, is_safe_to_repeat=True)
    assert info.value is error
    assert func.calls == 1
    assert sleeps == []


def test_other_exceptions_are_not_retried():
    retry, sleeps = policy(attempts=5)
    func = Failing(ValueError("programming error"))
    with pytest.raises(ValueError):
        retry.call(func)
    assert func.calls == 1
    assert sleeps == []


def test_ambiguous_error_is_not_retried_unless_safe_to_repeat():
    retry, sleeps = policy(attempts=5)
    func = Failing(retryable(ambiguous=True))
    with pytest.raises(ApiError) as info:
        retry.call(func)
    assert info.value.ambiguous
    assert func.calls == 1
    assert sleeps == []


def test_ambiguous_error_is_retried_when_safe_to_repeat():
    retry, sleeps = policy(attempts=5)
    func = Failing(retryable(ambiguous=True), retryable(ambiguous=True))
    assert retry.call(func, is_safe_to_repeat=True) == "ok"
    assert func.calls == 3
    assert len(sleeps) == 2


def test_unambiguous_retryable_error_is_retried_for_writes_too():
    retry, dummy = policy(attempts=3)
    func = Failing(retryable(ambiguous=False))
    assert retry.call(func, is_safe_to_repeat=False) == "ok"
    assert func.calls == 2


def test_single_attempt_policy_never_retries():
    func = Failing(retryable())
    with pytest.raises(ApiError):
        NO_RETRY.call(func, is_safe_to_repeat=True)
    assert func.calls == 1
    retry, dummy = policy(attempts=0)  # fewer than one try makes no sense: one try
    func = Failing(retryable())
    with pytest.raises(ApiError):
        retry.call(func)
    assert func.calls == 1


def test_backoff_doubles_from_half_to_full_ceiling_and_is_capped():
    low, dummy = policy(base_delay=0.5, max_delay=8.0, rand=lambda: 0.0)
    high, dummy = policy(base_delay=0.5, max_delay=8.0, rand=lambda: 1.0)
    # Ceilings for retries 1..7: 0.5, 1, 2, 4, 8, 8, 8.
    assert [low.delay(n) for n in range(1, 8)] == [0.25, 0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert [high.delay(n) for n in range(1, 8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_jittered_delay_stays_within_half_and_full_ceiling():
    rng = random.Random(7)
    retry, dummy = policy(base_delay=0.5, max_delay=8.0, rand=rng.random)
    seen = set()
    for n in range(1, 12):
        ceiling = min(8.0, 0.5 * 2 ** (n - 1))
        for dummy in range(50):
            value = retry.delay(n)
            assert ceiling / 2 <= value <= ceiling
            seen.add(round(value, 6))
    assert len(seen) > 100  # jitter actually spreads the delays


def test_call_sleeps_the_growing_backoff_between_tries():
    retry, sleeps = policy(attempts=5, base_delay=1.0, max_delay=3.0, rand=lambda: 1.0)
    with pytest.raises(ApiError):
        retry.call(Failing(*[retryable() for dummy in range(5)]))
    assert sleeps == [1.0, 2.0, 3.0, 3.0]


def test_retry_after_is_honoured_when_longer_than_the_backoff():
    retry, sleeps = policy(attempts=3, base_delay=0.5, rand=lambda: 0.0)
    assert retry.delay(1, retry_after=7) == 7
    assert retry.call(Failing(retryable(retry_after=7.0))) == "ok"
    assert sleeps == [7.0]


def test_retry_after_shorter_than_the_backoff_does_not_shorten_it():
    retry, dummy = policy(base_delay=4.0, max_delay=8.0, rand=lambda: 0.0)
    assert retry.delay(1, retry_after=0) == 2.0
    assert retry.delay(2, retry_after=1) == 4.0


def test_retry_after_is_capped():
    retry, sleeps = policy(attempts=2, max_retry_after=60.0, rand=lambda: 0.0)
    assert retry.delay(1, retry_after=86400) == 60.0
    retry.call(Failing(retryable(retry_after=86400.0)))
    assert sleeps == [60.0]
