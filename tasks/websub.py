"""WebSub publisher pings (https://www.w3.org/TR/websub/): tell a hub that a feed changed.

The feeds advertise the hub with ``rel="hub"`` (tasks/feeds.py); after a run that changed a feed,
the hub gets ``POST hub.mode=publish&hub.url=<feed URL>`` (form-encoded, the convention of
PubSubHubbub 0.4 and the public hubs, which WebSub leaves to the hub) once per changed feed. The
hub then fetches the feed and pushes it to subscribers.

A ping is a courtesy, never a reason to fail a run: errors are logged and returned, not raised.

    results = ping_hub("https://hub.example.org/", ["https://feeds.example.org/dg/rss.xml"])
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

DEFAULT_TIMEOUT = 10.0  # seconds per ping
USER_AGENT = "dg-publicity WebSub publisher"

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PingResult:
    topic: str  # the feed URL
    ok: bool
    status: int | None = None
    error: str | None = None


def ping_hub(
    hub_url: str,
    topics: Sequence[str],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    client: httpx.Client | None = None,
) -> list[PingResult]:
    """POST a publish notification for each topic; a 2xx answer is success. Never raises."""
    results: list[PingResult] = []
    if not topics:
        return results
    own = client is None
    http = client or httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT})
    try:
        for topic in topics:
            results.append(_ping_one(http, hub_url, topic))
    finally:
        if own:
            http.close()
    return results


def _ping_one(http: httpx.Client, hub_url: str, topic: str) -> PingResult:
    try:
        response = http.post(hub_url, data={"hub.mode": "publish", "hub.url": topic})
    except (httpx.HTTPError, ValueError) as exc:  # ValueError: a malformed hub URL
        log.warning("WebSub ping to %s for %s failed: %s", hub_url, topic, exc)
        return PingResult(topic=topic, ok=False, error=f"{type(exc).__name__}: {exc}")
    if 200 <= response.status_code < 300:
        log.info("WebSub hub %s notified of %s (%d)", hub_url, topic, response.status_code)
        return PingResult(topic=topic, ok=True, status=response.status_code)
    detail = response.text[:200].strip()
    log.warning(
        "WebSub hub %s refused the ping for %s: HTTP %d %s", hub_url, topic,
        response.status_code, detail,
    )
    return PingResult(
        topic=topic, ok=False, status=response.status_code,
        error=f"HTTP {response.status_code}: {detail}",
    )
