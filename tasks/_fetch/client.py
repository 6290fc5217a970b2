"""``Fetcher``: one polite HTTP client for a site profile (see tasks/site.py for what it does).

This module holds the request loop (redirects, each hop retried, one request read under the caps)
and the defaults; the checks and pure pieces it calls live beside it in ``tasks/_fetch/``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import httpx

from tasks._fetch.address_guard import AddressGuard, Resolver, host_of, normalise_url
from tasks._fetch.body import read_body
from tasks._fetch.challenge import challenge_message, detect_challenge
from tasks._fetch.encoding import decode_body
from tasks._fetch.messages import status_message
from tasks._fetch.rate_limit import Clock, HostRateLimiter, Sleep
from tasks._fetch.records import Download, FetchStats, Raw, StatsCounter
from tasks._fetch.retry import backoff_delay, parse_retry_after
from tasks._fetch.robots import RobotsRules
from tasks._fetch.translate import translate_httpx
from tasks.errors import (
    BadStatus,
    ChallengePage,
    ConnectFailed,
    FetchError,
    FetchTimeout,
    Truncated,
)
from tasks.models import FetchResult
from tasks.settings import DEFAULT_USER_AGENT, SiteProfile

if TYPE_CHECKING:
    from tasks.settings import Settings

log = logging.getLogger("tasks.site")  # the fetcher's one logger, as before the split

# Defaults; the flow passes Settings' values (tasks/settings.py holds the user-facing ones).
DEFAULT_MIN_REQUEST_INTERVAL = 0.5  # s between two requests to one host
DEFAULT_CONNECT_TIMEOUT = 10.0  # s
DEFAULT_READ_TIMEOUT = 20.0  # s without a byte
DEFAULT_TOTAL_TIMEOUT = 120.0  # s for one response, headers to last byte (defeats a slow drip)
DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024  # 10 MiB, after decompression
DEFAULT_RETRIES = 3
DEFAULT_RETRY_BACKOFF = 1.0  # s, doubled at each retry
DEFAULT_MAX_REDIRECTS = 5
MAX_RETRY_AFTER = 60.0  # s: a longer Retry-After is capped; the retries then give up sooner

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ACCEPT_LANGUAGE = "zh-CN,zh;q=0.9,en;q=0.5"
ACCEPT_ENCODING = "gzip, deflate"  # only what body.BodyDecoder can decompress under the size cap
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


class Fetcher:
    """One polite HTTP client for a site profile; see tasks/site.py's docstring for what it does.

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
        self.extra_hosts = frozenset(host_of(h) for h in extra_hosts if h)
        self._cookie = cookie or None  # never logged, never in repr
        self._clock = clock
        self._limiter = HostRateLimiter(min_request_interval, clock=clock, sleep=sleep)
        self._guard = AddressGuard(
            profile=profile, extra_hosts=self.extra_hosts, clock=clock, resolve=resolve
        )
        self._robots = RobotsRules(
            user_agent=user_agent, fetch=self._fetch_robots, on_crawl_delay=self._limiter.set_interval
        )
        self._stats = StatsCounter()
        self._timeouts = httpx.Timeout(
            connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout
        )
        self._client = httpx.Client(
            transport=transport,
            follow_redirects=False,  # we follow them ourselves, checking each target
            timeout=self._timeouts,
            headers={
                "User-Agent": user_agent,
                "Accept": ACCEPT,
                "Accept-Language": ACCEPT_LANGUAGE,
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            trust_env=False,  # no proxy or netrc from the environment: fetch exactly what we check
        )

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
        return self._guard.host_allowed(host)

    def stats(self) -> FetchStats:
        return self._stats.snapshot()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Fetcher(profile={self.profile.name!r}, extra_hosts={sorted(self.extra_hosts)})"

    # -- one URL: redirects, each hop retried --------------------------------------------------

    def _get(self, url: str, *, headers: dict[str, str], max_bytes: int, robots: bool = True) -> Raw:
        hop = normalise_url(url)
        self._guard.check_allowed(hop, asked=url)
        for _ in range(self.max_redirects + 1):
            if robots:
                try:  # a refused address is refused before robots.txt is asked
                    self._guard.check_addresses(hop, asked=url)
                except ConnectFailed:
                    pass  # DNS trouble: retried with the request itself
                if self.respect_robots:
                    self._robots.check(hop, asked=url)
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
            target = normalise_url(urljoin(hop, raw.location.strip()))
            self._guard.check_allowed(target, asked=url, via=hop, status=raw.status)
            log.info("Redirect %s -> %s (HTTP %s)", hop, target, raw.status)
            hop = target
        raise BadStatus(
            f"{url} redirects more than {self.max_redirects} times (last to {hop}); "
            "the site may be misconfigured.",
            url=url,
            status=raw.status,
        )

    def _fetch_robots(self, robots_url: str, max_bytes: int) -> bytes:
        self._stats.add(robots_fetched=1)
        return self._get(robots_url, headers={}, max_bytes=max_bytes, robots=False).content

    def _exchange_with_retries(
        self, hop: str, *, asked: str, headers: dict[str, str], max_bytes: int
    ) -> Raw:
        host = urlsplit(hop).hostname or ""
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                self._guard.check_addresses(hop, asked=asked)
                raw = self._exchange(hop, asked=asked, headers=headers, max_bytes=max_bytes)
            except (FetchTimeout, ConnectFailed, Truncated) as exc:
                if attempt == attempts:
                    raise
                delay = backoff_delay(attempt, base=self.retry_backoff)
                log.warning(
                    "Retrying %s in %.1f s (attempt %d of %d failed): %s", hop, delay, attempt, attempts, exc
                )
            else:
                if raw.status != 429 and raw.status < 500:
                    if raw.status >= 400:
                        raise BadStatus(
                            status_message(raw, url=hop, attempts=attempt), url=asked, status=raw.status
                        )
                    return raw
                if attempt == attempts:
                    raise BadStatus(
                        status_message(raw, url=hop, attempts=attempt), url=asked, status=raw.status
                    )
                delay = backoff_delay(attempt, base=self.retry_backoff)
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
            self._stats.add(retries=1)
            self._limiter.defer(host, delay)
        raise AssertionError("unreachable")  # the loop returns or raises

    # -- one request ---------------------------------------------------------------------------

    def _exchange(self, url: str, *, asked: str, headers: dict[str, str], max_bytes: int) -> Raw:
        host = urlsplit(url).hostname or ""
        waited = self._limiter.acquire(host)
        self._stats.add(requests=1, waited_seconds=waited)
        request_headers = dict(headers)
        if self._cookie:
            request_headers["Cookie"] = self._cookie
        try:
            request = self._client.build_request("GET", url, headers=request_headers)
            response = self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise translate_httpx(exc, url=url, asked=asked, timeouts=self._timeouts) from exc
        try:
            status = response.status_code
            content = b""
            if status not in REDIRECT_STATUSES and status not in (204, 304):
                content = read_body(
                    response,
                    url=url,
                    asked=asked,
                    max_bytes=max_bytes,
                    total_timeout=self.total_timeout,
                    clock=self._clock,
                    timeouts=self._timeouts,
                )
                self._stats.add(bytes_received=len(content))
        finally:
            response.close()
        if status == 304:
            self._stats.add(not_modified=1)
        challenge = detect_challenge(status, content, set_cookie=response.headers.get("set-cookie", ""))
        if challenge:
            message = challenge_message(url, challenge, cookie_sent=bool(self._cookie))
            raise ChallengePage(message, url=asked, status=status)
        headers_in = response.headers
        return Raw(
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
