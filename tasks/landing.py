"""index.html: the landing page of OUT/public, in Chinese, for people and for feed discovery.

It lists the upcoming events (from the calendar entries) and the latest releases with their posters
and events, and links every feed with ``<link rel="alternate">`` so feed readers discover them from
the page's address. Rendered with Jinja2 (assets/landing/index.html.j2) with autoescaping on: every
text from the portal is escaped. Links inside OUT/public are relative, so the page works wherever
the folder is served; the page is self-contained (inline CSS, no web fonts, no scripts).

Deterministic like the feeds: the "updated" time is the last change of what the page shows.

    data = render_landing(page, items, upcoming_entries)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from tasks.calendar import CalendarEntry
from tasks.feeds import EPOCH, FeedItem, event_when, last_change, summary_of
from tasks.html_templates import html_environment
from tasks.models import SHANGHAI

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "assets" / "landing"
TEMPLATE = "index.html.j2"
SUMMARY_CHARS = 120
WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True, slots=True)
class FeedLink:
    label: str  # on the button: RSS, Atom, JSON Feed
    title: str  # the link's title attribute (what a reader shows when offering the feed)
    href: str  # relative to the page
    media_type: str


@dataclass(frozen=True, slots=True)
class LandingPage:
    title: str  # 新闻发布 · 活动预告
    office: str  # 东莞市人民政府新闻办公室
    description: str
    site_title: str  # 中国东莞政府门户网站
    site_url: str
    feeds: tuple[FeedLink, ...]
    calendar_href: str = "events.ics"
    calendar_title: str = "活动日历"
    webcal_url: str | None = None  # webcal://… so a click subscribes (Apple, Outlook)


def webcal_url(public_base_url: str, name: str = "events.ics") -> str:
    """The calendar's ``webcal://`` URL: a click subscribes to it instead of importing it once."""
    parts = urlsplit(public_base_url)
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return urlunsplit(("webcal", parts.netloc, path + name, "", ""))


def _when_text(moment: datetime) -> str:
    local = moment.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日 {local.hour:02d}:{local.minute:02d}"


def _release_view(item: FeedItem) -> dict[str, Any]:
    release = item.release
    poster = None
    if item.poster is not None:
        poster = {
            "src": quote(item.poster.path),
            "alt": item.poster.alt,
            "width": item.poster.width,
            "height": item.poster.height,
        }
    return {
        "url": release.url,
        "title": release.title,
        "column": release.column,
        "source": release.source,
        "published": _when_text(release.published),
        "published_iso": release.published.astimezone(SHANGHAI).isoformat(),
        "summary": summary_of(release.text, limit=SUMMARY_CHARS),
        "poster": poster,
        "events": [{"name": e.name, "when": event_when(e), "venue": e.venue} for e in item.events],
    }


def _agenda_view(entry: CalendarEntry) -> dict[str, Any]:
    day = entry.start if not isinstance(entry.start, datetime) else entry.start.date()
    return {
        "month": f"{day.month}月",
        "day": day.day,
        "weekday": f"周{WEEKDAYS[day.weekday()]}",
        "name": entry.event.name,
        "when": event_when(entry.event),
        "venue": entry.event.venue,
        "release_url": entry.source.release_url,
        "release_title": entry.source.release_title,
    }


def render_landing(
    page: LandingPage,
    items: Sequence[FeedItem],
    upcoming: Sequence[CalendarEntry] = (),
) -> bytes:
    """The page's bytes (UTF-8)."""
    updated = max(
        [last_change(items), *(e.source.release_updated for e in upcoming)], default=EPOCH
    )
    html = html_environment(TEMPLATES_DIR).get_template(TEMPLATE).render(
        page={
            "title": page.title,
            "office": page.office,
            "description": page.description,
            "site_title": page.site_title,
            "site_url": page.site_url,
            "feeds": page.feeds,
            "calendar_href": page.calendar_href,
            "calendar_title": page.calendar_title,
            "webcal_url": page.webcal_url,
            "updated": _when_text(updated),
            "updated_iso": updated.astimezone(SHANGHAI).isoformat(),
        },
        items=[_release_view(i) for i in items],
        upcoming=[_agenda_view(e) for e in upcoming],
    )
    return html.encode("utf-8")
