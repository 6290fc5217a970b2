"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) from the same feed items as RSS and Atom.

feedgen has no JSON Feed support (../shared/FACTS.md), and the format is plain JSON: one dict per
item, keys in the spec's order (insertion order), so the same items always give the same bytes.
Served as ``application/feed+json``; the WebSub hub, when set, is listed in ``hubs``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from tasks.feeds import (
    JSON_FEED_TYPE,
    FeedInfo,
    FeedItem,
    item_html,
    item_summary,
    item_tags,
    xml_safe,
)
from tasks.models import SHANGHAI

VERSION = "https://jsonfeed.org/version/1.1"


def json_feed(
    info: FeedInfo, items: Sequence[FeedItem], *, filename: str = "feed.json"
) -> dict[str, Any]:
    """The feed as a JSON-ready dict."""
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": info.title,
        "home_page_url": info.site_url,
        "feed_url": info.url_of(filename),
        "description": info.description,
        "language": info.language,
    }
    if info.author:
        feed["authors"] = [{"name": info.author}]
    if info.hub_url:
        feed["hubs"] = [{"type": "WebSub", "url": info.hub_url}]
    feed["items"] = [_item(info, item) for item in items]
    return feed


def _item(info: FeedInfo, item: FeedItem) -> dict[str, Any]:
    release = item.release
    out: dict[str, Any] = {
        "id": release.url,
        "url": release.url,
        "title": xml_safe(release.title),
        "content_html": item_html(item),
        "summary": item_summary(item),
        "date_published": release.published.astimezone(SHANGHAI).isoformat(),
        "date_modified": item.updated.astimezone(SHANGHAI).isoformat(),
    }
    if item.poster is not None:
        out["image"] = item.poster.url
        out["attachments"] = [
            {
                "url": item.poster.url,
                "mime_type": item.poster.media_type,
                "title": item.poster.alt,
                "size_in_bytes": item.poster.size_bytes,
            }
        ]
    tags = item_tags(item)
    if tags:
        out["tags"] = tags
    author = release.source or info.author
    if author:
        out["authors"] = [{"name": author}]
    out["language"] = info.language
    return out


class JsonFeedWriter:
    filename = "feed.json"
    media_type = JSON_FEED_TYPE

    def render(self, info: FeedInfo, items: Sequence[FeedItem]) -> bytes:
        feed = json_feed(info, items, filename=self.filename)
        text = json.dumps(feed, ensure_ascii=False, indent=2)
        return (text + "\n").encode("utf-8")
