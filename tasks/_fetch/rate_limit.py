"""A per-host rate limit shared by all the fetcher's threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class HostRateLimiter:
    """Spaces requests to one host at least ``interval`` seconds apart, across threads.

    A caller reserves the next free slot for its host under a lock and sleeps outside it, so eight
    threads asking at once get slots ``interval`` apart instead of all waiting and then firing
    together. ``defer`` pushes a host's next slot out (a backoff or Retry-After applies to every
    thread, which is the polite reading of "slow down"). ``clock`` and ``sleep`` are injectable so
    tests run on a fake clock::

        limiter = HostRateLimiter(0.5)
        limiter.acquire("www.dg.gov.cn")   # returns the seconds it waited
    """

    def __init__(self, interval: float, *, clock: Clock = time.monotonic, sleep: Sleep = time.sleep) -> None:
        if interval < 0:
            raise ValueError(f"interval must be >= 0, not {interval}")
        self._default = float(interval)
        self._intervals: dict[str, float] = {}
        self._next: dict[str, float] = {}
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()

    def interval(self, host: str) -> float:
        with self._lock:
            return self._intervals.get(host, self._default)

    def set_interval(self, host: str, seconds: float) -> None:
        """Raise (never lower) one host's interval, e.g. to its robots.txt Crawl-delay."""
        with self._lock:
            self._intervals[host] = max(self._intervals.get(host, self._default), seconds)

    def reserve(self, host: str) -> float:
        """Reserve the host's next slot; return the clock time at which the caller may go."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next.get(host, now))
            self._next[host] = slot + self._intervals.get(host, self._default)
            return slot

    def acquire(self, host: str) -> float:
        """Wait for the host's next slot; return the seconds waited."""
        wait = self.reserve(host) - self._clock()
        if wait > 0:
            self._sleep(wait)
            return wait
        return 0.0

    def defer(self, host: str, delay: float) -> None:
        """No request to ``host`` before ``delay`` seconds from now."""
        with self._lock:
            now = self._clock()
            self._next[host] = max(self._next.get(host, now), now + max(0.0, delay))
