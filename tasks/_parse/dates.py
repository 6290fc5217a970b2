"""Dates and times as Chinese government pages write them, read as aware Asia/Shanghai values.

2024-12-12, 2024/12/12, 2024.12.12 and 2024年12月12日, each optionally followed by a clock time
(17:14, 17:14:51, 17时14分) and an ISO offset. Years are bounded (19xx, 20xx) so that a post id
never reads as a date.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from tasks.models import SHANGHAI

_DATE_PATTERN = (
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*"
    r"(?P<d>\d{1,2})(?!\d)\s*日?"
)
_TIME_PATTERN = (
    r"(?:\s{0,8}|T)(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?!\d)"
    r"(?:\s*[:：分]\s*(?P<S>\d{1,2})(?!\d))?\s*分?"
    r"(?:\.\d+)?(?P<tz>Z|[+-]\d{2}:?\d{2})?"
)
DATE_RE = re.compile(_DATE_PATTERN)
DATETIME_RE = re.compile(_DATE_PATTERN + f"(?:{_TIME_PATTERN})?")
# A date *with* a clock time: what the article info line carries.
CLOCK_DATETIME_RE = re.compile(_DATE_PATTERN + _TIME_PATTERN)


def parse_published(text: str) -> datetime | None:
    """The first date (with its time, if any) in ``text``, aware in Asia/Shanghai.

    Accepts 2024-12-12, 2024-12-12 17:14, 2024-12-12 17:14:51, the same with ``/`` or ``.``,
    2024年12月12日 (17:14 / 17时14分), and ISO 8601 with an offset (converted to +08:00).

    >>> parse_published("中国东莞政府门户网站  2024-12-12 17:14:51  来源: 本网").isoformat()
    '2024-12-12T17:14:51+08:00'
    """
    for match in DATETIME_RE.finditer(text or ""):
        value = _datetime_from_match(match)
        if value is not None:
            return value
    return None


def parse_date(text: str) -> date | None:
    """The first calendar date in ``text`` (list pages: "2024-12-12", "[ 2019-10-18 ]" …)."""
    for match in DATE_RE.finditer(text or ""):
        try:
            return date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            continue
    return None


def _datetime_from_match(match: re.Match[str]) -> datetime | None:
    groups = match.groupdict()
    try:
        day = datetime(int(groups["y"]), int(groups["m"]), int(groups["d"]))
    except ValueError:
        return None
    try:
        value = day.replace(
            hour=int(groups.get("H") or 0),
            minute=int(groups.get("M") or 0),
            second=int(groups.get("S") or 0),
        )
    except ValueError:  # "2024-12-12 25:61": the day stands, the clock time does not
        return day.replace(tzinfo=SHANGHAI)
    offset = groups.get("tz")
    if offset:
        iso = value.isoformat() + ("+00:00" if offset == "Z" else _iso_offset(offset))
        try:
            return datetime.fromisoformat(iso).astimezone(SHANGHAI)
        except ValueError:
            return None
    return value.replace(tzinfo=SHANGHAI)


def _iso_offset(offset: str) -> str:
    digits = offset[1:].replace(":", "")
    return f"{offset[0]}{digits[:2]}:{digits[2:]}"
