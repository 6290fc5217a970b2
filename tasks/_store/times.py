"""How times are written to and read from the store: ISO 8601 text in Asia/Shanghai (``+08:00``),
so they sort as text and keep their zone on every backend; all-day dates as ``YYYY-MM-DD``.

    ts(datetime(2024, 12, 20, 19, 30, tzinfo=SHANGHAI))   # "2024-12-20T19:30:00+08:00"
    when_to_text(date(2024, 12, 20))                       # "2024-12-20"
"""

from __future__ import annotations

from datetime import date, datetime

from tasks.errors import StoreError
from tasks.models import SHANGHAI

DATE_TEXT_LENGTH = len("YYYY-MM-DD")  # a stored "when" this long is an all-day date


def now() -> datetime:
    return datetime.now(SHANGHAI).replace(microsecond=0)


def ts(value: datetime) -> str:
    if value.tzinfo is None:
        raise StoreError(f"Naive datetime {value!r}: times must be timezone-aware")
    return value.astimezone(SHANGHAI).isoformat()


def parse_ts(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(SHANGHAI)


def when_to_text(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return ts(value)
    return value.isoformat()


def when_from_text(text: str) -> date | datetime:
    if len(text) == DATE_TEXT_LENGTH:
        return date.fromisoformat(text)
    return parse_ts(text)
