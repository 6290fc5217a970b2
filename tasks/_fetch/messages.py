"""Fetch failures in words a non-programmer can act on: what happened, and what to do about it."""

from __future__ import annotations

from tasks._fetch.records import Raw


def status_message(raw: Raw, *, url: str, attempts: int) -> str:
    """Why an HTTP error status stopped the fetch (``attempts`` > 1: it was retried)."""
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


def too_large_message(url: str, cap: int, what: str) -> str:
    """A body over the size cap; ``what`` says how we know ("it announces 12.0 MB")."""
    return (
        f"The page {url} is larger than the {size_text(cap)} limit ({what}); it was not downloaded. "
        "Raise PUBLICITY_MAX_RESPONSE_BYTES if the page is genuine."
    )


def truncated_message(url: str, received: int, expected: int | None) -> str:
    """A body that stopped before its end (``expected``: the Content-Length, if one was sent)."""
    of = f" of {size_text(expected)}" if expected is not None else ""
    return (
        f"The page {url} was cut off: the connection closed after {size_text(received)}{of} (truncated); "
        "it was not used."
    )


def size_text(n: int) -> str:
    """A byte count for people: "512 bytes", "3.5 KB", "10.0 MB"."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"
