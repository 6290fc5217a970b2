"""The one place httpx's exceptions become ours (callers ``raise ... from exc``)."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import httpx

from tasks._fetch.messages import size_text, truncated_message
from tasks.errors import ConnectFailed, FetchError, FetchTimeout, Truncated

# How resolvers word a failed lookup when the socket.gaierror itself is not in the chain.
DNS_FAILURE_PHRASES = (
    "name or service not known",
    "name resolution",
    "nodename nor servname",
    "getaddrinfo",
    "no address associated",
)


def translate_httpx(
    exc: httpx.HTTPError,
    *,
    url: str,
    asked: str,
    timeouts: httpx.Timeout,
    status: int | None = None,
    received: int | None = None,
    expected: int | None = None,
) -> FetchError:
    """Our ``FetchError`` for an httpx error on ``url`` (a hop of ``asked``) under the client's
    ``timeouts``; ``received`` is not None once the body had started (a cut-off body is
    ``Truncated``, not a refused connection)."""
    host = urlsplit(url).hostname or url
    in_body = received is not None
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchTimeout(
            f"Timed out after {timeouts.connect:g} s connecting to {host} for {url} (connect "
            "timeout); the site may be down or unreachable from this network.",
            url=asked,
        )
    if isinstance(exc, httpx.ReadTimeout):
        where = f"; {size_text(received)} had arrived" if in_body else ""
        return FetchTimeout(
            f"Timed out after {timeouts.read:g} s reading {url} (read timeout{where}); the "
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
            return Truncated(truncated_message(url, received or 0, expected), url=asked, status=status)
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
    return any(s in text for s in DNS_FAILURE_PHRASES)
