"""What the fetcher hands back and keeps: downloads, counters, one HTTP exchange."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Download:
    """Raw bytes of a non-page resource (an image, a PDF), capped like pages."""

    url: str
    final_url: str
    status: int
    content: bytes
    content_type: str | None


@dataclass(frozen=True, slots=True)
class FetchStats:
    """What a Fetcher has done so far (for the run summary and benchmarks)."""

    requests: int = 0  # HTTP requests sent, robots.txt and redirects included
    not_modified: int = 0  # 304 answers
    retries: int = 0
    robots_fetched: int = 0
    bytes_received: int = 0  # after decompression
    waited_seconds: float = 0.0  # in the rate limiter (politeness and backoff)


@dataclass(frozen=True, slots=True)
class Raw:
    """One HTTP exchange (one hop of a redirect chain), body read and decompressed."""

    url: str  # this hop's URL
    status: int
    reason: str
    content: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    location: str | None
    retry_after: str | None


class StatsCounter:
    """``FetchStats`` added to from many threads; ``snapshot()`` is a consistent copy."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stats = FetchStats()

    def add(self, **increments: float) -> None:
        with self._lock:
            s = self._stats
            self._stats = FetchStats(
                **{
                    name: getattr(s, name) + increments.get(name, 0)
                    for name in FetchStats.__dataclass_fields__
                }
            )

    def snapshot(self) -> FetchStats:
        with self._lock:
            return self._stats
