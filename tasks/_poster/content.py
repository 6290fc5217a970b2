"""What a poster says: ``PosterContent``, built from an ``Event`` and its ``Release``.

``format_event_when`` writes an event's date the way Chinese notices do, and is shared with the
drafts module::

    >>> format_event_when(Event(name="x", start=datetime(2024, 12, 27, 19, 30, tzinfo=SHANGHAI)))
    '2024年12月27日（周五）晚 19:30'
    >>> format_event_when(Event(name="x", start=date(2024, 12, 20), end=date(2024, 12, 22)))
    '2024年12月20日至22日'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from tasks.errors import RenderError
from tasks.models import SHANGHAI, Event, Release, TimeOfDay

WEEKDAYS = "一二三四五六日"
TIME_OF_DAY_WORDS = {TimeOfDay.MORNING: "上午", TimeOfDay.AFTERNOON: "下午", TimeOfDay.EVENING: "晚"}
RANGE_WORD = "至"
SELF_SOURCES = frozenset({"本网", "本站", "本网站"})  # the portal naming itself
# Hours that name the part of the day when the event gives a clock time but no 上午/下午/晚.
AFTERNOON_FROM_HOUR = 12
EVENING_FROM_HOUR = 18
_SPACES = re.compile(r"[ \t\r\n\u00a0\u2000-\u200a\u202f\u205f]+")


@dataclass(frozen=True, slots=True)
class PosterContent:
    """The plain values a poster shows. ``image`` is the release's picture (bytes or a file)."""

    headline: str  # the event's name
    date_line: str  # 2024年12月27日（周五）晚 19:30
    venue: str | None
    office: str  # 东莞市人民政府新闻办公室
    source: str | None  # the release's source or site: 东莞市人民政府新闻办公室 / 中国东莞政府门户网站
    release_url: str  # encoded in the QR code
    image: bytes | Path | None = None
    category: str | None = None  # a hint for choose_template, e.g. 文体活动

    def fields(self) -> dict[str, str]:
        """Text fields by name, as templates refer to them (``{headline}``); absent ones are ''."""
        return {
            "headline": clean_text(self.headline),
            "date_line": clean_text(self.date_line),
            "venue": clean_text(self.venue or ""),
            "office": clean_text(self.office),
            "source": clean_text(self.source or ""),
            "release_url": self.release_url,
            "category": clean_text(self.category or ""),
        }


def clean_text(text: str) -> str:
    """One line of display text: invisible format characters dropped, runs of spaces made one."""
    visible = "".join(c for c in text if unicodedata.category(c) not in {"Cc", "Cf", "Co", "Cs"}
                      or c in "\t\n")
    return _SPACES.sub(" ", visible).strip()


def _local(moment: date | datetime) -> date | datetime:
    if isinstance(moment, datetime):
        if moment.tzinfo is None:  # models promise aware times; be lenient with naive ones
            return moment.replace(tzinfo=SHANGHAI)
        return moment.astimezone(SHANGHAI)
    return moment


def _day(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def _full_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _weekday(day: date) -> str:
    return f"（周{WEEKDAYS[day.weekday()]}）"


def _clock(moment: datetime) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


def _part_of_day(moment: date | datetime, time_of_day: TimeOfDay | None) -> str:
    if time_of_day is not None:
        return TIME_OF_DAY_WORDS[time_of_day]
    if not isinstance(moment, datetime):
        return ""
    if moment.hour >= EVENING_FROM_HOUR:
        return TIME_OF_DAY_WORDS[TimeOfDay.EVENING]
    if moment.hour >= AFTERNOON_FROM_HOUR:
        return TIME_OF_DAY_WORDS[TimeOfDay.AFTERNOON]
    return TIME_OF_DAY_WORDS[TimeOfDay.MORNING]


def _end_date(start: date, end: date) -> str:
    """The end of a range, as short as the start allows: 22日, 1月2日 or 2025年1月2日."""
    if end.year != start.year:
        return _full_date(end)
    if end.month != start.month:
        return f"{end.month}月{end.day}日"
    return f"{end.day}日"


def format_event_when(event: Event) -> str:
    """The event's date (and time) in Chinese, as a notice writes it.

    - one day: ``2024年12月20日（周五）``; with a part of the day: ``2024年12月27日（周五）晚``;
      with a clock time: ``2024年12月27日（周五）晚 19:30``; to an end time the same day:
      ``2024年12月27日（周五）晚 19:30至21:00``;
    - several days: ``2024年12月20日至22日``, ``2024年11月30日至12月2日``,
      ``2024年12月30日至2025年1月2日``; clock times, where given, follow each day.

    Raises ``RenderError`` when the event ends before it starts.
    """
    start = _local(event.start)
    end = _local(event.end) if event.end is not None else None
    start_day = _day(start)
    if end is not None and (_day(end) < start_day or (
            isinstance(end, datetime) and isinstance(start, datetime) and end < start)):
        raise RenderError(f"Event {event.name!r} ends ({end}) before it starts ({start})")
    part = _part_of_day(start, event.time_of_day)
    if end is None or _day(end) == start_day:
        text = _full_date(start_day) + _weekday(start_day) + part
        if isinstance(start, datetime):
            text += " " + _clock(start)
            if isinstance(end, datetime) and end != start:
                text += RANGE_WORD + _clock(end)
        return text
    text = _full_date(start_day)
    if isinstance(start, datetime):
        text += " " + _clock(start)
    text += RANGE_WORD + _end_date(start_day, _day(end))
    if isinstance(end, datetime):
        text += " " + _clock(end)
    return text


def _source_of(release: Release) -> str | None:
    """The release's source as a reader understands it: 本网 ("this site") becomes the site's name."""
    source = clean_text(release.source or "")
    if source in SELF_SOURCES or not source:
        source = clean_text(release.site_name or "") or source
    return source or None


def poster_content_for(
    event: Event,
    release: Release,
    *,
    office: str,
    image: bytes | Path | None = None,
    category: str | None = None,
) -> PosterContent:
    """The poster content of one event: its name, date line and venue, the office and the source.

    ``image`` is passed in already fetched (this module does no IO beyond reading a given file).
    """
    return PosterContent(
        headline=clean_text(event.name),
        date_line=format_event_when(event),
        venue=clean_text(event.venue) if event.venue else None,
        office=clean_text(office),
        source=_source_of(release),
        release_url=release.url,
        image=image,
        category=category,
    )
