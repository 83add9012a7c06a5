# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Retry policy: when to send a failed call again and how long to wait (private to hpcops.clusters)."""

from __future__ import annotations

__metaclass__ = type

import random
import time

from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError


class RetryPolicy:
    """Exponential backoff with jitter, capped, honouring the server's Retry-After.

    ``attempts`` counts every try, the first included.
    """

    def __init__(self, attempts: int = 5, base_delay: float = 0.5, max_delay: float = 8.0,
                 max_retry_after: float = 60.0, sleep=time.sleep, rand=random.random):
        self.attempts = max(1, attempts)
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._rand = rand

    def delay(self, retry_number: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry ``retry_number`` (1 for the first retry)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (retry_number - 1)))
        # Half fixed, half random: concurrent clients spread out, yet a retry never
        # comes back almost at once and hits the same overload.
        backoff = ceiling / 2 + self._rand() * ceiling / 2
        if retry_after is not None:
            return max(backoff, min(retry_after, self.max_retry_after))
        return backoff

    def call(self, func, is_safe_to_repeat: bool = False):
        """Run ``func`` until it succeeds, a non-retryable ApiError comes, or attempts run out.

        An error marked ``ambiguous`` (a write that may have been applied) is retried only
        when ``is_safe_to_repeat`` says re-sending cannot change the outcome.
        """
        retry_number = 0
        while True:
            try:
                return func()
            except ApiError as err:
                retry_number += 1
                if not err.retryable or retry_number >= self.attempts:
                    raise
                if err.ambiguous and not is_safe_to_repeat:
                    raise
                self._sleep(self.delay(retry_number, err.retry_after))


NO_RETRY = RetryPolicy(attempts=1)
