"""Feeds from the store: RSS 2.0 and Atom 1.0 through feedgen.

Pure functions from stored releases to bytes; ``write_feeds`` writes them atomically and only when
changed (tasks/files.py). The output is deterministic: dates come from the store (the last real
change), never from the clock, so a run with nothing new leaves every feed byte-identical.

feedgen quirks handled here (../shared/FACTS.md): the RSS channel <link> is taken from the *last*
``link()`` call, so the alternate link is set after the self link; naive datetimes raise, and ours
are all aware.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import urljoin

from feedgen.feed import FeedGenerator

from tasks.files import write_if_changed
from tasks.models import SHANGHAI
from tasks.store import StoredRelease

EPOCH = datetime(2000, 1, 1, tzinfo=SHANGHAI)  # lastBuildDate of an empty feed: stable, not "now"
SUMMARY_CHARS = 200


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """What the channel says about itself."""

    title: str
    site_url: str  # the portal (the channel's alternate link)
    public_base_url: str  # where OUT/public is served; self links are made absolute with it
    description: str
    language: str = "zh-CN"
    ttl_minutes: int = 30
    author: str = ""


class FeedWriter(Protocol):
    filename: str

    def render(self, info: FeedInfo, items: Sequence[StoredRelease]) -> bytes: ...


def summary_of(text: str, *, limit: int = SUMMARY_CHARS) -> str:
    """A plain-text summary: the first paragraphs up to ``limit`` characters, cut at a sentence."""
    flat = " ".join(line.strip() for line in text.splitlines() if line.strip())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    for mark in ("。", "！", "？", "；"):
        pos = cut.rfind(mark)
        if pos >= limit // 2:
            return cut[: pos + 1]
    return cut.rstrip() + "…"


def last_change(items: Sequence[StoredRelease]) -> datetime:
    return max((i.updated for i in items), default=EPOCH)


def _generator(info: FeedInfo, items: Sequence[StoredRelease], self_name: str) -> FeedGenerator:
    fg = FeedGenerator()
    self_url = urljoin(info.public_base_url, self_name)
    fg.id(self_url)
    fg.title(info.title)
    fg.description(info.description)
    fg.language(info.language)
    if info.author:
        fg.author({"name": info.author})
    fg.link(href=self_url, rel="self")
    fg.link(href=info.site_url, rel="alternate")  # last link() call wins the RSS <link>
    fg.lastBuildDate(last_change(items))
    fg.updated(last_change(items))
    fg.ttl(info.ttl_minutes)
    fg.generator("dg-publicity")
    for stored in items:
        release = stored.release
        fe = fg.add_entry(order="append")
        fe.id(release.url)
        fe.guid(release.url, permalink=True)
        fe.title(release.title)
        fe.link(href=release.url)
        fe.published(release.published)
        fe.updated(stored.updated)
        fe.description(summary_of(release.text))  # RSS <description>
        fe.summary(summary_of(release.text))  # Atom <summary>
        fe.content(release.html, type="CDATA")
        if release.column:
            fe.category(term=release.column)
    return fg


class RssWriter:
    filename = "rss.xml"

    def render(self, info: FeedInfo, items: Sequence[StoredRelease]) -> bytes:
        return _generator(info, items, self.filename).rss_str(pretty=True)


class AtomWriter:
    filename = "atom.xml"

    def render(self, info: FeedInfo, items: Sequence[StoredRelease]) -> bytes:
        fg = _generator(info, items, self.filename)
        for fe in fg.entry():
            fe.content(fe.content()["content"], type="html")  # Atom wants escaped html, not CDATA
        return fg.atom_str(pretty=True)


WRITERS: tuple[FeedWriter, ...] = (RssWriter(), AtomWriter())


def write_feeds(
    public_dir: Path, info: FeedInfo, items: Sequence[StoredRelease]
) -> dict[str, bool]:
    """Render every feed and write the ones whose bytes changed; returns {filename: written}."""
    return {
        writer.filename: write_if_changed(public_dir / writer.filename, writer.render(info, items))
        for writer in WRITERS
    }
