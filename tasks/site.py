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
(``_translate_httpx``) and re-raised ``from`` the original. ``describe_failure`` and
``failure_kind`` turn any exception into a line and a short label for the run summary.

The client is synchronous; the flow runs fetches in threads, so the rate limiter, the robots.txt
cache, the DNS cache and the counters are all thread-safe. Pure helpers (``decode_body``,
``detect_challenge``, ``parse_retry_after``) are public so other modules and tests can use them.
"""

from __future__ import annotations

import codecs
import email.utils
import ipaddress
import logging
import re
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import charset_normalizer
import httpx

from tasks.errors import (
    BadStatus,
    ChallengePage,
    ConnectFailed,
    FetchError,
    FetchTimeout,
    HostNotAllowed,
    PublicityError,
    RobotsDisallowed,
    TooLarge,
    Truncated,
)
from tasks.models import FetchResult
from tasks.settings import DEFAULT_USER_AGENT, SiteProfile

if TYPE_CHECKING:
    from tasks.settings import Settings

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

log = logging.getLogger(__name__)


# Defaults; the flow passes Settings' values (tasks/settings.py holds the user-facing ones).
DEFAULT_MIN_REQUEST_INTERVAL = 0.5  # s between two requests to one host
DEFAULT_CONNECT_TIMEOUT = 10.0  # s
DEFAULT_READ_TIMEOUT = 20.0  # s without a byte
DEFAULT_TOTAL_TIMEOUT = 120.0  # s for one response, headers to last byte (defeats a slow drip)
DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024  # 10 MiB, after decompression
DEFAULT_RETRIES = 3
DEFAULT_RETRY_BACKOFF = 1.0  # s, doubled at each retry
DEFAULT_MAX_REDIRECTS = 5
MAX_BACKOFF = 60.0  # s
MAX_RETRY_AFTER = 60.0  # s: a longer Retry-After is capped; the retries then give up sooner
MAX_CRAWL_DELAY = 30.0  # s: a robots.txt Crawl-delay above this is capped
ROBOTS_MAX_BYTES = 512 * 1024  # Google reads the first 500 KiB (RFC 9309 asks for at least 500 KiB)
DNS_CACHE_SECONDS = 300.0
META_SNIFF_BYTES = 4096  # <meta charset> is looked for in this many bytes (WHATWG: 1024; CMS heads are long)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHALLENGE_STATUSES = frozenset({202, 412, 521})  # Ruishu (412/202), Jiasule (521)
CHALLENGE_SUSPECT_STATUSES = frozenset({200, 403, 503})  # need stronger evidence
CHALLENGE_MAX_BYTES = 128 * 1024
CHALLENGE_MAX_VISIBLE_CHARS = 200
# Names that only anti-bot challenge pages carry (cookie names and script globals of the WAFs that
# Chinese government sites use): Jiasule, Ruishu, Aliyun WAF, Yunsuo, Cloudflare.
CHALLENGE_MARKERS = (
    "__jsl_clearance",
    "__jsluid",
    "$_ts",
    "FSSBBIl1UgzbN7N",
    "acw_sc__v2",
    "yunsuo_session_verify",
    "security_session_verify",
    "cf_chl_opt",
    "challenge-platform",
)

ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ACCEPT_LANGUAGE = "zh-CN,zh;q=0.9,en;q=0.5"
ACCEPT_ENCODING = "gzip, deflate"  # only what _BodyDecoder can decompress under the size cap

# Decode with a superset: GB18030 contains every GB2312 and GBK character and those that GBK lacks
# (CJK extension B, used in personal and place names); Big5-HKSCS likewise extends Big5.
ENCODING_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "big5": "big5hkscs"}
ENCODING_ALIASES = {"x-gbk": "gbk", "gb_2312-80": "gb2312", "x-gb2312": "gb2312", "x-gb18030": "gb18030"}
# Java servers send "charset=ISO-8859-1" by default while the page itself declares GBK or UTF-8.
WESTERN_SINGLE_BYTE = frozenset({"iso8859-1", "cp1252", "ascii"})
BINARY_TYPE_PREFIXES = (
    "image/",
    "audio/",
    "video/",
    "font/",
    "application/pdf",
    "application/zip",
    "application/msword",
    "application/vnd.",
    "application/x-rar",
)

_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([a-z0-9_:.\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml\b[^>]*?encoding\s*=\s*["']([a-z0-9_:.\-]+)""", re.I)
_JS_SETS_COOKIE = re.compile(
    r"""document\s*\.\s*cookie\s*=|document\s*\[\s*['"]cookie['"]\s*\]\s*=|['"]cookie['"]""", re.I
)
_JS_RELOADS = re.compile(
    r"location\s*\.\s*(?:reload|replace|assign)\s*\(|location(?:\s*\.\s*href)?\s*=|setTimeout\s*\(",
    re.I,
)
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|$)", re.I | re.S)
_TAG = re.compile(r"<[^>]*>|&[a-z#0-9]+;", re.I)

Clock = Callable[[], float]
Sleep = Callable[[float], None]
Resolver = Callable[[str, int], list[str]]


# --------------------------------------------------------------------------------------------
# Records


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
class _Raw:
    url: str  # this hop's URL
    status: int
    reason: str
    content: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    location: str | None
    retry_after: str | None


@dataclass(frozen=True, slots=True)
class _RobotsVerdict:
    parser: RobotFileParser | None  # None: everything allowed
    error: tuple[type[FetchError], str, int | None] | None = None  # robots.txt unreadable


# --------------------------------------------------------------------------------------------
# Rate limiter


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


# --------------------------------------------------------------------------------------------
# The client


class Fetcher:
    """One polite HTTP client for a site profile; see the module docstring for what it does.

    Build it from plain values (or ``Fetcher.from_settings``) and close it (or use ``with``)::

        fetcher = Fetcher(profile=profile, user_agent=ua, min_request_interval=0.5, retries=3)
        page = fetcher.fetch("https://www.dg.gov.cn/zwgk/jdhy/xwfbh/index.html")

    ``transport`` (an ``httpx.BaseTransport``, e.g. ``httpx.MockTransport``), ``clock``, ``sleep``
    and ``resolve`` (host, port -> IP strings) exist for tests. Safe to share between threads.
    """

    def __init__(
        self,
        *,
        profile: SiteProfile,
        user_agent: str = DEFAULT_USER_AGENT,
        min_request_interval: float = DEFAULT_MIN_REQUEST_INTERVAL,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        retries: int = DEFAULT_RETRIES,
        retry_backoff: float = DEFAULT_RETRY_BACKOFF,
        max_retry_after: float = MAX_RETRY_AFTER,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        cookie: str | None = None,
        respect_robots: bool = True,
        extra_hosts: Iterable[str] = (),
        transport: httpx.BaseTransport | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        resolve: Resolver | None = None,
    ) -> None:
        if retries < 0 or max_redirects < 0 or max_response_bytes <= 0:
            raise ValueError("retries and max_redirects must be >= 0, max_response_bytes > 0")
        self.profile = profile
        self.user_agent = user_agent
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.total_timeout = total_timeout
        self.max_response_bytes = max_response_bytes
        self.retries = retries
        self.retry_backoff = retry_backoff
        self.max_retry_after = max_retry_after
        self.max_redirects = max_redirects
        self.respect_robots = respect_robots
        self.extra_hosts = frozenset(_host_of(h) for h in extra_hosts if h)
        self._cookie = cookie or None  # never logged, never in repr
        self._clock = clock
        self._limiter = HostRateLimiter(min_request_interval, clock=clock, sleep=sleep)
        self._resolve = resolve or _resolve_with_socket
        self._client = httpx.Client(
            transport=transport,
            follow_redirects=False,  # we follow them ourselves, checking each target
            timeout=httpx.Timeout(
                connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout
            ),
            headers={
                "User-Agent": user_agent,
                "Accept": ACCEPT,
                "Accept-Language": ACCEPT_LANGUAGE,
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            trust_env=False,  # no proxy or netrc from the environment: fetch exactly what we check
        )
        self._robots: dict[str, _RobotsVerdict] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._dns: dict[str, tuple[float, tuple[str, ...]]] = {}
        self._lock = threading.Lock()  # guards the dicts above and the counters
        self._stats = FetchStats()

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        profile: SiteProfile,
        *,
        extra_hosts: Iterable[str] = (),
        transport: httpx.BaseTransport | None = None,
    ) -> Fetcher:
        """Read the fetch settings at the edge (flow, CLI) and pass them in as plain values."""
        return cls(
            profile=profile,
            user_agent=settings.user_agent,
            min_request_interval=settings.min_request_interval,
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            total_timeout=settings.total_timeout,
            max_response_bytes=settings.max_response_bytes,
            retries=settings.retries,
            retry_backoff=settings.retry_backoff,
            max_retry_after=settings.max_retry_after,
            cookie=settings.cookie.get_secret_value() if settings.cookie else None,
            respect_robots=settings.respect_robots,
            extra_hosts=extra_hosts,
            transport=transport,
        )

    # -- public ------------------------------------------------------------------------------

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        """GET a page and return it decoded; a 304 to the conditional GET gives ``not_modified``.

        Raises a FetchError subclass: HostNotAllowed, RobotsDisallowed, ConnectFailed,
        FetchTimeout, Truncated, TooLarge, ChallengePage, BadStatus.
        """
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        raw = self._get(url, headers=headers, max_bytes=self.max_response_bytes)
        if raw.status == 304:
            return FetchResult(
                url=url,
                final_url=raw.url,
                status=304,
                text="",
                encoding=None,
                etag=raw.etag or etag,
                last_modified=raw.last_modified or last_modified,
                not_modified=True,
            )
        content_type = (raw.content_type or "").split(";")[0].strip().lower()
        if content_type.startswith(BINARY_TYPE_PREFIXES):
            raise FetchError(
                f"{raw.url} is not a web page but a file of type {content_type}; it was not read as one.",
                url=url,
                status=raw.status,
            )
        text, encoding = decode_body(raw.content, content_type=raw.content_type)
        return FetchResult(
            url=url,
            final_url=raw.url,
            status=raw.status,
            text=text,
            encoding=encoding,
            etag=raw.etag,
            last_modified=raw.last_modified,
        )

    def fetch_bytes(self, url: str, *, max_bytes: int | None = None) -> Download:
        """GET any resource (an image, an attachment) as bytes, under ``max_bytes`` (default the cap)."""
        raw = self._get(url, headers={}, max_bytes=max_bytes or self.max_response_bytes)
        return Download(
            url=url, final_url=raw.url, status=raw.status, content=raw.content, content_type=raw.content_type
        )

    def host_allowed(self, host: str | None) -> bool:
        """Whether a host may be fetched (profile allow-list or this run's extra hosts)."""
        return bool(host) and (_host_of(host) in self.extra_hosts or self.profile.host_allowed(host))

    def stats(self) -> FetchStats:
        with self._lock:
            return self._stats

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Fetcher(profile={self.profile.name!r}, extra_hosts={sorted(self.extra_hosts)})"

    # -- one URL: redirects, each hop retried --------------------------------------------------

    def _get(self, url: str, *, headers: dict[str, str], max_bytes: int, robots: bool = True) -> _Raw:
        hop = _normalise_url(url)
        self._check_allowed(hop, asked=url)
        for _ in range(self.max_redirects + 1):
            if robots:
                try:
                    self._check_addresses(hop, asked=url)  # a refused address, before robots.txt is asked
                except ConnectFailed:
                    pass  # DNS trouble: retried with the request itself
                self._check_robots(hop, asked=url)
            raw = self._exchange_with_retries(hop, asked=url, headers=headers, max_bytes=max_bytes)
            if raw.status not in REDIRECT_STATUSES:
                return raw
            if not raw.location:
                raise BadStatus(
                    f"{hop} answered a redirect (HTTP {raw.status}) without saying where to; "
                    "the page could not be followed.",
                    url=url,
                    status=raw.status,
                )
            target = _normalise_url(urljoin(hop, raw.location.strip()))
            self._check_allowed(target, asked=url, via=hop, status=raw.status)
            log.info("Redirect %s -> %s (HTTP %s)", hop, target, raw.status)
            hop = target
        raise BadStatus(
            f"{url} redirects more than {self.max_redirects} times (last to {hop}); "
            "the site may be misconfigured.",
            url=url,
            status=raw.status,
        )

    def _exchange_with_retries(
        self, hop: str, *, asked: str, headers: dict[str, str], max_bytes: int
    ) -> _Raw:
        host = urlsplit(hop).hostname or ""
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                self._check_addresses(hop, asked=asked)
                raw = self._exchange(hop, asked=asked, headers=headers, max_bytes=max_bytes)
            except (FetchTimeout, ConnectFailed, Truncated) as exc:
                if attempt == attempts:
                    raise
                delay = self._backoff(attempt)
                log.warning(
                    "Retrying %s in %.1f s (attempt %d of %d failed): %s", hop, delay, attempt, attempts, exc
                )
            else:
                if raw.status != 429 and raw.status < 500:
                    if raw.status >= 400:
                        raise BadStatus(
                            _status_message(raw, url=hop, attempts=attempt), url=asked, status=raw.status
                        )
                    return raw
                if attempt == attempts:
                    raise BadStatus(
                        _status_message(raw, url=hop, attempts=attempt), url=asked, status=raw.status
                    )
                delay = self._backoff(attempt)
                wanted = parse_retry_after(raw.retry_after)
                if wanted is not None:
                    delay = max(delay, min(wanted, self.max_retry_after))
                log.warning(
                    "Retrying %s in %.1f s (attempt %d of %d: HTTP %d)",
                    hop,
                    delay,
                    attempt,
                    attempts,
                    raw.status,
                )
            self._count(retries=1)
            self._limiter.defer(host, delay)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _backoff(self, attempt: int) -> float:
        return min(MAX_BACKOFF, self.retry_backoff * 2 ** (attempt - 1))

    # -- one request ---------------------------------------------------------------------------

    def _exchange(self, url: str, *, asked: str, headers: dict[str, str], max_bytes: int) -> _Raw:
        host = urlsplit(url).hostname or ""
        waited = self._limiter.acquire(host)
        self._count(requests=1, waited_seconds=waited)
        request_headers = dict(headers)
        if self._cookie:
            request_headers["Cookie"] = self._cookie
        try:
            request = self._client.build_request("GET", url, headers=request_headers)
            response = self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise self._translate(exc, url=url, asked=asked) from exc
        try:
            status = response.status_code
            content = b""
            if status not in REDIRECT_STATUSES and status not in (204, 304):
                content = self._read_body(response, url=url, asked=asked, max_bytes=max_bytes)
        finally:
            response.close()
        if status == 304:
            self._count(not_modified=1)
        challenge = detect_challenge(status, content, set_cookie=response.headers.get("set-cookie", ""))
        if challenge:
            raise ChallengePage(self._challenge_message(url, challenge), url=asked, status=status)
        headers_in = response.headers
        return _Raw(
            url=url,
            status=status,
            reason=response.reason_phrase,
            content=content,
            content_type=headers_in.get("content-type"),
            etag=headers_in.get("etag"),
            last_modified=headers_in.get("last-modified"),
            location=headers_in.get("location"),
            retry_after=headers_in.get("retry-after"),
        )

    def _read_body(self, response: httpx.Response, *, url: str, asked: str, max_bytes: int) -> bytes:
        status = response.status_code
        expected = _content_length(response)
        if expected is not None and expected > max_bytes:
            raise TooLarge(
                _too_large_message(url, max_bytes, f"it announces {_size(expected)}"),
                url=asked,
                status=status,
            )
        if response.is_stream_consumed:
            # A transport that hands over a response already read and unpacked (httpx.MockTransport
            # with ``content=``): only the cap is left to check.
            if len(response.content) > max_bytes:
                raise TooLarge(_too_large_message(url, max_bytes, "it is larger"), url=asked, status=status)
            self._count(bytes_received=len(response.content))
            return response.content
        decoder = _BodyDecoder(response.headers.get("content-encoding"), url=url, asked=asked, status=status)
        deadline = self._clock() + self.total_timeout
        body = bytearray()
        received = 0
        try:
            for chunk in response.iter_raw():
                received += len(chunk)
                body += decoder.feed(chunk, limit=max_bytes - len(body) + 1)
                if len(body) > max_bytes:
                    what = "unpacked, it is larger" if decoder.compressed else "it is larger"
                    raise TooLarge(_too_large_message(url, max_bytes, what), url=asked, status=status)
                if self._clock() > deadline:
                    raise FetchTimeout(
                        f"Gave up on {url} after {self.total_timeout:g} s in all (total time limit): "
                        f"only {_size(received)} had arrived; the site is very slow.",
                        url=asked,
                        status=status,
                    )
        except httpx.HTTPError as exc:
            raise self._translate(
                exc, url=url, asked=asked, status=status, received=received, expected=expected
            ) from exc
        if expected is not None and received < expected:
            # An HTTP/1.1 server that closes early makes h11 raise; this catches any other transport.
            raise Truncated(_truncated_message(url, received, expected), url=asked, status=status)
        body += decoder.finish(received=received)
        if len(body) > max_bytes:
            raise TooLarge(_too_large_message(url, max_bytes, "it is larger"), url=asked, status=status)
        self._count(bytes_received=len(body))
        return bytes(body)

    def _translate(
        self,
        exc: httpx.HTTPError,
        *,
        url: str,
        asked: str,
        status: int | None = None,
        received: int | None = None,
        expected: int | None = None,
    ) -> FetchError:
        return _translate_httpx(
            exc,
            url=url,
            asked=asked,
            status=status,
            received=received,
            expected=expected,
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
        )

    def _challenge_message(self, url: str, challenge: str) -> str:
        message = (
            f"{url} answered with an anti-bot challenge ({challenge}) instead of the page: the site "
            "wants a browser to run its script and send back a cookie, which this program cannot do. "
        )
        if self._cookie:
            return message + (
                "The cookie in PUBLICITY_COOKIE was sent but not accepted; it has probably expired: open "
                "the site in a browser again, copy the new Cookie request header (developer tools > "
                "Network), and update PUBLICITY_COOKIE (and PUBLICITY_USER_AGENT to that browser's)."
            )
        return message + (
            "Open the site in a browser, copy the Cookie request header of a page request (developer "
            "tools > Network), and set it as PUBLICITY_COOKIE; set PUBLICITY_USER_AGENT to that "
            "browser's User-Agent too, since such cookies are often tied to it. The cookie expires: "
            "renew it when this message comes back."
        )

    # -- safety checks -------------------------------------------------------------------------

    def _check_allowed(
        self, url: str, *, asked: str, via: str | None = None, status: int | None = None
    ) -> None:
        """Scheme and host allow-list (addresses are checked per attempt, in _check_addresses)."""
        parts = urlsplit(url)
        prefix = f"{via} redirects to {url}, but " if via else ""
        if parts.scheme not in ("http", "https"):
            scheme = f"{parts.scheme}:" if parts.scheme else "an address without http(s)://"
            raise HostNotAllowed(
                f"{prefix}only http and https addresses can be fetched, not {scheme} ({url}).",
                url=asked,
                status=status,
            )
        host = parts.hostname
        if not self.host_allowed(host):
            allowed = ", ".join([*self.profile.hosts, *sorted(self.extra_hosts)])
            if via:
                message = (
                    f"{via} redirects to {url}, on another host ({host}) that is not one of the "
                    f"site's allowed hosts ({allowed}); the redirect was refused. If that host "
                    "belongs to the site, add it to the site profile's hosts."
                )
            else:
                message = (
                    f"{host or 'no host'} is not one of the site's allowed hosts ({allowed}); {url} "
                    "was not fetched. If that host belongs to the site, add it to the site "
                    "profile's hosts."
                )
            raise HostNotAllowed(message, url=asked, status=status)

    def _check_addresses(self, url: str, *, asked: str) -> None:
        """Refuse private, loopback and link-local targets unless allowed, after DNS too."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        if self.profile.allow_private or host in self.extra_hosts:
            return
        port = parts.port or (443 if parts.scheme == "https" else 80)
        for address in self._addresses(host, port, url=url, asked=asked):
            kind = _non_public_kind(address)
            if kind:
                shown = host if host == address else f"{host} resolves to {address}, which"
                article = "an" if kind[0] in "aeiou" else "a"
                raise HostNotAllowed(
                    f"{shown} is {article} {kind} address, and the site profile does not allow those "
                    f"(allow_private = false); {url} was not fetched, for safety.",
                    url=asked,
                )

    def _addresses(self, host: str, port: int, *, url: str, asked: str) -> tuple[str, ...]:
        try:
            return (str(ipaddress.ip_address(host)),)
        except ValueError:
            pass
        now = self._clock()
        with self._lock:
            cached = self._dns.get(host)
        if cached and cached[0] > now:
            return cached[1]
        try:
            addresses = tuple(self._resolve(host, port))
        except OSError as exc:
            raise ConnectFailed(
                f"Could not find the site {host} (DNS lookup failed: {exc}) for {url}; check the address "
                "and that this machine can reach the internet.",
                url=asked,
            ) from exc
        if not addresses:
            raise ConnectFailed(f"Could not find the site {host} (DNS gave no address) for {url}.", url=asked)
        with self._lock:
            self._dns[host] = (now + DNS_CACHE_SECONDS, addresses)
        return addresses

    # -- robots.txt ----------------------------------------------------------------------------

    def _check_robots(self, url: str, *, asked: str) -> None:
        if not self.respect_robots:
            return
        parts = urlsplit(url)
        if parts.path == "/robots.txt":
            return
        origin = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        verdict = self._robots_verdict(origin)
        if verdict.error is not None:
            error_type, reason, status = verdict.error
            raise error_type(f"{reason} {url} was not fetched.", url=asked, status=status)
        if verdict.parser is not None and not verdict.parser.can_fetch(self.user_agent, url):
            raise RobotsDisallowed(
                f"The site's robots.txt ({origin}/robots.txt) does not allow this crawler to fetch {url}; "
                "it was skipped. Ask the site to allow it, or set PUBLICITY_RESPECT_ROBOTS=false only "
                "with the site's permission.",
                url=asked,
            )

    def _robots_verdict(self, origin: str) -> _RobotsVerdict:
        with self._lock:
            verdict = self._robots.get(origin)
            if verdict is not None:
                return verdict
            origin_lock = self._robots_locks.setdefault(origin, threading.Lock())
        with origin_lock:  # one thread reads robots.txt; the others wait for its verdict
            with self._lock:
                verdict = self._robots.get(origin)
            if verdict is None:
                verdict = self._load_robots(origin)
                with self._lock:
                    self._robots[origin] = verdict
            return verdict

    def _load_robots(self, origin: str) -> _RobotsVerdict:
        robots_url = f"{origin}/robots.txt"
        self._count(robots_fetched=1)
        try:
            raw = self._get(robots_url, headers={}, max_bytes=ROBOTS_MAX_BYTES, robots=False)
        except BadStatus as exc:
            if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
                # RFC 9309 2.3.1.3: robots.txt "unavailable" (404 and the like) allows everything.
                log.info("No robots.txt at %s (HTTP %s): everything allowed", robots_url, exc.status)
                return _RobotsVerdict(parser=None)
            # RFC 9309 2.3.1.4: "unreachable" (5xx; Google counts 429 too) disallows everything.
            reason = (
                f"The site's robots.txt ({robots_url}) answered HTTP {exc.status}, so the site is "
                "treated as off-limits until it can be read (RFC 9309); try again later."
            )
            return _RobotsVerdict(None, (RobotsDisallowed, reason, exc.status))
        except (ConnectFailed, FetchTimeout, ChallengePage) as exc:
            # The site itself is unreachable or challenging: say that, not "robots".
            return _RobotsVerdict(None, (type(exc), f"Could not read robots.txt first: {exc}", exc.status))
        except FetchError as exc:
            reason = (
                f"The site's robots.txt ({robots_url}) could not be read ({exc}), so the site is "
                "treated as off-limits (RFC 9309)."
            )
            return _RobotsVerdict(None, (RobotsDisallowed, reason, exc.status))
        parser = RobotFileParser(robots_url)
        parser.parse(raw.content.decode("utf-8", errors="replace").splitlines())
        delay = parser.crawl_delay(self.user_agent)
        if delay:
            host = urlsplit(origin).hostname or ""
            self._limiter.set_interval(host, min(float(delay), MAX_CRAWL_DELAY))
        return _RobotsVerdict(parser=parser)

    # -- counters ------------------------------------------------------------------------------

    def _count(self, **increments: float) -> None:
        with self._lock:
            s = self._stats
            self._stats = FetchStats(
                **{
                    name: getattr(s, name) + increments.get(name, 0)
                    for name in FetchStats.__dataclass_fields__
                }
            )


# --------------------------------------------------------------------------------------------
# Body decompression under the cap


class _BodyDecoder:
    """gzip/deflate decompression that never produces more than ``limit`` bytes per call.

    httpx's own decoders decompress a whole network chunk at once (a 64 KB chunk of a gzip bomb is
    ~64 MB); ``zlib``'s ``max_length`` keeps memory at the cap.
    """

    def __init__(self, content_encoding: str | None, *, url: str, asked: str, status: int) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        self._url, self._asked, self._status = url, asked, status
        self.compressed = bool(codings)
        self._zlib: zlib._Decompress | None = None
        self._raw_deflate_tried = False
        self._started = False
        if not codings:
            return
        if len(codings) > 1 or codings[0] not in ("gzip", "x-gzip", "deflate"):
            raise FetchError(
                f"{url} was sent compressed as {content_encoding!r}, which this program "
                "did not ask for and cannot unpack.",
                url=asked,
                status=status,
            )
        self._deflate = codings[0] == "deflate"
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS if self._deflate else zlib.MAX_WBITS | 16)

    def feed(self, data: bytes, *, limit: int) -> bytes:
        if self._zlib is None:
            return data
        first = not self._started
        self._started = True
        try:
            # With max_length, zlib stops at the limit: output of ``limit`` bytes means "over the cap".
            return self._zlib.decompress(data, max(1, limit))
        except zlib.error as exc:
            if self._deflate and first and not self._raw_deflate_tried:
                # "deflate" is sent both zlib-wrapped (as the RFC says) and raw (as IIS did).
                self._raw_deflate_tried = True
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.feed(data, limit=limit)
            raise FetchError(
                f"{self._url} was sent compressed but could not be unpacked ({exc}); the page was not used.",
                url=self._asked,
                status=self._status,
            ) from exc

    def finish(self, *, received: int) -> bytes:
        if self._zlib is None or received == 0:
            return b""
        tail = self._zlib.flush()
        if not self._zlib.eof:
            raise Truncated(
                f"The page {self._url} was cut off: its compressed body ended early "
                "(truncated); it was not used.",
                url=self._asked,
                status=self._status,
            )
        return tail


# --------------------------------------------------------------------------------------------
# Pure helpers


def decode_body(content: bytes, *, content_type: str | None = None) -> tuple[str, str]:
    """Decode a page to text; return ``(text, encoding used)``.

    Order: a byte-order mark; the Content-Type charset; ``<meta charset>`` / http-equiv / the XML
    declaration in the first 4 KB; then detection (strict UTF-8, then charset-normalizer, then
    GB18030). A declared encoding is used only if the bytes fit it (a stray bad byte is tolerated):
    a page whose header says UTF-8 but which is GBK falls through to its meta tag or detection.
    GB2312/GBK decode as GB18030. Never raises: as a last resort, undecodable bytes become U+FFFD.

        >>> decode_body("新闻".encode("gbk"), content_type="text/html; charset=GB2312")
        ('新闻', 'gb18030')
    """
    if not content:
        return "", _codec(_charset_from_content_type(content_type)) or "utf-8"
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if content.startswith(bom):
            return content[len(bom) :].decode(name, errors="replace"), name
    header = _codec(_charset_from_content_type(content_type))
    meta = _codec(sniff_meta_charset(content))
    # A Western single-byte header is a server default more often than a fact (Java servers send
    # ISO-8859-1 for GBK pages), and any bytes "fit" it: it comes after the page's own declaration
    # and after detection.
    weak = header if header in WESTERN_SINGLE_BYTE and not content.isascii() else None
    declared = [meta] if weak else [header, meta]
    valid_utf8 = _strict_utf8(content)
    for name in dict.fromkeys(d for d in declared if d):
        if name != "utf-8" and valid_utf8 is not None and not valid_utf8.isascii():
            # Bytes that are valid UTF-8 with non-ASCII text are UTF-8 whatever the label says (a GBK
            # page is practically never valid UTF-8); templates keep stale "gb2312" meta tags.
            return valid_utf8, "utf-8"
        text = _decode_if_fits(content, name)
        if text is not None:
            return text, name
    if valid_utf8 is not None:
        return valid_utf8, "utf-8"
    best = charset_normalizer.from_bytes(content).best()
    detected = _codec(best.encoding) if best is not None else None
    name = detected or next((d for d in [*declared, weak] if d), None) or "gb18030"
    return content.decode(name, errors="replace"), name


def sniff_meta_charset(content: bytes) -> str | None:
    """The charset a page declares in its first ``META_SNIFF_BYTES`` bytes, as written, or None."""
    head = content[:META_SNIFF_BYTES]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii", errors="replace") if match else None


def detect_challenge(status: int, content: bytes, *, set_cookie: str = "") -> str | None:
    """Describe the anti-bot JavaScript challenge this response is, or return None.

    Chinese government sites sit behind WAFs (Ruishu, Jiasule, Aliyun …) that answer a first visit
    with 412, 202 or 521 and a small page whose script computes a cookie and reloads. On those
    statuses a page with a script and hardly any visible text is enough; on 200/403/503 it must also
    carry a WAF's marker or both set a cookie and reload, so real pages with scripts never match.
    """
    if status not in CHALLENGE_STATUSES and status not in CHALLENGE_SUSPECT_STATUSES:
        return None
    if not content or len(content) > CHALLENGE_MAX_BYTES:
        return None
    text = content.decode("utf-8", errors="replace")
    lowered = text.lower()
    if "<script" not in lowered:
        return None
    haystack = lowered + ("\n" + set_cookie.lower() if status in CHALLENGE_STATUSES else "")
    marker = next((m for m in CHALLENGE_MARKERS if m.lower() in haystack), None)
    sets_cookie = bool(_JS_SETS_COOKIE.search(text))
    reloads = bool(_JS_RELOADS.search(text))
    visible = len("".join(_TAG.sub(" ", _SCRIPT_OR_STYLE.sub(" ", text)).split()))
    if visible >= CHALLENGE_MAX_VISIBLE_CHARS and not (status in CHALLENGE_STATUSES and marker):
        return None
    if status in CHALLENGE_STATUSES or marker or (sets_cookie and reloads):
        what = "a JavaScript page that sets a cookie" if (sets_cookie or marker) else "a JavaScript page"
        return f"HTTP {status}, {what}" + (f": {marker}" if marker else "")
    return None


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def describe_failure(exc: BaseException) -> str:
    """One line for the run summary: our messages as they are, anything else named plainly."""
    if isinstance(exc, PublicityError):
        return str(exc)
    if isinstance(exc, httpx.HTTPError):
        return f"Network error ({type(exc).__name__}): {exc}"
    return f"Unexpected error ({type(exc).__name__}): {exc}"


def failure_kind(exc: BaseException) -> str:
    """A short label for grouping failures: dns, connect, timeout, truncated, status, challenge …"""
    if isinstance(exc, ConnectFailed):
        return "dns" if "DNS" in str(exc) else "connect"
    for kind, cls in (
        ("timeout", FetchTimeout),
        ("truncated", Truncated),
        ("challenge", ChallengePage),
        ("host-not-allowed", HostNotAllowed),
        ("robots", RobotsDisallowed),
        ("too-large", TooLarge),
    ):
        if isinstance(exc, cls):
            return kind
    if isinstance(exc, BadStatus):
        return f"http-{exc.status}" if exc.status else "status"
    if isinstance(exc, FetchError):
        return "fetch"
    if isinstance(exc, PublicityError):
        return type(exc).__name__
    return "unexpected"


# --------------------------------------------------------------------------------------------
# Private helpers


def _translate_httpx(
    exc: httpx.HTTPError,
    *,
    url: str,
    asked: str,
    status: int | None,
    received: int | None,
    expected: int | None,
    connect_timeout: float,
    read_timeout: float,
) -> FetchError:
    """The one place httpx's exceptions become ours (callers ``raise ... from exc``)."""
    host = urlsplit(url).hostname or url
    in_body = received is not None
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchTimeout(
            f"Timed out after {connect_timeout:g} s connecting to {host} for {url} (connect "
            "timeout); the site may be down or unreachable from this network.",
            url=asked,
        )
    if isinstance(exc, httpx.ReadTimeout):
        where = f"; {_size(received)} had arrived" if in_body else ""
        return FetchTimeout(
            f"Timed out after {read_timeout:g} s reading {url} (read timeout{where}); the "
            "site may be slow or down.",
            url=asked,
            status=status,
        )
    if isinstance(exc, httpx.TimeoutException):  # write or pool timeout
        return FetchTimeout(
            f"Timed out talking to {host} for {url} ({type(exc).__name__}); the site may be slow or down.",
            url=asked,
            status=status,
        )
    if isinstance(exc, httpx.ConnectError):
        reason = str(exc) or type(exc).__name__
        if _looks_like_dns(exc):
            return ConnectFailed(
                f"Could not find the site {host} (DNS lookup failed: {reason}) for {url}; "
                "check the address and that this machine can reach the internet.",
                url=asked,
            )
        return ConnectFailed(
            f"Could not connect to {host} for {url} ({reason}); the site may be down or "
            "blocking this network.",
            url=asked,
        )
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
        if in_body:
            return Truncated(_truncated_message(url, received or 0, expected), url=asked, status=status)
        return ConnectFailed(
            f"{host} closed the connection without answering for {url} ({exc}); the site "
            "may be overloaded or blocking this crawler.",
            url=asked,
        )
    if isinstance(exc, (httpx.NetworkError, httpx.ProtocolError, httpx.ProxyError)):
        return ConnectFailed(
            f"Network error talking to {host} for {url} ({type(exc).__name__}: {exc}).",
            url=asked,
            status=status,
        )
    return FetchError(f"Could not fetch {url} ({type(exc).__name__}: {exc}).", url=asked, status=status)


def _looks_like_dns(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return True
        seen = seen.__cause__ or seen.__context__
    text = str(exc).lower()
    return any(
        s in text
        for s in (
            "name or service not known",
            "name resolution",
            "nodename nor servname",
            "getaddrinfo",
            "no address associated",
        )
    )


def _status_message(raw: _Raw, *, url: str, attempts: int) -> str:
    status = raw.status
    phrase = raw.reason or "error"
    tried = f", still after {attempts} attempts" if attempts > 1 else ""
    if status in (404, 410):
        return (
            f"The site answered HTTP {status} (page not found) for {url}; the page does not exist "
            "or was moved."
        )
    if status in (401, 403):
        return (
            f"The site answered HTTP {status} (access denied) for {url}; it may be blocking this "
            "crawler. If a browser can open the page, supply its cookie as PUBLICITY_COOKIE."
        )
    if status == 412:
        return (
            f"The site answered HTTP 412 for {url}; on government sites this is usually an anti-bot "
            "check. If a browser can open the page, supply its cookie as PUBLICITY_COOKIE."
        )
    if status == 429:
        return (
            f"The site answered HTTP 429 (too many requests) for {url}{tried}; it is limiting our "
            "rate: raise PUBLICITY_MIN_REQUEST_INTERVAL or try later."
        )
    if status >= 500:
        return (
            f"The site answered HTTP {status} ({phrase}, a server error) for {url}{tried}; the site has "
            "a problem: try again later."
        )
    return f"The site answered HTTP {status} ({phrase}) for {url}."


def _too_large_message(url: str, cap: int, what: str) -> str:
    return (
        f"The page {url} is larger than the {_size(cap)} limit ({what}); it was not downloaded. "
        "Raise PUBLICITY_MAX_RESPONSE_BYTES if the page is genuine."
    )


def _truncated_message(url: str, received: int, expected: int | None) -> str:
    of = f" of {_size(expected)}" if expected is not None else ""
    return (
        f"The page {url} was cut off: the connection closed after {_size(received)}{of} (truncated); "
        "it was not used."
    )


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"


def _content_length(response: httpx.Response) -> int | None:
    try:
        value = int(response.headers.get("content-length", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


def _charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _codec(label: str | None) -> str | None:
    """Python's codec for a charset label, superset-mapped; None for unknown labels."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = ENCODING_ALIASES.get(name, name)
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return None
    return ENCODING_SUPERSETS.get(name, name)


def _strict_utf8(content: bytes) -> str | None:
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _decode_if_fits(content: bytes, codec: str) -> str | None:
    """Decode if the bytes fit the codec; a handful of bad bytes (a cut character) is tolerated."""
    try:
        return content.decode(codec)
    except UnicodeDecodeError:
        pass
    except LookupError:
        return None
    text = content.decode(codec, errors="replace")
    return text if text.count("\ufffd") <= max(2, len(text) // 2000) else None


def _normalise_url(url: str) -> str:
    """Strip the fragment and surrounding space; hosts are compared lower-case."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc, parts.path or "/", parts.query, ""))


def _host_of(value: str) -> str:
    """A host name from a host or a URL, lower-case."""
    value = value.strip()
    if "://" in value:
        value = urlsplit(value).hostname or ""
    return value.lower().rstrip(".").strip("[]")


def _non_public_kind(address: str) -> str | None:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_private:
        return "private"
    if not ip.is_global or ip.is_multicast or ip.is_reserved:
        return "non-public"
    return None


def _resolve_with_socket(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))
