"""RSS, Atom and JSON Feed from a real SQLite store with real poster files, read back by the clients
subscribers use: feedparser (RSS, Atom, JSON Feed), lxml, and jsonschema against the JSON Feed 1.1
schema (tests/data/jsonfeed-1.1.schema.json). WebSub pings go to a real hub on 127.0.0.1.

The helpers at the top (``make_release``, ``fill_store``, ``write_poster``) are shared with
test_calendar.py, test_serve.py and test_landing.py.
"""

from __future__ import annotations

import email.utils
import functools
import hashlib
import json
import logging
import os
import threading
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import feedparser
import jsonschema
import pytest
from lxml import etree
from PIL import Image, ImageDraw, ImageFont

from flows.outputs import publish_outputs
from tasks.feeds import (
    FeedInfo,
    build_feed_items,
    public_url,
    render_feeds,
    summary_of,
    write_feeds,
)
from tasks.files import remove_stale_temporaries, write_if_changed
from tasks.models import SHANGHAI, Event, Release, TimeOfDay
from tasks.settings import Settings, load_profile
from tasks.store import Store, StoredPoster, open_store

BASE = "https://feeds.example.org/dg/"
INFO = FeedInfo(
    title="中国东莞政府门户网站 · 新闻发布",
    site_url="https://www.dg.gov.cn/",
    public_base_url=BASE,
    description="测试",
    author="东莞市人民政府新闻办公室",
)
SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "jsonfeed-1.1.schema.json").read_text(encoding="utf-8")
)
FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
FEEDS = ("rss.xml", "atom.xml", "feed.json")
CREATED = datetime(2024, 12, 20, 9, 0, tzinfo=SHANGHAI)  # when the store first saw the releases

TOPICS = [
    ("2024年东莞市民营经济高质量发展新闻发布会", "东莞市民服务中心一楼新闻发布厅"),
    ("第十届东莞文化周开幕式暨非遗展演", "东莞市文化馆广场"),
    ("东莞市2025年元旦春节期间市场保供稳价新闻发布会", "东莞市人民政府新闻发布厅"),
    ("松山湖科技创新成果展", "松山湖国际创新创业社区"),
    ("“湾区都市 品质东莞”城市形象推介会", "东莞国际会展中心3号馆"),
]


# ---- shared helpers ------------------------------------------------------------------------------


def make_release(i: int, **kw) -> Release:
    title, _venue = TOPICS[i % len(TOPICS)]
    base = dict(
        url=f"https://www.dg.gov.cn/zwgk/jdhy/xwfbh/content/post_{1000000 + i}.html",
        post_id=str(1000000 + i),
        title=f"{title}（第{i}期）",
        published=datetime(2024, 12, 1 + i, 10, 0, tzinfo=SHANGHAI),
        text=f"东莞市人民政府新闻办公室定于近期召开{title}。"
        + "发布会将介绍有关工作情况，并回答记者提问。" * 12,
        html=f"<p>东莞市人民政府新闻办公室定于近期召开{title}。</p>"
        "<p><a href='https://www.dg.gov.cn/zwgk/'>政务公开</a></p>",
        column="新闻发布会",
        source="东莞市人民政府新闻办公室",
    )
    base.update(kw)
    return Release(**base)


def make_events(i: int) -> list[Event]:
    title, venue = TOPICS[i % len(TOPICS)]
    day = date(2024, 12, 20 + i)
    return [
        Event(
            name=title,
            start=datetime(day.year, day.month, day.day, 19, 30, tzinfo=SHANGHAI),
            time_of_day=TimeOfDay.EVENING,
            venue=venue,
            sentence=f"定于{day.month}月{day.day}日晚7点30分在{venue}举行。",
        ),
        Event(name="配套展览", start=day, end=day + timedelta(days=2), venue="东莞展览馆"),
    ]


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if FONT.exists():
        return ImageFont.truetype(str(FONT), size, index=2)  # index 2: Simplified Chinese
    return ImageFont.load_default(size)


def write_poster(path: Path, *, title: str, when: str, size: tuple[int, int] = (540, 720)) -> bytes:
    """A real, small PNG that looks like a poster (red field, gold rule, the title in CJK)."""
    w, h = size
    img = Image.new("RGB", size, (164, 22, 26))
    draw = ImageDraw.Draw(img)
    for y in range(h // 2, h):  # a darker lower half
        shade = int(30 * (y - h / 2) / (h / 2))
        draw.line([(0, y), (w, y)], fill=(164 - shade, 22, 26))
    draw.rectangle([40, 120, w - 40, 126], fill=(212, 169, 79))
    draw.rectangle([40, h - 170, w - 40, h - 40], outline=(212, 169, 79), width=3)
    big, small = _font(40), _font(24)
    draw.text((40, 60), "东莞市人民政府新闻办公室", font=small, fill=(255, 230, 200))
    line, y = "", 160
    for char in title:
        if draw.textlength(line + char, font=big) > w - 80:
            draw.text((40, y), line, font=big, fill="white")
            line, y = "", y + 56
        line += char
    draw.text((40, y), line, font=big, fill="white")
    draw.text((60, h - 150), when, font=small, fill="white")
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, format="PNG", optimize=True)
    return path.read_bytes()


def poster_row(store: Store, public: Path, release: Release, event: Event, seq: int = 0,
               *, fmt: str = "portrait", rendered_at: datetime = CREATED) -> StoredPoster:
    """Write a poster file under ``public`` and its row in the store (as the poster step would)."""
    rel = f"posters/{release.post_id}-{seq}-{fmt}.png"
    data = write_poster(public / rel, title=event.name, when=event.start.isoformat()[:16])
    poster = StoredPoster(
        release_url=release.url, event_seq=seq, format=fmt, template="test", path=rel,
        sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data), width=540, height=720,
        input_key="k", rendered_at=rendered_at,
    )
    store.save_poster(poster)
    return poster


def fill_store(tmp_path: Path, *, count: int = 5, posters: bool = True) -> tuple[Store, Path]:
    """A real SQLite store with ``count`` releases (two events each) and their portrait posters."""
    store = open_store(f"sqlite:///{tmp_path / 'publicity.db'}")
    public = tmp_path / "out" / "public"
    for i in range(count):
        release = make_release(i)
        events = make_events(i)
        store.upsert_release(release, events=events, at=CREATED + timedelta(minutes=i))
        if posters:
            poster_row(store, public, release, events[0])
    return store, public


def feed_items_of(store: Store, public: Path, *, limit: int = 50, base: str = BASE):
    releases = store.latest_releases(limit=limit)
    posters = store.posters_for([s.release.url for s in releases])
    return build_feed_items(releases, posters, public_base_url=base, public_dir=public)


XML_FEEDS = ("rss.xml", "atom.xml")


def parse_feed(path: Path, data: bytes | None = None) -> feedparser.FeedParserDict:
    """feedparser's view of an XML feed. (feedparser 6.0.14 has no JSON Feed support: feed.json is
    read with json and checked against the JSON Feed 1.1 schema instead.)"""
    return feedparser.parse(data if data is not None else path.read_bytes())


def read_json_feed(path: Path) -> dict:
    doc = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(doc, SCHEMA)
    return doc


def settings_for(tmp_path: Path, **kw) -> Settings:
    return Settings(out=tmp_path / "out", public_base_url=BASE, **kw)


# ---- the feeds, read back ------------------------------------------------------------------------


@pytest.fixture
def filled(tmp_path):
    return fill_store(tmp_path)


def test_every_feed_parses_cleanly_with_every_release(filled):
    store, public = filled
    items = feed_items_of(store, public)
    assert write_feeds(public, INFO, items) == {name: True for name in FEEDS}
    urls = [s.release.url for s in store.latest_releases()]
    for name in XML_FEEDS:
        parsed = parse_feed(public / name)
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        assert [e.id for e in parsed.entries] == urls  # newest first, each once
        assert parsed.entries[0].title == make_release(4).title
        assert parsed.entries[0].published_parsed is not None
    doc = read_json_feed(public / "feed.json")
    assert [i["id"] for i in doc["items"]] == urls
    assert doc["items"][0]["title"] == make_release(4).title


def test_rss_channel_and_items(filled):
    store, public = filled
    items = feed_items_of(store, public)
    write_feeds(public, INFO, items)
    raw = (public / "rss.xml").read_bytes()
    rss = feedparser.parse(raw)
    assert rss.feed.link == "https://www.dg.gov.cn/"  # not the self link (feedgen quirk)
    assert rss.feed.language == "zh-CN"
    assert rss.feed.ttl == "30"
    root = etree.fromstring(raw)
    channel = root.find("channel")
    self_link = channel.find("{http://www.w3.org/2005/Atom}link")
    assert self_link.get("rel") == "self" and self_link.get("href") == BASE + "rss.xml"
    assert self_link.get("type") == "application/rss+xml"
    # lastBuildDate is the last real change (the newest release's first sight), never "now".
    last_build = email.utils.parsedate_to_datetime(channel.findtext("lastBuildDate"))
    assert last_build == CREATED + timedelta(minutes=4)
    for item, entry in zip(channel.findall("item"), rss.entries, strict=True):
        tags = [child.tag for child in item]
        content_tag = "{http://purl.org/rss/1.0/modules/content/}encoded"
        assert tags.index("description") < tags.index(content_tag)
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "true" and guid.text == item.findtext("link")
        pub = item.findtext("pubDate")
        assert pub.endswith("+0800") and email.utils.parsedate_to_datetime(pub).tzinfo is not None
        assert item.findtext("category") == "新闻发布会"
        enclosure = item.find("enclosure")
        path = public / enclosure.get("url").removeprefix(BASE)
        assert enclosure.get("url").startswith(BASE + "posters/")
        assert int(enclosure.get("length")) == path.stat().st_size
        assert enclosure.get("type") == "image/png"
        assert entry.enclosures[0].length == str(path.stat().st_size)
        html = item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded")
        assert html.startswith(f'<p><img src="{enclosure.get("url")}"')  # the poster on top
        assert "活动安排" in html and "地点：" in html and "（周" in html
        assert "晚 19:30" in html  # the Chinese date helper
        assert "<" not in entry.summary  # the description is plain text


def test_atom_keeps_enclosures_that_feedgen_would_drop(filled):
    store, public = filled
    items = feed_items_of(store, public)
    write_feeds(public, INFO, items)
    atom = parse_feed(public / "atom.xml")
    assert not atom.bozo
    assert atom.feed.links[1].rel == "self" and atom.feed.links[1].href == BASE + "atom.xml"
    for entry, item in zip(atom.entries, items, strict=True):
        assert len(entry.enclosures) == 1
        enclosure = entry.enclosures[0]
        assert enclosure.type == "image/png"
        assert int(enclosure.length) == (public / item.poster.path).stat().st_size
        assert enclosure.href == public_url(BASE, item.poster.path)
        assert entry.updated_parsed is not None and entry.summary
        assert entry.content[0].type == "text/html" and "活动安排" in entry.content[0].value
        assert entry.tags[0].term == "新闻发布会"


def test_json_feed_validates_against_the_1_1_schema(filled):
    store, public = filled
    items = feed_items_of(store, public)
    write_feeds(public, INFO, items)
    doc = json.loads((public / "feed.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, SCHEMA)
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["feed_url"] == BASE + "feed.json" and doc["language"] == "zh-CN"
    for item in doc["items"]:
        assert {"id", "url", "title", "content_html", "summary", "date_published",
                "date_modified", "image", "attachments", "tags", "authors", "language"} <= set(item)
        attachment = item["attachments"][0]
        path = public / attachment["url"].removeprefix(BASE)
        assert attachment["size_in_bytes"] == path.stat().st_size
        assert attachment["mime_type"] == "image/png" and item["image"] == attachment["url"]
        assert datetime.fromisoformat(item["date_published"]).utcoffset() == timedelta(hours=8)


def test_the_schema_refuses_broken_feeds():
    validator = jsonschema.Draft202012Validator(SCHEMA)
    good = {"version": "https://jsonfeed.org/version/1.1", "title": "t",
            "items": [{"id": "1", "content_text": "x"}]}
    assert validator.is_valid(good)
    assert not validator.is_valid({**good, "version": "https://jsonfeed.org/version/1"})
    assert not validator.is_valid({**good, "items": [{"id": "1"}]})  # no content
    assert not validator.is_valid({**good, "items": [{"id": "1", "content_text": "x",
                                                      "attachments": [{"url": "https://a/b"}]}]})
    assert not validator.is_valid({**good, "items": [{"id": "1", "content_text": "x",
                                                      "date_published": "2024-12-01"}]})


def test_rerun_leaves_files_untouched(filled):
    store, public = filled
    first = write_feeds(public, INFO, feed_items_of(store, public))
    assert first == {name: True for name in FEEDS}
    mtimes = {name: (public / name).stat().st_mtime_ns for name in FEEDS}
    again = write_feeds(public, INFO, feed_items_of(store, public))
    assert again == {name: False for name in FEEDS}
    assert {name: (public / name).stat().st_mtime_ns for name in FEEDS} == mtimes


def test_edit_changes_the_item_not_its_identity(filled):
    store, public = filled
    write_feeds(public, INFO, feed_items_of(store, public))
    before = {name: parse_feed(public / name) for name in XML_FEEDS}
    json_before = read_json_feed(public / "feed.json")
    edited_at = CREATED + timedelta(days=1)
    store.upsert_release(make_release(2, text="改期通知：发布会改期举行。"), at=edited_at)
    write_feeds(public, INFO, feed_items_of(store, public))
    json_after = read_json_feed(public / "feed.json")
    assert [i["id"] for i in json_after["items"]] == [i["id"] for i in json_before["items"]]
    changed = [i for i, j in zip(json_after["items"], json_before["items"], strict=True) if i != j]
    assert [i["id"] for i in changed] == [make_release(2).url]
    assert changed[0]["date_modified"] == edited_at.isoformat()
    assert changed[0]["summary"] == "改期通知：发布会改期举行。"
    for name in XML_FEEDS:
        after = parse_feed(public / name)
        assert [e.id for e in after.entries] == [e.id for e in before[name].entries], name
        edited = next(e for e in after.entries if e.id.endswith("post_1000002.html"))
        assert edited.summary == "改期通知：发布会改期举行。"
        if name != "rss.xml":  # RSS has no per-item modified date
            assert datetime(*edited.updated_parsed[:6]) == datetime(2024, 12, 21, 1, 0)  # UTC
            untouched = next(e for e in after.entries if e.id.endswith("post_1000001.html"))
            assert untouched.updated_parsed == next(
                e for e in before[name].entries if e.id.endswith("post_1000001.html")
            ).updated_parsed
    rss = etree.fromstring((public / "rss.xml").read_bytes())
    assert email.utils.parsedate_to_datetime(rss.findtext("channel/lastBuildDate")) == edited_at


def test_a_rerendered_poster_updates_its_item(filled):
    store, public = filled
    release = make_release(1)
    later = CREATED + timedelta(days=2)
    poster_row(store, public, release, make_events(1)[0], rendered_at=later)
    items = feed_items_of(store, public)
    assert next(i for i in items if i.release.url == release.url).updated == later


def test_items_without_posters_or_with_missing_files_have_no_enclosure(tmp_path):
    store, public = fill_store(tmp_path, count=3)
    (public / "posters" / f"{make_release(1).post_id}-0-portrait.png").unlink()
    items = feed_items_of(store, public)
    assert [i.poster is None for i in items] == [False, True, False]
    write_feeds(public, INFO, items)
    for name in XML_FEEDS:
        parsed = parse_feed(public / name)
        assert not parsed.bozo
        assert [len(e.get("enclosures", [])) for e in parsed.entries] == [1, 0, 1]
    doc = read_json_feed(public / "feed.json")
    assert [len(i.get("attachments", [])) for i in doc["items"]] == [1, 0, 1]


def test_portrait_poster_is_preferred(tmp_path):
    store, public = fill_store(tmp_path, count=1, posters=False)
    release, event = make_release(0), make_events(0)[0]
    poster_row(store, public, release, event, fmt="square")
    poster_row(store, public, release, event, fmt="portrait")
    poster_row(store, public, release, make_events(0)[1], seq=1, fmt="portrait")
    [item] = feed_items_of(store, public)
    assert item.poster.path == "posters/1000000-0-portrait.png"


def test_hostile_text_stays_well_formed(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'p.db'}")
    store.upsert_release(make_release(
        0,
        title="标题\x0b含控制符 <b>&</b> ]]>",
        text="正文\x00含空字符。",
        html="<p>相对链接 <a href='/zwgk/a.html'>a</a> <img src='img/b.png'> ]]> 结束</p>",
    ), at=CREATED)
    public = tmp_path / "public"
    write_feeds(public, INFO, feed_items_of(store, public))
    contents = []
    for name in XML_FEEDS:
        parsed = parse_feed(public / name)
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        assert parsed.entries[0].title == "标题含控制符 <b>&</b> ]]>"
        contents.append(parsed.entries[0].content[0].value)
    item = read_json_feed(public / "feed.json")["items"][0]
    assert item["title"] == "标题含控制符 <b>&</b> ]]>"
    for html in [*contents, item["content_html"]]:
        assert 'href="https://www.dg.gov.cn/zwgk/a.html"' in html
        assert 'src="https://www.dg.gov.cn/zwgk/jdhy/xwfbh/content/img/b.png"' in html


def test_empty_store_gives_valid_empty_feeds(tmp_path):
    public = tmp_path / "public"
    write_feeds(public, INFO, [])
    for name in XML_FEEDS:
        parsed = parse_feed(public / name)
        assert not parsed.bozo and parsed.entries == []
    assert read_json_feed(public / "feed.json")["items"] == []


def test_base_url_without_trailing_slash_keeps_its_path():
    assert public_url("https://x.org/dg", "rss.xml") == "https://x.org/dg/rss.xml"
    assert public_url("https://x.org/dg/", "/posters/a.png") == "https://x.org/dg/posters/a.png"


def test_hub_is_advertised_in_every_feed(filled):
    store, public = filled
    hub = "https://hub.example.org/"
    data = render_feeds(
        FeedInfo(title=INFO.title, site_url=INFO.site_url, public_base_url=BASE,
                 description=INFO.description, hub_url=hub),
        feed_items_of(store, public),
    )
    rss = etree.fromstring(data["rss.xml"])
    rels = {link.get("rel"): link.get("href")
            for link in rss.find("channel").findall("{http://www.w3.org/2005/Atom}link")}
    assert rels == {"self": BASE + "rss.xml", "hub": hub}
    assert b"<![CDATA[" in data["rss.xml"]  # re-serialising kept the CDATA sections
    atom = parse_feed(Path("atom.xml"), data["atom.xml"])
    assert {(link.rel, link.href) for link in atom.feed.links} >= {("hub", hub)}
    assert json.loads(data["feed.json"])["hubs"] == [{"type": "WebSub", "url": hub}]
    assert not parse_feed(Path("rss.xml"), data["rss.xml"]).bozo


def test_summary_cuts_at_a_sentence():
    text = "第一句话很长很长。" * 40
    summary = summary_of(text, limit=50)
    assert summary.endswith("。") and len(summary) <= 50


def test_write_if_changed_is_atomic_and_leaves_no_temporaries(tmp_path):
    target = tmp_path / "a" / "f.xml"
    assert write_if_changed(target, b"one") is True
    assert write_if_changed(target, b"one") is False
    assert write_if_changed(target, b"two") is True
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["f.xml"]
    (target.parent / ".tmp-crashed.xml").write_bytes(b"half")
    assert remove_stale_temporaries(tmp_path) == 1
    assert oct(os.stat(target).st_mode & 0o777) == "0o644"


# ---- publish_outputs and WebSub --------------------------------------------------------------


class _Hub:
    """A WebSub hub on 127.0.0.1 that records publish pings and answers with ``status``."""

    def __init__(self, status: int = 204) -> None:
        self.pings: list[dict[str, list[str]]] = []
        self.status = status
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", 0))
                hub.pings.append(parse_qs(self.rfile.read(length).decode("utf-8")))
                self.send_response(hub.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hub"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _Hub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


OUTPUTS = ["atom.xml", "events.ics", "feed.json", "index.html", "rss.xml"]


def test_publish_outputs_writes_everything_once(tmp_path):
    store, public = fill_store(tmp_path)
    settings = settings_for(tmp_path)
    profile = load_profile("dongguan")
    today = date(2024, 12, 20)
    assert publish_outputs(store, out=tmp_path / "out", settings=settings, profile=profile,
                           today=today) == OUTPUTS
    mtimes = {n: (public / n).stat().st_mtime_ns for n in OUTPUTS}
    assert publish_outputs(store, out=tmp_path / "out", settings=settings, profile=profile,
                           today=today) == []
    assert {n: (public / n).stat().st_mtime_ns for n in OUTPUTS} == mtimes


def test_hub_is_pinged_only_for_changed_feeds(tmp_path):
    store, _public = fill_store(tmp_path)
    profile = load_profile("dongguan")
    today = date(2024, 12, 20)
    with _Hub() as hub:
        settings = settings_for(tmp_path, websub_hub=hub.url)
        publish_outputs(store, out=tmp_path / "out", settings=settings, profile=profile, today=today)
        assert sorted(p["hub.url"][0] for p in hub.pings) == [BASE + n for n in sorted(FEEDS)]
        assert all(p["hub.mode"] == ["publish"] for p in hub.pings)
        hub.pings.clear()
        publish_outputs(store, out=tmp_path / "out", settings=settings, profile=profile, today=today)
        assert hub.pings == []  # nothing changed, nobody pinged
        store.upsert_release(make_release(1, text="更新。"), at=CREATED + timedelta(days=1))
        publish_outputs(store, out=tmp_path / "out", settings=settings, profile=profile, today=today)
        assert len(hub.pings) == 3


@pytest.mark.parametrize("failure", ["refused", "unreachable"])
def test_a_failing_hub_is_logged_not_raised(tmp_path, caplog, failure):
    store, _public = fill_store(tmp_path, count=2)
    profile = load_profile("dongguan")
    with _Hub(status=500) as hub:
        url = hub.url
        if failure == "refused":
            settings = settings_for(tmp_path, websub_hub=url, websub_timeout=5)
            with caplog.at_level(logging.WARNING, logger="tasks.websub"):
                changed = publish_outputs(store, out=tmp_path / "out", settings=settings,
                                          profile=profile, today=date(2024, 12, 20))
            assert len(hub.pings) == 3
    if failure == "unreachable":  # the hub's port is closed now
        settings = settings_for(tmp_path, websub_hub=url, websub_timeout=2)
        with caplog.at_level(logging.WARNING, logger="tasks.websub"):
            changed = publish_outputs(store, out=tmp_path / "out", settings=settings,
                                      profile=profile, today=date(2024, 12, 20))
    assert changed == OUTPUTS  # the outputs were written all the same
    messages = [r.getMessage() for r in caplog.records if r.name == "tasks.websub"]
    assert len(messages) == 3 and all("rss.xml" in m or "atom.xml" in m or "feed.json" in m
                                      for m in messages)


def test_a_missing_poster_file_falls_back_to_the_next_poster(tmp_path):
    store, public = fill_store(tmp_path, count=1, posters=False)
    release, events = make_release(0), make_events(0)
    first = poster_row(store, public, release, events[0])
    poster_row(store, public, release, events[1], seq=1)
    (public / first.path).unlink()
    [item] = feed_items_of(store, public)
    assert item.poster.path == "posters/1000000-1-portrait.png"
    assert item.poster.alt == "活动海报：配套展览"
