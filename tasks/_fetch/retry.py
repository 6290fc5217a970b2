"""How long to wait before the next attempt: exponential backoff and the Retry-After header."""

from __future__ import annotations

import email.utils
from datetime import datetime, timezone

MAX_BACKOFF = 60.0  # s


def backoff_delay(attempt: int, *, base: float) -> float:
    """``base`` doubled at each failed attempt (1, 2, 3 …), capped at ``MAX_BACKOFF``."""
    return min(MAX_BACKOFF, base * 2 ** (attempt - 1))


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
