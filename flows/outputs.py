"""Everything derived from the store into OUT/public: rss.xml, atom.xml, feed.json, events.ics and
index.html (posters are written there by the poster step and only linked from here).

Shared by the ``poll`` flow and the ``rebuild`` path, free of Prefect so it runs anywhere. Every
file is written atomically and only when its bytes change (tasks/files.py), so a run with nothing new
leaves every file, its mtime and its served ETag untouched; the WebSub hub, when one is set, is
pinged only for feeds that actually changed.

    changed = publish_outputs(store, out=Path("out"), settings=settings, profile=profile)
    # ["atom.xml", "events.ics", "feed.json", "index.html", "rss.xml"] on a first run, [] after
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from tasks.calendar import (
    CalendarInfo,
    CalendarSource,
    calendar_entries,
    render_ics,
    upcoming,
)
from tasks.errors import StoreError
from tasks.feeds import (
    ATOM_TYPE,
    FEED_FILES,
    JSON_FEED_TYPE,
    RSS_TYPE,
    FeedInfo,
    build_feed_items,
    public_url,
    write_feeds,
)
from tasks.files import remove_stale_temporaries, write_if_changed
from tasks.landing import FeedLink, LandingPage, render_landing, webcal_url
from tasks.models import SHANGHAI
from tasks.settings import Settings, SiteProfile
from tasks.store import Store, event_from_row, events_table, releases_table
from tasks.websub import PingResult, ping_hub

CALENDAR_FILE = "events.ics"
LANDING_FILE = "index.html"
LANDING_AGENDA_ITEMS = 15  # upcoming events listed on the landing page (the calendar has all)


def feed_title(settings: Settings, profile: SiteProfile) -> str:
    return settings.feed_title or f"{profile.title} · 新闻发布"


def feed_info(settings: Settings, profile: SiteProfile) -> FeedInfo:
    return FeedInfo(
        title=feed_title(settings, profile),
        site_url=profile.base_url,
        public_base_url=settings.public_base_url,
        description=settings.feed_description
        or f"{profile.office}发布的新闻发布会与活动信息（自动汇集，来源：{profile.title}）",
        ttl_minutes=settings.feed_ttl,
        author=profile.office,
        hub_url=settings.websub_hub or None,
    )


def calendar_info(settings: Settings, profile: SiteProfile) -> CalendarInfo:
    return CalendarInfo(
        name=f"{profile.office} · 活动日历",
        description=f"{profile.office}新闻发布会与公开活动日程（自动汇集，来源：{profile.title}）",
        url=public_url(settings.public_base_url, CALENDAR_FILE),
        refresh_minutes=settings.feed_ttl,
    )


def landing_page(settings: Settings, profile: SiteProfile) -> LandingPage:
    return LandingPage(
        title="新闻发布 · 活动预告",
        office=profile.office,
        description=settings.feed_description
        or f"{profile.office}新闻发布会、政策解读与公开活动信息，可通过 RSS、Atom、JSON Feed 或日历订阅。",
        site_title=profile.title,
        site_url=profile.base_url,
        feeds=(
            FeedLink("RSS", f"{feed_title(settings, profile)}（RSS）", "rss.xml", RSS_TYPE),
            FeedLink("Atom", f"{feed_title(settings, profile)}（Atom）", "atom.xml", ATOM_TYPE),
            FeedLink("JSON Feed", f"{feed_title(settings, profile)}（JSON Feed）", "feed.json",
                     JSON_FEED_TYPE),
        ),
        calendar_href=CALENDAR_FILE,
        calendar_title=f"{profile.office} · 活动日历",
        webcal_url=webcal_url(settings.public_base_url, CALENDAR_FILE),
    )


def load_calendar_sources(store: Store, *, since: date) -> list[CalendarSource]:
    """Every event of each release that has an event ending on ``since`` or later.

    One query over events joined to their release's title and last change, instead of loading
    every release with its body (1.7 s for 10,000 releases). All events of such a release are
    returned, because calendar UIDs count same-named events per release.
    """
    ev, rel = events_table, releases_table
    cutoff = since.isoformat()  # ISO text: '2024-12-01' sorts before '2024-12-01T…'
    active = (
        sa.select(ev.c.release_url)
        .where(sa.or_(sa.func.coalesce(ev.c.end, ev.c.start) >= cutoff, ev.c.start >= cutoff))
        .distinct()
    )
    query = (
        sa.select(
            ev.c.release_url, ev.c.seq, ev.c.name, ev.c.start, ev.c.end, ev.c.time_of_day,
            ev.c.venue, ev.c.sentence, ev.c.online, rel.c.title, rel.c.updated,
        )
        .join(rel, rel.c.url == ev.c.release_url)
        .where(ev.c.release_url.in_(active))
        .order_by(ev.c.release_url, ev.c.seq)
    )
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(query).all()
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"Cannot read events from {store.engine.url!r}: {exc}") from exc
    return [
        CalendarSource(
            release_url=r.release_url,
            release_title=r.title,
            release_updated=datetime.fromisoformat(r.updated).astimezone(SHANGHAI),
            seq=r.seq,
            event=event_from_row(r),
        )
        for r in rows
    ]


def publish_outputs(
    store: Store,
    *,
    out: Path,
    settings: Settings,
    profile: SiteProfile,
    today: date | None = None,
) -> list[str]:
    """Write every output from the store; returns the files that changed.

    ``today`` (default: today in Asia/Shanghai) sets the calendar window: events that ended more
    than ``settings.ics_past_days`` before it are left out, and the landing page lists the ones
    not over yet.
    """
    public = out / "public"
    remove_stale_temporaries(public)
    today = today or datetime.now(SHANGHAI).date()

    info = feed_info(settings, profile)
    releases = store.latest_releases(limit=settings.feed_items)
    posters = store.posters_for([s.release.url for s in releases])
    items = build_feed_items(
        releases, posters, public_base_url=settings.public_base_url, public_dir=public
    )
    written = write_feeds(public, info, items)

    since = today - timedelta(days=settings.ics_past_days)
    entries = calendar_entries(load_calendar_sources(store, since=since), since=since)
    written[CALENDAR_FILE] = write_if_changed(
        public / CALENDAR_FILE, render_ics(calendar_info(settings, profile), entries)
    )
    agenda = upcoming(entries, today=today)[:LANDING_AGENDA_ITEMS]
    written[LANDING_FILE] = write_if_changed(
        public / LANDING_FILE, render_landing(landing_page(settings, profile), items, agenda)
    )

    changed = sorted(name for name, was_written in written.items() if was_written)
    if info.hub_url:
        notify_hub(info, [n for n in changed if n in FEED_FILES], timeout=settings.websub_timeout)
    return changed


def notify_hub(info: FeedInfo, changed_feeds: list[str], *, timeout: float) -> list[PingResult]:
    """Ping the WebSub hub for the feeds that changed (a failure is logged, never raised)."""
    if not info.hub_url or not changed_feeds:
        return []
    return ping_hub(info.hub_url, [info.url_of(n) for n in changed_feeds], timeout=timeout)
