"""Everything derived from the store into OUT: the feeds now, posters and the rest as they come.

Shared by the ``poll`` flow and the ``rebuild`` path, free of Prefect so it runs anywhere.
"""

from __future__ import annotations

from pathlib import Path

from tasks.feeds import FeedInfo, write_feeds
from tasks.files import remove_stale_temporaries
from tasks.settings import Settings, SiteProfile
from tasks.store import Store


def feed_info(settings: Settings, profile: SiteProfile) -> FeedInfo:
    return FeedInfo(
        title=f"{profile.title} · 新闻发布",
        site_url=profile.base_url,
        public_base_url=settings.public_base_url,
        description=f"{profile.office}发布的新闻发布会与活动信息（自动汇集，来源：{profile.title}）",
        author=profile.office,
    )


def publish_outputs(
    store: Store, *, out: Path, settings: Settings, profile: SiteProfile
) -> list[str]:
    """Write every output from the store; returns the files that changed."""
    public = out / "public"
    remove_stale_temporaries(public)
    items = store.latest_releases(limit=settings.feed_items)
    written = write_feeds(public, feed_info(settings, profile), items)
    return sorted(name for name, changed in written.items() if changed)
