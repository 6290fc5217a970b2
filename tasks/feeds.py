"""Feeds from the store: RSS 2.0 (feedgen), Atom 1.0 (lxml) and JSON Feed 1.1 (tasks/jsonfeed.py).

Pure functions from feed items to bytes; ``write_feeds`` writes them atomically and only when
changed (tasks/files.py). The output is deterministic: dates come from the store (the last real change),
never from the clock, so a run with nothing new leaves every feed byte-identical.

    items = build_feed_items(store.latest_releases(limit=50), store.posters_for(urls),
                             public_base_url="https://feeds.example.org/dg/", public_dir=public)
    write_feeds(public, info, items)        # {"rss.xml": True, "atom.xml": False, "feed.json": ...}

Each item carries: the release's canonical URL as guid/id (an edit keeps it), a plain summary, the
full sanitised HTML with the portrait poster on top and the events as a short list in Chinese, the
column as category, and the poster as an enclosure whose length is the file's size on disk.

feedgen quirks handled here (../shared/FACTS.md): the RSS channel <link> is taken from the *last*
``link()`` call, so the alternate link is set after the self link; feedgen writes only the self
atom:link in RSS (the WebSub hub link is added to its tree afterwards); and its Atom output drops
``rel``/``type``/``length`` from entry links, turning an enclosure into a plain link, so Atom is
written here with lxml directly.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Protocol
from urllib.parse import quote, urljoin

import lxml.html
from feedgen.feed import FeedGenerator
from lxml import etree

from tasks.errors import RenderError
from tasks.files import write_if_changed
from tasks.models import SHANGHAI, Event, Release
from tasks.store import StoredPoster, StoredRelease

EPOCH = datetime(2000, 1, 1, tzinfo=SHANGHAI)  # lastBuildDate of an empty feed: stable, not "now"
SUMMARY_CHARS = 200
GENERATOR = "dg-publicity"

RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"
JSON_FEED_TYPE = "application/feed+json"

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_NS = "http://www.w3.org/XML/1998/namespace"

# Which poster a feed item shows and encloses: the portrait one (3:4, what readers display best),
# else the next best format the poster renderer made (tasks/_poster/formats.py).
POSTER_FORMAT_PREFERENCE = ("portrait", "square", "story", "wechat_cover")
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
}

# Characters XML 1.0 forbids (lxml refuses them): a stray control character copied from the
# portal must not break a whole feed. https://www.w3.org/TR/xml/#charsets
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# An href/src that is not absolute. Release HTML promises absolute URLs: check cheaply, fix rarely.
_RELATIVE_LINK = re.compile(
    r"""\b(?:href|src)\s*=\s*["']?(?!["']?(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//|#))""", re.IGNORECASE
)


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
    hub_url: str | None = None  # WebSub hub advertised with rel="hub" (None: no hub)

    def url_of(self, name: str) -> str:
        """The absolute URL of a file under OUT/public."""
        return public_url(self.public_base_url, name)


@dataclass(frozen=True, slots=True)
class PosterLink:
    """A poster as a feed shows it: where it is served and what its enclosure says."""

    path: str  # relative to OUT/public, e.g. "posters/1000001-0-portrait.png"
    url: str  # absolute, under the public base URL
    size_bytes: int  # the file's size on disk (the enclosure length)
    media_type: str
    width: int
    height: int
    alt: str


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One release as the feeds carry it; ``updated`` is the last change of anything it shows."""

    stored: StoredRelease
    poster: PosterLink | None = None
    updated: datetime | None = None  # None: the release's own last change

    def __post_init__(self) -> None:
        if self.updated is None:
            object.__setattr__(self, "updated", self.stored.updated)

    @property
    def release(self) -> Release:
        return self.stored.release

    @property
    def events(self) -> tuple[Event, ...]:
        return self.stored.events


class FeedWriter(Protocol):
    filename: str
    media_type: str

    def render(self, info: FeedInfo, items: Sequence[FeedItem]) -> bytes: ...


# ---- building items ----------------------------------------------------------------------------


def public_url(base: str, path: str) -> str:
    """``path`` (relative to OUT/public) made absolute under ``base``, whether or not ``base`` ends
    with a slash (``https://x.org/dg`` serves ``https://x.org/dg/rss.xml``, not ``/rss.xml``)."""
    if not base.endswith("/"):
        base += "/"
    return urljoin(base, quote(path.lstrip("/")))


def media_type_of(path: str) -> str:
    return IMAGE_TYPES.get(PurePosixPath(path).suffix.lower(), "application/octet-stream")


_FORMAT_RANK = {name: i for i, name in enumerate(POSTER_FORMAT_PREFERENCE)}


def _poster_rank(poster: StoredPoster) -> tuple[int, int, str, str]:
    """The first event's poster first, in the preferred format; a stable order for the rest."""
    return (poster.event_seq, _FORMAT_RANK.get(poster.format, len(_FORMAT_RANK)), poster.format,
            poster.path)


def choose_poster(posters: Sequence[StoredPoster]) -> StoredPoster | None:
    """The poster an item shows (when its file exists): the first event's, preferably portrait."""
    return min(posters, key=_poster_rank, default=None)


def feed_item(
    stored: StoredRelease,
    posters: Sequence[StoredPoster] = (),
    *,
    public_base_url: str,
    public_dir: Path | None = None,
) -> FeedItem:
    """A feed item for one stored release and its posters.

    With ``public_dir``, the poster file must exist there and its size on disk is the enclosure
    length (a feed must never announce a length its file does not have); a missing file means no
    poster rather than a broken image.
    """
    poster: PosterLink | None = None
    updated = stored.updated
    for chosen in sorted(posters, key=_poster_rank):
        size = chosen.size_bytes
        if public_dir is not None:
            try:
                size = (public_dir / chosen.path).stat().st_size
            except OSError:
                continue  # the file is gone: try the next poster, else show none
        events = stored.events
        name = events[chosen.event_seq].name if 0 <= chosen.event_seq < len(events) else ""
        poster = PosterLink(
            path=chosen.path,
            url=public_url(public_base_url, chosen.path),
            size_bytes=size,
            media_type=media_type_of(chosen.path),
            width=chosen.width,
            height=chosen.height,
            alt=f"活动海报：{name or stored.release.title}",
        )
        # A re-rendered poster changes what the item shows: that is a change of the item.
        if chosen.rendered_at is not None and chosen.rendered_at > updated:
            updated = chosen.rendered_at
        break
    return FeedItem(stored=stored, poster=poster, updated=updated)


def build_feed_items(
    releases: Sequence[StoredRelease],
    posters: Mapping[str, Sequence[StoredPoster]],
    *,
    public_base_url: str,
    public_dir: Path | None = None,
) -> list[FeedItem]:
    """Feed items in the given order (newest first from ``Store.latest_releases``)."""
    return [
        feed_item(
            s, posters.get(s.release.url, ()), public_base_url=public_base_url,
            public_dir=public_dir,
        )
        for s in releases
    ]


def _as_items(items: Sequence[FeedItem | StoredRelease]) -> list[FeedItem]:
    """Accept bare stored releases too (no posters): handy for callers with no posters yet."""
    return [i if isinstance(i, FeedItem) else FeedItem(stored=i) for i in items]


# ---- text helpers ------------------------------------------------------------------------------


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids."""
    return _XML_ILLEGAL.sub("", text)


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


def last_change(items: Sequence[FeedItem]) -> datetime:
    return max((i.updated for i in items), default=EPOCH)


def event_when(event: Event) -> str:
    """The event's date in Chinese (``2024年12月27日（周五）晚 19:30``), shared with the posters.

    Reuses the poster module's ``format_event_when`` (tasks/_poster/content.py); an event whose end
    is before its start (bad extraction) still gets its start date rather than failing the feed.
    """
    from tasks._poster.content import format_event_when  # light: models and errors only

    try:
        return format_event_when(event)
    except RenderError:
        return format_event_when(Event(name=event.name, start=event.start,
                                       time_of_day=event.time_of_day))


def events_html(events: Sequence[Event]) -> str:
    """The events as a short list in Chinese: name, when, where (and how to watch online)."""
    if not events:
        return ""
    rows = []
    for e in events:
        lines = [f"<strong>{html.escape(e.name)}</strong>", f"时间：{html.escape(event_when(e))}"]
        if e.venue:
            lines.append(f"地点：{html.escape(e.venue)}")
        if e.online:
            lines.append(f"线上：{html.escape(e.online)}")
        rows.append("<li>" + "<br/>".join(lines) + "</li>")
    return "<p><strong>活动安排</strong></p><ul>" + "".join(rows) + "</ul>"


def absolute_html(fragment: str, *, base_url: str) -> str:
    """``fragment`` with every href/src absolute (already the case for parsed releases)."""
    if not fragment.strip() or not _RELATIVE_LINK.search(fragment):
        return fragment
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    root.make_links_absolute(base_url, resolve_base_href=False)
    text = root.text or ""
    return html.escape(text, quote=False) + "".join(
        etree.tostring(child, encoding="unicode", method="html") for child in root
    )


def item_html(item: FeedItem) -> str:
    """The full HTML of an item: poster on top, the events, the release body, the source link."""
    release = item.release
    parts: list[str] = []
    if item.poster is not None:
        p = item.poster
        parts.append(
            f'<p><img src="{html.escape(p.url)}" alt="{html.escape(p.alt)}" '
            f'width="{p.width}" height="{p.height}"/></p>'
        )
    parts.append(events_html(item.events))
    parts.append(absolute_html(release.html, base_url=release.url))
    source = html.escape(release.source or release.site_name or "原文")
    parts.append(f'<p>来源：{source}　<a href="{html.escape(release.url)}">阅读原文</a></p>')
    return xml_safe("".join(p for p in parts if p))


def item_summary(item: FeedItem) -> str:
    return xml_safe(summary_of(item.release.text) or item.release.title)


def item_tags(item: FeedItem) -> list[str]:
    """Categories: the column first, then the release's keywords, without repeats."""
    tags = [item.release.column or "", *item.release.keywords]
    return [t for t in dict.fromkeys(xml_safe(t).strip() for t in tags) if t]


# ---- RSS 2.0 -----------------------------------------------------------------------------------


class RssWriter:
    filename = "rss.xml"
    media_type = RSS_TYPE

    def render(self, info: FeedInfo, items: Sequence[FeedItem]) -> bytes:
        fg = FeedGenerator()
        self_url = info.url_of(self.filename)
        fg.id(self_url)
        fg.title(xml_safe(info.title))
        fg.description(xml_safe(info.description))
        fg.language(info.language)
        fg.link(href=self_url, rel="self", type=RSS_TYPE)
        fg.link(href=info.site_url, rel="alternate")  # the last link() call wins the RSS <link>
        fg.lastBuildDate(last_change(items))
        fg.ttl(info.ttl_minutes)
        fg.generator(GENERATOR)
        for item in items:
            release = item.release
            fe = fg.add_entry(order="append")
            fe.guid(release.url, permalink=True)
            fe.title(xml_safe(release.title))
            fe.link(href=release.url)
            fe.pubDate(release.published)
            fe.description(item_summary(item))  # <description> (plain) before <content:encoded>
            content = item_html(item)
            fe.content(content, type="CDATA" if "]]>" not in content else None)
            for tag in item_tags(item)[:1]:  # category = the column
                fe.category(term=tag)
            if item.poster is not None:
                fe.enclosure(item.poster.url, str(item.poster.size_bytes), item.poster.media_type)
        data = fg.rss_str(pretty=True)
        if info.hub_url:
            data = _add_rss_hub(data, info.hub_url)
        return data


def _add_rss_hub(data: bytes, hub_url: str) -> bytes:
    """feedgen writes only the self atom:link in RSS; WebSub discovery also needs rel="hub"."""
    parser = etree.XMLParser(strip_cdata=False, remove_blank_text=True)
    root = etree.fromstring(data, parser)
    channel = root.find("channel")
    self_link = channel.find(f"{{{ATOM_NS}}}link")
    hub = etree.Element(f"{{{ATOM_NS}}}link", href=hub_url, rel="hub")
    if self_link is not None:
        self_link.addnext(hub)
    else:
        channel.insert(0, hub)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# ---- Atom 1.0 ----------------------------------------------------------------------------------


def _atom(
    parent: etree._Element, tag: str, text: str | None = None, **attrs: str
) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).isoformat()


class AtomWriter:
    """Atom 1.0 (RFC 4287) written with lxml: feedgen loses the enclosure links' rel/type/length."""

    filename = "atom.xml"
    media_type = ATOM_TYPE

    def render(self, info: FeedInfo, items: Sequence[FeedItem]) -> bytes:
        self_url = info.url_of(self.filename)
        feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
        feed.set(f"{{{XML_NS}}}lang", info.language)
        _atom(feed, "id", self_url)
        _atom(feed, "title", xml_safe(info.title), type="text")
        _atom(feed, "subtitle", xml_safe(info.description), type="text")
        _atom(feed, "updated", _rfc3339(last_change(items)))
        _atom(feed, "link", href=info.site_url, rel="alternate", type="text/html")
        _atom(feed, "link", href=self_url, rel="self", type=ATOM_TYPE)
        if info.hub_url:
            _atom(feed, "link", href=info.hub_url, rel="hub")
        author = _atom(feed, "author")  # Atom needs an author on the feed or on every entry
        _atom(author, "name", xml_safe(info.author or info.title))
        _atom(feed, "generator", GENERATOR)
        for item in items:
            release = item.release
            entry = _atom(feed, "entry")
            _atom(entry, "id", release.url)
            _atom(entry, "title", xml_safe(release.title), type="text")
            _atom(entry, "published", _rfc3339(release.published))
            _atom(entry, "updated", _rfc3339(item.updated))
            _atom(entry, "link", href=release.url, rel="alternate", type="text/html")
            if item.poster is not None:
                _atom(entry, "link", href=item.poster.url, rel="enclosure",
                      type=item.poster.media_type, length=str(item.poster.size_bytes))
            for tag in item_tags(item)[:1]:
                _atom(entry, "category", term=tag)
            if release.source:
                entry_author = _atom(entry, "author")
                _atom(entry_author, "name", xml_safe(release.source))
            _atom(entry, "summary", item_summary(item), type="text")
            _atom(entry, "content", item_html(item), type="html")
        return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# ---- writing -----------------------------------------------------------------------------------


def _writers() -> tuple[FeedWriter, ...]:
    from tasks.jsonfeed import JsonFeedWriter

    return (RssWriter(), AtomWriter(), JsonFeedWriter())


FEED_FILES = ("rss.xml", "atom.xml", "feed.json")


def render_feeds(info: FeedInfo, items: Sequence[FeedItem | StoredRelease]) -> dict[str, bytes]:
    """Every feed's bytes by file name."""
    feed_items = _as_items(items)
    return {w.filename: w.render(info, feed_items) for w in _writers()}


def write_feeds(
    public_dir: Path, info: FeedInfo, items: Sequence[FeedItem | StoredRelease]
) -> dict[str, bool]:
    """Render every feed and write the ones whose bytes changed; returns {filename: written}."""
    return {
        name: write_if_changed(public_dir / name, data)
        for name, data in render_feeds(info, items).items()
    }
