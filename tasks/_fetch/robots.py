"""robots.txt, read once per origin and shared by all threads (RFC 9309).

A missing robots.txt (4xx) allows everything; an unreachable one (5xx, 429) disallows everything
until a later run can read it; a site that cannot be reached at all says so rather than "robots".
A Crawl-delay raises the host's rate limit (capped).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

from tasks.errors import (
    BadStatus,
    ChallengePage,
    ConnectFailed,
    FetchError,
    FetchTimeout,
    RobotsDisallowed,
)

log = logging.getLogger("tasks.site")  # the fetcher's one logger, as before the split

ROBOTS_MAX_BYTES = 512 * 1024  # Google reads the first 500 KiB (RFC 9309 asks for at least 500 KiB)
MAX_CRAWL_DELAY = 30.0  # s: a robots.txt Crawl-delay above this is capped

FetchRobots = Callable[[str, int], bytes]  # (robots.txt URL, byte cap) -> body; raises FetchError
OnCrawlDelay = Callable[[str, float], None]  # (host, seconds)


@dataclass(frozen=True, slots=True)
class _RobotsVerdict:
    parser: RobotFileParser | None  # None: everything allowed
    error: tuple[type[FetchError], str, int | None] | None = None  # robots.txt unreadable


class RobotsRules:
    """Whether ``user_agent`` may fetch a URL, by its origin's robots.txt.

    ``fetch`` reads a robots.txt (the Fetcher's own GET, without the robots check); one thread
    reads each origin's file while the others wait for its verdict.
    """

    def __init__(self, *, user_agent: str, fetch: FetchRobots, on_crawl_delay: OnCrawlDelay) -> None:
        self.user_agent = user_agent
        self._fetch = fetch
        self._on_crawl_delay = on_crawl_delay
        self._verdicts: dict[str, _RobotsVerdict] = {}
        self._origin_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()  # guards the two dicts above

    def check(self, url: str, *, asked: str) -> None:
        """Raise ``RobotsDisallowed`` (or why robots.txt could not be read) unless ``url`` may be
        fetched; robots.txt itself always may."""
        parts = urlsplit(url)
        if parts.path == "/robots.txt":
            return
        origin = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        verdict = self._verdict(origin)
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

    def _verdict(self, origin: str) -> _RobotsVerdict:
        with self._lock:
            verdict = self._verdicts.get(origin)
            if verdict is not None:
                return verdict
            origin_lock = self._origin_locks.setdefault(origin, threading.Lock())
        with origin_lock:  # one thread reads robots.txt; the others wait for its verdict
            with self._lock:
                verdict = self._verdicts.get(origin)
            if verdict is None:
                verdict = self._load(origin)
                with self._lock:
                    self._verdicts[origin] = verdict
            return verdict

    def _load(self, origin: str) -> _RobotsVerdict:
        robots_url = f"{origin}/robots.txt"
        try:
            content = self._fetch(robots_url, ROBOTS_MAX_BYTES)
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
        parser.parse(content.decode("utf-8", errors="replace").splitlines())
        delay = parser.crawl_delay(self.user_agent)
        if delay:
            host = urlsplit(origin).hostname or ""
            self._on_crawl_delay(host, min(float(delay), MAX_CRAWL_DELAY))
        return _RobotsVerdict(parser=parser)
