# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Poll until something is done, failed, or past its deadline (private to hpcops.clusters)."""

__metaclass__ = type

import time

from ansible_collections.hpcops.clusters.plugins.module_utils.errors import WaitError

# The first poll comes soon (short jobs are common) and the interval grows by 15 %
# each time up to 2 s, so the lag between a job ending and the module noticing stays
# under 1 s plus a tenth of the job's length for every duration (tests/bench/run.py
# section 3b checks the schedule; a growth of 25 % misses that for 6.5-8.5 s jobs).
# A job can lag behind the answer that created it, so one poll that doesn't find it
# proves nothing; this many misses in a row means the API lost it.
VANISHED_AFTER_MISSES = 3
FIRST_DELAY = 0.25
GROWTH = 1.15
MAX_DELAY = 2.0
# No wait polls faster than this: an interval of 0 would call the API as fast as it answers.
MIN_DELAY = 0.05


class Deadline:
    """The end of a task's ``wait_timeout``, shared by every wait of that task."""

    def __init__(self, seconds: float, clock=time.monotonic):
        self.seconds = seconds
        self._clock = clock
        self._end = clock() + seconds

    def remaining(self) -> float:
        return max(0.0, self._end - self._clock())


def poll(check, timeout, describe, sleep=time.sleep, clock=time.monotonic,
         first_delay: float = FIRST_DELAY, max_delay: float = MAX_DELAY):
    """Call ``check()`` until it returns ``(True, value)``; return ``value``.

    ``timeout`` is seconds or a Deadline shared with other waits. ``check`` raises
    WaitError for a failure it sees (a failed job). On timeout a WaitError names what
    was awaited via ``describe(last_value)``.
    """
    for name, value in (("first_delay", first_delay), ("max_delay", max_delay)):
        # Refused before the first call: a zero or negative interval polls without pause.
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= MIN_DELAY:
            raise ValueError("poll %s must be at least %s seconds, got %r" % (name, MIN_DELAY, value))
    deadline = timeout if isinstance(timeout, Deadline) else Deadline(timeout, clock)
    delay = first_delay
    while True:
        done, value = check()
        if done:
            return value
        remaining = deadline.remaining()
        if remaining <= 0:
            job_id, status, text = describe(value)
            raise WaitError("timed out after %ss waiting for %s" % (_seconds(deadline.seconds), text),
                            job_id=job_id, status=status, timed_out=True)
        sleep(min(delay, remaining))
        delay = min(max_delay, delay * GROWTH)


def _seconds(value: float) -> str:
    return ("%d" % value) if float(value).is_integer() else ("%.1f" % value)
