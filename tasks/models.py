"""Typed records passed between the pipeline's steps.

Every record is a small frozen dataclass: steps take plain values in and give one of these out, so
each step can be tested alone and swapped (see ../ARCHITECTURE.md, "Principles" 3). Pydantic is used
only at the edges where outside input is validated (settings and site profiles, tasks/settings.py).

Times are timezone-aware in Asia/Shanghai (``SHANGHAI``) everywhere.
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

__all__ = [
    "SHANGHAI",
    "Attachment",
    "Event",
    "FetchResult",
    "Image",
    "ListItem",
    "ListPage",
    "ParseMethod",
    "Release",
    "ReleaseFailure",
    "TimeOfDay",
]


class ParseMethod(str, enum.Enum):
    """Which evidence an article's fields were read from, best first."""

    META = "meta"  # the government meta tags (ArticleTitle, PubDate, ContentSource ...)
    VISIBLE = "visible"  # the visible title line, "… YYYY-MM-DD HH:MM:SS 来源: …" line and body box
    FALLBACK = "fallback"  # generic main-content heuristics (largest text block)


class TimeOfDay(str, enum.Enum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One HTTP response as the rest of the pipeline sees it (decoded, capped, validated).

    ``not_modified`` is True for a 304 to a conditional GET; ``text`` is then empty and the caller
    keeps what it stored before.
    """

    url: str  # the URL asked for
    final_url: str  # after same-host redirects
    status: int
    text: str
    encoding: str | None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


@dataclass(frozen=True, slots=True)
class ListItem:
    url: str  # absolute, canonical
    title: str
    published: date | None
    off_site: bool = False  # links to a host outside the profile's allow-list


@dataclass(frozen=True, slots=True)
class ListPage:
    url: str
    items: tuple[ListItem, ...]
    next_url: str | None  # absolute URL of the next list page, None on the last
    page_count: int | None = None  # as the pager states it, when it does


@dataclass(frozen=True, slots=True)
class Image:
    url: str  # absolute
    alt: str = ""


@dataclass(frozen=True, slots=True)
class Attachment:
    url: str  # absolute
    name: str


@dataclass(frozen=True, slots=True)
class Release:
    """One article of the portal, parsed. Identity is ``url`` (canonical, see ARCHITECTURE.md)."""

    url: str
    post_id: str | None
    title: str
    published: datetime  # aware, Asia/Shanghai
    text: str  # body as clean text, paragraphs separated by "\n"
    html: str  # body as sanitised HTML with absolute URLs
    source: str | None = None  # 来源 (ContentSource)
    column: str | None = None  # ColumnName
    site_name: str | None = None
    keywords: tuple[str, ...] = ()
    description: str | None = None
    images: tuple[Image, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    method: ParseMethod = ParseMethod.META

    @property
    def content_hash(self) -> str:
        """Hash of what a reader sees; an edit at the source changes it, a re-fetch does not."""
        payload = json.dumps(
            [
                self.title,
                self.published.isoformat(),
                self.text,
                self.html,
                self.source,
                self.column,
                [asdict(i) for i in self.images],
                [asdict(a) for a in self.attachments],
            ],
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Event:
    """An upcoming event a release announces.

    ``start``/``end`` are a ``date`` for a whole day or a ``datetime`` (aware, Asia/Shanghai) where
    the text gives a clock time. ``end`` is inclusive and None for a single point or day.
    """

    name: str
    start: date | datetime
    end: date | datetime | None = None
    time_of_day: TimeOfDay | None = None
    venue: str | None = None
    sentence: str = ""  # the evidence
    online: str | None = None  # how to watch online, where the text says so

    def to_json(self) -> dict[str, str | None]:
        return {
            "name": self.name,
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end is not None else None,
            "time_of_day": self.time_of_day.value if self.time_of_day else None,
            "venue": self.venue,
            "sentence": self.sentence,
            "online": self.online,
        }


@dataclass(frozen=True, slots=True)
class ReleaseFailure:
    """A release that could not be read this run; recorded, shown in the summary, retried next run."""

    url: str
    reason: str
    title: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
