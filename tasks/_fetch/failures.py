"""Any failure of a run, ours or not, as one line and a short label for the run summary."""

from __future__ import annotations

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

# Checked in order: the first class the failure is an instance of names its kind.
FAILURE_KINDS: tuple[tuple[str, type[FetchError]], ...] = (
    ("timeout", FetchTimeout),
    ("truncated", Truncated),
    ("challenge", ChallengePage),
    ("host-not-allowed", HostNotAllowed),
    ("robots", RobotsDisallowed),
    ("too-large", TooLarge),
)


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
    for kind, cls in FAILURE_KINDS:
        if isinstance(exc, cls):
            return kind
    if isinstance(exc, BadStatus):
        return f"http-{exc.status}" if exc.status else "status"
    if isinstance(exc, FetchError):
        return "fetch"
    if isinstance(exc, PublicityError):
        return type(exc).__name__
    return "unexpected"
