"""Polite, robust fetching of the portal with httpx: the pipeline's only door to the network.

    with Fetcher(profile=profile, user_agent=UA, extra_hosts=["127.0.0.1"]) as fetcher:
        result = fetcher.fetch(url, etag=stored.etag, last_modified=stored.last_modified)
        if result.not_modified:
            ...  # keep what the store has; this cost one 304

For every URL, in this order, a ``Fetcher``:

1. refuses what is not ours: only http/https, only the profile's hosts plus ``extra_hosts`` (the
   host of an explicit ``--source``, loopback included), and no private, loopback or link-local
   address unless the profile allows them: checked on the addresses DNS gives too, and again on
   every redirect;
2. honours robots.txt, read once per host (RFC 9309: a missing one allows all, an unreachable one
   disallows all); its Crawl-delay raises the rate limit;
3. waits its turn: a per-host rate limit shared by all threads;
4. sends a conditional GET (If-None-Match / If-Modified-Since) with a User-Agent naming the project
   and the optional Cookie, and follows up to five redirects itself, only to allowed hosts;
5. reads the body as a stream under a size cap (counted after decompression too, so a gzip bomb
   stops at the cap) and a total time cap; a body shorter than its Content-Length is an error,
   never a page;
6. retries timeouts, connection errors, cut-off bodies, 429 (honouring Retry-After, capped) and 5xx
   with exponential backoff, never another 4xx or an anti-bot challenge;
7. recognises an anti-bot JavaScript challenge (412/202/521 and a script that sets a cookie) and
   says how to get past it (``PUBLICITY_COOKIE``);
8. decodes: BOM, then the Content-Type charset, then ``<meta charset>``, then detection
   (charset-normalizer); GB2312/GBK are decoded as GB18030, a superset, so rare name characters
   survive.

Every failure is a ``FetchError`` subclass (tasks/errors.py) carrying ``url`` and ``status`` and a
message a non-programmer can act on; httpx's exceptions are translated at one boundary
(``tasks/_fetch/translate.py``) and re-raised ``from`` the original. ``describe_failure`` and
``failure_kind`` turn any exception into a line and a short label for the run summary.

The client is synchronous; the flow runs fetches in threads, so the rate limiter, the robots.txt
cache, the DNS cache and the counters are all thread-safe. Pure helpers (``decode_body``,
``detect_challenge``, ``parse_retry_after``) are public so other modules and tests can use them.

The parts live in ``tasks/_fetch/``: ``client`` (``Fetcher``: redirects, retries, one request),
``address_guard`` (1), ``robots`` (2), ``rate_limit`` (3), ``body`` (5: size and time caps,
decompression), ``retry`` (6: backoff, Retry-After), ``challenge`` (7), ``encoding`` (8),
``translate`` (httpx errors to ours), ``messages`` (what a failure says), ``failures`` (run
summary lines and labels), ``records`` (``Download``, ``FetchStats``).
"""

from __future__ import annotations

from tasks._fetch.challenge import detect_challenge
from tasks._fetch.client import Fetcher
from tasks._fetch.encoding import decode_body, sniff_meta_charset
from tasks._fetch.failures import describe_failure, failure_kind
from tasks._fetch.rate_limit import HostRateLimiter
from tasks._fetch.records import Download, FetchStats
from tasks._fetch.retry import parse_retry_after
from tasks.errors import Truncated

__all__ = [
    "Download",
    "FetchStats",
    "Fetcher",
    "HostRateLimiter",
    "Truncated",
    "decode_body",
    "describe_failure",
    "detect_challenge",
    "failure_kind",
    "parse_retry_after",
    "sniff_meta_charset",
]
